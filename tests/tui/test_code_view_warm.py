"""The analysis worker imports the Pygments lexers the drill-down will need (tui.app calls
warm_lexers after posting each analysis), so the first drill-down into a migration does not
pay for importing the SQL lexer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
