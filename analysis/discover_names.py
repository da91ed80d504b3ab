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

MAYBE_PATTERN = (
    r"(?:ml|\.json|\.jsonc|\.toml|\.prisma|\.sql|\.sh|\.bash|\.mk)$"
    r"|dockerfile|containerfile|dockerignore|makefile|\.env|gitignore|procfile|^prisma\.config\."
)
"""A superset of the (lowercase) file names `analysis.discover.classify` knows: every other
name is no kind. A name classify learns must match this too."""
