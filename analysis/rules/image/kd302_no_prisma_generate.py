"""KD302 no-prisma-generate: The image never runs prisma generate (nor does its startup path)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.copies import path_in_stage
from analysis.facts.images.packages import _RUN_SCRIPT, read_package_info
from analysis.facts.images.records import Image
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.dockerfile.records import Run
from analysis.rules.image.common import StartCommand, _sev, _tidied, _uses_prisma, image_starts
from analysis.rules.registry import rule
from analysis.sources import FileKind

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
        Low when a build step runs what keepdata cannot follow (`nx`, `turbo`, `npm-run-all`,
        a node script, a Prisma-named script of another workspace, a package script that runs
        a workspace filter or one of those); nothing when the final
        image is a web server's (`caddy`, `nginx`: built files, no Prisma Client).
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
    if _static_server(image):
        return  # the final image serves built files (caddy, nginx): no Prisma Client runs there
    related = [
        Related(Location(s, 1), "the Prisma schema the client is generated from")
        for s in image.app_schemas[:2]
    ]
    opaque = _opaque_step(ctx, image)
    if opaque is not None:
        run, text = opaque
        related.append(
            Related(Location(image.dockerfile, run.line), "the step keepdata cannot follow")
        )
        yield Finding(
            "KD302",
            Severity.LOW,
            f"{image.label}: keepdata finds no `prisma generate` in its stages or startup path, "
            f"but `{text}` runs a build keepdata cannot follow (a monorepo task runner, a "
            "script of another workspace, a node script): if it generates the client, nothing "
            "is wrong; reported low",
            Location(image.dockerfile, stage.line),
            tuple(related),
        )
        return
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


_STATIC_SERVERS = frozenset({"caddy", "nginx", "httpd", "traefik", "lighttpd", "scratch"})

_PM_RUN = r"(?<![\w/.-])(?:yarn|pnpm|npm\s+run|bun\s+run)\s+(?:-\S+\s+)*"
_OPAQUE = lazy_compile(
    r"(?<![\w/.-])(?:(?:bunx|npx|pnpm\s+exec|pnpm\s+dlx|yarn\s+exec)\s+)?"
    r"(?:nx|turbo|lerna|npm-run-all|run-s|run-p)\s+\S+"
    r"|(?<![\w/.-])(?:node|bun|tsx|ts-node)\s+(?!(?:[\w.-]+/)*bin/)(?!/)\S+\.(?:c|m)?[jt]s\b"
    + r"|"
    + _PM_RUN
    + r"[\w.-]*(?:prisma|generate|db)[\w.-]*:[\w:.-]*"
    + r"|"
    + _PM_RUN
    + r"[\w.-]*:[\w.-]*(?:prisma|generate)[\w:.-]*"
)
"""Build steps whose work keepdata does not follow into: task runners (`nx`, `turbo`,
`npm-run-all`), node scripts, and package scripts named for Prisma in another workspace
(`yarn prisma:build`: Yarn runs a script with a colon from whichever workspace defines it)."""


def _static_server(image: Image) -> bool:
    """The final stage is built FROM a web server image, not a Node runtime."""
    if image.file is None or image.stage is None:
        return False
    root = image.file.chain(image.stage)[-1].image.lower()
    repo = root.split("@", 1)[0].rsplit(":", 1)[0].rsplit("/", 1)[-1]
    return repo in _STATIC_SERVERS


_FILTERED_INSTALL = lazy_compile(
    r"(?<![\w/.-])(?:pnpm|yarn|npm)\s+(?:install|i|ci|add)\b[^\n;&|]*?"
    r"(?:--filter|-F|--workspace)[\s=]\S+"
)
"""A workspace install (`pnpm install --filter @tianji/server...`): it runs the `postinstall`
of the packages it selects, which keepdata does not follow."""

_WORKSPACE_RUN = lazy_compile(r"(?:--filter|-F|--workspaces?|-r|--recursive)(?:[\s=]|$)")


def _opaque_step(ctx: Context, image: Image) -> tuple[Run, str] | None:
    """The first build step whose work keepdata does not follow, itself or through the
    package.json script it runs (`pnpm build:server` -> `pnpm --filter @tianji/server build`)."""
    if image.file is None:
        return None
    scripts: dict[str, list[str]] | None = None
    for i in image.stages_used:
        for run in image.file.stages[i].runs:
            m = _OPAQUE.search(run.command) or _FILTERED_INSTALL.search(run.command)
            if m is not None:
                return run, m.group(0)
            for call in _RUN_SCRIPT.finditer(run.command):
                if scripts is None:
                    scripts = _scripts(ctx, image)
                for command in scripts.get(call["name"], ()):
                    if _OPAQUE.search(command) or _WORKSPACE_RUN.search(command):
                        return run, call.group(0)
    return None


def _scripts(ctx: Context, image: Image) -> dict[str, list[str]]:
    """package.json scripts of the build context: name -> commands."""
    out: dict[str, list[str]] = {}
    for rel in ctx.files(FileKind.PACKAGE_JSON):
        if image.rel_in_context(rel) is None:
            continue
        source = ctx.source(rel)
        if source is None:
            continue
        for script in read_package_info(source).scripts:
            out.setdefault(script.name, []).append(script.command)
    return out


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    return (f for i, starts in ctx.fact(image_starts) for f in check_no_generate(ctx, i, starts))
