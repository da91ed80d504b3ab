"""The committed `docs/rules/` pages are the ones the registry generates."""

from __future__ import annotations

from pathlib import Path

from analysis.rules import docs
from analysis.rules.registry import RULES


def test_committed_pages_are_current() -> None:
    assert docs.stale() == [], "docs/rules is stale: run `python -m analysis.rules.docs`"


def test_one_page_per_rule_and_an_index() -> None:
    pages = docs.pages()
    assert len(pages) == len(RULES) + 1 and "README.md" in pages
    for r in RULES:
        page = pages[docs.page_name(r)]
        assert page.count(f"# {r.id} {r.name}\n") == 1 and r.text.fix in page
        assert f"({docs.page_name(r)})" in pages["README.md"]


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    docs.write(tmp_path)
    assert docs.stale(tmp_path) == []
    first = docs.page_name(RULES[0])
    (tmp_path / first).write_text("edited by hand\n")
    (tmp_path / "kd999-gone.md").write_text("a removed rule\n")
    assert docs.stale(tmp_path) == sorted([first, "kd999-gone.md"])
