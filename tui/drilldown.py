"""The drill-down: the file behind a finding (or a volume, a migration statement, a relation
edge, a piece of evidence) with Pygments highlighting, line numbers and the offending lines
marked and scrolled into view; the rule's explanation and fix; the related locations, to jump
between. All file text goes through `analysis.secrets.safe_text`."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from analysis.catalog import BY_ID
from analysis.model import Finding, Location
from analysis.secrets import safe_text
from analysis.terminal import terminal_line
from tui.messages import DrillTarget
from tui.watch import Snapshot
from tui.widgets.badges import LINE_MARK, SEVERITY_STYLE
from tui.widgets.code_view import CodeView


def rule_explanation(rule_id: str) -> tuple[str, str, str]:
    """(short, rationale, fix) of a rule; the catalog summary when the texts are missing."""
    rule = BY_ID.get(rule_id)
    summary = rule.summary if rule else ""
    try:
        from analysis.rule_texts import text_for

        text = text_for(rule_id)
    except Exception:
        text = None
    if text is None:
        return summary, "", ""
    return text.short, text.rationale, text.fix


def editor_command(editor: str, path: str, line: int) -> list[str]:
    """The command that opens `path` at `line` in `editor` ($VISUAL/$EDITOR, may hold
    arguments). Raises ValueError when `editor` is not a command line."""
    argv = shlex.split(editor)  # ValueError on an unbalanced quote
    if not argv:
        raise ValueError("no command")
    name = Path(argv[0]).name
    if name in ("code", "code-insiders", "codium", "cursor", "windsurf"):
        return [*argv, "--goto", f"{path}:{line}"]
    if name in ("subl", "sublime_text", "zed", "hx", "helix", "mate"):
        return [*argv, f"{path}:{line}"]
    return [*argv, f"+{line}", path]


class DrillDown(Vertical):
    """A layer over the right half of the panes on wide terminals, over all of them on narrow
    ones (app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.next_finding", "Next", id="drill-next", tooltip="Show the next finding"),
        Binding(
            "p",
            "app.previous_finding",
            "Prev",
            id="drill-previous",
            tooltip="Show the previous finding (outside the drill-down, p pauses watching)",
        ),
        Binding(
            "o",
            "open_editor",
            "Edit",
            id="drill-open-editor",
            tooltip="Open the file at this line in $VISUAL or $EDITOR",
        ),
        Binding(
            "y", "copy_location", "Copy", id="drill-copy", tooltip="Copy path:line to the clipboard"
        ),
        Binding(
            "right_square_bracket",
            "step_related(1)",
            "Related",
            id="drill-next-related",
            tooltip="Jump to the next related location",
        ),
        Binding(
            "left_square_bracket",
            "step_related(-1)",
            "Prev related",
            show=False,
            id="drill-previous-related",
            tooltip="Jump to the previous related location",
        ),
        Binding("escape", "app.close_drilldown", "Close", id="drill-close", tooltip="Close"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target: DrillTarget | None = None
        self.snapshot: Snapshot | None = None
        self.related_index = -1
        self.resolved = False

    def compose(self) -> ComposeResult:
        yield Static("", id="drill-title")
        yield CodeView(id="drill-code")
        with VerticalScroll(id="drill-info"):
            yield Static("", id="drill-message")
            yield Static("", id="drill-explain")
            yield OptionList(id="drill-related")

    @property
    def code(self) -> CodeView:
        return self.query_one("#drill-code", CodeView)

    @property
    def location(self) -> Location | None:
        """The location on screen: the target's, or the related one jumped to."""
        if self.target is None:
            return None
        if 0 <= self.related_index < len(self.target.related):
            return self.target.related[self.related_index].location
        return self.target.location

    # -- showing -----------------------------------------------------------------------
    def show_target(self, target: DrillTarget, snapshot: Snapshot) -> None:
        self.target = target
        self.snapshot = snapshot
        self.related_index = -1
        self.resolved = False
        self._render_text()
        self._show_location(scroll=True)

    def refresh_snapshot(self, snapshot: Snapshot) -> None:
        """A new analysis landed: follow the same finding (by identity), keep the scroll."""
        if self.target is None:
            self.snapshot = snapshot
            return
        self.snapshot = snapshot
        f = self.target.finding
        if f is not None:
            same = next((g for g in snapshot.active if g.identity == f.identity), None)
            if same is not None:
                self.target = DrillTarget.of_finding(same)
                self.resolved = False
            else:
                self.resolved = True
        if self.related_index >= len(self.target.related):
            self.related_index = -1
        self._render_text()
        self._show_location(scroll=False)

    def _render_title(self) -> None:
        """The first lines: what this is and the place on screen (it follows `[`/`]`)."""
        target = self.target
        loc = self.location
        if target is None or loc is None:
            return
        place = safe_text(f"{loc.path}:{loc.line}")
        if self.related_index >= 0:
            count = len(target.related)
            place += f"  (related {self.related_index + 1} of {count})"
        f = target.finding
        parts: list[str | tuple[str, str]]
        if f is not None:
            rule = BY_ID.get(f.rule)
            name = rule.name if rule else ""
            parts = [
                (f"{f.severity.label} ", SEVERITY_STYLE[f.severity]),
                (f"{f.rule} {name}", "bold"),
            ]
            if f.context:
                parts += [(f"  {f.context}", "$text-muted")]
            if f.history:
                parts += [("  applied history", "$text-muted")]
            if self.resolved:
                parts += ["  ", ("resolved in the latest analysis", "bold $text-success")]
        else:
            parts = [(safe_text(target.title), "bold")]
        parts += ["\n", (place, "$text-accent")]
        self.query_one("#drill-title", Static).update(Content.assemble(*parts))

    def _render_text(self) -> None:
        target = self.target
        assert target is not None
        message = self.query_one("#drill-message", Static)
        explain = self.query_one("#drill-explain", Static)
        f = target.finding
        loc = target.location
        place = f"{loc.path}:{loc.line}"
        self._render_title()
        if f is not None:
            rule = BY_ID.get(f.rule)
            name = rule.name if rule else ""
            area = rule.area if rule else ""
            message.update(Content(safe_text(f.message)))
            short, rationale, fix = rule_explanation(f.rule)
            body: list[str | tuple[str, str]] = [(f"{f.rule} {name}", "bold")]
            if area:
                body += [(f"  ·  {area}", "$text-muted")]
            if short:
                body += ["\n", (short, "italic")]
            if rationale:
                body += ["\n\n", ("Why: ", "bold"), rationale]
            if fix:
                body += ["\n\n", ("Fix: ", "bold $text-success"), fix]
            body += ["\n\n", (f"keepdata explain {f.rule}", "$text-muted")]
            explain.update(Content.assemble(*body))
            explain.display = True
        else:
            message.update(Content.styled(safe_text(target.detail), "$text-muted"))
            explain.update(Content(""))
            explain.display = False
        related = self.query_one("#drill-related", OptionList)
        options = [
            Option(Content.assemble((f"{LINE_MARK} ", "$text-accent"), safe_text(place)), id="-1")
        ]
        for i, rel in enumerate(target.related):
            options.append(
                Option(
                    Content.assemble(
                        (safe_text(f"{rel.location.path}:{rel.location.line}"), "$text-accent"),
                        "  ",
                        safe_text(rel.message),
                    ),
                    id=str(i),
                )
            )
        related.set_options(options)
        related.display = len(options) > 1
        related.highlighted = self.related_index + 1

    def _show_location(self, scroll: bool) -> None:
        loc = self.location
        if loc is None or self.snapshot is None:
            return
        text = self.snapshot.text_of(loc.path)
        marked = set(range(loc.line, loc.last_line + 1))
        current: set[int] = set()
        if self.target is not None and self.related_index >= 0:
            main = self.target.location
            if main.path == loc.path:
                current = set(range(main.line, main.last_line + 1))
        same_file = self.code.path == loc.path
        self.code.show(loc.path, text, marked, loc.line, current, column=loc.column)
        self._render_title()
        if same_file and not scroll:
            self.code._pending_line = None  # keep the user's scroll position

    # -- actions -----------------------------------------------------------------------
    def action_step_related(self, step: int) -> None:
        if self.target is None or not self.target.related:
            return
        count = len(self.target.related) + 1
        self.related_index = (self.related_index + 1 + step) % count - 1
        self.query_one("#drill-related", OptionList).highlighted = self.related_index + 1
        self._show_location(scroll=True)

    @on(OptionList.OptionSelected, "#drill-related")
    def _related_selected(self, event: OptionList.OptionSelected) -> None:
        self.related_index = int(event.option.id or "-1")
        self._show_location(scroll=True)

    def action_copy_location(self) -> None:
        loc = self.location
        if loc is None:
            return
        text = f"{loc.path}:{loc.line}"
        self.app.copy_to_clipboard(terminal_line(text))
        self.app.notify(f"copied {terminal_line(text)}", timeout=2, markup=False)

    def action_open_editor(self) -> None:
        """Open the file in $VISUAL or $EDITOR; a variable that cannot be used (an unbalanced
        quote, a program that is not there, an editor that fails) is a notification."""
        loc = self.location
        if loc is None or self.snapshot is None:
            return
        variable = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
        editor = os.environ.get(variable, "")
        if not editor.strip():
            self.app.notify("set $VISUAL or $EDITOR to open files", severity="warning")
            return
        path = str(self.snapshot.root / loc.path)
        try:
            argv = editor_command(editor, path, loc.line)
        except ValueError as exc:  # shlex: an unbalanced quote or a trailing backslash
            self._editor_error(f"${variable} cannot be read ({exc}): {editor}")
            return
        if shutil.which(argv[0]) is None:
            self._editor_error(f"${variable}: {argv[0]} is not a program that can be run")
            return
        try:
            with self.app.suspend():
                status = subprocess.call(argv)
        except Exception as exc:  # SuspendNotSupported, the editor vanished, ...
            self._editor_error(f"cannot open the editor: {exc}")
            return
        if status != 0:
            self._editor_error(f"the editor exited with status {status}", severity="warning")

    def _editor_error(self, message: str, severity: SeverityLevel = "error") -> None:
        self.app.notify(terminal_line(message), title="editor", severity=severity, markup=False)

    def current_finding(self) -> Finding | None:
        return self.target.finding if self.target is not None else None
