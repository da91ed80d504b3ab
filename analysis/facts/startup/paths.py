"""The startup fact: every path's passes, and every Prisma command once per context."""

from __future__ import annotations

from analysis.context import Context
from analysis.facts.startup.build import _run_pass
from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.containers import _compose_pass, _dockerfile_pass, _images
from analysis.facts.startup.docker import _docker_pass
from analysis.facts.startup.platform import _developer_pass, _platform_pass
from analysis.facts.startup.records import (
    PrismaStep,
    RunContext,
    StartupFacts,
    StartupPath,
)

_CONTEXT_ORDER = {
    RunContext.STARTUP: 0,
    RunContext.DEPLOY: 1,
    RunContext.BUILD: 2,
    RunContext.DEVELOPER: 3,
}


def _all_commands(paths: list[StartupPath]) -> tuple[PrismaStep, ...]:
    """Every Prisma command once per (location, context, root kind); developer steps only where
    no other context reaches the same command."""
    seen: set[tuple[str, int, int, str, str]] = set()
    reached: set[tuple[str, int, int]] = set()
    out: list[PrismaStep] = []
    for p in paths:
        for s in p.commands:
            if s.context != RunContext.DEVELOPER:
                reached.add((s.location.path, s.location.line, s.location.column))
    for p in paths:
        for s in p.commands:
            loc = (s.location.path, s.location.line, s.location.column)
            if s.context == RunContext.DEVELOPER and loc in reached:
                continue
            key = (*loc, s.context, s.root_kind)
            if key in seen:
                continue
            seen.add(key)
            out.append(s)
    out.sort(
        key=lambda s: (
            _CONTEXT_ORDER.get(RunContext(s.context), 9),
            s.location.path,
            s.location.line,
        )
    )
    return tuple(out)


def startup_paths(ctx: Context) -> StartupFacts:
    """Fact: the startup, deploy, build and developer paths and their Prisma commands."""
    b = _Builder(ctx)
    images = _images(ctx)
    built = _compose_pass(b, images)
    _dockerfile_pass(b, images, built)
    _platform_pass(b)
    _run_pass(b, images)
    _developer_pass(b)
    docker = _docker_pass(b)
    return StartupFacts(tuple(b.paths), _all_commands(b.paths), docker, tuple(b.problems))
