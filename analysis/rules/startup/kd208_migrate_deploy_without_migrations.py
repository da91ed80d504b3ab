"""KD208 migrate-deploy-without-migrations: migrate deploy runs, but the image holds no migrations"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.copies import copies_unknown_tree
from analysis.facts.images.records import Image
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    STARTUP_CONTEXTS,
    _bind_mount,
    _finding,
    _folder_for,
    _gitignored,
    _images_by_dockerfile,
    _migration_folders,
    _origin,
    _path_base,
    _sev,
    _Where,
    _where,
)

RULE = rule(
    "KD208",
    "migrate-deploy-without-migrations",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="`migrate deploy` runs but the image holds no migrations (no folder, empty, or hidden by `.dockerignore`/not copied): see KD303; when `.gitignore` is the reason, KD308 reports it instead",
    short="migrate deploy runs, but the image holds no migrations",
    rationale="""
        `migrate deploy` with an empty or missing migrations folder prints "No migration
        found" and exits 0. The deploy goes green, the app starts against a database without
        the new tables, and the first request that needs them fails; on a fresh environment
        the database stays empty and someone "fixes" it with `db push`.
    """,
    trigger="""
        `migrate deploy` in the startup path of an image whose final stage has no migrations:
        no folder in the project, an empty folder, `.dockerignore` excluding it, or no COPY
        bringing it into the final stage (see KD303 for the Dockerfile side). When
        `.gitignore` is the reason, KD308 reports it instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma/schema.prisma ./prisma/
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma ./prisma
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Copy the whole `prisma/` folder (schema and migrations) into the stage that runs
        `migrate deploy`, and make sure `.dockerignore` does not exclude it.
    """,
    module=__name__,
)


def check_deploy_without_migrations(
    ctx: Context, facts: StartupFacts, where: _Where, images: dict[str, Image]
) -> Iterator[Finding]:
    folders = _migration_folders(ctx)
    seen: set[Location] = set()
    for step in facts.commands:
        if step.command != "migrate deploy" or step.context not in STARTUP_CONTEXTS:
            continue
        if step.about_migrations == "exist":
            continue  # runs only when migrations exist
        path = where.paths.get(step.path_id)
        if path is None:
            continue
        base = _path_base(path, images)
        folder = _folder_for(folders, base if base is not None else ".")
        why = ""
        extra: list[Related] = []
        if folder is None:
            expected = (
                posixpath.join(base or ".", "prisma/migrations").lstrip("./") or "prisma/migrations"
            )
            if _gitignored(ctx, expected):
                continue  # KD308 reports the .gitignore
            why = f"the project has no migrations{' under ' + base if base not in (None, '', '.') else ''}"
        elif path.dockerfile is not None:
            image = images.get(path.dockerfile)
            if image is not None and (image.context_inferred or copies_unknown_tree(ctx, image)):
                continue  # a whole app tree made by a RUN (`pnpm deploy`): contents unknown
            for m in image.migrations if image is not None else ():
                if m.folder != folder or m.present:
                    continue
                if m.ignored_by is not None:
                    why = f"the image {path.dockerfile} has none: .dockerignore excludes {folder}"
                    extra.append(Related(m.ignored_by.location, "the .dockerignore line"))
                else:
                    why = f"the image {path.dockerfile} has none: no COPY brings {folder} into it"
                if m.copy is not None:
                    extra.append(Related(m.copy, "the COPY that would bring them"))
            mount = _bind_mount(ctx, path, folder) if why else None
            if mount is not None:
                why += (
                    f" (here the bind mount {mount.text} brings them back at run time; the image "
                    "deployed anywhere without that mount starts without them)"
                )
                extra.append(Related(mount.location, "the bind mount that hides the problem"))
        if not why:
            continue
        anchor = step.location
        if step.location in seen:
            continue
        seen.add(anchor)
        yield _finding(
            "KD208",
            _sev("KD208"),
            f"`{step.text}` runs {_origin(facts, where, step)}, but {why}: it reports "
            '"No migration found" and the app starts on a database whose tables nothing creates',
            step,
            extra,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_deploy_without_migrations(
        ctx, ctx.fact(startup_paths), ctx.fact(_where), ctx.fact(_images_by_dockerfile)
    )
