"""The entry points: a program file -> `ProgramFile`, and which program file a command line runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.parsers.programs.javascript import _parse_js
from analysis.parsers.programs.records import JS_SUFFIXES, PY_SUFFIXES
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.parsers.programs.records import ProgramFile


def parse_program(source: SourceFile) -> ProgramFile:
    """The commands a JavaScript/TypeScript or Python file starts (never raises)."""
    lower = source.path.lower()
    if lower.endswith(PY_SUFFIXES):  # (its reader imports `ast`: only for Python files)
        from analysis.parsers.programs.python_source import _parse_python

        return _parse_python(source)
    return _parse_js(source)


_RUNNERS = {
    "node": "javascript",
    "nodejs": "javascript",
    "tsx": "javascript",
    "ts-node": "javascript",
    "ts-node-esm": "javascript",
    "ts-node-dev": "javascript",
    "esno": "javascript",
    "esrun": "javascript",
    "vite-node": "javascript",
    "jiti": "javascript",
    "bun": "javascript",
    "deno": "javascript",
    "zx": "javascript",
    "python": "python",
    "python3": "python",
}
_RUNNER_VALUE_FLAGS = frozenset(
    {
        "-r",
        "--require",
        "--import",
        "--loader",
        "--env-file",
        "-e",
        "--eval",
        "-p",
        "-c",
        "-m",
        "--tsconfig",
        "--project",
        "-P",
    }
)


def program_file(argv: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """For `node dist/x.js`, `tsx x.ts`, `npx tsx x.ts`, `bun run x.ts`, `python3 x.py`:
    (the program file as written, its arguments). None for anything else."""
    if not argv:
        return None
    words = list(argv)
    head = words[0].rsplit("/", 1)[-1]
    if head in ("npx", "pnpx", "bunx") or (
        head in ("pnpm", "yarn")
        and len(words) > 1
        and words[1] in ("exec", "tsx", "ts-node", "node")
    ):
        words = words[1:]
        if words and words[0] == "exec":
            words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
        if not words:
            return None
        head = words[0].rsplit("/", 1)[-1]
    if head not in _RUNNERS:
        return None
    i = 1
    if head == "bun" and i < len(words) and words[i] == "run":
        i += 1
    if head == "deno" and i < len(words) and words[i] == "run":
        i += 1
    if head in ("tsx", "ts-node-dev", "bun") and i < len(words) and words[i] == "watch":
        i += 1
    while i < len(words) and words[i].startswith("-"):
        if words[i] in ("-e", "--eval", "-p", "-c", "-m"):
            return None
        i += 2 if words[i] in _RUNNER_VALUE_FLAGS else 1
    if i >= len(words):
        return None
    target = words[i]
    lower = target.lower()
    if lower.endswith(JS_SUFFIXES + PY_SUFFIXES) or (
        head in ("node", "nodejs") and "/" in target and "." not in target.rsplit("/", 1)[-1]
    ):
        return target, tuple(words[i + 1 :])
    return None
