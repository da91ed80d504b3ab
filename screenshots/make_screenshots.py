"""Render the inspector's panes headlessly into screenshots/*.svg (as Harlequin does).

    python screenshots/make_screenshots.py [--size 120x40]

Each example gets one SVG per pane, plus the drill-down on the risky app, the narrow
(70-column) layout of the seed app, the help screen, a generated large project (50 models,
240 migrations of which 236 are applied history, ~420 findings: tests/large_project.py) and
the risky app's relations graph as the inspector exports it (`e`, "SVG of the relations
graph"). Times and durations are masked so the files only change when the screen does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tui.app import KeepdataApp  # noqa: E402

PANES = ("overview", "volumes", "migrations", "relations", "findings")


async def shoot(
    example: str | Path, keys: tuple[str, ...], size: tuple[int, int], name: str
) -> Path:
    """`example`: a folder of examples/, or the root of another project (labelled by its
    folder name)."""
    if isinstance(example, Path):
        root, label = example, example.name
    else:
        root, label = REPO / "examples" / example, f"examples/{example}"
    app = KeepdataApp(root, watch=False, root_label=label, mask_volatile=True)
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


def graph_svg(example: str, name: str) -> Path:
    """The relations graph of the example's biggest schema, as the export writes it."""
    from tui.watch import take_snapshot
    from tui.widgets.relation_map import graph_svg as draw_svg

    snapshot = take_snapshot(REPO / "examples" / example, f"examples/{example}", "start")
    graphs = snapshot.fact("relations") or ()
    graph = max(graphs, key=lambda g: len(g.nodes))
    path = HERE / f"{name}.svg"
    path.write_text(draw_svg(graph, f"examples/{example}: {graph.schema}"), encoding="utf-8")
    return path


async def main(size: tuple[int, int]) -> None:
    from tests.large_project import make_large_project

    jobs: list[tuple[str | Path, tuple[str, ...], tuple[int, int], str]] = []
    for example in ("seed-app", "risky-app"):
        for number, pane in enumerate(PANES, start=1):
            jobs.append((example, (str(number),), size, f"{example}-{pane}"))
    jobs.append(("risky-app", ("5", "enter"), size, "risky-app-drilldown"))
    jobs.append(("seed-app", (), (70, 40), "seed-app-narrow"))
    jobs.append(("risky-app", ("5", "enter"), (70, 40), "risky-app-drilldown-narrow"))
    jobs.append(("risky-app", ("question_mark",), (100, 30), "risky-app-help"))
    with tempfile.TemporaryDirectory(prefix="keepdata-large-") as tmp:
        large = make_large_project(Path(tmp) / "large-app")
        jobs.append((large, ("1",), size, "large-app-overview"))
        jobs.append((large, ("3",), size, "large-app-migrations"))
        jobs.append((large, ("4",), size, "large-app-relations"))
        jobs.append((large, ("5", "enter"), size, "large-app-drilldown"))
        for job in jobs:
            path = await shoot(*job)
            print(path.relative_to(REPO))
    print(graph_svg("risky-app", "risky-app-graph").relative_to(REPO))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 120x40")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))
    asyncio.run(main((width, height)))
