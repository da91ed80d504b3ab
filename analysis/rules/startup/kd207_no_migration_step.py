"""KD207 no-migration-step: The project has migrations, but nothing in the startup path applies them"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.images.records import Image
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import PrismaStep, StartupFacts, StartupPath
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.prisma_cli import APPLIES_MIGRATIONS
from analysis.rules.example_files import NODE_DOCKERFILE
from analysis.rules.registry import Examples, rule
from analysis.rules.startup.common import (
    RUNS_BY_ITSELF,
    STARTUP_CONTEXTS,
    _active,
    _compose_link,
    _configurations,
    _databases,
    _first_sql,
    _folder_for,
    _images_by_dockerfile,
    _migration_folders,
    _path_base,
    _profiles_of,
    _service,
    _service_location,
    _sev,
    _uses_prisma,
    database_url_given,
)

RULE = rule(
    "KD207",
    "no-migration-step",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="nothing in the startup path applies migrations while the project has a migrations folder",
    short="The project has migrations, but nothing in the startup path applies them",
    rationale="""
        The migrations folder grows with every schema change, but no container or deploy step
        runs `migrate deploy`. New code starts against the old schema and fails on missing
        columns (P2022), or somebody applies changes by hand with `db push` from a laptop,
        which is how production drifts away from the migration history until a reset looks
        like the only way out.
    """,
    trigger="""
        The project has a migrations folder, and neither any compose service's startup path
        nor any deploy path (vercel.json, fly.toml release_command, Procfile release:, render,
        railway, nixpacks) nor a one-shot migration service runs `prisma migrate deploy` (or
        an equivalent). When the app depends on a Prisma engine library (`@prisma/migrate`,
        `@prisma/internals` in `dependencies`) it migrates from its own code: that is said as
        info instead. Not when a service of the stack starts through a link keepdata cannot
        resolve (a start script the Dockerfile writes with `RUN echo ... > /app/start.sh`).
    """,
    bad="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [http_service]
          internal_port = 3000
    """,
    bad_lang="toml",
    good="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [deploy]
          release_command = "npx prisma migrate deploy"

        [http_service]
          internal_port = 3000
    """,
    good_lang="toml",
    fix="""
        Run `prisma migrate deploy` exactly once per deploy: a platform release command, a
        one-shot compose service the app waits for, or the entrypoint before the app starts.
    """,
    examples=Examples(bad={"Dockerfile": NODE_DOCKERFILE}),
    module=__name__,
)


def check_no_migration_step(
    ctx: Context, facts: StartupFacts, images: dict[str, Image]
) -> Iterator[Finding]:
    folders = _migration_folders(ctx)
    if not folders:
        return
    by_stack: dict[str, list[StartupPath]] = {}
    for path in facts.paths:
        if path.kind == "compose" and path.stack is not None:
            by_stack.setdefault(path.stack, []).append(path)
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    for stack_id, all_paths in by_stack.items():
        profiles = {p.service: _profiles_of(ctx, p) for p in all_paths}
        for profile in _configurations(*profiles.values()):
            # a configuration: the services without a profile, plus those of `profile`
            stack_paths = [p for p in all_paths if _active(profiles[p.service], profile)]
            found = _unmigrated(ctx, images, folders, dbs, stack_id, stack_paths)
            if not found:
                continue
            coded = next((p for p, _ in found if p.code_migration is not None), None)
            if coded is not None:
                yield _from_code(coded, found[0][1], ctx)
                break
            app, folder = found[0]
            migrators = [
                p
                for p in all_paths
                if p not in stack_paths and any(_applies(s) for s in p.commands)
            ]
            note = ""
            if migrators:
                where = ", ".join(f"--profile {x}" for x in profiles[migrators[0].service])
                note = f"; {migrators[0].name} migrates only with {where}"
            elif profile is not None:
                note = f" (with --profile {profile})"
            loc = _compose_link(app) or _service_location(ctx, app) or app.links[0].location
            related = [Related(Location(_first_sql(ctx, folder), 1), "the migrations folder")]
            if app.links and app.links[0].location != loc:
                related.append(Related(app.links[0].location, app.links[0].label[:120]))
            yield Finding(
                "KD207",
                _sev("KD207"),
                f"nothing in the start of {app.name} (nor of another service of its stack) "
                f"applies the migrations in {folder}{note}: a new migration never reaches the "
                "database unless someone runs `prisma migrate deploy` by hand",
                loc,
                tuple(related),
            )
            break
    # images that no compose service builds, and platform deploys
    yield from _unmigrated_images(ctx, facts, images, folders)


def _gets_database(ctx: Context, path: StartupPath) -> bool:
    service = _service(ctx, path)
    return service is not None and database_url_given(service)


def _inferred(path: StartupPath) -> bool:
    return any(link.kind == "inferred-image" for link in path.links)


def _applies(step: PrismaStep) -> bool:
    return (
        step.command in APPLIES_MIGRATIONS or step.command == "db push"
    ) and step.context in STARTUP_CONTEXTS


def _unmigrated(
    ctx: Context,
    images: dict[str, Image],
    folders: list[str],
    dbs: set[tuple[str, str]],
    stack_id: str,
    stack_paths: list[StartupPath],
) -> list[tuple[StartupPath, str]]:
    """The apps of these services that use a migrations folder, when none of them applies
    migrations at start."""
    if any(_applies(s) for p in stack_paths for s in p.commands):
        return []
    if any(p.unresolved for p in stack_paths if (stack_id, p.service) not in dbs):
        return []  # a start keepdata cannot follow (a script the Dockerfile writes) may migrate
    apps: list[tuple[StartupPath, str]] = []
    for p in stack_paths:
        if (stack_id, p.service) in dbs:
            continue
        if p.dockerfile is not None:
            folder = _folder_for(folders, _path_base(p, images))
            image = images.get(p.dockerfile)
            if folder is not None and _uses_prisma(image):
                if _inferred(p) and not _gets_database(ctx, p):
                    continue  # a pulled image linked by inference: only when it gets a database
                apps.append((p, folder))
        elif p.image is not None and p.argv:
            service = _service(ctx, p)
            if service is not None and service.env("DATABASE_URL") is not None:
                folder = _folder_for(folders, None)
                if folder is not None:
                    apps.append((p, folder))
    return apps


def _unmigrated_images(
    ctx: Context, facts: StartupFacts, images: dict[str, Image], folders: list[str]
) -> Iterator[Finding]:
    """Images that no compose service builds, and platform deploys."""
    deploy_migrates = any(
        s.command in APPLIES_MIGRATIONS or s.command == "db push"
        for s in facts.commands
        if s.context in RUNS_BY_ITSELF and s.root_kind != "dockerfile-run"
    )
    if deploy_migrates:
        return
    for app in (p for p in facts.paths if p.kind == "dockerfile"):
        found = _folder_for(folders, _path_base(app, images))
        image = images.get(app.dockerfile or "")
        if found is None or image is None or not _uses_prisma(image) or image.context_inferred:
            continue  # with a guessed build context, absence is not a finding
        if app.code_migration is not None:
            yield _from_code(app, found, ctx)
            continue
        loc = app.links[0].location if app.links else Location(app.dockerfile or ".", 1)
        yield Finding(
            "KD207",
            _sev("KD207"),
            f"nothing in the start of the image {app.name} (nor any deploy or build step) "
            f"applies the migrations in {found}",
            loc,
            (Related(Location(_first_sql(ctx, found), 1), "the migrations folder"),),
        )


def _from_code(app: StartupPath, folder: str, ctx: Context) -> Finding:
    """No `prisma` command applies the migrations, but the app depends on a Prisma engine
    library: it migrates from its own code at start (info: keepdata cannot read that code)."""
    code = app.code_migration
    assert code is not None
    related = [Related(Location(_first_sql(ctx, folder), 1), "the migrations folder")]
    if app.links:
        related.append(Related(app.links[0].location, app.links[0].label[:120]))
    return Finding(
        "KD207",
        Severity.INFO,
        f"no `prisma migrate` command runs in the start of {app.name}, but the app depends on "
        f"{code.package}: it applies the migrations in {folder} from its own code when it "
        "starts (keepdata does not read that code; the rules about migrating at start treat "
        "it as a migration)",
        code.location,
        tuple(related),
    )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_no_migration_step(ctx, ctx.fact(startup_paths), ctx.fact(_images_by_dockerfile))
