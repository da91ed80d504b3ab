"""KD302 no-prisma-generate: The image never runs prisma generate (nor does its startup path)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.copies import path_in_stage
from analysis.facts.images.records import Image
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.image.common import StartCommand, _sev, _tidied, _uses_prisma, image_starts
from analysis.rules.registry import rule

RULE = rule(
    "KD302",
    "no-prisma-generate",
    Severity.MEDIUM,
    area="image",
    section="dockerfile",
    checklist=("client-generation-safe",),
    summary="the image never runs `prisma generate` (nor does the startup path)",
    short="The image never runs prisma generate (nor does its startup path)",
    rationale="""
        The Prisma client is generated code. An image that never runs `prisma generate`
        either fails on the first query ("@prisma/client did not initialize yet") or ships a
        client generated on a developer's machine, for that machine's schema and platform,
        copied in with `node_modules`. Either way what the app writes is not what the schema
        and migrations describe.
    """,
    trigger="""
        An image of a project that uses Prisma whose Dockerfile stages run no `prisma
        generate` (directly, through `npm ci` running a `postinstall` that generates, or
        through a build script that does), and whose startup path does not generate either.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npm run build
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npx prisma generate && npm run build
        CMD ["node", "dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Run `prisma generate` in the build after the schema is copied (and before the app's
        build), and do not copy a host `node_modules` into the image.
    """,
    module=__name__,
)


def check_no_generate(ctx: Context, image: Image, starts: list[StartCommand]) -> Iterator[Finding]:
    if not _uses_prisma(image) or image.stage is None or image.context_inferred:
        return  # with a guessed build context, absence is not a finding
    if any(p.stage in image.stages_used for p in image.generate_commands):
        return
    if any(s.command == "generate" for s in starts):
        return
    if not image.schemas_in_image and not any(
        path_in_stage(image, image.file.stages[i], rel)
        for i in image.stages_used
        if image.file is not None
        for rel in (image.rel_in_context(s) for s in image.schemas)
        if rel is not None
    ):
        return
    stage = image.stage
    related = [
        Related(Location(s, 1), "the Prisma schema the client is generated from")
        for s in image.app_schemas[:2]
    ]
    if image.node_modules.location is not None:
        related.append(Related(image.node_modules.location, "node_modules is installed here"))
    yield Finding(
        "KD302",
        _sev("KD302"),
        f"{image.label} never runs `prisma generate` (neither its final {stage.label} nor the "
        "stages it is built from), nor does its startup path: the image holds no Prisma Client "
        "for its schema (or a stale one)",
        Location(image.dockerfile, stage.line),
        tuple(related),
    )


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return (f for i, starts in ctx.fact(image_starts) for f in check_no_generate(ctx, i, starts))
