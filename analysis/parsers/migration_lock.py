"""Parse a Prisma `migration_lock.toml`: the provider the migrations were written for."""

from __future__ import annotations

import re

from analysis.model import Location
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

_PROVIDER_LINE = re.compile(r"""^\s*provider\s*=\s*["']([^"']*)["']""")
_PRISMA_LINE = re.compile(r'provider = "([A-Za-z0-9_-]*)"')


def _as_prisma_writes_it(text: str) -> dict[str, object] | None:
    """What `tomllib.loads` gives for a lock file as Prisma writes it (blank lines, `#`
    comments of printable ASCII, one `provider = "name"` line), without importing tomllib
    (~3 ms, and nothing else of a PostgreSQL project's check needs it); None for any other
    text, which the TOML parser reads."""
    found: dict[str, object] | None = None
    for line in text.split("\n"):
        if not line or (line[0] == "#" and line.isascii() and line.isprintable()):
            continue
        m = _PRISMA_LINE.fullmatch(line)
        if m is None or found is not None:
            return None
        found = {"provider": m.group(1)}
    return found


@dataclass(slots=True, frozen=True)
class MigrationLockFile:
    """`provider = "postgresql"` with its line; `provider` is None when the file names none."""

    path: str
    provider: str | None
    line: int
    problems: tuple[ParseProblem, ...] = ()


def parse_migration_lock(source: SourceFile) -> MigrationLockFile:
    """Read the provider of a migration lock file. Never raises."""
    provider: str | None = None
    line = 1
    for number, text in enumerate(source.text.split("\n"), start=1):
        match = _PROVIDER_LINE.match(text)
        if match:
            provider, line = match.group(1).strip().lower(), number
            break
    problems: tuple[ParseProblem, ...] = ()
    data: dict[str, object] | None = _as_prisma_writes_it(source.text)
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(source.text)
        except tomllib.TOMLDecodeError as exc:
            err_line = getattr(exc, "lineno", None) or 1
            err_col = getattr(exc, "colno", None) or 1
            problems = (
                ParseProblem(
                    ProblemKind.SYNTAX,
                    f"{source.path} is not valid TOML: {exc}",
                    Location(source.path, err_line, err_col),
                ),
            )
            data = {}
    value = data.get("provider")
    if isinstance(value, str):
        provider = value.strip().lower()
    return MigrationLockFile(source.path, provider, line, problems)
