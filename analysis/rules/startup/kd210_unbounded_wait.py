"""KD210 unbounded-wait: A wait-for-database loop with no maximum attempts or timeout"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import STARTUP_CONTEXTS, _sev

RULE = rule(
    "KD210",
    "unbounded-wait",
    Severity.LOW,
    area="startup",
    section="wait-script",
    checklist=("error-handling",),
    summary="a wait-for-database loop with no maximum attempts/timeout",
    short="A wait-for-database loop with no maximum attempts or timeout",
    rationale="""
        A loop that waits forever turns a wrong DATABASE_URL or a database that never comes
        up into a container that hangs instead of failing. Health checks and deploy rollbacks
        never trigger, the old version keeps serving (or nothing does), and the cause is
        found hours later. Failing after a bounded wait lets the orchestrator restart, alert
        and roll back.
    """,
    trigger="""
        A loop in the startup path that waits for the database (`until pg_isready`, `while !
        nc -z db 5432`, a retry loop around `prisma migrate deploy` or `db execute`) with no
        counter, deadline or `timeout` around it.
    """,
    bad="""
        #!/bin/sh
        until pg_isready -h db -p 5432; do
          echo "waiting for postgres..."
          sleep 1
        done
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        tries=0
        until pg_isready -h db -p 5432; do
          tries=$((tries + 1))
          if [ "$tries" -ge 60 ]; then
            echo "postgres not ready after 60s" >&2
            exit 1
          fi
          sleep 1
        done
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Count attempts and exit non-zero after a limit, or wrap the loop in `timeout 60 sh -c
        '...'`. Better still, let Compose wait with a healthcheck and `depends_on: condition:
        service_healthy`.
    """,
    module=__name__,
)


def check_unbounded_wait(facts: StartupFacts) -> Iterator[Finding]:
    seen: set[Location] = set()
    for path in facts.paths:
        if path.context not in STARTUP_CONTEXTS:
            continue
        for wait in path.waits:
            if wait.bounded or wait.kind == "depends_on" or wait.location in seen:
                continue
            seen.add(wait.location)
            first = path.links[0] if path.links else None
            related = (
                (Related(first.location, f"the chain starts here: {first.label[:120]}"),)
                if first is not None and first.location.path != wait.location.path
                else ()
            )
            yield Finding(
                "KD210",
                _sev("KD210"),
                f"the wait for the database `{wait.label[:120]}` in the start of {path.name} has "
                "no maximum number of attempts and no timeout: when the database never comes "
                "up the container hangs instead of failing visibly",
                wait.location,
                related,
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_unbounded_wait(ctx.fact(startup_paths))
