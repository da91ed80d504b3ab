"""One package.json reader: the image and schema facts read through `parse_package_json`."""

from __future__ import annotations

import ast

from analysis.facts.images.packages import read_package_info
from analysis.facts.schema import read_package_prisma
from analysis.parsers.package_json.package import parse_package_json
from analysis.sources import SourceFile, digest_bytes
from tests.conftest import REPO

TEXT = """{
  "config": {"prisma": {"schema": "not/this.prisma"}, "build": "x"},
  "scripts": {
    "build":
      "prisma generate && next build",
    "start": "node server.js"
  },
  "dependencies": {"@prisma/client": "^6.2.0", "next": "15"},
  "devDependencies": {"prisma": "~6.2.1"},
  "prisma": {
    "schema": "db/schema.prisma"
  }
}
"""


def _src(text: str) -> SourceFile:
    data = text.encode()
    return SourceFile("apps/web/package.json", text, digest_bytes(data), len(data))


def test_the_facts_see_what_the_parser_sees() -> None:
    pkg = parse_package_json(_src(TEXT))
    info = read_package_info(_src(TEXT))
    assert [(s.name, s.command, s.line) for s in info.scripts] == [
        (s.name, s.command, s.line) for s in pkg.scripts
    ]
    assert [s.line for s in info.scripts] == [5, 6]
    assert (info.dependencies, info.dev_dependencies) == (("@prisma/client", "next"), ("prisma",))
    prisma = read_package_prisma(_src(TEXT))
    # the `prisma` key of the package, not the one nested under `config` on line 2
    assert (prisma.schema, prisma.schema_line) == ("db/schema.prisma", 11)
    assert [(v.package, v.spec, v.major, v.location.line) for v in prisma.versions] == [
        ("@prisma/client", "^6.2.0", 6, 8),
        ("prisma", "~6.2.1", 6, 9),
    ]


def test_not_json_reads_as_empty() -> None:
    assert read_package_info(_src("{nope")).scripts == ()
    prisma = read_package_prisma(_src("[1, 2]"))
    assert (prisma.schema, prisma.versions) == (None, ())


def test_no_fact_decodes_package_json_itself() -> None:
    for path in sorted((REPO / "analysis" / "facts").rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("loads", "load")
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "json"
        ]
        assert calls == [], path
