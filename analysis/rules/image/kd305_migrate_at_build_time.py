"""KD305 migrate-at-build-time: Migrations or db push run during docker build"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.records import Image
from analysis.model import Finding, Related, Severity
from analysis.parsers.prisma_cli import CHANGES_SCHEMA
from analysis.rules.image.common import _sev, _tidied
from analysis.rules.registry import rule

RULE = rule(
    "KD305",
    "migrate-at-build-time",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    checklist=("no-automatic-data-loss",),
    summary="`RUN prisma migrate deploy`/`migrate dev`/`db push` during `docker build` (the database it reaches, if any, is the build machine's; a SQLite file made there is baked into the image)",
    short="Migrations or db push run during docker build",
    rationale="""
        `docker build` is the wrong moment to touch a database. On a CI runner the build may
        reach a real database through DATABASE_URL and migrate it before the image is tested
        or deployed; with SQLite it creates a database file that is baked into the image, so
        every deploy ships a fresh empty database over the old one (or hides it under a
        volume, depending on the mount).
    """,
    trigger="""
        A Dockerfile `RUN` that runs `prisma migrate deploy`, `migrate dev`, `db push` or
        `migrate reset` (directly or through a package.json script or a script file it
        calls).
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma migrate deploy && npm run build
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Generate the client at build time; apply migrations at start or in a release step,
        against the database of the environment being deployed.
    """,
    module=__name__,
)


def check_migrate_at_build(image: Image) -> Iterator[Finding]:
    if image.file is None:
        return
    for p in image.prisma:
        if p.command not in CHANGES_SCHEMA or p.implicit:
            continue
        if p.stage not in image.stages_used:
            continue
        stage = image.file.stages[p.stage]
        related = list(p.via) or (
            [Related(p.run, "the RUN that starts it during `docker build`")]
            if p.location != p.run
            else []
        )
        yield Finding(
            "KD305",
            _sev("KD305"),
            f"`{p.text}` runs during `docker build` ({stage.label} of {image.dockerfile}): it "
            "reaches the build machine's database (or none), and a SQLite file made there is "
            "baked into the image; run it when the container starts, or as a release step",
            p.location,
            tuple(related),
        )


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return (f for i in ctx.fact(images) for f in check_migrate_at_build(i))
