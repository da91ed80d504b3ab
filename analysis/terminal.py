"""Text fit for a terminal.

`analysis.secrets.strip_control` is the one function that removes what a terminal would act
on (ESC/CSI/OSC sequences, C0 and C1 control characters; tabs become spaces, newlines stay);
`terminal_line` is it for one line (a path, a message in a table cell or a header): line
breaks become spaces too. Everything from the project (paths, file text, messages that quote
it) goes through one of them, or through `safe_text`, before it reaches a terminal.
"""

from __future__ import annotations

from analysis.secrets import strip_control

__all__ = ["strip_control", "terminal_line"]


def terminal_line(text: str) -> str:
    """`text` as one line a terminal only displays: control sequences removed, line breaks
    (newline, and the control characters among them) as spaces."""
    return strip_control(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
