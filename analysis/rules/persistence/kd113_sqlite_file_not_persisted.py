"""KD113 sqlite-file-not-persisted: The SQLite database file of a container is on no volume"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.persistence.common import (
    _container_paths,
    _finding,
    _schema_dirs_in_container,
    _sqlite_in_images,
    _sqlite_path,
    _sqlite_urls_of_context,
    _stage_for,
)
from analysis.rules.registry import rule
from analysis.secrets import mask_url

RULE = rule(
    "KD113",
    "sqlite-file-not-persisted",
    Severity.CRITICAL,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="a SQLite `file:` database URL of a container points at a path that no volume or bind mount covers (resolve relative paths against the schema's folder and the container's working directory; the URL may come from compose, the Dockerfile's `ENV`, `.env*` or `prisma.config.ts`). An image with no compose file and no `VOLUME` over that path keeps the file in the container's writable layer, lost on every redeploy",
    short="The SQLite database file of a container is on no volume",
    rationale="""
        A SQLite database is just a file. When `file:./dev.db` resolves to a path inside the
        container that no volume covers, the file lives in the container's writable layer:
        every redeploy, `docker compose up --build`, or platform restart replaces the
        container and the database starts empty (then `migrate deploy` re-creates the tables
        and nothing looks wrong). Relative paths are resolved against the schema's folder, so
        `file:./dev.db` with the schema in `prisma/` is `/app/prisma/dev.db`.
    """,
    trigger="""
        A `file:` DATABASE_URL (from compose, the Dockerfile's ENV, `.env*` or
        prisma.config.ts) whose resolved container path (relative to the schema's folder and
        the container's working directory) no volume or bind mount covers. An image with no
        compose file and no `VOLUME` over that path is reported too: it keeps the file in the
        writable layer (also when the URL is a literal in a schema the image copies). A Fly
        volume (`[mounts] destination` of the fly.toml that deploys the image) counts as a
        mount, and so does a LiteFS FUSE directory whose `data.dir` lies on one.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:./dev.db
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:/data/app.db
            volumes:
              - sqlite-data:/data
        volumes:
          sqlite-data:
    """,
    good_lang="yaml",
    fix="""
        Put the database file in a folder of its own, mount a named volume there, and use an
        absolute `file:` URL so the location does not depend on where the schema lives.
    """,
    module=__name__,
)


def check_sqlite(
    ctx: Context, stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    db_names = {(d.stack, d.service) for d in dbs}
    built_dockerfiles: set[str] = set()
    for stack in stacks:
        for service in stack.services:
            if (stack.id, service.name) in db_names:
                continue
            stage, dockerfile = _stage_for(ctx, service)
            if dockerfile is not None:
                built_dockerfiles.add(dockerfile)
            workdir = (
                service.working_dir.value
                if service.working_dir is not None
                else (stage.workdir if stage is not None else "/")
            )
            context = service.build.context_path if service.build is not None else None
            urls: list[tuple[str, Location, str]] = []
            for var in service.container_env or service.environment:
                if var.value and var.value.startswith("file:") and var.name.endswith("URL"):
                    urls.append((var.value, var.location, "compose"))
            names = {v.name for v in service.container_env or service.environment}
            if stage is not None and dockerfile is not None:
                for dvar in stage.effective_env:
                    if (
                        dvar.name not in names
                        and dvar.expanded
                        and dvar.expanded.startswith("file:")
                        and dvar.name.endswith("URL")
                    ):
                        urls.append((dvar.expanded, Location(dockerfile, dvar.line), "Dockerfile"))
            if not urls and context is not None and "DATABASE_URL" not in names:
                urls.extend(_sqlite_urls_of_context(ctx, context))
            if not urls:
                continue
            schema_dirs = _schema_dirs_in_container(ctx, service, context, workdir)
            persistent = [m for m in service.mounts if m.persistent]
            for url, loc, _origin in urls:
                path = _sqlite_path(url)
                if path is None:
                    continue
                candidates = _container_paths(path, workdir, schema_dirs)
                if any(m.covers(c) for c in candidates for m in persistent):
                    continue
                shown = candidates[0]
                other = [m for m in service.mounts if any(m.covers(c) for c in candidates)]
                where = (
                    f"only {other[0].label} covers it, which does not survive `down`/`up`"
                    if other
                    else "it lives in the container's writable layer and is lost when the "
                    "container is re-created"
                )
                yield _finding(
                    "KD113",
                    f"service {service.name!r}: the SQLite database {mask_url(url)} resolves to "
                    f"{shown} in the container, which no volume or bind mount covers: {where}; "
                    "mount a named volume on its folder",
                    loc,
                    [Related(service.location, f"service {service.name!r}")],
                )
    yield from _sqlite_in_images(ctx, built_dockerfiles)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_sqlite(ctx, ctx.fact(compose_stacks), ctx.fact(databases))
