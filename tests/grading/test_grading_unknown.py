"""Empty or unknown is not green: a root with nothing keepdata understands exits 2 (unless
--allow-empty), and a section whose files failed to parse reads UNKNOWN, never SAFE."""

from __future__ import annotations

import pytest

from analysis.checklist import Status
from analysis.pipeline import run
from analysis.verdict import Level
from tui.cli import main

BROKEN_SCHEMA = 'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n  x\n}\n'
GOOD_SCHEMA = 'datasource db {\n  provider = "postgresql"\n}\nmodel A {\n  id Int @id\n}\n'


def test_empty_root_exits_2_unless_allowed(write_tree, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({"README.md": "# nothing here\n", "src/index.ts": "export {}\n"})
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "nothing keepdata understands" in err and "--allow-empty" in err
    assert main(["check", str(root), "--allow-empty"]) == 0


def test_a_project_is_not_empty(write_tree, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({"prisma/schema.prisma": GOOD_SCHEMA})
    assert main(["check", str(root), "--fail-on", "never"]) == 0
    assert "nothing keepdata understands" not in capsys.readouterr().err


def test_unparsed_schema_makes_its_section_unknown(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree(
        {
            "prisma/schema.prisma": BROKEN_SCHEMA,
            "docker-compose.yml": "services:\n  app:\n    image: node:20\n",
        }
    )
    analysis = run(root)
    v = analysis.verdict
    schema = v.area("schema")
    assert schema.level == Level.UNKNOWN and schema.decided_by is not None
    assert schema.decided_by.rule == "KD505"
    assert v.area("persistence").level != Level.UNKNOWN
    items = {i.id: i for i in analysis.checklist.items}
    blinded = [i for i in items.values() if "could not be parsed" in i.reason]
    assert blinded and all(i.status == Status.UNVERIFIABLE for i in blinded)
    # the same project with a schema that parses: no UNKNOWN section
    root2 = write_tree({"prisma/schema.prisma": GOOD_SCHEMA}, root.parent / "ok")
    assert all(a.level != Level.UNKNOWN for a in run(root2).verdict.areas)
