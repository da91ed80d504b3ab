"""KD112 db-data-in-build-context: A bind-mounted database directory lies inside an image's build context"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks, is_file
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.compose.records import MountKind, Service
from analysis.parsers.dockerfile.parser import parse_dockerfile
from analysis.parsers.dockerignore import effective_dockerignore, parse_dockerignore
from analysis.rules.persistence.common import _copies_context, _finding
from analysis.rules.registry import rule

RULE = rule(
    "KD112",
    "db-data-in-build-context",
    Severity.MEDIUM,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists", "volume-mounts-no-conflict"),
    summary="a bind-mounted database directory lies inside a build context that `.dockerignore` does not exclude: the data is copied into the image",
    short="A bind-mounted database directory lies inside an image's build context",
    rationale="""
        The live cluster in `./data/postgres` is inside the folder that `docker build` sends
        as context. `COPY . .` then copies database files into an image layer, where they are
        pushed to the registry with every customer row in them; a copy taken while the server
        writes is inconsistent, and the 0700 permissions of the folder make builds fail with
        "permission denied" until someone `chmod`s the data directory.
    """,
    trigger="""
        A database's data directory held by a bind mount whose host folder is inside the
        build context of an image that copies the context (`COPY .`/`ADD .`), while the
        context's `.dockerignore` does not exclude that folder.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
          db:
            image: postgres:16
            volumes:
              - ./data/postgres:/var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # .dockerignore
        node_modules
        .git
        .env*
        data/
    """,
    good_lang="gitignore",
    fix="""
        Exclude the data folder in the context's `.dockerignore` (and `.gitignore`), or move
        the database to a named volume.
    """,
    module=__name__,
)


def check_data_in_build_context(
    ctx: Context, stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    by_id = {s.id: s for s in stacks}
    for db in dbs:
        holder = db.storage.holder
        stack = by_id.get(db.stack)
        if stack is None or holder is None or holder.kind is not MountKind.BIND:
            continue
        host = holder.host_path
        if host is None:
            continue
        # (context, .dockerignore) -> the services that build it, with their build lines
        groups: dict[tuple[str, str | None, str], list[Service]] = {}
        for service in stack.services:
            build = service.build
            if build is None or build.context_path is None or build.dockerfile_path is None:
                continue
            context = build.context_path
            if context not in (".", "") and not (host == context or host.startswith(context + "/")):
                continue
            rel = host if context in (".", "") else posixpath.relpath(host, context)
            if rel in (".", ""):
                rel = "."
            ignore_path = effective_dockerignore(
                build.dockerfile_path, context, lambda r: is_file(ctx, r)
            )
            if ignore_path is not None:
                ignore = ctx.parse(ignore_path, parse_dockerignore)
                if ignore is not None and ignore.excluded(rel):
                    continue
            parsed = None
            if is_file(ctx, build.dockerfile_path):
                parsed = ctx.parse(build.dockerfile_path, parse_dockerfile)
            if not _copies_context(parsed, build.target, rel):
                continue
            groups.setdefault((context or ".", ignore_path, rel), []).append(service)
        for (context, ignore_path, rel), services in groups.items():
            related = [
                Related(s.build.location, f"service {s.name!r} builds this context")
                for s in services
                if s.build is not None
            ]
            if ignore_path is not None:
                related.append(
                    Related(Location(ignore_path, 1), f"{ignore_path} does not exclude {rel}/")
                )
            names = [repr(s.name) for s in services]
            who = (
                f"service {names[0]}"
                if len(names) == 1
                else f"services {', '.join(names[:-1])} and {names[-1]}"
            )
            ignored = (
                "there is no .dockerignore"
                if ignore_path is None
                else f"{ignore_path} does not exclude it"
            )
            yield _finding(
                "KD112",
                f"database service {db.service!r} keeps its data in {host}/, inside the build "
                f"context {context} of {who}, and {ignored}: every build sends the database "
                f"files and copies them into the image; add `{rel}/` to .dockerignore",
                holder.location,
                related,
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_data_in_build_context(ctx, ctx.fact(compose_stacks), ctx.fact(databases))
