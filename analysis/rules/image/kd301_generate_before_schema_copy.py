"""KD301 generate-before-schema-copy: prisma generate runs before the schema is copied into the image"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.builds import images
from analysis.facts.images.copies import _filled_by_copy
from analysis.facts.images.records import Image
from analysis.model import Finding, Related, Severity
from analysis.parsers.dockerfile.records import DockerfileFile, Stage
from analysis.rules.image.common import _later_generate, _schema_copy_after, _sev, _tidied
from analysis.rules.registry import rule

RULE = rule(
    "KD301",
    "generate-before-schema-copy",
    Severity.MEDIUM,
    area="image",
    section="dockerfile",
    checklist=("client-generation-safe",),
    summary="`prisma generate` runs before the schema is copied into the image",
    short="prisma generate runs before the schema is copied into the image",
    rationale="""
        At that point of the build the image has no `prisma/schema.prisma` (or only an old
        copy from an earlier layer), so `prisma generate` either fails or generates a client
        for a different schema than the one the app ships with. A stale client silently
        ignores new fields and writes rows without values the schema now requires, or
        throws at runtime on the first query that touches a changed model.
    """,
    trigger="""
        A Dockerfile stage with `RUN ... prisma generate` (also through a package.json script
        such as `postinstall` run by `npm ci`) before any COPY/ADD that brings the schema into
        that stage. Not when the stage got a folder a RUN made (`COPY --from=builder
        /app/out/full/ .` after `turbo prune --docker`): what it holds is unknown.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        COPY prisma ./prisma
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    good_lang="dockerfile",
    fix="""
        COPY the `prisma/` folder (or the schema file) before the step that generates the
        client; with a `postinstall: prisma generate`, copy it before `npm ci`.
    """,
    module=__name__,
)


def _made_tree_before(
    ctx: Context | None, image: Image, df: DockerfileFile, stage: Stage, line: int
) -> bool:
    """A `COPY --from=<stage>` before `line` (in the stage or those it is built FROM) brings a
    folder that a RUN made, not the build context (rallly: `turbo prune --docker` writes
    out/full, copied into the installer): keepdata cannot tell whether it holds the schema."""
    if ctx is None:
        return False
    for st in df.chain(stage):
        for c in st.copies:
            if c.from_stage is None or (st is stage and c.line >= line):
                continue
            source = df.stage_by_ref(c.from_stage)
            if source is None:
                continue
            for src in c.sources:
                path = posixpath.normpath(posixpath.join(source.workdir or "/", src))
                if not _filled_by_copy(ctx, image, df.chain(source), path):
                    return True
    return False


def check_generate_before_schema(image: Image, ctx: Context | None = None) -> Iterator[Finding]:
    df = image.file
    if df is None or not image.schemas:
        return
    for p in image.generate_commands:
        if p.implicit or p.schema_present or p.stage not in image.stages_used:
            continue
        if _later_generate(image, df, p):
            continue
        stage = df.stages[p.stage]
        later = _schema_copy_after(image, stage, p.run.line)
        related = list(p.via) or ([Related(p.run, "the RUN")] if p.location != p.run else [])
        if later is not None:
            related.append(Related(later, "the schema is copied only here"))
            tail = f"the schema is copied only later (line {later.line})"
        elif _made_tree_before(ctx, image, df, stage, p.run.line):
            continue
        else:
            tail = "no COPY brings the schema into this stage"
        yield Finding(
            "KD301",
            _sev("KD301"),
            f"`{p.text}` runs in {stage.label} of {image.dockerfile} before the Prisma schema "
            f"is in the image: {tail}, so the client is generated without it (or the build "
            "fails) and nothing regenerates it afterwards",
            p.location,
            tuple(related),
        )


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return (f for i in ctx.fact(images) for f in check_generate_before_schema(i, ctx))
