"""History and context in the inspector, on the generated large project (236 migrations
committed to git: the applied history; 4 new): the migrations pane lists the new ones and
folds the history into one row with its count; `ctx:` filters the findings by context; the
verdict bar's worst finding is a production one; the tab labels shorten instead of scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.large_project import MIGRATIONS, NEW_MIGRATIONS, make_large_project
from tui.app import KeepdataApp
from tui.panes.findings import context_of, parse_filter
from tui.panes.migrations import HISTORY_ROW
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.tabs import tab_labels


@pytest.fixture
def large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)  # grade the git history
    return make_large_project(tmp_path / "large-app")


async def test_migrations_pane_folds_the_applied_history(large: Path) -> None:
    app = KeepdataApp(large, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#history-table", KeyedTable)
        keys = table.keys
        history = MIGRATIONS - NEW_MIGRATIONS
        assert len(keys) == NEW_MIGRATIONS + 1 and keys[-1] == HISTORY_ROW
        row = [str(c) for c in table.get_row(HISTORY_ROW)]
        assert f"{history} applied" in row[0]
        await pilot.press("h")
        await pilot.pause()
        assert len(table.keys) == MIGRATIONS + 1
        await pilot.press("h")
        await pilot.pause()
        assert len(table.keys) == NEW_MIGRATIONS + 1


async def test_ctx_filter_and_the_worst_finding_is_production(large: Path) -> None:
    app = KeepdataApp(large, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        worst = snapshot.verdict.decided_by
        assert worst is not None and worst.context is None and not worst.history
        pane = app.findings_pane
        for ctx in ("production", "test", "development", "history"):
            pane.set_filter(f"ctx:{ctx}")
            await pilot.pause()
            expected = [f for f in snapshot.active if context_of(f) == ctx]
            assert expected, ctx
            assert len(pane.shown_findings) == len(expected), ctx
        assert all(f.history for f in pane.shown_findings)
        assert parse_filter("ctx:prod sev:high").contexts == {"production"}
        assert parse_filter("ctx:nowhere").problems == ("ctx:nowhere",)


def test_tab_labels_shorten_rather_than_scroll() -> None:
    assert tab_labels(120, 422)[-1] == "5 Findings (422)"
    for width in (50, 60, 70):  # the drill-down leaves the panes at least 50 columns
        labels = tab_labels(width, 422)
        assert sum(len(label) + 2 for label in labels) <= width, width
        assert [label[0] for label in labels] == ["1", "2", "3", "4", "5"]
        assert labels[-1].endswith("(422)")
