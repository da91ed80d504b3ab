"""The command palette provider: switch panes, export, rescan, pause, filter presets."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.app import KeepdataApp

FILTER_PRESETS: tuple[tuple[str, str, str], ...] = (
    ("Filter: critical only", "sev:critical", "Show critical findings only"),
    ("Filter: high and above", "sev>=high", "Show critical and high findings"),
    ("Filter: medium and above", "sev>=medium", "Hide low and informational findings"),
    ("Filter: volumes and persistence", "area:persistence", "KD1xx findings"),
    ("Filter: startup path", "area:startup", "KD2xx findings"),
    ("Filter: image build", "area:image", "KD3xx findings"),
    ("Filter: environment and secrets", "area:environment", "KD4xx findings"),
    ("Filter: schema", "area:schema", "KD5xx findings"),
    ("Filter: migration SQL", "area:migrations", "KD6xx findings"),
    ("Filter: schema vs migrations", "area:drift", "KD7xx findings"),
    ("Filter: clear", "", "Show every finding"),
)


class KeepdataCommands(Provider):
    """Palette commands of the inspector (the system commands stay available too)."""

    @property
    def keepdata(self) -> KeepdataApp:
        return cast("KeepdataApp", self.app)

    def commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.keepdata
        out: list[tuple[str, Callable[[], object], str]] = []
        for number, (pane_id, title) in enumerate(app.PANES, start=1):
            out.append(
                (
                    f"Pane: {title}",
                    partial(app.action_show_pane, pane_id),
                    f"Switch to the {title} pane (key {number})",
                )
            )
        out.append(("Export report…", app.action_export, "Markdown, JSON, SARIF or SVG (key e)"))
        out.append(("Rescan now", app.action_rescan, "Analyze the project again (key r)"))
        paused = app.paused
        out.append(
            (
                "Resume watching" if paused else "Pause watching",
                app.action_toggle_pause,
                "Stop or restart re-analyzing on file changes (key p or P)",
            )
        )
        for title, query, help_text in FILTER_PRESETS:
            out.append((title, partial(app.apply_filter, query), help_text))
        out.append(("Show keys", app.action_show_keys, "Every key of the inspector (key ?)"))
        return out

    async def discover(self) -> Hits:
        for name, runnable, help_text in self.commands():
            yield DiscoveryHit(name, runnable, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, runnable, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), runnable, help=help_text)
