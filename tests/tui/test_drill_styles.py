"""The inspector skips restyles Textual would do over the whole screen: opening and closing
the drill-down restyles only the nodes app.tcss's `-drill-open` rules style
(tui.app.DRILL_STYLED), and the first frame is styled once (tui.screen). Every node must end
up with the styles a full restyle gives it."""

from __future__ import annotations

import pytest
from textual.dom import DOMNode

from tests.conftest import EXAMPLES
from tui.app import DRILL_OPEN, KeepdataApp

RISKY = EXAMPLES / "risky-app"


def styles_of(app: KeepdataApp) -> dict[int, tuple[DOMNode, dict[str, object]]]:
    return {
        id(node): (node, dict(node.styles.base.get_rules()))
        for node in app.screen.walk_children(with_self=True)
    }


def assert_as_full_restyle(app: KeepdataApp) -> None:
    before = styles_of(app)
    app.stylesheet.update(app.screen)  # what Textual's class toggle would have done
    after = styles_of(app)
    differ = [
        f"{node!r}: {rules} != {after[key][1]}"
        for key, (node, rules) in before.items()
        if rules != after[key][1]
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
