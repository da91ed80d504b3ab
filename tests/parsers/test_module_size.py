"""Issue 10 "Done when": no parser module over ~800 lines (each has one job)."""

from __future__ import annotations

from tests.conftest import REPO

LIMIT = 800


def test_no_parser_module_over_the_limit() -> None:
    sizes = {
        str(p.relative_to(REPO)): len(p.read_text().splitlines())
        for p in (REPO / "analysis" / "parsers").rglob("*.py")
    }
    assert len(sizes) > 20
    assert {p: n for p, n in sizes.items() if n > LIMIT} == {}
