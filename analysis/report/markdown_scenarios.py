"""The report's Test Scenarios: commands for this project's services, volumes and scripts
that show whether the data survives.
"""

from __future__ import annotations

import posixpath
import re

from analysis.records import dataclass
from analysis.report.markdown_doc import Doc, esc, fence, stacks_of

# -- test scenarios -----------------------------------------------------------------------------
_SAFE_WORD = re.compile(r"^[A-Za-z0-9_.-]+$")


def _word(text: str | None, default: str) -> str:
    """A value fit to paste into a shell command; anything else falls back to `default`."""
    if text and _SAFE_WORD.match(text) and "$" not in text:
        return text
    return default


@dataclass(slots=True, frozen=True)
class ScenarioTarget:
    """What the scenarios are written for: this project's names."""

    compose_file: str
    project: str | None
    db_service: str
    engine: str
    user: str
    database: str
    volume: str | None
    app_service: str | None
    table: str | None
    migrate_script: str | None


def _scenario_target(doc: Doc) -> ScenarioTarget | None:
    dbs = tuple(doc.facts.databases or ())
    if not dbs:
        return None
    db = dbs[0]
    stack = next((s for s in stacks_of(doc) if s.id == db.stack), None)
    if stack is None:
        return None
    service = next((s for s in stack.services if s.name == db.service), None)
    env = service.env_value if service is not None else (lambda name: None)
    user = _word(env("POSTGRES_USER"), "postgres")
    database = _word(env("POSTGRES_DB"), user)
    app = next(
        (
            s.name
            for s in stack.services
            if s.name != db.service and any(d.service == db.service for d in s.depends_on)
        ),
        None,
    )
    holder = db.holder
    volume = holder.source if holder is not None and holder.kind == "volume" else None
    table = None
    for schema in doc.facts.schemas or ():
        for model in schema.models:
            table = model.table_name
            break
        if table:
            break
    name = stack.name.value if stack.name is not None else None
    return ScenarioTarget(
        compose_file=stack.files[0] if stack.files else "docker-compose.yml",
        project=name,
        db_service=db.service,
        engine=db.family,
        user=user,
        database=database,
        volume=volume,
        app_service=app,
        table=table,
        migrate_script=_package_script(doc, "migrate dev"),
    )


def _package_script(doc: Doc, command: str) -> str | None:
    """The name of a package.json script that runs `prisma <command>`, if any."""
    import json

    for path in sorted(doc.sources):
        if posixpath.basename(path) != "package.json" or "node_modules" in path:
            continue
        try:
            data = json.loads("\n".join(doc.lines_of(path)))
        except ValueError:
            continue
        scripts = data.get("scripts") if isinstance(data, dict) else None
        if isinstance(scripts, dict):
            for name, text in scripts.items():
                if isinstance(text, str) and f"prisma {command}" in text:
                    return str(name)
    return None


def _compose(t: ScenarioTarget) -> str:
    default = t.compose_file in DEFAULT_COMPOSE_FILES and "/" not in t.compose_file
    return "docker compose" if default else f"docker compose -f {t.compose_file}"


DEFAULT_COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def _count_query(t: ScenarioTarget) -> str:
    dc = _compose(t)
    table = t.table or "_prisma_migrations"
    if t.engine == "postgres":
        return (
            f"{dc} exec {t.db_service} psql -U {t.user} -d {t.database} -c "
            f"'SELECT count(*) FROM \"{table}\";'"
        )
    if t.engine in ("mysql", "mariadb"):
        return (
            f'{dc} exec {t.db_service} sh -c \'mysql -u{t.user} -p"$MYSQL_PASSWORD" '
            f'{t.database} -e "SELECT count(*) FROM {table}"\''
        )
    return f"# count the rows of {table} in {t.db_service} with its own client"


def scenarios_section(doc: Doc) -> list[str]:
    out = ["## 🧪 Test Scenarios", ""]
    if doc.facts.databases is None or doc.facts.stacks is None:
        return [*out, f"_Not analyzed yet: {esc(doc.facts.missing('databases'))}._", ""]
    t = _scenario_target(doc)
    if t is None:
        return [*out, "_No compose database to test against._", ""]
    dc = _compose(t)
    count = _count_query(t)
    out += [
        "Written for this project's services; the password is never on the command line "
        "(the container has it in its environment). Run them against a development stack.",
        "",
        "### Test 1: Data Persistence",
        "",
    ]
    steps = [
        f"# 1. Start the stack\n{dc} up -d",
        f"# 2. Count rows (note the number)\n{count}",
        f"# 3. Restart the database and recreate the containers (no -v!)\n"
        f"{dc} restart {t.db_service}\n{dc} down\n{dc} up -d",
        f"# 4. Count again: the number must be the same\n{count}",
    ]
    if t.volume:
        vol = f"{t.project}_{t.volume}" if t.project else f"<project>_{t.volume}"
        steps.append(f"# 5. The data lives in this volume\ndocker volume inspect {vol}")
    out += [*fence("\n\n".join(steps), "bash"), ""]
    if t.app_service:
        app = t.app_service
        out += ["### Test 2: Migration Safety", ""]
        steps = [
            f"# 1. See which migrations are applied\n{dc} exec {app} npx prisma migrate status",
            f"# 2. Count rows\n{count}",
            f"# 3. Restart the app: its start applies pending migrations only\n"
            f"{dc} restart {app}\n{dc} logs --tail=50 {app}",
            f"# 4. Count again: the rows are still there\n{count}",
        ]
        if t.migrate_script:
            steps.insert(
                0,
                f"# 0. Create a migration for a schema change (development only)\n"
                f"{dc} exec {app} npm run {t.migrate_script}",
            )
        out += [*fence("\n\n".join(steps), "bash"), ""]
        out += ["### Test 3: Data Loss Prevention", ""]
        steps = [
            "# 1. On a development database with rows, make a change that loses data\n"
            "#    (drop a column, or make a column with NULLs required) in the schema",
            f"# 2. db push must refuse it without --accept-data-loss\n"
            f"{dc} exec {app} npx prisma db push",
            f"# 3. Nothing was lost\n{count}",
        ]
        out += [*fence("\n\n".join(steps), "bash"), ""]
    out += ["### Test 4: Backup Before Risky Changes", ""]
    if t.engine == "postgres":
        backup = f"{dc} exec -T {t.db_service} pg_dump -U {t.user} -d {t.database} > backup.sql"
        restore = f"{dc} exec -T {t.db_service} psql -U {t.user} -d {t.database} < backup.sql"
        out += [
            *fence(f"# Dump\n{backup}\n\n# Restore (into an empty database)\n{restore}", "bash")
        ]
    else:
        out.append(f"Back up `{t.db_service}` with its engine's dump tool before risky changes.")
    out.append("")
    return out
