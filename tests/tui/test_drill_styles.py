"""The inspector skips restyles Textual would do over the whole screen: opening and closing
the drill-down restyles only the nodes app.tcss's `-drill-open` rules style
(tui.app.DRILL_STYLED), those of hidden panes when they are shown, and the first frame is
styled once (tui.screen). Every node on screen must have the styles a full restyle gives
it."""

from __future__ import annotations

import pytest
from textual.dom import DOMNode
from textual.widgets import TabPane

from tests.conftest import EXAMPLES
from tui.app import DRILL_OPEN, KeepdataApp

RISKY = EXAMPLES / "risky-app"


def shown(node: DOMNode) -> bool:
    """Not inside a pane that is not on screen (those are restyled when shown)."""
    return not any(isinstance(a, TabPane) and not a.display for a in node.ancestors_with_self)


def styles_of(app: KeepdataApp) -> dict[int, tuple[DOMNode, dict[str, object]]]:
    return {
        id(node): (node, dict(node.styles.base.get_rules()))
        for node in app.screen.walk_children(with_self=True)
        if shown(node)
    }


def assert_as_full_restyle(app: KeepdataApp) -> None:
    before = styles_of(app)
    app.stylesheet.update(app.screen)  # what Textual's class toggle would have done
    after = styles_of(app)
    differ = [
        f"{node!r}: {rules} != {after[key][1]}"
        for key, (node, rules) in before.items()
        if key in after and rules != after[key][1]
    ]
    assert not differ, "\n".join(differ[:5])


@pytest.mark.parametrize("size", [(120, 40), (80, 30)])
async def test_the_drill_down_styles_the_panes_as_a_full_restyle_would(
    size: tuple[int, int],
) -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=size) as pilot:
        await app.wait_for_analysis()
        for pane in ("3", "4", "5"):  # the Migrations and Relations panes restack
            await pilot.press(pane)
            await pilot.pause()
            await pilot.press("n")  # opens the next finding from any pane
            await pilot.pause()
            assert app.query_one("#body").has_class(DRILL_OPEN)
            assert_as_full_restyle(app)
            await pilot.press("escape")
            await pilot.pause()
            assert not app.query_one("#body").has_class(DRILL_OPEN)
            assert_as_full_restyle(app)


async def test_a_pane_shown_while_the_drill_down_is_open_is_styled_for_it() -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")  # opened on the Findings pane
        await pilot.pause()
        for pane in ("3", "4", "1", "5"):  # the wide drill-down stays open
            await pilot.press(pane)
            await pilot.pause()
            assert app.drilldown_open
            assert_as_full_restyle(app)
        split = app.query_one("MigrationsPane .split")
        await pilot.press("3")
        await pilot.pause()
        assert split.styles.layout is not None and split.styles.layout.name == "vertical"
        app.action_close_drilldown()  # (Esc closes it from inside the drill-down)
        await pilot.pause()
        assert_as_full_restyle(app)
        assert split.styles.layout is not None and split.styles.layout.name == "horizontal"
        await pilot.press("1")  # restyled for the closed drill-down when shown
        await pilot.pause()
        assert_as_full_restyle(app)


@pytest.mark.parametrize(("size", "breakpoint"), [((120, 40), "-wide"), ((80, 30), "-narrow")])
async def test_the_first_frame_is_styled_as_a_full_restyle_would(
    size: tuple[int, int], breakpoint: str
) -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=size) as pilot:
        assert app.screen.has_class(breakpoint)  # before the analysis lands
        assert_as_full_restyle(app)
        await app.wait_for_analysis()
        await pilot.pause()
        assert_as_full_restyle(app)
