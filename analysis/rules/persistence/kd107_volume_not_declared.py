"""KD107 volume-not-declared: A service uses a named volume that the top-level volumes: does not declare"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.compose.records import MountKind
from analysis.rules.persistence.common import _finding
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
        with its override twin, `-f` chains found in scripts, `include:` and `extends:`. Low
        when a compose file beside it (not merged in) declares the name: a file deployed
        together with it (`docker stack deploy -c default.yml -c kit.yml` in a script keepdata
        cannot follow).
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


def check_undeclared_volumes(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    stacks = tuple(stacks)
    beside: dict[tuple[str, str], Location] = {}
    for stack in stacks:
        for v in stack.volumes:
            folder = posixpath.dirname(v.location.path)
            beside.setdefault((folder, v.name), v.location)
    for stack in stacks:
        if stack.tree is None:
            continue
        declared = {v.name for v in stack.volumes}
        for service in stack.services:
            for m in service.mounts:
                if m.kind is not MountKind.VOLUME or not m.source or "$" in m.source:
                    continue
                if m.source in declared:
                    continue
                other = beside.get((posixpath.dirname(m.location.path), m.source))
                if other is not None and other.path not in stack.all_files:
                    yield Finding(
                        "KD107",
                        Severity.LOW,
                        f"service {service.name!r} uses the named volume {m.source!r}, which "
                        f"this file's top-level `volumes:` does not declare, but {other.path} "
                        "beside it does: deployed together (`docker stack deploy -c "
                        f"{posixpath.basename(other.path)} -c ...`) it starts; alone, compose "
                        "refuses it; reported low",
                        m.location,
                        (Related(other, "the declaration beside it"),),
                    )
                    continue
                yield _finding(
                    "KD107",
                    f"service {service.name!r} uses the named volume {m.source!r}, which the "
                    "top-level `volumes:` does not declare: docker compose refuses to start "
                    '("refers to undefined volume"); declare it',
                    m.location,
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_undeclared_volumes(ctx.fact(compose_stacks))
