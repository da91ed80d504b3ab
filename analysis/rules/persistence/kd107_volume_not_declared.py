"""KD107 volume-not-declared: A service uses a named volume that the top-level volumes: does not declare"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD107",
    "volume-not-declared",
    Severity.HIGH,
    area="persistence",
    section="volume-mounts",
    checklist=("volume-mounts-no-conflict",),
    summary="a service uses a named volume that the top-level `volumes:` does not declare",
    short="A service uses a named volume that the top-level volumes: does not declare",
    rationale="""
        Compose refuses to start a project whose service refers to an undeclared named volume,
        so the first deploy of this file fails. The usual hurried fixes are the dangerous
        part: changing the entry to `./pgdata` (a bind mount in the checkout) or deleting the
        name (an anonymous volume), either of which can leave the data behind. It also
        happens when the declaration lives only in an override file that the production
        command line does not include.
    """,
    trigger="""
        A service `volumes:` entry whose source is a name (not a path) that the merged stack's
        top-level `volumes:` does not declare. Merged as docker compose merges: the base file
        with its override twin, `-f` chains found in scripts, `include:` and `extends:`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - db_data:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - db_data:/var/lib/postgresql/data
        volumes:
          db_data:
    """,
    good_lang="yaml",
    fix="""
        Declare the volume under the top-level `volumes:` of the same stack (fix typos between
        the two names). If you meant a host folder, write it as a path (`./db_data`).
    """,
    module=__name__,
)
