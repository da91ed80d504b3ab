"""Suppressions that fit migrations: whole-statement and whole-file ignores, per-file-ignores
for applied migrations, `require-reasons`, `--disable-inline-ignores`, unknown rule ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import settings as settings_mod
from analysis.catalog import BY_ID
from analysis.config import ConfigError, parse_config
from analysis.context import Context
from analysis.discover import discover
from analysis.engine import analyze
from analysis.model import Finding, Location
from analysis.sources import SourceFile
from analysis.suppress import parse_directives, parse_rest, postprocess, sql_statement_spans
from tui.cli import main

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
SCHEMA += "model User {\n  id Int @id\n}\n"
INIT = "prisma/migrations/20240101000000_init/migration.sql"
DROP = "prisma/migrations/20240201000000_drop/migration.sql"
INIT_SQL = """\
-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL,
    "a" TEXT, "b" TEXT, "c" TEXT, "d" TEXT, "e" TEXT, "f" TEXT,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
"""
FIVE = """\
-- AlterTable
ALTER TABLE "User" DROP COLUMN "a",
DROP COLUMN "b",
DROP COLUMN "c",
DROP COLUMN "d",
DROP COLUMN "e";

-- AlterTable
ALTER TABLE "User" DROP COLUMN "f";
"""


def project(write_tree, drop_sql: str, config: str | None = None) -> Path:
    files = {
        "prisma/schema.prisma": SCHEMA,
        "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        INIT: INIT_SQL,
        DROP: drop_sql,
    }
    if config is not None:
        files["keepdata.toml"] = config
    return write_tree(files)


def analyzed(root: Path, **options: object) -> list[Finding]:
    s = settings_mod.load(root)
    for key, value in options.items():
        s = _replace(s, key, value)
    return list(analyze(root, s).findings)


def _replace(s: settings_mod.Settings, key: str, value: object) -> settings_mod.Settings:
    from dataclasses import replace

    return replace(s, **{key: value})


def kd602(findings: list[Finding]) -> dict[int, bool]:
    """Line of each KD602 in the drop migration -> suppressed."""
    return {
        f.location.line: f.suppressed is not None
        for f in findings
        if f.rule == "KD602" and f.location.path == DROP
    }


def kd003(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return sorted(
        (f.location.path, f.location.line, f.message) for f in findings if f.rule == "KD003"
    )


# -- a comment above a multi-line statement --------------------------------------------------
def test_without_a_comment_the_five_drops_are_five_findings(write_tree) -> None:
    assert kd602(analyzed(project(write_tree, FIVE))) == {
        2: False,
        3: False,
        4: False,
        5: False,
        6: False,
        9: False,
    }


@pytest.mark.parametrize(
    "sql",
    [
        # directly above the statement
        FIVE.replace(
            "ALTER TABLE", "-- keepdata-ignore KD602: columns unused since v3\nALTER TABLE", 1
        ),
        # above Prisma's `-- AlterTable` header: comments may stand between
        "-- keepdata-ignore KD602: columns unused since v3\n" + FIVE,
        # after the code on the statement's first line
        FIVE.replace('DROP COLUMN "a",', 'DROP COLUMN "a", -- keepdata-ignore KD602: unused', 1),
    ],
    ids=["above", "above-header", "trailing"],
)
def test_one_comment_covers_every_finding_of_the_statement(write_tree, sql: str) -> None:
    found = analyzed(project(write_tree, sql))
    marks = kd602(found)
    assert len(marks) == 6
    assert sum(marks.values()) == 5, marks  # the five of the first ALTER TABLE
    last = max(marks)
    assert marks[last] is False  # the next statement is not covered
    assert not kd003(found)


def test_reason_is_recorded_on_each_covered_finding(write_tree) -> None:
    sql = "-- keepdata-ignore KD602: columns unused since v3\n" + FIVE
    found = [f for f in analyzed(project(write_tree, sql)) if f.rule == "KD602" and f.suppressed]
    assert {f.suppressed.reason for f in found if f.suppressed} == {"columns unused since v3"}
    assert {f.suppressed.source for f in found if f.suppressed} == {Location(DROP, 1, 1)}


def test_a_blank_line_between_comment_and_statement_breaks_the_link(write_tree) -> None:
    sql = "-- keepdata-ignore KD602: unused\n\n" + FIVE
    found = analyzed(project(write_tree, sql))
    assert not any(kd602(found).values())
    [(path, line, message)] = kd003(found)
    assert (path, line) == (DROP, 1) and "no KD602 finding on lines 1-2" in message


def test_unused_statement_comment_names_the_statement_lines(write_tree) -> None:
    sql = FIVE.replace("ALTER TABLE", "-- keepdata-ignore KD601\nALTER TABLE", 1)
    [(_, line, message)] = kd003(analyzed(project(write_tree, sql)))
    assert line == 2
    assert "KD601 suppresses nothing: no KD601 finding on lines 2-7" in message


def test_statement_spans_skip_comments_strings_and_dollar_quotes() -> None:
    text = (
        "-- header; with a semicolon\n"  # 1
        "CREATE FUNCTION f() RETURNS int AS $$\n"  # 2
        "  SELECT 1; -- inside\n"  # 3
        "$$ LANGUAGE sql;\n"  # 4
        "/* block; */ INSERT INTO t VALUES (';',\n"  # 5
        "  'x');\n"  # 6
        "ALTER TABLE t ADD c int;\n"  # 7
    )
    assert sql_statement_spans(text) == {2: 4, 5: 6, 7: 7}


def test_dockerfile_and_shell_continuations_are_one_statement(write_tree) -> None:
    dockerfile = (
        "FROM node:20-slim\n"  # 1
        "# keepdata-ignore KD305: throwaway test image\n"  # 2
        "RUN npm ci && \\\n"  # 3
        "    npx prisma db push && \\\n"  # 4
        "    npm run build\n"  # 5
        "RUN npx prisma db push\n"  # 6
    )
    parsed = parse_directives(SourceFile("Dockerfile", dockerfile, "d", len(dockerfile)))
    [d] = parsed.items
    assert d.targets == (2, 3, 4, 5)
    root = write_tree({"Dockerfile": dockerfile})
    s = settings_mod.load(root)
    ctx = Context(root, discover(root, s.exclude), s)
    ctx.source("Dockerfile")
    out = postprocess(
        ctx,
        [
            Finding("KD305", BY_ID["KD305"].severity, "db push", Location("Dockerfile", 4)),
            Finding("KD305", BY_ID["KD305"].severity, "db push", Location("Dockerfile", 6)),
        ],
    )
    assert [f.suppressed is not None for f in out if f.rule == "KD305"] == [True, False]


# -- a whole-file ignore -----------------------------------------------------------------------
def test_ignore_file_in_a_migration_covers_every_statement(write_tree) -> None:
    sql = "-- keepdata-ignore-file KD602: legacy columns, archived in S3 first\n" + FIVE
    found = analyzed(project(write_tree, sql))
    marks = kd602(found)
    assert len(marks) == 6 and all(marks.values())
    reasons = {f.suppressed.reason for f in found if f.rule == "KD602" and f.suppressed}
    assert reasons == {"legacy columns, archived in S3 first"}
    assert not kd003(found)


def test_ignore_file_anywhere_in_the_file_and_only_that_file(write_tree) -> None:
    sql = FIVE + "-- keepdata-ignore-file KD602\n"
    root = project(write_tree, sql)
    (root / INIT).write_text(INIT_SQL + 'ALTER TABLE "User" DROP COLUMN "a";\n')
    found = analyzed(root)
    assert all(kd602(found).values())
    others = [f for f in found if f.rule == "KD602" and f.location.path == INIT]
    assert others and all(f.suppressed is None for f in others)


def test_unused_ignore_file_is_kd003(write_tree) -> None:
    sql = "-- keepdata-ignore-file KD601, KD602\n" + FIVE
    [(path, line, message)] = kd003(analyzed(project(write_tree, sql)))
    assert (path, line) == (DROP, 1)
    assert message.startswith("keepdata-ignore-file KD601 suppresses nothing")
    assert "in this file" in message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("docker-compose.yml", "# keepdata-ignore-file KD403: dev compose\nservices: {}\n"),
        ("schema.prisma", "// keepdata-ignore-file KD403 -- dev\nmodel A {\n  id Int @id\n}\n"),
        ("package.json", '{\n  "//": "keepdata-ignore-file KD403: dev",\n  "name": "x"\n}\n'),
        ("init.sql", "/* keepdata-ignore-file KD403: dev */\nSELECT 1;\n"),
    ],
)
def test_ignore_file_in_each_comment_syntax(path: str, text: str) -> None:
    [d] = parse_directives(SourceFile(path, text, "d", len(text))).items
    assert d.whole_file and d.rules == ("KD403",) and d.reason.startswith("dev")
    assert d.covers(Finding("KD403", BY_ID["KD403"].severity, "m", Location(path, 999)))
    assert not d.covers(Finding("KD401", BY_ID["KD401"].severity, "m", Location(path, 2)))


def test_plain_ignore_is_not_a_file_ignore() -> None:
    text = "# keepdata-ignore KD403\nservices: {}\n# keepdata-ignore-filex KD403\n"
    items = parse_directives(SourceFile("compose.yaml", text, "d", len(text))).items
    assert [(d.line, d.whole_file) for d in items] == [(1, False)]


# -- per-file-ignores: accepting an applied migration without editing it ---------------------
def test_per_file_ignores_accepts_an_applied_migration_without_editing_it(write_tree) -> None:
    config = '[per-file-ignores]\n"prisma/migrations/20240201000000_drop/**" = ["KD602"]\n'
    root = project(write_tree, FIVE, config)
    before = (root / DROP).read_bytes()
    found = analyzed(root)
    assert all(kd602(found).values()) and len(kd602(found)) == 6
    assert not kd003(found)
    kinds = {f.suppressed.reason for f in found if f.rule == "KD602" and f.suppressed}
    assert kinds == {"ignored for prisma/migrations/20240201000000_drop/** in keepdata.toml"}
    assert (root / DROP).read_bytes() == before
    assert main(["check", str(root), "-q"]) == 0


# -- require-reasons ---------------------------------------------------------------------------
def test_require_reasons_does_not_honour_an_ignore_without_reason(write_tree, capsys) -> None:
    sql = (
        FIVE.replace("ALTER TABLE", "-- keepdata-ignore KD602\nALTER TABLE", 1)
        + "-- keepdata-ignore KD602: the last one is fine\n"
        + 'ALTER TABLE "User" DROP COLUMN "id";\n'
    )
    root = project(write_tree, sql, "require-reasons = true\n")
    found = analyzed(root)
    marks = kd602(found)
    assert [marks[n] for n in sorted(marks)] == [False] * 6 + [True]
    [(path, line, message)] = kd003(found)
    assert (path, line) == (DROP, 2)
    assert "keepdata-ignore KD602 gives no reason" in message
    assert "require-reasons = true" in message and "not honoured" in message
    assert main(["check", str(root), "-q", "--format", "text", "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert f"{DROP}:2:1: info KD003" in out.replace(str(root) + "/", "")


def test_without_require_reasons_an_ignore_without_reason_is_honoured(write_tree) -> None:
    sql = FIVE.replace("ALTER TABLE", "-- keepdata-ignore KD602\nALTER TABLE", 1)
    found = analyzed(project(write_tree, sql, "require-reasons = false\n"))
    assert sum(kd602(found).values()) == 5 and not kd003(found)


def test_require_reasons_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config('fail-on = "high"\nrequire-reasons = "yes"\n', "keepdata.toml")
    assert err.value.line == 2 and "true or false" in err.value.message
    assert parse_config("require-reasons = true\n", "keepdata.toml").require_reasons


# -- --disable-inline-ignores -----------------------------------------------------------------
def test_disable_inline_ignores_reads_no_comment_but_keeps_config(write_tree, capsys) -> None:
    sql = "-- keepdata-ignore-file KD602: fine\n-- keepdata-ignore KD999\n" + FIVE
    root = project(write_tree, sql, 'ignore = ["KD602"]\n')
    found = analyzed(root)
    assert any("unknown rule KD999" in m for _, _, m in kd003(found))
    assert {f.suppressed.source.path for f in found if f.rule == "KD602" and f.suppressed} == {
        DROP
    }  # the comment wins over the config entry when both apply

    found = analyzed(root, inline_ignores=False)
    assert all(kd602(found).values())
    reasons = {f.suppressed.reason for f in found if f.rule == "KD602" and f.suppressed}
    assert reasons == {"ignored in keepdata.toml"}
    assert not kd003(found)  # no comment read: no unknown-rule or unused report either

    (root / "keepdata.toml").unlink()
    assert main(["check", str(root), "-q"]) == 0
    capsys.readouterr()
    assert main(["check", str(root), "-q", "--disable-inline-ignores"]) == 1
    out = capsys.readouterr().out
    assert "KD602" in out and "KD003" not in out


# -- unknown rule ids in inline ignores ---------------------------------------------------------
def test_unknown_rule_ids_are_reported_with_a_suggestion(write_tree) -> None:
    sql = FIVE.replace("ALTER TABLE", "-- keepdata-ignore KD6O2: unused\nALTER TABLE", 1)
    found = analyzed(project(write_tree, sql))
    assert not any(kd602(found).values())  # the typo suppresses nothing
    [(_, line, message)] = kd003(found)
    assert line == 2
    assert "names unknown rule KD6O2 (did you mean KD602?)" in message


def test_a_mistyped_rule_name_is_unknown_not_a_reason() -> None:
    assert parse_rest(" drop-colum") == ((), ("drop-colum",), "")
    assert parse_rest(" dev only") == ((), (), "dev only")
    assert parse_rest(" KD602 drop-column: ok") == (("KD602",), (), "ok")
