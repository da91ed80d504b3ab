"""KD220 prisma-cli-unpinned: The startup path runs a Prisma CLI whose version is not the project's"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.records import Image
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import RunContext, StartupFacts
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.package_json.package import version_major
from analysis.rules.registry import Examples, rule
from analysis.rules.startup.common import (
    RUNS_BY_ITSELF,
    _finding,
    _images_by_dockerfile,
    _origin,
    _project_prisma_major,
    _sev,
    _unique,
    _Where,
    _where,
    project_prisma,
)
from analysis.rules.startup.image_cli import floating, image_cli_installs, satisfies

# -- example trees --
_PACKAGE_JSON = """\
{
  "name": "shop-api",
  "private": true,
  "scripts": {"build": "tsc", "start": "node dist/server.js"},
  "dependencies": {"@prisma/client": "6.4.1", "express": "4.21.2"},
  "devDependencies": {"prisma": "6.4.1", "typescript": "5.7.3"}
}
"""
# --

RULE = rule(
    "KD220",
    "prisma-cli-unpinned",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="the startup path runs a Prisma CLI whose version is not the project's: `npx prisma@latest`, `npm i -g prisma`, a major other than `package.json`'s, or `npx prisma ...` in a final image whose `node_modules` lacks the CLI (`prisma` is a devDependency and the image installs with `--omit=dev`/`--production`, or copies no `node_modules`), so npx downloads whatever the registry serves that day",
    short="The startup path runs a Prisma CLI whose version is not the project's",
    rationale="""
        `npx prisma@latest` or a global `npm i -g prisma` uses whatever the registry serves
        that day. So does plain `npx prisma` in an image whose `node_modules` lacks the CLI
        (a devDependency dropped by `npm ci --omit=dev`). A new major reads the schema
        differently: Prisma 7 rejects `url` in the datasource (P1012), Prisma 8 renamed the
        commands, and a migration engine other than the one that wrote the migrations decides
        what drift means. The start fails, or applies with different rules, and needs the
        network to do it.
    """,
    trigger="""
        In the startup path: `npx prisma@latest`/`@<other major>`, `npm i -g prisma`/`npm
        install --global prisma`, a Prisma major other than package.json's, or `npx prisma`
        in a final image whose `node_modules` lacks the CLI (prisma is a devDependency and the
        image installs with `--omit=dev`/`--production`, or copies no node_modules). Also
        a Prisma CLI the final image's stages install themselves (`npm install prisma@X`,
        `pnpm add prisma@${PRISMA_VERSION}` with the ARG's default, `yarn add`, `bun add`)
        with a floating spec or a version outside package.json's range (one level lower
        when the major is the project's).
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile (package.json has "prisma": "6.4.1" in dependencies)
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "./node_modules/.bin/prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Pin the CLI in package.json and make it part of the production install (move
        `prisma` to `dependencies`, or install it in the migration stage), and call it
        through `node_modules/.bin` or `npx --no-install prisma`.
    """,
    examples=Examples(bad={"package.json": _PACKAGE_JSON}),
    module=__name__,
)


def check_cli_unpinned(
    ctx: Context,
    facts: StartupFacts,
    where: _Where,
    images: dict[str, Image],
    seen: set[Location] | None = None,
) -> Iterator[Finding]:
    seen = set() if seen is None else seen
    downloading: set[str] = set()
    for step in _unique(facts.commands):
        if step.context not in RUNS_BY_ITSELF or step.location in seen:
            continue
        inv = step.invocation
        major, pin = _project_prisma_major(ctx, step.location.path)
        problem = ""
        if inv.version and inv.pinned_elsewhere:
            problem = f"`prisma@{inv.version}` asks the registry for whatever it serves that day"
        elif inv.version and major is not None:
            m = re.match(r"\D*(\d+)", inv.version)
            if m and int(m.group(1)) != major:
                problem = f"`prisma@{inv.version}` is another major than the project's ({major})"
        elif (
            inv.runner in ("npx", "bunx")
            and not inv.version
            and step.context == RunContext.STARTUP
            and step.path_id not in downloading
            and not step.opt_in_off
        ):
            path = where.paths.get(step.path_id)
            image = images.get(path.dockerfile) if path is not None and path.dockerfile else None
            nm = image.node_modules if image is not None else None
            if nm is not None and nm.prisma_cli is False:
                downloading.add(step.path_id)
                others = sum(
                    1
                    for s in (path.commands if path is not None else ())
                    if s.invocation.runner in ("npx", "bunx") and s.location != step.location
                )
                more = (
                    f" (and {others} more `{inv.runner} prisma` commands of this start)"
                    if others
                    else ""
                )
                problem = (
                    f"the image's node_modules has no Prisma CLI ({nm.how}), so `{inv.runner}` "
                    f"downloads whatever version the registry serves{more}"
                )
        if not problem:
            continue
        seen.add(step.location)
        extra = [Related(pin, "the version the project pins")] if pin is not None else []
        yield _finding(
            "KD220",
            _sev("KD220"),
            f"`{step.text}` runs {_origin(facts, where, step)} with a Prisma CLI that is not the "
            f"project's: {problem}; another major has other commands and schema rules",
            step,
            extra,
        )
    for path in facts.paths:
        if path.context == RunContext.DEVELOPER:
            continue
        for inst in path.installs:
            if inst.location is None or inst.location in seen:
                continue
            major, pin = _project_prisma_major(ctx, inst.location.path)
            v = inst.version
            exact = re.fullmatch(r"(\d+)\.\d+\.\d+", v)
            if exact and (major is None or int(exact.group(1)) == major):
                continue
            seen.add(inst.location)
            detail = f"version {v}" if v else "no version"
            yield Finding(
                "KD220",
                _sev("KD220"),
                f"`{inst.text}` installs a global Prisma CLI with {detail}, not the one the "
                "project's package.json pins: the image gets whatever the registry serves when "
                "it is built",
                inst.location,
                tuple([Related(pin, "the version the project pins")] if pin is not None else []),
            )


def check_image_cli(
    ctx: Context, images: dict[str, Image], seen: set[Location]
) -> Iterator[Finding]:
    """The Prisma CLI the final image installs (`npm install prisma@X`, not global) against
    package.json: a floating spec, or a version outside the project's range (one level
    lower when the major is the project's)."""
    for image in images.values():
        for inst in image_cli_installs(image):
            if inst.location in seen:
                continue
            dep = project_prisma(ctx, image.context or "")
            spec = dep.version if dep is not None else ""
            severity = _sev("KD220")
            if floating(inst.version):
                shown = f"`prisma@{inst.written}`" if inst.written else "`prisma` with no version"
                problem = f"{shown} is whatever the registry serves when the image is built"
                if dep is not None and version_major(inst.version) == version_major(spec):
                    severity = severity.lower()
                    problem += f" (in the project's major, {version_major(spec)})"
            elif dep is None:
                continue
            else:
                ok = satisfies(inst.version, spec)
                if ok is not False:
                    continue
                problem = f"prisma {inst.version} is outside the project's range ({spec})"
                if version_major(inst.version) == version_major(spec):
                    severity = severity.lower()
                    problem += ", in the same major"
            seen.add(inst.location)
            related = [Related(dep.location, "the version the project pins")] if dep else []
            yield Finding(
                "KD220",
                severity,
                f"`{inst.text}` installs the Prisma CLI of the image {image.dockerfile}: "
                f"{problem}; the CLI that applies the migrations is not the one the project "
                "tested with",
                inst.location,
                tuple(related),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    images = ctx.fact(_images_by_dockerfile)
    seen: set[Location] = set()
    yield from check_cli_unpinned(ctx, ctx.fact(startup_paths), ctx.fact(_where), images, seen)
    yield from check_image_cli(ctx, images, seen)
