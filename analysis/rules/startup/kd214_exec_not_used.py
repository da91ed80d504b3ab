"""KD214 exec-not-used: The entrypoint ends with the app command without exec: signals never reach it"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _APP_STOPWORDS, _sev

RULE = rule(
    "KD214",
    "exec-not-used",
    Severity.LOW,
    area="startup",
    section="wait-script",
    summary="the entrypoint script ends with the app command without `exec`: signals do not reach the app, in-flight writes are cut on stop",
    short="The entrypoint ends with the app command without exec: signals never reach it",
    rationale="""
        When the script's last line starts the app without `exec`, the shell stays PID 1 and
        does not forward SIGTERM. `docker stop` waits its grace period and then SIGKILLs the
        app mid-request: open transactions are rolled back, multi-step writes that are not in
        one transaction stay half done, and queued work in memory is gone.
    """,
    trigger="""
        An entrypoint or startup script in the startup path whose final command starts the
        long-running app (`node`, `npm start`, `next start`, ...) without `exec` in front.
    """,
    bad="""
        #!/bin/sh
        set -e
        npx prisma migrate deploy
        node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Prefix the last command with `exec` so the app replaces the shell and receives
        SIGTERM itself, and handle SIGTERM in the app to finish in-flight work before exiting.
    """,
    module=__name__,
)


def check_exec(facts: StartupFacts) -> Iterator[Finding]:
    seen: set[Location] = set()
    for path in facts.paths:
        if path.kind not in ("compose", "dockerfile"):
            continue
        for entry in path.entry_scripts:
            if entry.ends_with_exec or entry.traps:
                continue
            for final in entry.final:
                if final.exec or final.background:
                    continue
                head = final.argv[0].rsplit("/", 1)[-1] if final.argv else ""
                if not head or head in _APP_STOPWORDS or head.startswith("$"):
                    continue
                if final.location in seen:
                    continue
                seen.add(final.location)
                first = path.links[0] if path.links else None
                related = (
                    (Related(first.location, f"the container runs it: {first.label[:120]}"),)
                    if first is not None and first.location != final.location
                    else ()
                )
                where = "the `sh -c` command" if entry.inline else entry.path
                yield Finding(
                    "KD214",
                    _sev("KD214"),
                    f"{where} starts the app with `{final.text}` without `exec`: the shell stays "
                    "PID 1, `docker stop`'s SIGTERM does not reach the app and it is killed after "
                    f"the timeout, cutting in-flight writes (use `exec {final.text}`)",
                    final.location,
                    related,
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_exec(ctx.fact(startup_paths))
