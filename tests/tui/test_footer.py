"""The footer shows the keys Textual's Footer would compose, without mounting them again on
every focus move: a set of keys shown before is shown again by the same widgets, and only
one row of keys is on screen."""

from __future__ import annotations

from textual._context import active_message_pump
from textual.compose import compose
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.widgets.footer import KeyFooter, KeyRow, _signature

RISKY = EXAMPLES / "risky-app"


def on_screen(footer: KeyFooter) -> list[tuple[object, ...]]:
    """The keys of the one row displayed."""
    rows = [row for row in footer.query_children(KeyRow) if row.display]
    assert len(rows) == 1
    return [_signature(k) for k in rows[0].query_children(FooterKey)]


def composed(footer: KeyFooter) -> list[tuple[object, ...]]:
    """What Textual's Footer.compose makes of the bindings now (composed as the footer
    itself composes: with the footer as the active message pump)."""
    token = active_message_pump.set(footer)
    try:
        return [
            _signature(k)
            for k in compose(footer, Footer.compose(footer))
            if isinstance(k, FooterKey)
        ]
    finally:
        active_message_pump.reset(token)


async def test_the_footer_follows_the_bindings_and_keeps_its_widgets() -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5")
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        table_keys = on_screen(footer)
        assert table_keys == composed(footer)
        assert any(sig[2] == "Sort" for sig in table_keys)  # the Findings pane's own key
        widgets = footer.shown_keys

        await pilot.press("down")  # the cursor moves, the bindings do not change
        await pilot.pause()
        assert footer.shown_keys == widgets

        await pilot.press("enter")  # the drill-down's keys
        await pilot.pause()
        drill_keys = on_screen(footer)
        assert drill_keys == composed(footer)
        assert any(sig[2] == "Edit" for sig in drill_keys)
        assert not any(sig[2] == "Sort" for sig in drill_keys)

        await pilot.press("n")
        await pilot.pause()
        assert on_screen(footer) == drill_keys

        await pilot.press("escape")
        await pilot.pause()
        assert on_screen(footer) == composed(footer) == table_keys
        assert footer.shown_keys == widgets  # the table's keys shown again, not mounted again

        await pilot.press("slash")  # the filter box: no table keys
        await pilot.pause()
        assert on_screen(footer) == composed(footer)
        assert not any(sig[2] == "Sort" for sig in on_screen(footer))
