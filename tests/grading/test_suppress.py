"""Inline `keepdata-ignore` comments, config ignores, severity overrides and the baseline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import settings as settings_mod
from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.discover import discover
from analysis.engine import analyze
from analysis.model import Finding, Location, Severity
from analysis.suppress import parse_rest, path_matches, postprocess

COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
    ports:
      # keepdata-ignore KD403: only reachable on the dev VM
      - "5432:5432"
    volumes:
      - ./pgdata:/var/lib/postgresql/data  # keepdata-ignore KD106 -- dev only
volumes: {}
"""


def finding(rule: str, path: str, line: int, message: str = "") -> Finding:
    return Finding(rule, BY_ID[rule].severity, message or f"{rule} here", Location(path, line))


def run(root: Path, findings: list[Finding], read: bool = True) -> list[Finding]:
    """Post-process constructed findings over a real context that has read the project."""
    s = settings_mod.load(root)
    ctx = Context(root, discover(root, s.exclude), s)
    if read:
        for path, _ in ctx.inventory.files:
            ctx.source(path)
    return list(postprocess(ctx, findings))


def by_rule(results: list[Finding], rule: str) -> list[Finding]:
    return [f for f in results if f.rule == rule]


@pytest.mark.parametrize(
    ("path", "text", "comment_line", "line", "rule", "reason"),
    [
        ("docker-compose.yml", COMPOSE, 7, 8, "KD403", "only reachable on the dev VM"),
        ("docker-compose.yml", COMPOSE, 10, 10, "KD106", "dev only"),
        (
            "Dockerfile",
            "FROM node:20-slim\nWORKDIR /app\nCOPY . .\n"
            "# keepdata-ignore KD305: builds the throwaway test fixture db\n"
            "RUN npx prisma db push --skip-generate\n",
            4,
            5,
            "KD305",
            "builds the throwaway test fixture db",
        ),
        (
            "scripts/entrypoint.sh",
            "#!/bin/sh\nset -e\nnpx prisma migrate deploy || true  # keepdata-ignore KD209\n"
            'exec node dist/server.js "$@"\n',
            3,
            3,
            "KD209",
            "",
        ),
        (
            ".env",
            "# keepdata-ignore KD402 -- local throwaway container\nPOSTGRES_PASSWORD=postgres\n",
            1,
            2,
            "KD402",
            "local throwaway container",
        ),
        (
            "fly.toml",
            'app = "shop"\n[deploy]\n  # keepdata-ignore KD216\n'
            '  release_command = "npx prisma migrate deploy"\n',
            3,
            4,
            "KD216",
            "",
        ),
        (
            "Makefile",
            "reset:\n\t# keepdata-ignore KD111: wipes the dev stack on purpose\n"
            "\tdocker compose down -v\n",
            2,
            3,
            "KD111",
            "wipes the dev stack on purpose",
        ),
        (
            "prisma/schema.prisma",
            "model Session {\n  id     String @id\n  userId String\n"
            "  // keepdata-ignore KD501 -- sessions are disposable\n"
            "  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n",
            4,
            5,
            "KD501",
            "sessions are disposable",
        ),
        (
            "prisma.config.ts",
            'import { defineConfig } from "prisma/config";\nexport default defineConfig({\n'
            '  datasource: { url: "file:./dev.db" }, // keepdata-ignore KD113: CI only\n});\n',
            3,
            3,
            "KD113",
            "CI only",
        ),
        (
            "prisma/migrations/20240301000000_drop_legacy/migration.sql",
            "-- keepdata-ignore KD602 -- column unused since v2.3, backed up in ticket OPS-41\n"
            'ALTER TABLE "User" DROP COLUMN "legacyId";\n',
            1,
            2,
            "KD602",
            "column unused since v2.3, backed up in ticket OPS-41",
        ),
        (
            "package.json",
            '{\n  "name": "shop",\n  "scripts": {\n'
            '    "//": "keepdata-ignore KD216: preview deploys use a throwaway database",\n'
            '    "vercel-build": "prisma migrate deploy && next build"\n  }\n}\n',
            4,
            5,
            "KD216",
            "preview deploys use a throwaway database",
        ),
    ],
)
def test_comment_syntax_suppresses_and_records_reason(
    write_tree, path: str, text: str, comment_line: int, line: int, rule: str, reason: str
) -> None:
    root = write_tree({path: text})
    [f] = by_rule(run(root, [finding(rule, path, line)]), rule)
    assert f.suppressed is not None
    assert f.suppressed.source is not None
    assert (f.suppressed.source.path, f.suppressed.source.line) == (path, comment_line)
    assert f.suppressed.reason == reason
    assert f.severity is BY_ID[rule].severity


def test_comment_covers_only_its_line_and_the_next(write_tree) -> None:
    root = write_tree({"docker-compose.yml": COMPOSE})
    results = run(
        root,
        [
            finding("KD403", "docker-compose.yml", 8),  # line below the comment
            finding("KD403", "docker-compose.yml", 9),  # two lines below: not covered
            finding("KD101", "docker-compose.yml", 8),  # other rule on the covered line
        ],
    )
    state = {
        (f.rule, f.location.line): f.suppressed is not None for f in results if f.rule != "KD003"
    }
    assert state == {("KD403", 8): True, ("KD403", 9): False, ("KD101", 8): False}


def test_several_ids_comma_and_space_separated(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
            "      # keepdata-ignore KD401, KD402 KD407: demo stack\n"
            "      POSTGRES_PASSWORD: postgres\n"
        }
    )
    results = run(root, [finding(r, "compose.yaml", 6) for r in ("KD401", "KD402", "KD407")])
    assert all(f.suppressed is not None for f in results)
    assert {f.suppressed.reason for f in results if f.suppressed} == {"demo stack"}
    assert not by_rule(results, "KD003")


def test_bare_ignore_suppresses_every_rule_on_its_line_only(write_tree) -> None:
    root = write_tree(
        {
            "docker/entrypoint.sh": "#!/bin/sh\n"
            "npx prisma db push --accept-data-loss  # keepdata-ignore\n"
            "\n"
            "node server.js\n"
        }
    )
    results = run(
        root,
        [
            finding("KD201", "docker/entrypoint.sh", 2),
            finding("KD209", "docker/entrypoint.sh", 2),
            finding("KD214", "docker/entrypoint.sh", 4),
        ],
    )
    assert [f.suppressed is not None for f in results if f.rule != "KD003"] == [
        True,
        True,
        False,
    ]
    assert not by_rule(results, "KD003")


def test_stacked_comments_all_cover_the_line_below_them(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n"
            "    # keepdata-ignore KD108\n"
            "    # keepdata-ignore KD102: checked by hand, data is in /pgdata\n"
            "    image: postgres\n"
        }
    )
    results = run(
        root, [finding("KD108", "docker-compose.yml", 5), finding("KD102", "docker-compose.yml", 5)]
    )
    assert all(f.suppressed is not None for f in results)
    assert not by_rule(results, "KD003")


def test_unused_comment_is_reported_as_kd003_at_the_comment(write_tree) -> None:
    root = write_tree({"docker-compose.yml": COMPOSE})
    results = run(root, [finding("KD106", "docker-compose.yml", 10)])
    [unused] = by_rule(results, "KD003")
    assert unused.severity is Severity.INFO
    assert (unused.location.path, unused.location.line, unused.location.column) == (
        "docker-compose.yml",
        7,
        7,
    )
    assert "KD403" in unused.message
    assert unused.suppressed is None


def test_partly_used_comment_reports_only_the_unused_id(write_tree) -> None:
    root = write_tree({"Dockerfile": "FROM postgres\n# keepdata-ignore KD108, KD304\nENV A=1\n"})
    results = run(root, [finding("KD108", "Dockerfile", 3)])
    [unused] = by_rule(results, "KD003")
    assert "KD304" in unused.message and "KD108" not in unused.message
    assert unused.location.line == 2


def test_unused_bare_comment_and_unknown_rule_are_reported(write_tree) -> None:
    root = write_tree(
        {
            "scripts/start.sh": "#!/bin/sh\n# keepdata-ignore\necho hi\n"
            "# keepdata-ignore KD999: typo\nexec node server.js\n"
        }
    )
    results = run(root, [])
    msgs = sorted((f.location.line, f.message) for f in by_rule(results, "KD003"))
    assert [line for line, _ in msgs] == [2, 4]
    assert "no finding" in msgs[0][1]
    assert "unknown rule KD999" in msgs[1][1]


def test_only_unknown_ids_suppress_nothing(write_tree) -> None:
    root = write_tree(
        {"Dockerfile": "FROM node:20\n# keepdata-ignore KD3O5\nRUN npx prisma db push\n"}
    )
    results = run(root, [finding("KD305", "Dockerfile", 3)])
    assert by_rule(results, "KD305")[0].suppressed is None
    [unknown] = by_rule(results, "KD003")
    assert "unknown rule KD3O5" in unknown.message


def test_comments_in_files_the_analysis_did_not_read_are_ignored(write_tree) -> None:
    root = write_tree({"docker-compose.yml": COMPOSE})
    results = run(root, [finding("KD403", "docker-compose.yml", 8)], read=False)
    assert results[0].suppressed is None
    assert not by_rule(results, "KD003")


def test_hash_inside_a_value_is_not_a_comment(write_tree) -> None:
    root = write_tree(
        {"compose.yaml": "services:\n  db:\n    environment:\n      PW: abc#keepdata-ignore\n"}
    )
    results = run(root, [finding("KD401", "compose.yaml", 4)])
    assert results[0].suppressed is None


CONFIG = """\
ignore = ["KD106", "KD114"]

[severity]
KD403 = "high"

[per-file-ignores]
"docs/**" = ["KD101"]
"""


def test_config_ignore_suppresses_with_config_location(write_tree) -> None:
    root = write_tree({"keepdata.toml": CONFIG, "docker-compose.yml": COMPOSE})
    results = run(
        root,
        [
            finding("KD114", "docker-compose.yml", 1),
            finding("KD101", "docs/examples/docker-compose.yml", 3),
            finding("KD101", "docker-compose.yml", 2),
        ],
    )
    kd114 = by_rule(results, "KD114")[0]
    assert kd114.suppressed is not None and kd114.suppressed.source == Location("keepdata.toml", 1)
    assert "keepdata.toml" in kd114.suppressed.reason
    main, docs = sorted(by_rule(results, "KD101"), key=lambda f: f.location.path)
    assert main.suppressed is None
    assert docs.suppressed is not None and docs.suppressed.source == Location("keepdata.toml", 7)


def test_unused_config_entry_is_kd003_at_its_line(write_tree) -> None:
    root = write_tree({"keepdata.toml": CONFIG, "docker-compose.yml": COMPOSE})
    results = run(root, [finding("KD114", "docker-compose.yml", 1)])
    unused = sorted(
        (f.location.path, f.location.line, f.message) for f in by_rule(results, "KD003")
    )
    assert [(p, n) for p, n, _ in unused] == [
        ("docker-compose.yml", 7),  # KD403 comment
        ("docker-compose.yml", 10),  # KD106 comment
        ("keepdata.toml", 1),  # KD106 in ignore
        ("keepdata.toml", 7),  # KD101 for docs/**
    ]
    assert "KD106" in unused[2][2] and "KD101" in unused[3][2]


def test_config_can_ignore_kd003_itself(write_tree) -> None:
    root = write_tree({"keepdata.toml": 'ignore = ["KD003"]\n', "docker-compose.yml": COMPOSE})
    results = run(root, [])
    assert len(by_rule(results, "KD003")) == 2
    assert all(f.suppressed is not None for f in results)


def test_severity_override_changes_severity(write_tree) -> None:
    root = write_tree({"keepdata.toml": CONFIG})
    results = run(root, [finding("KD403", "compose.yaml", 8), finding("KD401", "compose.yaml", 5)])
    sev = {f.rule: f.severity for f in results if f.rule != "KD003"}
    assert sev == {"KD403": Severity.HIGH, "KD401": Severity.MEDIUM}


MIGRATIONS = {
    "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n',
    "prisma/migrations/20231201000000_init/migration.sql": 'CREATE TABLE "User" ("id" TEXT);\n',
    "prisma/migrations/20240101000000_drop_legacy/migration.sql": (
        'ALTER TABLE "User" DROP COLUMN "legacy";\n'
    ),
    "prisma/migrations/20240315000000_drop_name/migration.sql": (
        'ALTER TABLE "User" DROP COLUMN "name";\n'
    ),
}


def test_baseline_turns_old_migration_findings_into_info(write_tree) -> None:
    root = write_tree(
        {**MIGRATIONS, "keepdata.toml": '[migrations]\nbaseline = "20240101000000_drop_legacy"\n'}
    )
    old = "prisma/migrations/20240101000000_drop_legacy/migration.sql"
    new = "prisma/migrations/20240315000000_drop_name/migration.sql"
    results = run(
        root,
        [
            finding("KD602", old, 1),
            finding("KD602", new, 1),
            finding("KD703", old, 1),
        ],
    )
    sev = {(f.rule, f.location.path): f for f in results}
    assert sev[("KD602", old)].severity is Severity.INFO
    assert "baseline" in sev[("KD602", old)].message
    assert sev[("KD602", new)].severity is Severity.HIGH
    assert sev[("KD703", old)].severity is BY_ID["KD703"].severity


def test_engine_applies_postprocess_to_real_findings(write_tree, tmp_path: Path) -> None:
    root = write_tree(
        {
            "keepdata.toml": '[severity]\nKD002 = "low"\n',
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
        },
        tmp_path / "proj",
    )
    os.symlink(tmp_path / "elsewhere" / "Dockerfile", root / "Dockerfile")  # broken link
    plain = analyze(root)
    [kd002] = [f for f in plain.findings if f.rule == "KD002"]
    assert kd002.severity is Severity.MEDIUM and kd002.location.path == "Dockerfile"

    result = analyze(root, settings_mod.load(root))
    [kd002] = [f for f in result.findings if f.rule == "KD002"]
    assert kd002.severity is Severity.LOW

    (root / "keepdata.toml").write_text('ignore = ["KD002"]\n')
    result = analyze(root, settings_mod.load(root))
    [kd002] = [f for f in result.findings if f.rule == "KD002"]
    assert kd002.suppressed is not None
    assert kd002 not in result.active
    assert not [f for f in result.findings if f.rule == "KD003"]
    assert "keepdata.toml" in [f.path for f in result.files]


@pytest.mark.parametrize(
    ("rest", "rules", "unknown", "reason"),
    [
        (" KD106", ("KD106",), (), ""),
        (" KD106: dev only", ("KD106",), (), "dev only"),
        (" KD401,KD402 -- demo", ("KD401", "KD402"), (), "demo"),
        (" kd403 db-bind-mount", ("KD403", "KD106"), (), ""),
        (" KD1O6", (), ("KD1O6",), ""),
        ("", (), (), ""),
        (": throwaway", (), (), "throwaway"),
    ],
)
def test_parse_rest(rest: str, rules: tuple, unknown: tuple, reason: str) -> None:
    assert parse_rest(rest) == (rules, unknown, reason)


@pytest.mark.parametrize(
    ("path", "pattern", "hit"),
    [
        ("docs/examples/docker-compose.yml", "docs/**", True),
        ("docs/examples/docker-compose.yml", "docs/", True),
        ("apps/docs/compose.yaml", "docs/**", False),
        ("examples/a/compose.yaml", "examples", True),
        ("prisma/migrations/1_x/migration.sql", "*.sql", True),
        ("docker-compose.yml", "docker-compose.*.yml", False),
        ("docker-compose.dev.yml", "docker-compose.*.yml", True),
    ],
)
def test_path_matches(path: str, pattern: str, hit: bool) -> None:
    assert path_matches(path, pattern) is hit
