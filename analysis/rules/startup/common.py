"""Rules of the startup area: KD111 and KD201-KD221 (what runs at start, deploy and build).

Every rule reads the startup fact (`analysis.facts.startup.startup_paths`). Severity follows
RULES.md: the catalog's default for a command in the startup, deploy or build path; lower for
a developer script (a `package.json` script, Makefile target or script nothing runs); one
level lower, naming the condition, for a command behind an opt-in variable that no compose
file, Dockerfile, `.env` or platform file turns on. Each finding points at the `prisma`
command's line and names the chain's first link (the compose `command`, the Dockerfile `CMD`,
the platform setting) as a related location.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.startup import (
    PrismaStep,
    RunContext,
    SeedRun,
    StartupFacts,
    StartupPath,
    startup_paths,
)
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.package_json import parse_package_json
from analysis.parsers.prisma_cli import PrismaInvocation
from analysis.sources import FileKind

STARTUP_CONTEXTS = (RunContext.STARTUP, RunContext.DEPLOY)
RUNS_BY_ITSELF = (RunContext.STARTUP, RunContext.DEPLOY, RunContext.BUILD)
SCHEMA_CHANGES = frozenset({"migrate deploy", "migrate dev", "migrate reset", "db push"})
APPLIES_MIGRATIONS = frozenset({"migrate deploy", "migrate dev", "migrate reset"})
DESTRUCTIVE_SYNC = frozenset({"db push", "migrate dev", "migrate reset"})
_APP_STOPWORDS = frozenset(
    {"exit", "echo", "printf", "true", ":", "false", "wait", "sleep", "return", "set", "trap"}
)


def _sev(rule: str) -> Severity:
    return BY_ID[rule].severity


# ---------------------------------------------------------------------------------------------
# Shared wording and severity
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Where:
    paths: dict[str, StartupPath]
    reached_by: dict[tuple[Location, str], list[str]]
    """(command location, context) -> the names of the paths that reach it, in path order."""

    @classmethod
    def of(cls, facts: StartupFacts) -> _Where:
        reached_by: dict[tuple[Location, str], list[str]] = {}
        for p in facts.paths:
            for s in p.commands:
                names = reached_by.setdefault((s.location, s.context), [])
                if p.name not in names:
                    names.append(p.name)
        return cls({p.id: p for p in facts.paths}, reached_by)

    def origin(self, step: PrismaStep) -> str:
        path = self.paths.get(step.path_id)
        name = path.name if path is not None else step.path_id
        if step.context == RunContext.STARTUP:
            return f"when {name} starts"
        if step.context == RunContext.DEPLOY:
            return f"on every deploy ({name})"
        if step.context == RunContext.BUILD:
            return f"at build/install time ({name})"
        return f"in the developer script {name}"


def _first_link(step: PrismaStep | SeedRun) -> list[Related]:
    if len(step.chain) < 2:
        return []
    first = step.chain[0]
    if first.location == step.location:
        return []
    return [Related(first.location, f"the chain starts here: {first.label[:120]}")]


def _opt_in(step: PrismaStep | SeedRun, severity: Severity) -> tuple[Severity, str, list[Related]]:
    """Lower one level when an opt-in condition is not turned on by any file; name it."""
    related: list[Related] = []
    off = step.opt_in_off
    on = [o for o in step.opt_ins if o.on]
    for o in on:
        if o.set_by is not None:
            related.append(Related(o.set_by, f"{o.label}: set here ({o.source})"))
    if off:
        names = ", ".join(o.label for o in off)
        return (
            severity.lower(),
            f" (only when {names}, which no compose file, Dockerfile, .env or platform file "
            "of the project turns on: one level lower)",
            related,
        )
    if step.condition and on:
        names = ", ".join(f"{o.label} ({o.source})" for o in on)
        return severity, f" (under {step.condition}; turned on: {names})", related
    if step.condition:
        return severity, f" (under {step.condition})", related
    return severity, "", related


def _finding(
    rule: str,
    severity: Severity,
    message: str,
    step: PrismaStep | SeedRun,
    extra: Iterable[Related] = (),
) -> Finding:
    sev, note, related = _opt_in(step, severity)
    return Finding(
        rule,
        sev,
        message + note,
        step.location,
        tuple([*_first_link(step), *related, *extra]),
    )


def _unique(steps: Iterable[PrismaStep]) -> Iterator[PrismaStep]:
    """One step per (location, context): the same script reached by two services counts once."""
    seen: set[tuple[str, int, int, str]] = set()
    for s in steps:
        key = (s.location.path, s.location.line, s.location.column, str(s.context))
        if key not in seen:
            seen.add(key)
            yield s


def _origin(facts: StartupFacts, where: _Where, step: PrismaStep) -> str:
    # every path that reaches the same command in the same context
    names = where.reached_by.get((step.location, step.context), [])
    if len(names) > 1 and step.context == RunContext.STARTUP:
        return "when " + " and ".join(names) + " start"
    return where.origin(step)


# ---------------------------------------------------------------------------------------------
# KD201-KD205, KD213, KD215, KD216: what the commands do
# ---------------------------------------------------------------------------------------------


def check_accept_data_loss(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    return _destructive_push(
        facts,
        where,
        "KD201",
        lambda inv: inv.accept_data_loss,
        "it drops every column and table whose data does not fit the schema, without asking",
        prisma8_note=" (Prisma 8's `db update --delete`/`--confirm`)",
    )


def check_force_reset(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    return _destructive_push(
        facts,
        where,
        "KD202",
        lambda inv: inv.force_reset,
        "it drops the whole database and recreates it from the schema, every time",
    )


def _destructive_push(
    facts: StartupFacts,
    where: _Where,
    rule: str,
    flagged: Callable[[PrismaInvocation], bool],
    effect: str,
    prisma8_note: str = "",
) -> Iterator[Finding]:
    """`db push` with a flag that loses data: the catalog's severity, high in a developer
    script."""
    for step in _unique(facts.commands):
        if step.command != "db push" or not flagged(step.invocation):
            continue
        sev = Severity.HIGH if step.context == RunContext.DEVELOPER else _sev(rule)
        how = prisma8_note if step.invocation.prisma8 else ""
        yield _finding(
            rule, sev, f"`{step.text}`{how} runs {_origin(facts, where, step)}: {effect}", step
        )


def check_migrate_reset(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate reset":
            continue
        sev = _sev("KD203") if step.context != RunContext.DEVELOPER else Severity.MEDIUM
        yield _finding(
            "KD203",
            sev,
            f"`{step.text}` runs {_origin(facts, where, step)}: it drops the database, "
            "re-applies every migration and runs the seed",
            step,
        )


def check_migrate_dev(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate dev" or step.context not in STARTUP_CONTEXTS:
            continue
        yield _finding(
            "KD204",
            _sev("KD204"),
            f"`{step.text}` runs {_origin(facts, where, step)}: on drift it offers to reset "
            "the database (and resets it where it cannot ask), and it writes new migrations "
            "inside the container instead of applying the committed ones; use `migrate deploy`",
            step,
        )


def check_db_push_strategy(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "db push" or step.context not in STARTUP_CONTEXTS:
            continue
        if step.fallback_kind == "no-migrations":
            continue  # the seed's pattern: KD206
        if step.invocation.force_reset:
            continue  # a reset, not a sync strategy: KD202
        extra: list[Related] = []
        if step.fallback_kind == "on-failure" and step.fallback_for is not None:
            why = (
                "it runs whenever `migrate deploy` fails, so a failed migration is answered by "
                "forcing the schema onto the database"
            )
            extra.append(Related(step.fallback_for, "the `migrate deploy` it stands in for"))
        else:
            why = (
                "the database gets whatever schema the image holds, with no migration history "
                "to review, replay or roll back"
            )
        yield _finding(
            "KD205",
            _sev("KD205"),
            f"`{step.text}` runs {_origin(facts, where, step)} as the migration strategy: {why}",
            step,
            extra,
        )


def check_db_push_fallback(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "db push" or step.fallback_kind != "no-migrations":
            continue
        if step.context not in RUNS_BY_ITSELF:
            continue
        extra = (
            [Related(step.fallback_for, "`migrate deploy` when migrations exist")]
            if step.fallback_for is not None
            else []
        )
        cond = step.conditions[-1].label if step.conditions else "when no migrations exist"
        yield _finding(
            "KD206",
            _sev("KD206"),
            f"`{step.text}` runs {_origin(facts, where, step)} instead of `migrate deploy` when "
            f"the migrations folder is missing or empty ({cond}): an image built without "
            "migrations syncs the schema with no history",
            replace_condition(step),
            extra,
        )


def replace_condition(step: PrismaStep) -> PrismaStep:
    """The fallback's condition is already named in the message."""
    from dataclasses import replace

    return replace(step, condition="")


def check_migrate_resolve(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate resolve" or step.context not in RUNS_BY_ITSELF:
            continue
        if not (step.invocation.has("--applied") or step.invocation.has("--rolled-back")):
            continue
        yield _finding(
            "KD213",
            _sev("KD213"),
            f"`{step.text}` runs {_origin(facts, where, step)}: it marks a migration as applied "
            "or rolled back without running it, hiding a failed migration on every start",
            step,
        )


def check_seed_on_start(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.context not in STARTUP_CONTEXTS:
            continue
        if step.command != "db seed":
            continue
        yield _finding(
            "KD215",
            _sev("KD215"),
            f"`{step.text}` runs {_origin(facts, where, step)}, on every start: a seed that is not "
            "idempotent duplicates or overwrites rows each time",
            step,
        )
    for path in facts.paths:
        if path.context not in STARTUP_CONTEXTS:
            continue
        for seed in path.seeds:
            yield _finding(
                "KD215",
                _sev("KD215"),
                f"the seed `{seed.text}` runs when {path.name} starts, on every start: a seed "
                "that is not idempotent duplicates or overwrites rows each time",
                seed,
            )


def check_migrate_in_build(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    in_build = (
        s
        for s in facts.commands
        if s.context == RunContext.BUILD
        and s.command in SCHEMA_CHANGES
        # a Dockerfile RUN is KD305 (image area)
        and s.root_kind in ("lifecycle", "platform-build")
    )
    for step in _unique(in_build):
        destructive = (
            step.command == "migrate reset"
            or step.invocation.force_reset
            or step.invocation.accept_data_loss
        )
        sev = Severity.CRITICAL if destructive else _sev("KD216")
        first = step.chain[0].label if step.chain else ""
        yield _finding(
            "KD216",
            sev,
            f"`{step.text}` runs in an install/build step ({first[:100]}): it changes whatever "
            "database the build machine is configured with, at every install or build, before "
            "the new version is released",
            step,
        )


# ---------------------------------------------------------------------------------------------
# KD207, KD208: is there a migration step, and anything to migrate
# ---------------------------------------------------------------------------------------------


def _migration_folders(ctx: Context) -> list[str]:
    folders: list[str] = []
    for rel in ctx.files(FileKind.MIGRATION_SQL):
        folder = rel.rsplit("/", 2)[0]
        if folder not in folders:
            folders.append(folder)
    return folders


def _under(folder: str, base: str | None) -> bool:
    if base is None:
        return False
    if base in ("", "."):
        return True
    return folder == base or folder.startswith(base.rstrip("/") + "/")


def _path_base(path: StartupPath, images: dict[str, Any]) -> str | None:
    """The project folder a path's code comes from (build context, platform file folder)."""
    if path.dockerfile is not None:
        image = images.get(path.dockerfile)
        if image is not None:
            return str(image.context or ".")
        return path.dockerfile.rsplit("/", 1)[0] if "/" in path.dockerfile else "."
    if path.kind == "platform" and path.links:
        p = path.links[0].location.path
        return p.rsplit("/", 1)[0] if "/" in p else "."
    return None


def _images_by_dockerfile(ctx: Context) -> dict[str, Any]:
    try:
        from analysis.facts.images import images
    except ImportError:  # pragma: no cover
        return {}
    return {i.dockerfile: i for i in ctx.fact(images)}


def _compose_link(path: StartupPath) -> Location | None:
    """The compose `command`/`entrypoint` a path starts from, if any."""
    for link in path.links:
        if link.kind in ("compose-command", "compose-entrypoint"):
            return link.location
    return None


def _folder_for(folders: list[str], base: str | None) -> str | None:
    """The migrations folder of the code at `base` (for an image built elsewhere: the one
    closest to the project root)."""
    if base is not None:
        inside = [f for f in folders if _under(f, base)]
        if inside:
            return min(inside, key=len)
        return None
    return min(folders, key=lambda f: (f.count("/"), f)) if folders else None


def check_no_migration_step(
    ctx: Context, facts: StartupFacts, images: dict[str, Any]
) -> Iterator[Finding]:
    folders = _migration_folders(ctx)
    if not folders:
        return
    by_stack: dict[str, list[StartupPath]] = {}
    for path in facts.paths:
        if path.kind == "compose" and path.stack is not None:
            by_stack.setdefault(path.stack, []).append(path)
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    for stack_id, stack_paths in by_stack.items():
        if any(
            s.command in APPLIES_MIGRATIONS or s.command == "db push"
            for p in stack_paths
            for s in p.commands
            if s.context in STARTUP_CONTEXTS
        ):
            continue
        apps: list[tuple[StartupPath, str]] = []
        for p in stack_paths:
            if (stack_id, p.service) in dbs:
                continue
            if p.dockerfile is not None:
                folder = _folder_for(folders, _path_base(p, images))
                if folder is not None and _uses_prisma(images.get(p.dockerfile)):
                    apps.append((p, folder))
            elif p.image is not None and p.argv:
                service = _service(ctx, p)
                if service is not None and service.env("DATABASE_URL") is not None:
                    folder = _folder_for(folders, None)
                    if folder is not None:
                        apps.append((p, folder))
        if not apps:
            continue
        app, folder = apps[0]
        loc = _compose_link(app) or _service_location(ctx, app) or app.links[0].location
        related = [Related(Location(_first_sql(ctx, folder), 1), "the migrations folder")]
        if app.links and app.links[0].location != loc:
            related.append(Related(app.links[0].location, app.links[0].label[:120]))
        yield Finding(
            "KD207",
            _sev("KD207"),
            f"nothing in the start of {app.name} (nor of another service of its stack) applies "
            f"the migrations in {folder}: a new migration never reaches the database unless "
            "someone runs `prisma migrate deploy` by hand",
            loc,
            tuple(related),
        )
    # images that no compose service builds, and platform deploys
    deploy_migrates = any(
        s.command in APPLIES_MIGRATIONS or s.command == "db push"
        for s in facts.commands
        if s.context in RUNS_BY_ITSELF and s.root_kind != "dockerfile-run"
    )
    if deploy_migrates:
        return
    for app in (p for p in facts.paths if p.kind == "dockerfile"):
        found = _folder_for(folders, _path_base(app, images))
        if found is None or not _uses_prisma(images.get(app.dockerfile or "")):
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


def _first_sql(ctx: Context, folder: str) -> str:
    for rel in ctx.files(FileKind.MIGRATION_SQL):
        if rel.startswith(folder + "/"):
            return rel
    return folder


def _uses_prisma(image: Any) -> bool:
    if image is None:
        return False
    return bool(getattr(image, "schemas", ()) or getattr(image, "migrations", ()) or image.prisma)


def _service_location(ctx: Context, path: StartupPath) -> Location | None:
    service = _service(ctx, path)
    return service.location if service is not None else None


def _gitignored(ctx: Context, folder: str) -> bool:
    try:
        from analysis.parsers.gitignore import gitignore_matcher
    except ImportError:  # pragma: no cover
        return False
    return ctx.fact(gitignore_matcher).ignored(folder, is_dir=True) is not None


def _bind_mount(ctx: Context, path: StartupPath, folder: str) -> Any:
    """The compose bind mount that brings `folder` of the project into the container at run
    time, or None."""
    service = _service(ctx, path)
    if service is None:
        return None
    for m in service.mounts:
        host = getattr(m, "host_path", None)
        if getattr(m.kind, "value", m.kind) == "bind" and host is not None and _under(folder, host):
            return m
    return None


def check_deploy_without_migrations(
    ctx: Context, facts: StartupFacts, where: _Where, images: dict[str, Any]
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
            for m in getattr(image, "migrations", ()) or ():
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


# ---------------------------------------------------------------------------------------------
# KD209-KD211, KD214: how the start behaves
# ---------------------------------------------------------------------------------------------


def failure_ignored(step: PrismaStep) -> str | None:
    """Why a failure of the step does not stop the start, or None when it does (or it is
    handled). Walks from the Prisma command out through the scripts that call it: a command
    that is its script's last one passes its status on to the caller."""
    for cmd, script in reversed(step.levels):
        if cmd.on_failure == "ignore":
            return f"`{cmd.text}` ignores its failure (`|| {cmd.fallback}`)"
        if cmd.on_failure in ("exit", "fallback") or cmd.tested or cmd.status_checked:
            return None
        if cmd.background:
            return f"`{cmd.text}` runs in the background (`&`): nothing waits for its result"
        if cmd.piped and not cmd.pipefail:
            return (
                f"`{cmd.text}` is piped into another command without `set -o pipefail`: the "
                "pipeline's status is the last command's, so a failed migration goes unnoticed"
            )
        last = any(f.location == cmd.location for f in script.final)
        if cmd.and_follows:
            if last or any(f.chain == cmd.chain for f in script.final) or not script.final:
                if last:
                    continue
                return None
            app = script.final[0].text
            return (
                f"`{cmd.text}` is followed by `&&`: a failure skips only the rest of that list "
                f"(even under `set -e`) and the script goes on to `{app}`"
            )
        if cmd.errexit:
            return None
        if last:
            continue  # its status is the script's: look at the caller
        idx = next((k for k, c in enumerate(script.commands) if c is cmd), -1)
        later = [c for c in script.commands[idx + 1 :] if c.reached and not c.substitution]
        if not later:
            continue
        return (
            f"{script.label} has no `set -e` and does not check the exit status of `{cmd.text}`, "
            f"so it goes on (to `{later[-1].text}`) after a failed migration"
        )
    return None


def check_failure_ignored(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command not in SCHEMA_CHANGES or step.context not in STARTUP_CONTEXTS:
            continue
        why = failure_ignored(step)
        if why is None:
            continue
        yield _finding(
            "KD209",
            _sev("KD209"),
            f"`{step.text}` runs {_origin(facts, where, step)} and its failure does not stop "
            f"the start: {why}; the app then runs against a half-migrated database",
            step,
        )


def check_unbounded_wait(facts: StartupFacts) -> Iterator[Finding]:
    seen: set[Location] = set()
    for path in facts.paths:
        if path.context not in STARTUP_CONTEXTS:
            continue
        for wait in path.waits:
            if wait.bounded or wait.kind == "depends_on" or wait.location in seen:
                continue
            seen.add(wait.location)
            first = path.links[0] if path.links else None
            related = (
                (Related(first.location, f"the chain starts here: {first.label[:120]}"),)
                if first is not None and first.location.path != wait.location.path
                else ()
            )
            yield Finding(
                "KD210",
                _sev("KD210"),
                f"the wait for the database `{wait.label[:120]}` in the start of {path.name} has "
                "no maximum number of attempts and no timeout: when the database never comes "
                "up the container hangs instead of failing visibly",
                wait.location,
                related,
            )


def check_no_wait(ctx: Context, facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    db_stacks = _database_stacks(ctx)
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    seen: set[Location] = set()
    for path in facts.paths:
        if path.kind != "compose" or path.stack not in db_stacks:
            continue
        migrating = [
            s
            for s in path.commands
            if s.context == RunContext.STARTUP and s.command in SCHEMA_CHANGES
        ]
        if not migrating or path.waits:
            continue
        if path.database is not None and path.database.sqlite:
            continue  # a SQLite file: no server to wait for
        step = migrating[0]
        service = _service(ctx, path)
        anchor = _compose_link(path) or (service.location if service is not None else None)
        anchor = anchor or step.location
        if anchor in seen:
            continue
        seen.add(anchor)
        related = [Related(step.location, f"`{step.text}` runs here")]
        deps = [d for d in getattr(service, "depends_on", ()) if (path.stack, d.service) in dbs]
        related += [Related(d.location, f"depends_on {d.service}: {d.condition}") for d in deps]
        yield Finding(
            "KD211",
            _sev("KD211"),
            f"{path.name} runs `{step.text}` when it starts, but nothing waits for the database: "
            "no retry loop or wait tool on the way, no `depends_on: condition: service_healthy`; "
            "on a cold start the migration fails (or the container restarts in a loop)",
            anchor,
            tuple(related),
        )


def check_exec(facts: StartupFacts) -> Iterator[Finding]:
    seen: set[Location] = set()
    for path in facts.paths:
        if path.kind not in ("compose", "dockerfile"):
            continue
        for entry in path.entry_scripts:
            if entry.ends_with_exec or entry.traps:
                continue
            for final in entry.final:
                if final.exec or final.background:
                    continue
                head = final.argv[0].rsplit("/", 1)[-1] if final.argv else ""
                if not head or head in _APP_STOPWORDS or head.startswith("$"):
                    continue
                if final.location in seen:
                    continue
                seen.add(final.location)
                first = path.links[0] if path.links else None
                related = (
                    (Related(first.location, f"the container runs it: {first.label[:120]}"),)
                    if first is not None and first.location != final.location
                    else ()
                )
                where = "the `sh -c` command" if entry.inline else entry.path
                yield Finding(
                    "KD214",
                    _sev("KD214"),
                    f"{where} starts the app with `{final.text}` without `exec`: the shell stays "
                    "PID 1, `docker stop`'s SIGTERM does not reach the app and it is killed after "
                    f"the timeout, cutting in-flight writes (use `exec {final.text}`)",
                    final.location,
                    related,
                )


# ---------------------------------------------------------------------------------------------
# KD212, KD217-KD221: compose services together
# ---------------------------------------------------------------------------------------------


def _stacks(ctx: Context) -> tuple[Any, ...]:
    try:
        from analysis.facts.compose import compose_stacks
    except ImportError:  # pragma: no cover
        return ()
    return tuple(ctx.fact(compose_stacks))


def _databases(ctx: Context) -> tuple[Any, ...]:
    try:
        from analysis.facts.databases import databases
    except ImportError:  # pragma: no cover
        return ()
    return tuple(ctx.fact(databases))


def _database_stacks(ctx: Context) -> set[str]:
    return {d.stack for d in _databases(ctx)}


def _service(ctx: Context, path: StartupPath) -> Any:
    if path.stack is None or path.service is None:
        return None
    for stack in _stacks(ctx):
        if stack.id == path.stack:
            return stack.service(path.service)
    return None


def _sqlite_app(facts: StartupFacts, stack: str, service: str) -> bool:
    """A service whose Prisma uses a SQLite file: it waits for no database server."""
    path = facts.for_service(service, stack)
    return path is not None and path.database is not None and path.database.sqlite


def check_db_healthcheck(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = {(d.stack, d.service): d for d in _databases(ctx)}
    for stack in _stacks(ctx):
        for db_name in [svc for st, svc in dbs if st == stack.id]:
            db = stack.service(db_name)
            if db is None:
                continue
            hc = db.healthcheck
            if hc is not None and not hc.disabled and hc.test is not None:
                continue
            users = [
                (svc, dep)
                for svc in stack.services
                if (stack.id, svc.name) not in dbs and not _sqlite_app(facts, stack.id, svc.name)
                for dep in svc.depends_on
                if dep.service == db_name
            ]
            if not users:
                continue
            names = ", ".join(svc.name for svc, _ in users)
            yield Finding(
                "KD212",
                _sev("KD212"),
                f"the database service {db_name} has no healthcheck, but {names} "
                f"depend{'s' if len(users) == 1 else ''} on it: `depends_on` can only wait for "
                "the container to start, not for the database to accept connections",
                db.location,
                tuple(
                    Related(dep.location, f"{svc.name} depends on {db_name}") for svc, dep in users
                ),
            )


_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _db_target(service: Any) -> tuple[str, str, str] | None:
    """(host, database, schema) of a service's DATABASE_URL, or None when unknown."""
    if service is None:
        return None
    return _url_target(service.env_value("DATABASE_URL"))


@lru_cache(maxsize=256)
def _url_target(value: str | None) -> tuple[str, str, str] | None:
    if not value or not _URL_RE.match(value) or "${" in value:
        return None
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        port = str(parts.port or "")
    except ValueError:
        return None
    db = parts.path.lstrip("/")
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    return (f"{host}:{port}", db, schema)


def _same_database(a: Any, b: Any, single_db: bool) -> bool:
    ta, tb = _db_target(a), _db_target(b)
    if ta is not None and tb is not None:
        return ta == tb
    return single_db


def _migrators(path: StartupPath) -> list[PrismaStep]:
    return [
        s
        for s in path.commands
        if s.context == RunContext.STARTUP and s.command in SCHEMA_CHANGES and not s.opt_in_off
    ]


def check_concurrent_migrators(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = _databases(ctx)
    for stack in _stacks(ctx):
        single = sum(1 for d in dbs if d.stack == stack.id) == 1
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        migrating = [(p, _migrators(p)) for p in paths]
        migrating = [(p, m) for p, m in migrating if m]
        for p, steps in migrating:
            service = stack.service(p.service) if p.service else None
            if service is not None and service.instances > 1:
                loc = service.replicas_location or service.location
                yield Finding(
                    "KD217",
                    _sev("KD217"),
                    f"{p.name} runs `{steps[0].text}` at start and runs as {service.instances} "
                    "replicas: every replica migrates the same database at once, and Prisma's "
                    "advisory lock only serializes them when every one reaches it",
                    loc,
                    (Related(steps[0].location, f"`{steps[0].text}` runs here"),),
                )
        reported: set[str] = set()
        for i, (p, steps) in enumerate(migrating):
            for q, other in migrating[i + 1 :]:
                a = stack.service(p.service) if p.service else None
                b = stack.service(q.service) if q.service else None
                if not _same_database(a, b, single) or q.service in reported:
                    continue
                reported.add(q.service or "")
                yield Finding(
                    "KD217",
                    _sev("KD217"),
                    f"{q.name} and {p.name} both change the schema of the same database when they "
                    f"start (`{other[0].text}` and `{steps[0].text}`): they race, and a "
                    "`db push` of one drops what the other created",
                    other[0].location,
                    (Related(steps[0].location, f"{p.name} migrates here too"),),
                )


_ONE_SHOT_NAME = re.compile(r"migrat|prisma|db[-_]?init|init[-_]?db|db[-_]?setup|schema", re.I)


def _one_shot(path: StartupPath) -> bool:
    if not _migrators(path):
        return False
    if path.service and _ONE_SHOT_NAME.search(path.service):
        return True
    # the container's own command is the migration (no app starts after it)
    for entry in path.entry_scripts:
        if entry.final and all(
            c.argv and any(w == "prisma" or w.endswith("/prisma") for w in c.argv[:3])
            for c in entry.final
        ):
            return True
    return any(w == "prisma" or w.startswith("prisma@") for w in path.argv[:4])


def check_migration_job_awaited(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    for stack in _stacks(ctx):
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        jobs = [p for p in paths if _one_shot(p)]
        for job in jobs:
            job_service = stack.service(job.service) if job.service else None
            for app in paths:
                if app is job or _one_shot(app) or (stack.id, app.service) in dbs:
                    continue
                service = stack.service(app.service) if app.service else None
                if service is None:
                    continue
                dep = next((d for d in service.depends_on if d.service == job.service), None)
                related_code = job_service is not None and (
                    _same_code(service, job_service) or dep is not None
                )
                if not related_code and not _same_database(service, job_service, False):
                    continue
                if dep is not None and dep.condition == "service_completed_successfully":
                    continue
                how = (
                    f"depends on it with `condition: {dep.condition}`"
                    if dep is not None
                    else "does not depend on it"
                )
                yield Finding(
                    "KD218",
                    _sev("KD218"),
                    f"{job.name} is a one-shot migration job, but {app.name} {how}: the app "
                    "can start before the migration finishes (or after it failed); use "
                    "`depends_on: {job}: condition: service_completed_successfully`".replace(
                        "{job}", job.service or ""
                    ),
                    dep.location if dep is not None else service.location,
                    (Related(_migrators(job)[0].location, "the migration job's command"),),
                )


_FLOATING_TAGS = frozenset({"latest", "main", "master", "edge", "nightly", "dev", "develop"})


def check_floating_image(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    for path in facts.paths:
        if path.kind != "compose":
            continue
        steps = _migrators(path)
        if not steps:
            continue
        service = _service(ctx, path)
        if service is None:
            continue
        pull = service.pull_policy.value if service.pull_policy is not None else ""
        floating = ""
        if service.image is not None and service.build is None:
            ref = service.image.value
            name, _, digest = ref.partition("@")
            tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
            if not digest and (tag == "" or tag in _FLOATING_TAGS):
                floating = f"image {ref} ({tag or 'no tag'})"
        if pull == "always" and service.image is not None:
            floating = floating or f"image {service.image.value} with `pull_policy: always`"
        if not floating:
            continue
        where = service.image.location if service.image is not None else service.location
        yield Finding(
            "KD219",
            _sev("KD219"),
            f"{path.name} runs the {floating} and applies migrations when it starts "
            f"(`{steps[0].text}`): the next pull brings and applies migrations nobody reviewed, "
            "with no way back to the previous image",
            where,
            (Related(steps[0].location, f"`{steps[0].text}` runs here"),),
        )


def _project_prisma_major(ctx: Context, step_path: str) -> tuple[int | None, Location | None]:
    """The major version of the `prisma` package the nearest package.json pins."""
    folder = step_path.rsplit("/", 1)[0] if "/" in step_path else ""
    candidates = sorted(
        ctx.files(FileKind.PACKAGE_JSON),
        key=lambda rel: -len(rel),
    )
    for rel in candidates:
        base = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if base and not (folder == base or folder.startswith(base + "/")):
            continue
        pkg = ctx.parse(rel, parse_package_json)
        dep = pkg.prisma_cli if pkg is not None else None
        if dep is not None:
            return dep.major, dep.location
    return None, None


def check_cli_unpinned(
    ctx: Context, facts: StartupFacts, where: _Where, images: dict[str, Any]
) -> Iterator[Finding]:
    seen: set[Location] = set()
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
            nm = getattr(image, "node_modules", None)
            if nm is not None and getattr(nm, "prisma_cli", None) is False:
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
            if inst.location in seen:
                continue
            major, pin = _project_prisma_major(ctx, inst.location.path)
            v = inst.install.version
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


def check_shared_database(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    for stack in _stacks(ctx):
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        for path in paths:
            steps = sorted(
                (s for s in _migrators(path) if s.command in DESTRUCTIVE_SYNC),
                key=lambda s: (bool(s.conditions), s.command != "db push"),
            )
            if not steps:
                continue
            me = stack.service(path.service) if path.service else None
            mine = _db_target(me)
            if me is None or mine is None:
                continue
            for other in stack.services:
                if other.name == path.service or _db_target(other) != mine:
                    continue
                if _same_code(me, other):
                    continue
                var = other.env("DATABASE_URL")
                loc = var.location if var is not None else other.location
                yield _finding(
                    "KD221",
                    _sev("KD221"),
                    f"`{steps[0].text}` runs when {path.name} starts against the database that "
                    f"service {other.name} also uses ({mine[1]}, schema {mine[2]}): the sync "
                    f"treats {other.name}'s tables as drift and drops them",
                    steps[0],
                    [Related(loc, f"{other.name} uses the same database")],
                )
                break


def _same_code(a: Any, b: Any) -> bool:
    """Two services that run the same code (same build or same image): same schema."""
    if a.build is not None and b.build is not None:
        return (a.build.context_path, a.build.dockerfile_path, a.build.target) == (
            b.build.context_path,
            b.build.dockerfile_path,
            b.build.target,
        )
    if a.image is not None and b.image is not None and a.build is None and b.build is None:
        return bool(a.image.value == b.image.value)
    return False


# ---------------------------------------------------------------------------------------------
# KD111: destructive docker commands
# ---------------------------------------------------------------------------------------------


def check_destructive_docker(facts: StartupFacts) -> Iterator[Finding]:
    for d in facts.docker_commands:
        yield Finding(
            "KD111",
            _sev("KD111"),
            f"`{d.text[:160]}` in {d.origin} removes {d.what}: a database volume goes with it, "
            "and with it every row",
            d.location,
        )


# ---------------------------------------------------------------------------------------------


def _where(ctx: Context) -> _Where:
    return _Where.of(ctx.fact(startup_paths))


CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    ("check_destructive_docker", lambda ctx: check_destructive_docker(ctx.fact(startup_paths))),
    (
        "check_accept_data_loss",
        lambda ctx: check_accept_data_loss(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    ("check_force_reset", lambda ctx: check_force_reset(ctx.fact(startup_paths), ctx.fact(_where))),
    (
        "check_migrate_reset",
        lambda ctx: check_migrate_reset(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    ("check_migrate_dev", lambda ctx: check_migrate_dev(ctx.fact(startup_paths), ctx.fact(_where))),
    (
        "check_db_push_strategy",
        lambda ctx: check_db_push_strategy(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    (
        "check_db_push_fallback",
        lambda ctx: check_db_push_fallback(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    (
        "check_no_migration_step",
        lambda ctx: check_no_migration_step(
            ctx, ctx.fact(startup_paths), ctx.fact(_images_by_dockerfile)
        ),
    ),
    (
        "check_deploy_without_migrations",
        lambda ctx: check_deploy_without_migrations(
            ctx, ctx.fact(startup_paths), ctx.fact(_where), ctx.fact(_images_by_dockerfile)
        ),
    ),
    (
        "check_failure_ignored",
        lambda ctx: check_failure_ignored(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    ("check_unbounded_wait", lambda ctx: check_unbounded_wait(ctx.fact(startup_paths))),
    ("check_no_wait", lambda ctx: check_no_wait(ctx, ctx.fact(startup_paths), ctx.fact(_where))),
    ("check_db_healthcheck", lambda ctx: check_db_healthcheck(ctx, ctx.fact(startup_paths))),
    (
        "check_migrate_resolve",
        lambda ctx: check_migrate_resolve(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    ("check_exec", lambda ctx: check_exec(ctx.fact(startup_paths))),
    (
        "check_seed_on_start",
        lambda ctx: check_seed_on_start(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    (
        "check_migrate_in_build",
        lambda ctx: check_migrate_in_build(ctx.fact(startup_paths), ctx.fact(_where)),
    ),
    (
        "check_concurrent_migrators",
        lambda ctx: check_concurrent_migrators(ctx, ctx.fact(startup_paths)),
    ),
    (
        "check_migration_job_awaited",
        lambda ctx: check_migration_job_awaited(ctx, ctx.fact(startup_paths)),
    ),
    ("check_floating_image", lambda ctx: check_floating_image(ctx, ctx.fact(startup_paths))),
    (
        "check_cli_unpinned",
        lambda ctx: check_cli_unpinned(
            ctx, ctx.fact(startup_paths), ctx.fact(_where), ctx.fact(_images_by_dockerfile)
        ),
    ),
    ("check_shared_database", lambda ctx: check_shared_database(ctx, ctx.fact(startup_paths))),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)
