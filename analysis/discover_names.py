"""The names discovery goes by, in a module that imports nothing: the result cache
(`tui.result_cache`) walks the tree with them before the analysis is imported."""

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        ".hg",
        ".svn",
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".turbo",
        ".vercel",
        ".output",
        "coverage",
        ".cache",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".parcel-cache",
        ".yarn",
        ".pnpm-store",
        "target",
        ".terraform",
        ".idea",
        ".vscode",
    }
)
"""Folders the walk never enters (vendored code, build output, tool caches)."""

MAYBE_SUFFIXES = ("ml", ".json", ".jsonc", ".toml", ".prisma", ".sql", ".sh", ".bash", ".mk")
MAYBE_PARTS = (
    "dockerfile",
    "containerfile",
    "dockerignore",
    "makefile",
    ".env",
    "gitignore",
    "procfile",
)
MAYBE_PREFIXES = ("prisma.config.",)
"""A (lowercase) file name that ends with a suffix, holds a part or starts with a prefix may
have a kind; every other name has none. A name `analysis.discover.classify` learns must be
covered by these too: `MAYBE_PATTERN` (discovery) and `maybe_kind` (the result cache's key)
are both made from them."""


def _escaped(text: str) -> str:
    return text.replace(".", r"\.")  # the names hold letters, digits, "_" and "." only


MAYBE_PATTERN = (
    "(?:"
    + "|".join(map(_escaped, MAYBE_SUFFIXES))
    + ")$|"
    + "|".join(map(_escaped, MAYBE_PARTS))
    + "".join("|^" + _escaped(p) for p in MAYBE_PREFIXES)
)
"""A superset of the (lowercase) file names `analysis.discover.classify` knows: every other
name is no kind (searched with `re`)."""


def maybe_kind(lower: str) -> bool:
    """`re.search(MAYBE_PATTERN, lower)` without importing `re` (a cached `check` walks the
    tree before anything else is imported). As `$` does, a suffix may stand before a final
    newline."""
    end = lower[:-1] if lower.endswith("\n") else lower
    return (
        end.endswith(MAYBE_SUFFIXES)
        or lower.startswith(MAYBE_PREFIXES)
        or any(part in lower for part in MAYBE_PARTS)
    )
