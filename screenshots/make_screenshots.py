"""Render the inspector's panes headlessly into screenshots/*.svg (as Harlequin does).

    python screenshots/make_screenshots.py [--size 120x40]

Each example gets one SVG per pane, plus the drill-down on the risky app and the narrow
(70-column) layout of the seed app. Times and durations are masked so the files only change
when the screen does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tui.app import KeepdataApp  # noqa: E402

PANES = ("overview", "volumes", "migrations", "relations", "findings")


async def shoot(example: str, keys: tuple[str, ...], size: tuple[int, int], name: str) -> Path:
    app = KeepdataApp(
        REPO / "examples" / example,
        watch=False,
        root_label=f"examples/{example}",
        mask_volatile=True,
    )
    async with app.run_test(size=size) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    return Path(path)


async def main(size: tuple[int, int]) -> None:
    jobs: list[tuple[str, tuple[str, ...], tuple[int, int], str]] = []
    for example in ("seed-app", "risky-app"):
        for number, pane in enumerate(PANES, start=1):
            jobs.append((example, (str(number),), size, f"{example}-{pane}"))
    jobs.append(("risky-app", ("5", "enter"), size, "risky-app-drilldown"))
    jobs.append(("seed-app", (), (70, 40), "seed-app-narrow"))
    jobs.append(("risky-app", ("5", "enter"), (70, 40), "risky-app-drilldown-narrow"))
    for job in jobs:
        path = await shoot(*job)
        print(path.relative_to(REPO))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 120x40")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))
    asyncio.run(main((width, height)))
