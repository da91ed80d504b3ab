"""keepdata's analysis: files in, facts and findings out. Knows nothing of any UI.

`analysis.run(root, settings, select)` is the one pipeline (`analysis.pipeline`); it returns
a frozen `analysis.result.Result`. Importing this package loads nothing else.
"""

from __future__ import annotations

TYPE_CHECKING = False  # a cached `check` reads only `__version__`: pathlib and typing (~9 ms
if TYPE_CHECKING:  # of its start-up) are not imported
    from collections.abc import Iterable
    from pathlib import Path

    from analysis.result import Result
    from analysis.settings import Settings

__version__ = "0.1.0"


def run(
    root: Path | str, settings: Settings | None = None, select: Iterable[str] | None = None
) -> Result:
    """Analyze the project at `root` (see `analysis.pipeline.run`)."""
    from analysis.pipeline import run as run_pipeline

    return run_pipeline(root, settings, select)
