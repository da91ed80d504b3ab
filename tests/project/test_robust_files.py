"""Issue 16, point 2 and the analysis side of point 7: one unusual file never silences an area.

Each shape (a value nested past a limit, a folder without access, a file deleted between the
walk and the read, a deleted working directory, a heredoc RUN, a huge tree, a UTF-16 file) is
a finding located on that file, and a critical finding elsewhere in the same run (KD201 on the
startup path, KD101 for a database without a volume) is still reported.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import analysis.discover as discover_mod
import analysis.engine as engine
from analysis.context import Context
from analysis.discover import discover
from analysis.engine import Analysis, analyze
from analysis.model import Finding
from analysis.parsers.package_json import MAX_JSON_DEPTH
from analysis.parsers.prisma_schema import MAX_NESTING
from tui.cli import main

# A compose file with two critical findings of two areas: KD201 (startup: the app's command)
# and KD101 (persistence: the database has no volume).
COMPOSE = """services:
  app:
    build: .
    command: sh -c "npx prisma db push --accept-data-loss && exec node server.js"
  db:
    image: postgres:16
"""
DOCKERFILE = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n'
DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'


def run(root: Path) -> Analysis:
    result = analyze(root)
    assert result.errors == (), [e.message for e in result.errors]
    return result


def of(result: Analysis, rule: str, path: str | None = None) -> list[Finding]:
    return [
        f for f in result.findings if f.rule == rule and (path is None or f.location.path == path)
    ]


def assert_criticals_kept(result: Analysis) -> None:
    """The startup area's KD201 and the persistence area's KD101 are still there."""
    assert [f.location.line for f in of(result, "KD201", "docker-compose.yml")] == [4]
    assert [f.location.line for f in of(result, "KD101", "docker-compose.yml")] == [6]


# -- Prisma schema: explicit nesting limit ---------------------------------------------------
def test_schema_default_nested_600_deep_is_kd505_and_every_area_still_runs(write_tree) -> None:
    deep = "a(" * 600 + ")" * 600
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": DOCKERFILE,
            "prisma/schema.prisma": DATASOURCE
            + f"model User {{\n  id   Int    @id @default({deep})\n  name String\n}}\n\n"
            + "model Post {\n  id Int @id\n}\n",
        }
    )
    result = run(root)
    (kd505,) = [f for f in of(result, "KD505") if "levels deep" in f.message]
    assert kd505.location.path == "prisma/schema.prisma" and kd505.location.line == 7
    assert f"more than {MAX_NESTING} levels deep (keepdata's limit)" in kd505.message
    assert_criticals_kept(result)
    # the schema area ran on the rest of the schema: the datasource has no migrations folder
    assert of(result, "KD510", "prisma/schema.prisma")


@pytest.mark.parametrize(
    "line",
    [
        "  tags Int[] @default(" + "[" * 1200 + "]" * 1200 + ")",
        "  v    String @default(dbgenerated(" + "f(" * 700 + ")" * 700 + "))",
        "  @@index([" + "x(" * 900 + ")" * 900 + "])",
    ],
    ids=["list-1200", "call-700", "block-attribute-900"],
)
def test_deep_values_anywhere_in_a_model_are_kd505_on_their_line(write_tree, line: str) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": DOCKERFILE,
            "prisma/schema.prisma": DATASOURCE + f"model M {{\n  id Int @id\n{line}\n}}\n",
        }
    )
    result = run(root)
    deep = [f for f in of(result, "KD505") if "levels deep" in f.message]
    assert [f.location.line for f in deep] == [8]
    assert_criticals_kept(result)


def test_deep_datasource_property_is_kd505(write_tree) -> None:
    url = "env(" * 2000 + '"DATABASE_URL"' + ")" * 2000
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": DOCKERFILE,
            "prisma/schema.prisma": f'datasource db {{\n  provider = "postgresql"\n  url = {url}\n}}\n',
        }
    )
    result = run(root)
    assert [f.location.line for f in of(result, "KD505") if "levels deep" in f.message] == [3]
    assert_criticals_kept(result)


def test_values_at_the_nesting_limit_are_fine(write_tree) -> None:
    value = "[" * MAX_NESTING + "]" * MAX_NESTING
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "prisma/schema.prisma": DATASOURCE
            + f"model M {{\n  id Int @id\n  t Int[] @default({value})\n}}\n",
        }
    )
    assert not [f for f in run(root).findings if "levels deep" in f.message]


# -- package.json: explicit nesting limit; the rest of the document is analyzed --------------
@pytest.mark.parametrize("depth", [900, 5000])
def test_package_json_nested_deep_is_kd001_and_its_scripts_still_count(
    write_tree, depth: int
) -> None:
    scripts = {"start": "prisma db push --accept-data-loss && node server.js"}
    text = (
        json.dumps({"name": "x", "scripts": scripts}, indent=2)[:-2]
        + ',\n  "deep": '
        + "[" * depth
        + "]" * depth
        + "\n}\n"
    )
    root = write_tree(
        {"docker-compose.yml": COMPOSE, "Dockerfile": DOCKERFILE, "package.json": text}
    )
    result = run(root)
    (kd001,) = of(result, "KD001", "package.json")
    assert f"more than {MAX_JSON_DEPTH} levels deep (keepdata's limit)" in kd001.message
    assert kd001.location.line == 6
    assert of(result, "KD201", "package.json")  # the script above the deep value still counts
    assert_criticals_kept(result)


# -- a parser without its own limit: the context turns RecursionError into a finding --------
def test_files_nested_past_the_recursion_limit_are_findings_on_each_file(write_tree) -> None:
    deep = "[" * 3000 + "]" * 3000
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": DOCKERFILE,
            "render.yaml": f"services:\n  - {deep}\n",
            "fly.toml": f'app = "x"\nx = {deep}\n',
            "prisma/schema.prisma": DATASOURCE,
            "prisma/migrations/migration_lock.toml": f'provider = "postgresql"\nx = {deep}\n',
            "prisma/migrations/0_init/migration.sql": "CREATE TABLE a (id int);\n",
        }
    )
    result = run(root)
    for path in ("render.yaml", "fly.toml", "prisma/migrations/migration_lock.toml"):
        (kd001,) = of(result, "KD001", path)
        assert "recursion limit" in kd001.message
    assert_criticals_kept(result)


def test_context_names_the_schema_and_sql_rules_for_their_files(write_tree) -> None:
    root = write_tree({"a.prisma": "x", "prisma/migrations/1/migration.sql": "x", "c.sh": "x"})
    ctx = Context(root, discover(root))

    def parser(_src: object) -> object:
        raise RecursionError

    for rel in ("a.prisma", "prisma/migrations/1/migration.sql", "c.sh"):
        assert ctx.parse(rel, parser) is None
        assert ctx.parse(rel, parser) is None  # remembered: one finding, no second attempt
    rules = {f.location.path: f.rule for f in ctx.read_problems}
    assert rules == {
        "a.prisma": "KD505",
        "prisma/migrations/1/migration.sql": "KD612",
        "c.sh": "KD001",
    }


# -- a folder without access ------------------------------------------------------------------
LOCKED_TREE = {
    "docker-compose.yml": COMPOSE
    + "  worker:\n    build: ./locked/app\n    env_file: locked/.env\n"
    + '    entrypoint: ["./locked/start.sh"]\n',
    "Dockerfile": DOCKERFILE,
    "package.json": '{"prisma": {"schema": "locked/prisma/schema.prisma"}}\n',
    "locked/app/Dockerfile": "FROM node:20\nRUN npx prisma db push --accept-data-loss\n",
    "locked/start.sh": "#!/bin/sh\nexec node server.js\n",
    "locked/.env": "A=1\n",
    "locked/prisma/schema.prisma": DATASOURCE,
}


def deny_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """What `chmod 000 folder` does for a user who is not root: the folder cannot be listed,
    and nothing inside it can be looked at or opened."""
    locked = os.path.normpath(str(folder))

    def blocked(path: object, itself: bool) -> bool:
        try:
            text = os.fsdecode(os.fspath(path))  # type: ignore[arg-type]
        except TypeError:
            return False
        text = os.path.normpath(os.path.join(os.getcwd(), text))
        return text.startswith(locked + os.sep) or (itself and text == locked)

    def wrap(name: str, itself: bool) -> None:
        real: Callable[..., object] = getattr(os, name)

        def guarded(path: object = ".", *args: object, **kwargs: object) -> object:
            if blocked(path, itself):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, guarded)

    for name in ("stat", "lstat", "open"):
        wrap(name, False)
    for name in ("scandir", "listdir"):
        wrap(name, True)
    real_open = builtins.open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, (str, bytes, os.PathLike)) and blocked(file, False):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", guarded_open)


def assert_locked_findings(result: Analysis) -> None:
    kd002 = {f.location.path: f.message for f in of(result, "KD002")}
    assert "Permission denied" in kd002["locked"]
    assert "Permission denied" in kd002["locked/prisma/schema.prisma"]
    assert not any("does not exist" in f.message for f in of(result, "KD505"))
    assert_criticals_kept(result)


def test_unreadable_folder_on_referenced_paths_is_kd002_simulated(
    write_tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(LOCKED_TREE).resolve()
    deny_folder(monkeypatch, root / "locked")
    result = run(root)
    assert_locked_findings(result)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="chmod does not stop root; the simulated test above always runs",
)
def test_unreadable_folder_on_referenced_paths_is_kd002_chmod(write_tree) -> None:
    root = write_tree(LOCKED_TREE).resolve()
    (root / "locked").chmod(0)
    try:
        assert_locked_findings(run(root))
    finally:
        (root / "locked").chmod(0o755)


def test_folder_that_cannot_be_searched_is_reported_once(
    write_tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many paths asked about inside one folder without access: one finding, on the folder."""
    root = write_tree({"docker-compose.yml": COMPOSE, "Dockerfile": DOCKERFILE}).resolve()
    (root / "node_modules" / "pkg").mkdir(parents=True)  # not walked: only the context asks
    deny_folder(monkeypatch, root / "node_modules" / "pkg")
    ctx = Context(root, discover(root))
    for name in ("a", "b/c", "d.json"):
        assert not ctx.exists(f"node_modules/pkg/{name}")
        assert not ctx.is_dir(f"node_modules/pkg/{name}")
        assert ctx.unknown(f"node_modules/pkg/{name}")
    (finding,) = ctx.read_problems
    assert finding.rule == "KD002" and finding.location.path == "node_modules/pkg"
    assert not ctx.unknown("node_modules/other")


# -- a file deleted between the walk and the read --------------------------------------------
@pytest.mark.parametrize(
    "victim", ["Dockerfile", "prisma/schema.prisma", "scripts/start.sh", "prisma", "scripts"]
)
def test_file_deleted_after_discovery_is_kd002_and_the_rest_runs(
    write_tree, monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE
            + '  worker:\n    build: .\n    entrypoint: ["./scripts/start.sh"]\n',
            "Dockerfile": DOCKERFILE,
            "scripts/start.sh": "#!/bin/sh\nexec node server.js\n",
            "prisma/schema.prisma": DATASOURCE,
        }
    )

    def discover_then_delete(folder: Path, exclude: tuple[str, ...] = ()) -> object:
        inventory = discover(folder, exclude)
        target = Path(folder) / victim
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        return inventory

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    result = run(root)
    assert_criticals_kept(result)
    if victim in ("Dockerfile", "prisma/schema.prisma"):
        (kd002,) = of(result, "KD002", victim)
        assert "No such file" in kd002.message


# -- the working directory deleted -----------------------------------------------------------
@pytest.mark.parametrize("argv", [["check"], ["check", "--format", "json"], ["report"], []])
def test_check_from_a_deleted_working_directory_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert "Traceback" not in out.err
    assert out.err.startswith("keepdata: error: .: the working directory no longer exists")


# -- heredoc RUN bodies are scripts -----------------------------------------------------------
HEREDOC_DOCKERFILE = (
    "FROM node:20\n"  # 1
    "WORKDIR /app\n"
    "RUN <<EOF\n"  # 3
    "npm ci\n"
    "npx prisma db push --accept-data-loss\n"  # 5
    "EOF\n"
    "RUN <<-EOF\n"  # 7
    "\tset -e\n"
    "\tnpx prisma db push --accept-data-loss\n"  # 9
    "\tEOF\n"
    "RUN bash <<'EOF'\n"  # 11
    "set -e\n"
    "npx prisma db push --accept-data-loss\n"  # 13
    "EOF\n"
    "RUN <<EOF\n"  # 15
    "#!/usr/bin/env python3\n"
    "print('npx prisma db push --accept-data-loss')\n"  # 17: Python, not shell
    "EOF\n"
    "RUN cat <<EOF > /app/notes.txt\n"  # 19
    "npx prisma db push --accept-data-loss\n"  # 20: data written to a file
    "EOF\n"
    'CMD ["node", "server.js"]\n'
)


def test_heredoc_run_bodies_are_scripts_with_kd201_at_the_line(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": HEREDOC_DOCKERFILE,
        }
    )
    result = run(root)
    assert [f.location.line for f in of(result, "KD201", "Dockerfile")] == [5, 9, 13]
    assert_criticals_kept(result)


def test_heredoc_run_script_keeps_lines() -> None:
    from analysis.parsers.dockerfile import parse_dockerfile_text

    runs = parse_dockerfile_text(HEREDOC_DOCKERFILE).stages[0].runs
    assert runs[0].line_of("npx prisma db push") == 5
    assert runs[0].script.lstrip().startswith("npm ci")  # the `<<EOF` marker is not a command
    assert runs[1].line_of("npx prisma db push") == 9
    assert "<<EOF" in runs[3].script  # a Python body stays heredoc data
    assert "<<EOF" in runs[4].script


# -- the discovery walk ----------------------------------------------------------------------
def test_walk_cap_counts_only_files_keepdata_reads(write_tree, monkeypatch) -> None:
    files: dict[str, str | bytes] = {f"assets/img{i:03}.png": b"" for i in range(300)}
    files.update({f"src/m{i:03}.ts": "" for i in range(300)})
    files["zz/prisma/schema.prisma"] = DATASOURCE
    files["zz/docker-compose.yml"] = COMPOSE
    root = write_tree(files)
    monkeypatch.setattr(discover_mod, "MAX_FILES", 10)
    inventory = discover(root)
    assert inventory.problems == ()
    assert [p for p, _ in inventory.files] == ["zz/docker-compose.yml", "zz/prisma/schema.prisma"]


def test_walk_cap_keeps_compose_and_prisma_files(write_tree, monkeypatch) -> None:
    files: dict[str, str | bytes] = {f"a{i:03}/package.json": "{}" for i in range(40)}
    files["zz/apps/api/prisma/schema.prisma"] = DATASOURCE
    files["zz/apps/api/prisma/migrations/0_init/migration.sql"] = "SELECT 1;\n"
    files["zz/apps/api/docker-compose.yml"] = COMPOSE
    root = write_tree(files)
    monkeypatch.setattr(discover_mod, "MAX_FILES", 10)
    inventory = discover(root)
    paths = [p for p, _ in inventory.files]
    assert len(paths) == 10
    for kept in (
        "zz/apps/api/docker-compose.yml",
        "zz/apps/api/prisma/schema.prisma",
        "zz/apps/api/prisma/migrations/0_init/migration.sql",
    ):
        assert kept in paths
    (problem,) = inventory.problems
    assert problem.rule == "KD002" and "33 were not looked at" in problem.message


def test_walk_entry_bound_visits_prisma_and_compose_first(write_tree, monkeypatch) -> None:
    files: dict[str, str | bytes] = {f"aaa/deep/f{i:03}.txt": "" for i in range(200)}
    files["prisma/schema.prisma"] = DATASOURCE
    files["docker-compose.yml"] = COMPOSE
    files["Dockerfile"] = DOCKERFILE
    root = write_tree(files)
    monkeypatch.setattr(discover_mod, "MAX_ENTRIES", 6)
    inventory = discover(root)
    paths = [p for p, _ in inventory.files]
    assert "prisma/schema.prisma" in paths and "docker-compose.yml" in paths
    assert any("walk stopped after 6 entries" in p.message for p in inventory.problems)


def test_walk_of_a_very_deep_folder_tree_does_not_recurse(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    deep = str(root)
    levels = 1200  # past Python's recursion limit (os.makedirs and shutil.rmtree recurse)
    try:
        for _ in range(levels):
            deep += "/d"
            os.mkdir(deep)
        Path(deep, "docker-compose.yml").write_text(COMPOSE)
        (root / "docker-compose.yml").write_text(COMPOSE)
        inventory = discover(root)
        assert len(inventory.files) == 2 and inventory.problems == ()
    finally:  # remove it here, bottom up: pytest's clean-up of old temporary folders recurses
        Path(deep, "docker-compose.yml").unlink(missing_ok=True)
        while deep != str(root):
            if os.path.isdir(deep):
                os.rmdir(deep)
            deep = os.path.dirname(deep)


# -- UTF-16 ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bom", "codec"),
    [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-16")],
    ids=["le", "be", "native-with-bom"],
)
def test_utf16_compose_file_with_a_bom_is_decoded(write_tree, bom: bytes, codec: str) -> None:
    root = write_tree(
        {
            "docker-compose.yml": bom + COMPOSE.replace("\n", "\r\n").encode(codec),
            "Dockerfile": DOCKERFILE,
        }
    )
    result = run(root)
    assert not of(result, "KD002")
    assert_criticals_kept(result)


def test_utf16_without_a_bom_is_named_in_kd002(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "Dockerfile": DOCKERFILE,
            "docker-compose.prod.yml": COMPOSE.encode("utf-16-le"),
        }
    )
    result = run(root)
    (kd002,) = of(result, "KD002", "docker-compose.prod.yml")
    assert "UTF-16 (little-endian) without a byte order mark" in kd002.message
    assert_criticals_kept(result)


def test_invalid_utf16_is_named_in_kd002_and_read_with_replacements(write_tree) -> None:
    root = write_tree(
        {
            # a lone surrogate in a comment: replaced, and the YAML around it still reads
            "docker-compose.yml": b"\xff\xfe"
            + (COMPOSE + "# \ud800\n").encode("utf-16-le", "surrogatepass"),
            "Dockerfile": DOCKERFILE,
        }
    )
    result = run(root)
    (kd002,) = of(result, "KD002", "docker-compose.yml")
    assert "UTF-16 (little-endian) byte order mark but is not valid UTF-16" in kd002.message
    assert_criticals_kept(result)
