"""KD303 migrations-not-in-image: Migrations are applied at start, but .dockerignore or the COPYs leave them out"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.copies import copies_unknown_tree, copy_bringing
from analysis.facts.images.records import Image
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.compose.records import Mount, MountKind
from analysis.parsers.prisma_cli import APPLIES_MIGRATIONS
from analysis.rules.image.common import (
    StartCommand,
    _MissingMigrations,
    _sev,
    _tidied,
    _who,
    image_starts,
)
from analysis.rules.registry import rule
from analysis.sources import FileKind

RULE = rule(
    "KD303",
    "migrations-not-in-image",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary="the startup path applies migrations, but `.dockerignore` excludes them or no `COPY` brings them into the final stage",
    short="Migrations are applied at start, but .dockerignore or the COPYs leave them out",
    rationale="""
        The start command runs `migrate deploy`, but the image it runs in has no migration
        files: `.dockerignore` excludes `prisma/migrations` (often via a broad `**/*.sql` or
        `prisma/*` with only the schema re-included), or the final stage COPYs just
        `schema.prisma` from the builder. The deploy reports "No migration found", exits 0,
        and the app runs on a schema that never changes, until someone reaches for `db push`.
    """,
    trigger="""
        The startup path applies migrations, and the final stage of the image that runs it
        does not contain the migrations folder: the context's `.dockerignore` excludes it
        (Docker's pattern semantics, `!` re-includes honoured), or no COPY/ADD brings it into
        the final stage. Related: the `.dockerignore` line or the COPY that narrows it. One
        level lower when every service that runs it bind-mounts the migrations folder (a
        development setup: the image only lacks them where it runs without that mount).
    """,
    bad="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
    """,
    bad_lang="gitignore",
    good="""
        # .dockerignore
        node_modules
        .env*
        **/*.sql
        !prisma/migrations/**/migration.sql
    """,
    good_lang="gitignore",
    fix="""
        Make sure the migrations reach the final stage: remove or narrow the `.dockerignore`
        pattern (or re-include with `!prisma/migrations/**`), and COPY the whole `prisma/`
        folder from the builder (`COPY --from=build /app/prisma ./prisma`).
    """,
    module=__name__,
)


def check_migrations_not_in_image(
    cases: list[_MissingMigrations], mounted: dict[int, Mount] | None = None
) -> Iterator[Finding]:
    mounted = mounted or {}
    groups: dict[tuple[Location, str], list[_MissingMigrations]] = {}
    for case in cases:
        pattern = case.folder.ignored_by
        if pattern is not None:
            key = (pattern.location, case.folder.folder)
        else:
            assert case.image.stage is not None
            key = (Location(case.image.dockerfile, case.image.stage.line), case.folder.folder)
        groups.setdefault(key, []).append(case)
    for (location, folder), group in groups.items():
        related: list[Related] = []
        commands: list[StartCommand] = []
        for case in group:
            first = case.commands[0]
            commands.extend(case.commands)
            related.append(
                Related(first.location, f"{_who(case)}: `prisma {first.command}` at start")
            )
            if first.first_link is not None:
                related.append(Related(first.first_link, "where that startup path begins"))
            if case.would_copy is not None and case.folder.ignored_by is not None:
                related.append(Related(case.would_copy, f"this COPY would bring {folder}"))
        severity = _sev("KD303")
        condition = ""
        if all(c.condition for c in commands):
            severity = severity.lower()
            condition = f" (only when {commands[0].condition})"
        mounts = [m for c in group if (m := mounted.get(id(c))) is not None]
        if len(mounts) == len(group):
            severity = severity.lower()
            related.extend(Related(m.location, "the bind mount that brings them") for m in mounts)
            condition += (
                f" (here the bind mount {mounts[0].text} brings them back at run time: the "
                "image deployed without that mount starts without them; one level lower)"
            )
        who = " and ".join(_who(c) for c in group)
        first_cmd = group[0].commands[0].command
        pattern = group[0].folder.ignored_by
        if pattern is not None:
            why = f"`{pattern.text}` in {pattern.path} excludes {folder} from the build context"
        else:
            stage = group[0].image.stage
            assert stage is not None
            why = f"no COPY brings {folder} into the final stage ({stage.label})"
        yield Finding(
            "KD303",
            severity,
            f"{who} run{'s' if len(group) == 1 else ''} `prisma {first_cmd}` at start{condition}, "
            f"but the image has no migrations: {why}; the command finds no migration to apply "
            "and the app starts on an empty or outdated database",
            location,
            tuple(related),
        )


def missing_migrations(
    ctx: Context, image: Image, starts: list[StartCommand]
) -> list[_MissingMigrations]:
    if image.stage is None or not image.app_migrations:
        return []
    order = {"migrate deploy": 0, "migrate dev": 1, "migrate reset": 2}
    migrating = tuple(
        sorted(
            (s for s in starts if s.command in APPLIES_MIGRATIONS),
            key=lambda s: order.get(s.command, 9),
        )
    )
    if not migrating or any(m.present for m in image.app_migrations):
        return []
    if image.context_inferred or copies_unknown_tree(ctx, image):
        return []  # what a RUN made (`turbo prune` output) is copied in: contents unknown
    out: list[_MissingMigrations] = []
    for m in image.app_migrations:
        would: Location | None = None
        for f in ctx.files(FileKind.MIGRATION_SQL):
            rel = image.rel_in_context(f)
            if rel is not None and f.startswith(m.folder + "/"):
                copy = copy_bringing(image, rel, respect_ignore=False)
                if copy is not None:
                    would = Location(image.dockerfile, copy.line)
                break
        out.append(_MissingMigrations(image, m, migrating, would))
    return out


def _mounted(ctx: Context, case: _MissingMigrations) -> Mount | None:
    """The bind mount that brings the migrations folder into every compose service of the
    image that runs the migration (timelines' dev `rhea-migrate` mounts
    ./app/rhea-backend/prisma), or None."""
    from analysis.facts.compose import compose_stacks

    names = {c.service for c in case.commands}
    if None in names:
        return None
    found = None
    for use in case.image.uses:
        if use.service not in names:
            continue
        for stack in ctx.fact(compose_stacks):
            if use.compose_file not in stack.all_files:
                continue
            service = stack.service(use.service)
            mount = next(
                (
                    m
                    for m in (service.mounts if service is not None else ())
                    if m.kind is MountKind.BIND and _covers(m.host_path, case.folder.folder)
                ),
                None,
            )
            if mount is None:
                return None
            found = found or mount
    return found


def _covers(host: str | None, folder: str) -> bool:
    if host is None:
        return False
    return host in ("", ".") or folder == host or folder.startswith(host.rstrip("/") + "/")


@RULE.check
@_tidied
def check(ctx: Context) -> Iterable[Finding]:
    cases = [m for i, starts in ctx.fact(image_starts) for m in missing_migrations(ctx, i, starts)]
    mounted = {id(c): m for c in cases if (m := _mounted(ctx, c)) is not None}
    return check_migrations_not_in_image(cases, mounted)
