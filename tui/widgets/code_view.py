"""A read-only view of one file: Pygments highlighting (textual.highlight), line numbers, the
lines that matter highlighted, and only the visible lines rendered (the Line API, as Toolong
does), so a 5,000-line package-lock.json costs no more than a Dockerfile."""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip

from analysis.terminal import terminal_line
from tui.widgets.badges import LINE_MARK
from tui.widgets.steady_scroll import SteadyScrollbars

_LANGUAGES = {
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".jsonc": "json",
    ".sh": "bash",
    ".bash": "bash",
    ".env": "bash",
    ".sql": "postgresql",
    ".toml": "toml",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".py": "python",
    ".prisma": "typescript",
    ".mk": "make",
    ".md": "markdown",
}

_CACHE: OrderedDict[tuple[str, bytes], tuple[Content, ...]] = OrderedDict()
_CACHE_LIMIT = 32
MAX_HIGHLIGHT_CHARS = 400_000
"""Bigger files are shown without colours (highlighting them would stall the screen)."""


def language_for(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in ("dockerfile", "containerfile") or lower.startswith(
        ("dockerfile.", "containerfile.")
    ):
        return "docker"
    if lower.endswith((".dockerfile", ".containerfile")):
        return "docker"
    if lower in ("makefile", "gnumakefile"):
        return "make"
    if lower == ".env" or lower.startswith(".env."):
        return "bash"
    if lower in ("procfile", ".gitignore", ".dockerignore") or lower.endswith(".dockerignore"):
        return "text"
    dot = lower.rfind(".")
    if dot >= 0:
        return _LANGUAGES.get(lower[dot:], "text")
    return "text"


def warm_lexers(paths: Iterable[str]) -> None:
    """Import the Pygments lexers of these files' languages now: the first import of one
    (the SQL lexer: ~45 ms) otherwise lands on the first drill-down into such a file. Called
    from the analysis worker, off the UI thread; a language Pygments lacks is shown plain."""
    import textual.highlight  # noqa: F401 (imported for highlighted_lines: Pygments, ~13 ms)
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    for language in sorted({language_for(path) for path in paths} - {"text"}):
        with contextlib.suppress(ClassNotFound):
            get_lexer_by_name(language)


def highlighted_lines(path: str, text: str) -> tuple[Content, ...]:
    """Each line of `text` as highlighted Content, cached by language and content digest (a
    step through the findings shows the same few files again and again)."""
    language = language_for(path)
    key = (language, hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest())
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    if len(text) > MAX_HIGHLIGHT_CHARS:
        lines = tuple(Content(line) for line in text.split("\n"))
    else:
        from textual.highlight import highlight  # not before the first frame (tui.app)

        content = highlight(text, language=language, path=path, tab_size=4)
        lines = tuple(content.split("\n", allow_blank=True))
        if text.endswith("\n") and len(lines) > 1 and not lines[-1].plain:
            lines = lines[:-1]
    _CACHE[key] = lines
    if len(_CACHE) > _CACHE_LIMIT:
        _CACHE.popitem(last=False)
    return lines


class CodeView(SteadyScrollbars, can_focus=True):
    """Shows a file with line numbers; `marked` lines get a background and a `►`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "code-view--gutter",
        "code-view--marked",
        "code-view--marked-gutter",
        "code-view--current",
    }

    DEFAULT_CSS = """
    CodeView {
        background: $surface;
        scrollbar-gutter: stable;
    }
    CodeView > .code-view--gutter { color: $text-muted; }
    CodeView > .code-view--marked { background: $error 25%; }
    CodeView > .code-view--marked-gutter { color: $text-error; text-style: bold; }
    CodeView > .code-view--current { background: $accent 20%; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.path = ""
        self._lines: tuple[Content, ...] = ()
        self._marked: frozenset[int] = frozenset()
        self._current: frozenset[int] = frozenset()
        self._gutter_width = 4
        self._pending_line: int | None = None
        self._pending_column = 1

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def marked(self) -> frozenset[int]:
        return self._marked

    @property
    def first_visible_line(self) -> int:
        return int(self.scroll_y) + 1

    def show(
        self,
        path: str,
        text: str | None,
        marked: set[int] | frozenset[int],
        focus_line: int,
        current: set[int] | frozenset[int] = frozenset(),
        column: int = 1,
    ) -> None:
        """Show `text` (None: the file could not be read) and scroll `focus_line` into view
        with context above it."""
        self.path = path
        if text is None:
            self._lines = (
                Content.styled(f"({terminal_line(path)}: no text to show)", "$text-muted italic"),
            )
        else:
            self._lines = highlighted_lines(path, text) or (Content(""),)
        count = len(self._lines)
        self._marked = frozenset(n for n in marked if 1 <= n <= count)
        self._current = frozenset(n for n in current if 1 <= n <= count)
        self._gutter_width = len(str(count)) + 3
        width = max((line.cell_length for line in self._lines), default=0)
        self.virtual_size = Size(self._gutter_width + width + 1, count)
        self._pending_line = focus_line
        self._pending_column = column
        self.refresh()
        self.call_after_refresh(self._scroll_pending)

    def _scroll_pending(self) -> None:
        if self._pending_line is not None:
            self.scroll_to_line(self._pending_line, self._pending_column)

    def scroll_to_line(self, line: int, column: int = 1) -> None:
        """Put `line` about a third of the way down (context above, more below), and scroll
        right when `column` (1-based, in cells) is beyond the visible width, keeping a third
        of the width of context to its left."""
        height = self.scrollable_content_region.height or self.size.height or 20
        context = max(2, min(8, height // 3))
        self._pending_line = None
        width = max(1, (self.scrollable_content_region.width or 80) - self._gutter_width)
        x = 0 if column <= width - 4 else max(0, column - 1 - width // 3)
        self.scroll_to(x=x, y=max(0, line - 1 - context), animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        number = index + 1
        marked = number in self._marked
        gutter_style = self.get_component_rich_style(
            "code-view--marked-gutter" if marked else "code-view--gutter"
        )
        marker = LINE_MARK if marked else " "
        gutter_text = f"{number:>{self._gutter_width - 3}} {marker} "
        gutter = Strip([Segment(gutter_text, gutter_style)], len(gutter_text))
        code_width = max(0, width - self._gutter_width)
        segments = self._lines[index].render_segments(self.visual_style)
        code = Strip(segments).crop_extend(scroll_x, scroll_x + code_width, base)
        strip = Strip.join([gutter, code])
        if marked:
            return self._over(strip, "code-view--marked")
        if number in self._current:
            return self._over(strip, "code-view--current")
        return strip

    def _over(self, strip: Strip, component: str) -> Strip:
        """The strip with the component's background over its own (colours kept)."""
        style = self._background(component)
        return Strip(Segment.apply_style(list(strip), post_style=style), strip.cell_length)

    def _background(self, component: str) -> Style:
        """Only the background of a component style (the code keeps its colours)."""
        return Style(bgcolor=self.get_component_rich_style(component).bgcolor)

    def line_text(self, number: int) -> str:
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1].plain
        return ""
