"""Where the project spells `.env.local` / `.env.production` (a mention names an absent file)."""

from __future__ import annotations

import posixpath

from analysis.context import Context
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.sources import FileKind

_MENTIONED_ENV = lazy_compile(
    r"(?<![\w./$}-])((?:\.{1,2}/|[\w-][\w.-]*/)*\.env\.(?:local|production))(?![\w.-])"
)
"""`.env.local` / `.env.production`, with the relative folder it is written with
(`../../.env.local`, `apps/web/.env.local`), not after a variable (`$DIR/.env.local`)."""


def env_file_mentions(ctx: Context) -> tuple[tuple[str, Location, FileKind], ...]:
    """Fact: where a script, Dockerfile, compose file or package.json of the project spells
    `.env.local` or `.env.production` (the name, and the line that spells it). A convention
    alone names nothing: only these mentions make an absent one worth a finding."""
    out: list[tuple[str, Location, FileKind]] = []
    for kind in (FileKind.SHELL, FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.PACKAGE_JSON):
        for rel in ctx.files(kind):
            out += _mentions_in(ctx, rel, kind)
    # a compose `env_file:` names the file for its own service only (see BuildUse.env_files)
    from analysis.facts.compose import compose_stacks

    env_file_lines = {
        (ref.location.path, ref.location.line)
        for stack in ctx.fact(compose_stacks)
        for svc in stack.services
        for ref in svc.env_files
    }
    return tuple(m for m in out if (m[1].path, m[1].line) not in env_file_lines)


def _mentions_in(ctx: Context, rel: str, kind: FileKind) -> list[tuple[str, Location, FileKind]]:
    out: list[tuple[str, Location, FileKind]] = []
    source = ctx.source(rel)
    if source is not None and ".env." in source.text:
        seen: set[str] = set()
        for number, line in enumerate(source.lines, 1):
            for match in _MENTIONED_ENV.finditer(line):
                # a file that spells the name again (`echo ".env.local found"`) names the same
                # file: its first spelling, with its folder, says which
                if posixpath.basename(match.group(1)) not in seen:
                    seen.add(posixpath.basename(match.group(1)))
                    out.append((match.group(1), Location(rel, number), kind))
    return out
