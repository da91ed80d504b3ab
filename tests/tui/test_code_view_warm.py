"""The inspector imports the Pygments lexers the drill-down will need (tui.app calls
warm_lexers in a thread once an analysis is on screen), so the first drill-down into a
migration does not pay for importing the SQL lexer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import EXAMPLES

CHILD = textwrap.dedent(
    """
    import sys
    from tui.widgets.code_view import warm_lexers
    before = {m for m in ("pygments.lexers.sql", "pygments.lexers.configs") if m in sys.modules}
    warm_lexers(["prisma/migrations/1_init/migration.sql", "Dockerfile", "notes.unknown"])
    after = {m for m in ("pygments.lexers.sql", "pygments.lexers.configs") if m in sys.modules}
    print(sorted(before), sorted(after))
    """
)


def test_warm_lexers_imports_the_lexers_of_the_files() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[0] == "[] ['pygments.lexers.configs', 'pygments.lexers.sql']"


APP_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from tui.app import KeepdataApp

    async def main():
        app = KeepdataApp(sys.argv[1], watch=False, mask_volatile=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await app.wait_for_analysis()
            landed = "pygments.lexers.sql" in sys.modules
            while not app._warmed:
                await pilot.pause()
            await app.workers.wait_for_complete()
            print(landed, "pygments.lexers.sql" in sys.modules)

    asyncio.run(main())
    """
)


def test_the_inspector_warms_the_lexers_after_the_analysis_is_on_screen() -> None:
    """Not on the way to the first full screen (the analysis lands without them), but before
    the user can open a migration in the drill-down."""
    done = subprocess.run(
        [sys.executable, "-c", APP_CHILD, str(EXAMPLES / "seed-app")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split("\n")[0] == "False True"
