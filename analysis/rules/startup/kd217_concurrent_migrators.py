"""KD217 concurrent-migrators: Several services or replicas apply migrations at start against one database"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts, StartupPath
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    _databases,
    _db_target,
    _migrators,
    _sev,
    _stacks,
    inferred_related,
)

RULE = rule(
    "KD217",
    "concurrent-migrators",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="two or more services apply migrations at start against the same database, or one service that migrates at start runs as several replicas (`deploy.replicas` > 1, `scale`)",
    short="Several services or replicas apply migrations at start against one database",
    rationale="""
        Prisma serialises `migrate deploy` with an advisory lock on PostgreSQL and MySQL, but
        the second runner only waits 10 seconds, then fails with P1002; in a script without
        `set -e` it starts the app anyway, and on a crash loop the replicas keep fighting.
        `db push`, seeds and custom data scripts take no lock at all: two replicas push or
        seed at once and insert duplicates or interleave changes.
    """,
    trigger="""
        Two or more services whose startup applies migrations (or pushes the schema) against
        the same database, or one such service that runs as several replicas
        (`deploy.replicas` > 1, `scale:`).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            image: ghcr.io/acme/api:1.8.2
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            deploy:
              replicas: 3
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          migrate:
            image: ghcr.io/acme/api:1.8.2
            command: npx prisma migrate deploy
            restart: "no"
          api:
            image: ghcr.io/acme/api:1.8.2
            command: node dist/server.js
            deploy:
              replicas: 3
            depends_on:
              migrate:
                condition: service_completed_successfully
    """,
    good_lang="yaml",
    fix="""
        Run migrations once per deploy, in a one-shot service or a release step, and start
        the replicas after it completed successfully.
    """,
    module=__name__,
)


def check_concurrent_migrators(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = _databases(ctx)
    for stack in _stacks(ctx):
        single = sum(1 for d in dbs if d.stack == stack.id) == 1
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        migrating = [(p, _migrators(p)) for p in paths]
        migrating = [(p, m) for p, m in migrating if m]
        for p, steps in migrating:
            service = stack.service(p.service) if p.service else None
            if service is not None and service.instances > 1:
                loc = service.replicas_location or service.location
                yield Finding(
                    "KD217",
                    _sev("KD217"),
                    f"{p.name} runs `{steps[0].text}` at start and runs as {service.instances} "
                    "replicas: every replica migrates the same database at once, and Prisma's "
                    "advisory lock only serializes them when every one reaches it",
                    loc,
                    (
                        Related(steps[0].location, f"`{steps[0].text}` runs here"),
                        *inferred_related(p.links, p.dockerfile),
                    ),
                )
        reported: set[str] = set()
        for i, j in _first_same_database(stack, [p for p, _ in migrating], single):
            p, steps = migrating[i]
            q, other = migrating[j]
            if q.service in reported:
                continue
            reported.add(q.service or "")
            yield Finding(
                "KD217",
                _sev("KD217"),
                f"{q.name} and {p.name} both change the schema of the same database when they "
                f"start (`{other[0].text}` and `{steps[0].text}`): they race, and a "
                "`db push` of one drops what the other created",
                other[0].location,
                (
                    Related(steps[0].location, f"{p.name} migrates here too"),
                    *inferred_related(q.links, q.dockerfile),
                    *inferred_related(p.links, p.dockerfile),
                ),
            )


def _first_same_database(
    stack: ComposeStack, paths: list[StartupPath], single: bool
) -> list[tuple[int, int]]:
    """For each path j, the first earlier path i on the same database (`_same_database`), as
    (i, j) pairs in the order a loop over every pair (i < j) would meet them; linear in the
    paths instead of their square (a compose file of 10,000 migrating services)."""
    first_known: dict[tuple[str, str, str], int] = {}
    first_unknown: int | None = None
    pairs: list[tuple[int, int]] = []
    for j, q in enumerate(paths):
        target = _db_target(stack.service(q.service) if q.service else None)
        if target is None:
            i: int | None = 0 if single and j > 0 else None
            if first_unknown is None:
                first_unknown = j
        else:
            candidates = [first_known.get(target)]
            if single:
                candidates.append(first_unknown)
            found = [c for c in candidates if c is not None]
            i = min(found) if found else None
            first_known.setdefault(target, j)
        if i is not None:
            pairs.append((i, j))
    pairs.sort()
    return pairs


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_concurrent_migrators(ctx, ctx.fact(startup_paths))
