"""KD215 seed-on-every-start: prisma db seed (or a seed script) runs on every container start"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    STARTUP_CONTEXTS,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
)

RULE = rule(
    "KD215",
    "seed-on-every-start",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    checklist=("no-automatic-data-loss",),
    summary="`prisma db seed` or a seed script in the startup path, run on every start",
    short="prisma db seed (or a seed script) runs on every container start",
    rationale="""
        Seeds are written for an empty development database: many start with `deleteMany()`
        to be repeatable, or `createMany()` rows that already exist. Run on every start they
        wipe production tables, reset edited records to their defaults, or pile up duplicates
        with each restart.
    """,
    trigger="""
        `prisma db seed`, a `seed` package.json script, or a seed program (`tsx
        prisma/seed.ts`, `node prisma/seed.js`) in the startup path, run unconditionally on
        each start. Behind an opt-in condition no file turns on: one level lower. A seed
        program whose Prisma Client calls are all upserts or reads (`createMany` only with
        `skipDuplicates: true`): low, a second run changes nothing.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        npx prisma db seed
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        # demo data: seeded once, by hand: docker compose exec api npx prisma db seed
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Seed once, by hand or in a one-shot job, or guard the seed behind an explicit opt-in
        that production never sets, and make the seed idempotent (`upsert`, never
        `deleteMany`).
    """,
    module=__name__,
)


_CLIENT_CALL = lazy_compile(r"\bprisma\.\w+\.(\w+)\(")
_IDEMPOTENT = frozenset({"upsert", "findFirst", "findUnique", "findMany", "count"})


def _upserts_only(ctx: Context | None, program: str) -> bool:
    """The seed program only upserts (or reads) through the Prisma Client: running it again
    changes nothing (portal-eletricistas' seed_services.ts). A `createMany` counts only with
    `skipDuplicates: true` in the file."""
    source = ctx.source(program) if ctx is not None and program else None
    if source is None:
        return False
    calls = [m[1] for m in _CLIENT_CALL.finditer(source.text)]
    if not calls:
        return False
    skip = "skipDuplicates: true" in source.text
    return all(c in _IDEMPOTENT or (c == "createMany" and skip) for c in calls)


def check_seed_on_start(
    facts: StartupFacts, where: _Where, ctx: Context | None = None
) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.context not in STARTUP_CONTEXTS:
            continue
        if step.command != "db seed":
            continue
        yield _finding(
            "KD215",
            _sev("KD215"),
            f"`{step.text}` runs {_origin(facts, where, step)}, on every start: a seed that is not "
            "idempotent duplicates or overwrites rows each time",
            step,
        )
    for path in facts.paths:
        if path.context not in STARTUP_CONTEXTS:
            continue
        for seed in path.seeds:
            if _upserts_only(ctx, seed.program):
                yield _finding(
                    "KD215",
                    Severity.LOW,
                    f"the seed `{seed.text}` runs when {path.name} starts, on every start; "
                    f"{seed.program} only upserts through the Prisma Client, so a second run "
                    "changes nothing: reported low",
                    seed,
                )
                continue
            yield _finding(
                "KD215",
                _sev("KD215"),
                f"the seed `{seed.text}` runs when {path.name} starts, on every start: a seed "
                "that is not idempotent duplicates or overwrites rows each time",
                seed,
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_seed_on_start(ctx.fact(startup_paths), ctx.fact(_where), ctx)
