"""`pg_native`: PostgreSQL migrations parse through `pglast.parser` without importing
`pglast.ast`/`pglast.enums`, and pglast still works in full for whoever imports it later.
Each case runs in a new interpreter: the loader only acts when nothing imported pglast."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_migration_parsed_without_pglast_ast_and_enums() -> None:
    answer = _run(
        """
        import json, sys
        from analysis.parsers.migration_sql.parse import parse_migration_sql
        from analysis.sources import SourceFile
        text = 'CREATE TABLE "A" ("id" INT);\\nALTER TABLE "A" ADD COLUMN;\\nDROP TABLE "A";\\n'
        f = parse_migration_sql(SourceFile("m/1/migration.sql", text, "d", len(text)), "postgresql")
        print(json.dumps({
            "kinds": [st.kind for st in f.statements],
            "problem": [(p.kind, p.location.line, p.location.column) for p in f.problems],
            "modules": sorted(n for n in sys.modules if n.split(".")[0] == "pglast"),
        }))
        """
    )
    assert answer["kinds"] == ["create table", "invalid", "drop table"]
    assert answer["problem"] == [["syntax", 2, 27]]  # the ParseError still located
    assert answer["modules"] == ["pglast", "pglast.error", "pglast.parser"]


def test_pglast_whole_after_keepdata_loaded_its_parser() -> None:
    answer = _run(
        """
        import json
        from analysis.parsers.migration_sql.pg_native import pg_parser
        pg_parser().parse_sql_json("SELECT 1")
        import pglast
        from pglast import ast, enums
        from pglast.stream import RawStream
        (raw,) = pglast.parse_sql("select  a from b where c = 1")
        print(json.dumps({
            "node": type(raw.stmt).__name__,
            "is_ast": isinstance(raw.stmt, ast.SelectStmt),
            "op": raw.stmt.op == enums.SetOperation.SETOP_NONE,
            "printed": RawStream()(raw),
            "error": issubclass(pglast.parser.ParseError, pglast.Error),
            "version": pglast.__version__.startswith("v"),
        }))
        """
    )
    assert answer == {
        "node": "SelectStmt",
        "is_ast": True,
        "op": True,
        "printed": "SELECT a FROM b WHERE c = 1",
        "error": True,
        "version": True,
    }


def test_pglast_imported_first_is_used_as_it_is() -> None:
    answer = _run(
        """
        import json, pglast
        from analysis.parsers.migration_sql.pg_native import pg_parser
        print(json.dumps({"same": pg_parser() is pglast.parser,
                          "tree": json.loads(pg_parser().parse_sql_json("SELECT 1"))["version"] > 0}))
        """
    )
    assert answer == {"same": True, "tree": True}
