"""KD214 exec-not-used: The entrypoint ends with the app command without exec: signals never reach it"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
