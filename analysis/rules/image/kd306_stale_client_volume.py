"""KD306 stale-client-volume: Source bind mount with node_modules on a volume and no client regeneration"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.records import Image
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Related, Severity
from analysis.parsers.compose.records import MountKind, Service
from analysis.rules.example_files import NODE_DOCKERFILE
from analysis.rules.image.common import (
    _compose_services,
    _regenerates,
    _sev,
    _tidied,
    startup_commands,
)
from analysis.rules.registry import Examples, rule
from analysis.sources import FileKind

RULE = rule(
    "KD306",
    "stale-client-volume",
    Severity.MEDIUM,
    area="image",
    section="volume-mounts",
    checklist=("client-generation-safe", "volume-mounts-no-conflict"),
    summary="the app bind-mounts the source and hides `node_modules` behind a volume, and nothing regenerates the client at start: a schema edit leaves a stale client",
    short="Source bind mount with node_modules on a volume and no client regeneration",
    rationale="""
        The classic dev setup mounts `.:/app` and hides `node_modules` behind an anonymous
        volume. The generated Prisma client lives in that volume and Compose keeps it when it
        recreates the container, so after a schema edit the app keeps running the old client:
        new fields are silently dropped from writes, renamed ones fail, and the developer
        "fixes" the resulting errors with `db push --accept-data-loss` or a reset.
    """,
    trigger="""
        A service that bind-mounts the source (`.:/app`) and puts `node_modules` on a volume
        (`/app/node_modules`), while nothing in its startup path runs `prisma generate`.
        Not a service whose command only sleeps (`sleep infinity`: a dev container's shell).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: npm run dev
            volumes:
              - .:/app
              - /app/node_modules
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma generate && npm run dev"
            volumes:
              - .:/app
              - /app/node_modules
    """,
    good_lang="yaml",
    fix="""
        Run `prisma generate` in the dev command (or a `predev` script), or recreate the
        volume after schema changes with `docker compose up --renew-anon-volumes`.
    """,
    examples=Examples(files={"Dockerfile": NODE_DOCKERFILE}),
    module=__name__,
)


_IDLE = lazy_compile(r"^\s*(?:sleep\s+(?:infinity|inf)|tail\s+-f\s+/dev/null)\s*$")


def _idle(service: Service) -> bool:
    """The container runs `sleep infinity` (inbox-zero's devcontainer): nothing starts at
    start; whoever works in it runs `pnpm install` and `prisma generate` by hand."""
    command = service.command
    return command is not None and _IDLE.match(command.text.strip("[]\"' ")) is not None


def check_stale_client_volume(ctx: Context, all_images: tuple[Image, ...]) -> Iterator[Finding]:
    schemas = ctx.files(FileKind.PRISMA_SCHEMA)
    if not schemas:
        return
    for _stack, svc in _compose_services(ctx):
        if _idle(svc):
            continue  # a dev container's shell: the developer installs and generates in it
        mounts = svc.mounts
        binds = [m for m in mounts if m.kind == MountKind.BIND and m.host_path is not None]
        for bind in binds:
            host = bind.host_path
            if host is None:
                continue
            if not any(host in ("", ".") or s.startswith(host + "/") for s in schemas):
                continue
            hidden = next(
                (
                    m
                    for m in mounts
                    if m.kind in (MountKind.ANONYMOUS, MountKind.VOLUME)
                    and m.target.endswith("/node_modules")
                    and m.target.startswith(bind.target.rstrip("/") + "/")
                ),
                None,
            )
            if hidden is None:
                continue
            image = next(
                (i for i in all_images for u in i.uses if u.service == svc.name),
                None,
            )
            starts = startup_commands(ctx, image) if image is not None else []
            if _regenerates(starts):
                continue
            related = [Related(bind.location, f"the source is bind-mounted at {bind.target}")]
            if image is not None:
                for g in image.generate_commands[:1]:
                    related.append(Related(g.location, "the client is generated only here"))
            what = "an anonymous volume" if str(hidden.kind) == "anonymous" else "a named volume"
            yield Finding(
                "KD306",
                _sev("KD306"),
                f"service {svc.name!r} bind-mounts the source (with the Prisma schema) at "
                f"{bind.target} and hides {hidden.target} behind {what}, and nothing runs "
                "`prisma generate` at start: after a schema edit the container keeps the old "
                "Prisma Client (the volume outlives rebuilds)",
                hidden.location,
                tuple(related),
            )
            break


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return check_stale_client_volume(ctx, ctx.fact(images))
