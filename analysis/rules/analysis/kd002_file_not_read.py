"""KD002 file-not-read: A file keepdata needs cannot be read (unreadable, binary, too big, outside root)"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import Examples, rule

RULE = rule(
    "KD002",
    "file-not-read",
    Severity.MEDIUM,
    area="analysis",
    section=None,
    summary="a file keepdata should read but cannot: unreadable, not text, over the size limit, or a link that leaves the root",
    short="A file keepdata needs cannot be read (unreadable, binary, too big, outside root)",
    rationale="""
        A file that keepdata skips is a file nobody checked. If the Dockerfile that starts
        your app is a link to a folder outside the project, or a migration is too large to
        read, the startup path and the migration history are incomplete and any `migrate
        reset` or `DROP TABLE` in them stays invisible.
    """,
    trigger="""
        A file discovery classified, or that another file refers to (a script an entrypoint
        runs, a Dockerfile a compose service builds), that cannot be read: permission denied,
        not a regular file, contains NUL bytes, larger than the 2 MiB limit, a broken or
        looping symbolic link, or a link whose target lies outside the analyzed root.
        Invalid UTF-8 is read with replacement characters and reported at the first bad byte.
    """,
    bad="""
        $ ls -l services/api
        lrwxrwxrwx 1 dev dev   31 Mar  2 10:12 Dockerfile -> ../../../infra/docker/api.Dockerfile
        -rw------- 1 root root 842 Mar  2 10:12 docker-entrypoint.sh
    """,
    bad_lang="sh",
    good="""
        $ ls -l services/api
        -rw-r--r-- 1 dev dev 1204 Mar  2 10:14 Dockerfile
        -rwxr-xr-x 1 dev dev  842 Mar  2 10:14 docker-entrypoint.sh
    """,
    good_lang="sh",
    fix="""
        Make the file readable by the user running keepdata, keep files the build uses inside
        the repository (or analyze the common parent folder so the link stays inside the
        root), and split or exclude generated files that exceed the size limit.
    """,
    examples=Examples(
        skip="a file keepdata cannot read (unreadable, binary, too large, a link out of the root) is not a text snippet"
    ),
    module=__name__,
)
