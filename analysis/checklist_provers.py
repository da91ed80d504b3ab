"""The provers: for each checklist item, the proof (from the project's facts) that it
holds, that its warning applies, that it does not apply, or that the files cannot tell."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from analysis.checklist_model import (
    Evidence,
    Proof,
    Status,
    fact,
    holds,
    not_applicable,
    unknown,
    warns,
)
from analysis.model import Finding, Location
from analysis.parsers.prisma_cli import CHANGES_SCHEMA
from analysis.records import dataclass
from analysis.result import Facts
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.facts.migrations import Migration
    from analysis.facts.schema_records import Schema
    from analysis.parsers.compose.records import VolumeDecl
    from analysis.parsers.prisma_schema.records import Attribute, Field

T = TypeVar("T")


# -- provers -----------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class ProverInput:
    facts: Facts
    active: tuple[Finding, ...]
    """Every unsuppressed finding of the run (a prover may cite informational ones)."""
    sources: Mapping[str, SourceFile]
    """The files the run read, by path."""

    def of(self, *rules: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.active if f.rule in rules)


def _present(inp: ProverInput, name: str, value: T | None, none_there: str) -> T | Proof:
    """The fact `name` (its `value`), or the proof that settles the item without it:
    unverifiable when the fact is missing, not-applicable (`none_there`) when it is empty."""
    if value is None:
        return unknown(inp.facts.missing(name))
    if not value:
        return not_applicable(none_there)
    return value


def _needs(inp: ProverInput, *names: str) -> Proof | None:
    """An `unverifiable` proof when one of the facts is missing, else None."""
    for name in names:
        if inp.facts.get(name) is None:
            return unknown(inp.facts.missing(name))
    return None


def not_written(inp: ProverInput) -> Proof:
    return unknown("no prover for this item yet")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# Facts are read by attribute (their modules belong to other parts of keepdata): the names
# used below are those of analysis.facts.{databases,compose,images,migrations,schema,
# relations,startup}.


def database_persisted(inp: ProverInput) -> Proof:
    dbs = _present(inp, "databases", inp.facts.databases, "no compose file runs a database service")
    if isinstance(dbs, Proof):
        return dbs
    evidence: list[Evidence] = []
    undecided: list[str] = []
    for db in dbs:
        holder = db.holder
        if db.persisted and holder is not None:
            evidence.append(
                fact(
                    holder.location,
                    f"`{db.service}` ({db.image or db.engine}): {holder.label} holds the data "
                    f"directory `{db.storage.data_dir}`",
                )
            )
            decl = (
                volume_decl(inp.facts, db.stack, holder.source) if holder.kind == "volume" else None
            )
            if decl is not None:
                driver = "external" if decl.external else f"driver `{decl.driver or 'local'}`"
                evidence.append(fact(decl.location, f"volume `{decl.name}` is declared ({driver})"))
        else:
            undecided.append(f"`{db.service}`: {db.reason}")
    if undecided:
        return unknown("; ".join(undecided), evidence)
    return holds(evidence, "a named volume or bind mount holds every database's data directory")


def volume_decl(facts: Facts, stack_id: str, name: str | None) -> VolumeDecl | None:
    """The top-level `volumes:` entry called `name` of the stack `stack_id`."""
    for stack in facts.stacks or ():
        if stack.id != stack_id:
            continue
        for decl in stack.volumes:
            if decl.name == name:
                return decl
    return None


DESTRUCTIVE_ACTIONS = frozenset(
    {
        "drop table",
        "drop column",
        "alter column type",
        "modify column",
        "set not null",
        "truncate",
        "delete",
        "drop schema",
        "drop database",
        "drop type",
        "drop primary key",
    }
)
"""Statement actions that can remove or rewrite existing rows (their rules: KD6xx)."""


def _migrations(inp: ProverInput) -> tuple[Migration, ...]:
    return tuple(m for h in inp.facts.migrations or () for m in h.migrations)


def _destructive(migration: Migration) -> list[tuple[int, str]]:
    sql = migration.sql
    if sql is None:
        return []
    out: list[tuple[int, str]] = []
    for st in sql.statements:
        for action in st.actions:
            if action.kind in DESTRUCTIVE_ACTIONS:
                out.append((action.line or st.line, action.kind))
    return out


def migrations_preserve(inp: ProverInput) -> Proof:
    if (missing := _needs(inp, "migrations")) is not None:
        return missing
    migrations = _migrations(inp)
    if not migrations:
        return not_applicable("the project has no Prisma migration")
    evidence: list[Evidence] = []
    risky: list[Evidence] = []
    for m in migrations:
        path = m.sql.path if m.sql is not None else m.path
        found = _destructive(m)
        for line, kind in found:
            risky.append(fact(Location(path, line), f"`{m.name}`: {kind}"))
        if not found:
            kinds = m.sql.kinds() if m.sql is not None else {}
            summary = ", ".join(f"{k} ×{n}" for k, n in sorted(kinds.items())) or "no statement"
            evidence.append(
                fact(Location(path, 1), f"`{m.name}`: {summary}; nothing dropped or rewritten")
            )
    if risky:
        return warns(risky, "a migration drops or rewrites data (see its lines)")
    return holds(evidence, f"{_plural(len(migrations), 'migration')}, none destructive")


def cascades_bounded(inp: ProverInput) -> Proof:
    relations = inp.facts.relations
    if relations is None:
        return unknown(inp.facts.missing("relations"))
    evidence: list[Evidence] = []
    for graph in relations:
        for rel in graph.relations:
            if rel.on_delete != "Cascade":
                continue
            loc = rel.action_location or rel.location
            evidence.append(
                fact(
                    loc,
                    f"`{rel.child.model}.{rel.child.field}` → `onDelete: Cascade`: deleting a "
                    f"`{rel.parent.model}` deletes its `{rel.child.model}` rows",
                )
            )
    if not evidence:
        return not_applicable("no relation deletes with `onDelete: Cascade`")
    return holds(
        evidence, "no cascade runs 2+ levels deep or into a valuable-looking model (KD502)"
    )


REQUIRED_FIELDS_REASON = (
    "whether the application sets every required field that has no default when it creates "
    "a row is decided by its code, which keepdata does not read; new required columns on "
    "existing tables are checked by KD604/KD605"
)


def _schemas(inp: ProverInput) -> tuple[Schema, ...]:
    return tuple(inp.facts.schemas or ())


def _scalar_fields(schema: Schema) -> list[Field]:
    models = {m.name for m in schema.models}
    return [f for model in schema.models for f in model.fields if f.type_name not in models]


def required_fields(inp: ProverInput) -> Proof:
    if isinstance(
        early := _present(inp, "schemas", inp.facts.schemas, "the project has no Prisma schema"),
        Proof,
    ):
        return early
    evidence: list[Evidence] = []
    for schema in _schemas(inp):
        for f in _scalar_fields(schema):
            if f.optional or f.list or f.attribute("id"):
                continue
            if f.attribute("default") or f.attribute("updatedAt"):
                continue
            evidence.append(fact(f.location, f"`{f.model}.{f.name}` is required, no `@default`"))
    return unknown(REQUIRED_FIELDS_REASON, evidence[:12])


def _attr_location(attr: Attribute, fallback: Location) -> Location:
    return Location(fallback.path, attr.line)


def unique_constraints(inp: ProverInput) -> Proof:
    if isinstance(
        early := _present(inp, "schemas", inp.facts.schemas, "the project has no Prisma schema"),
        Proof,
    ):
        return early
    evidence: list[Evidence] = []
    for schema in _schemas(inp):
        for model in schema.models:
            for f in model.fields:
                if f.attribute("unique"):
                    evidence.append(fact(f.location, f"`{model.name}.{f.name}` is `@unique`"))
            for attr in model.block_attributes("unique"):
                loc = _attr_location(attr, model.location)
                evidence.append(fact(loc, f"`{model.name}` has a `@@unique`"))
    if not evidence:
        return not_applicable("the schema declares no unique constraint besides the ids")
    return holds(
        evidence, "every model has an id, and no unique constraint is added to an existing table"
    )


def client_generated(inp: ProverInput) -> Proof:
    images = _present(inp, "images", inp.facts.images, "no Dockerfile builds an image")
    if isinstance(images, Proof):
        return images
    evidence: list[Evidence] = []
    for image in images:
        for cmd in image.prisma:
            if cmd.command != "generate":
                continue
            where = "after the schema is copied" if cmd.schema_present else "without a schema"
            evidence.append(
                fact(cmd.location, f"`{image.dockerfile}` runs `prisma generate` {where}")
            )
    if not evidence:
        return unknown("no image runs `prisma generate` (it may run at start: see KD302)")
    return holds(evidence, "the client is generated in the image after the schema is copied")


def mounts_consistent(inp: ProverInput) -> Proof:
    stacks = inp.facts.stacks
    if stacks is None:
        return unknown(inp.facts.missing("stacks"))
    evidence: list[Evidence] = []
    for stack in stacks:
        for service in stack.services:
            for m in service.mounts:
                evidence.append(fact(m.location, f"`{service.name}`: {m.label}"))
    if not evidence:
        return not_applicable("no compose service mounts a volume")
    return holds(
        evidence,
        "every named volume is declared, no two databases share one, no stale client volume",
    )


def named_volumes_removable(inp: ProverInput) -> Proof:
    dbs = _present(inp, "databases", inp.facts.databases, "no compose file runs a database service")
    if isinstance(dbs, Proof):
        return dbs
    named: list[Evidence] = []
    other: list[Evidence] = []
    for db in dbs:
        holder = db.holder
        if holder is None:
            continue
        if holder.kind == "volume":
            named.append(
                fact(
                    holder.location,
                    f"`docker compose down -v` deletes volume `{holder.source}` and all data "
                    f"of `{db.service}`; no script of the project runs it (KD111)",
                )
            )
        else:
            other.append(
                fact(holder.location, f"`{db.service}`: {holder.label} outlives `down -v`")
            )
    if named:
        return warns(named + other, "the data lives on a named volume that `down -v` removes")
    if other:
        return holds(other, "no database keeps its data on a named volume")
    return not_applicable("no database keeps its data on a volume")


@dataclass(slots=True, frozen=True)
class CommandFact:
    """One Prisma command of the startup fact, as the provers need it."""

    command: str
    flags: tuple[str, ...]
    context: str
    condition: str
    location: Location

    @property
    def text(self) -> str:
        flags = " ".join(self.flags)
        return f"prisma {self.command}" + (f" {flags}" if flags else "")

    @property
    def at_start(self) -> bool:
        """Runs without anyone typing it: at start, during deploy, build or install."""
        return self.context != "developer"


DATA_LOSS_FLAGS = ("--accept-data-loss", "--force-reset")


def prisma_commands(facts: Facts) -> tuple[CommandFact, ...]:
    """Every Prisma command the startup fact found, once each, in file order."""
    out: dict[tuple[str, int, int, str], CommandFact] = {}
    for step in facts.startup.commands if facts.startup is not None else ():
        loc = step.location
        out.setdefault(
            (loc.path, loc.line, loc.column, step.command),
            CommandFact(step.command, step.flags, step.context, step.condition, loc),
        )
    return tuple(out[k] for k in sorted(out))


def _command_evidence(c: CommandFact, what: str) -> Evidence:
    cond = f" when {c.condition}" if c.condition else ""
    return fact(c.location, f"`{c.text}` ({c.context}{cond}): {what}")


def _commands_or(inp: ProverInput) -> tuple[tuple[CommandFact, ...], Proof | None]:
    if (missing := _needs(inp, "startup")) is not None:
        return (), missing
    cmds = prisma_commands(inp.facts)
    if not cmds:
        return (), not_applicable("no Prisma command in any script, Dockerfile or compose file")
    return cmds, None


def breaks(evidence: Iterable[Evidence], reason: str) -> Proof:
    """The facts themselves show the item broken (even where no rule reported it)."""
    return Proof(Status.FAIL, tuple(evidence), reason)


def _flagged(cmds: Iterable[CommandFact], flags: tuple[str, ...]) -> list[CommandFact]:
    return [c for c in cmds if any(f in c.flags for f in flags)]


def no_accept_data_loss(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    bad = _flagged((c for c in cmds if c.at_start), ("--accept-data-loss",))
    if bad:
        return breaks(
            (_command_evidence(c, "drops whatever the schema no longer has") for c in bad),
            "`--accept-data-loss` runs at start, build or deploy",
        )
    pushes = [c for c in cmds if c.command == "db push"]
    shown = pushes or list(cmds)
    what = "no `--accept-data-loss`" if pushes else "no `db push` at all"
    return holds((_command_evidence(c, what) for c in shown), f"{len(cmds)} Prisma commands read")


def schema_commands_stop(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    start = [c for c in cmds if c.at_start]
    bad = _flagged(start, DATA_LOSS_FLAGS) + [
        c for c in start if c.command in ("migrate dev", "migrate reset")
    ]
    if bad:
        return breaks(
            (_command_evidence(c, "goes ahead when data would be lost") for c in bad),
            "a schema command at start, build or deploy does not stop before losing data",
        )
    applying = [c for c in start if c.command in ("migrate deploy", "db push")]
    if not applying:
        return not_applicable("nothing applies schema changes at start, build or deploy")
    evidence = [
        _command_evidence(
            c,
            "applies committed migrations only and stops on a failed one"
            if c.command == "migrate deploy"
            else "stops instead of dropping data (no `--accept-data-loss`)",
        )
        for c in applying
    ]
    return holds(evidence, "every schema change at start either is a migration or stops")


_SET_E_LINE = re.compile(r"^\s*set\s+(?:-[a-zA-Z]*e[a-zA-Z]*|-o\s+errexit)\b")


def _set_e_line(inp: ProverInput, path: str, before: int) -> int | None:
    src = inp.sources.get(path)
    if src is None:
        return None
    for n, line in enumerate(src.text.splitlines()[: before - 1], start=1):
        if _SET_E_LINE.search(line):
            return n
    return None


def errors_stop_startup(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    applying = [c for c in cmds if c.context == "startup" and c.command in CHANGES_SCHEMA]
    if not applying:
        return not_applicable("no migration runs when a container starts")
    evidence: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for c in applying:
        n = _set_e_line(inp, c.location.path, c.location.line)
        if n is not None and (c.location.path, n) not in seen:
            seen.add((c.location.path, n))
            evidence.append(
                fact(Location(c.location.path, n), "`set -e`: a failing command stops the start")
            )
        evidence.append(_command_evidence(c, "its failure is not ignored (KD209)"))
    return holds(evidence, "a failed migration stops the container instead of starting the app")


def db_push_fallback(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    start = [c for c in cmds if c.at_start]
    pushes = [c for c in start if c.command == "db push"]
    if pushes:
        return warns(
            (_command_evidence(c, "syncs the schema without migration history") for c in pushes),
            "the start falls back to `db push`",
        )
    deploys = [c for c in start if c.command == "migrate deploy"]
    if deploys:
        return holds(
            (_command_evidence(c, "no `db push` fallback") for c in deploys),
            "the start only applies migrations",
        )
    return not_applicable("nothing applies schema changes at start, build or deploy")


def deploy_stops_on_conflict(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    resolves = [c for c in cmds if c.at_start and c.command in ("migrate resolve", "migrate dev")]
    if resolves:
        return breaks(
            (
                _command_evidence(c, "settles migration conflicts without a person")
                for c in resolves
            ),
            "the start resolves or rewrites migrations by itself",
        )
    deploys = [c for c in cmds if c.at_start and c.command == "migrate deploy"]
    if not deploys:
        return not_applicable("no `migrate deploy` at start, build or deploy")
    return holds(
        (
            _command_evidence(
                c, "stops on a failed or edited migration; `migrate resolve` is left to a person"
            )
            for c in deploys
        ),
        "conflicts stop the deploy and wait for a person",
    )


def startup_not_destructive(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    start = [c for c in cmds if c.at_start]
    if not start:
        return not_applicable("no Prisma command runs at start, build or deploy")
    bad = _flagged(start, DATA_LOSS_FLAGS) + [
        c for c in start if c.command in ("migrate reset", "migrate dev")
    ]
    if bad:
        return breaks(
            (_command_evidence(c, "can delete data by itself") for c in bad),
            "a command that can delete data runs without anyone typing it",
        )
    return holds(
        (_command_evidence(c, "cannot drop data on its own") for c in start),
        "nothing that runs by itself resets, force-syncs or deletes",
    )


def no_data_loss_flags_anywhere(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    bad = _flagged(cmds, DATA_LOSS_FLAGS)
    if bad:
        return breaks(
            (_command_evidence(c, "consents to data loss") for c in bad),
            "a script passes `--accept-data-loss` or `--force-reset`",
        )
    return holds(
        (_command_evidence(c, "no `--accept-data-loss`, no `--force-reset`") for c in cmds),
        f"{len(cmds)} Prisma commands read",
    )


def no_migrate_reset(inp: ProverInput) -> Proof:
    cmds, early = _commands_or(inp)
    if early is not None:
        return early
    resets = [c for c in cmds if c.command == "migrate reset"]
    if resets:
        return breaks(
            (
                _command_evidence(c, "drops the database and re-applies every migration")
                for c in resets
            ),
            "a script runs `prisma migrate reset`",
        )
    return holds(
        (_command_evidence(c, "not `migrate reset`") for c in cmds),
        f"{len(cmds)} Prisma commands read, none resets the database",
    )


def schema_matches_migrations(inp: ProverInput) -> Proof:
    results = _present(
        inp, "pending", inp.facts.pending, "no Prisma schema with a migrations folder to compare"
    )
    if isinstance(results, Proof):
        return results
    datasource = {s.root: s.datasource.location for s in _schemas(inp) if s.datasource is not None}
    pending: list[Evidence] = []
    matched: list[Evidence] = []
    skipped: list[str] = []
    for result in results:
        if result.skipped:
            skipped.append(f"`{result.schema}`: {result.skipped}")
            continue
        for change in result.changes:
            pending.append(fact(change.location or Location(result.schema, 1), change.message))
        if not result.changes:
            loc = datasource.get(result.schema) or Location(result.schema, 1)
            matched.append(
                fact(loc, f"`{result.schema}` matches what `{result.migrations}` creates")
            )
    if pending:
        return warns(pending, "the schema has changes that no migration creates yet")
    if skipped and not matched:
        return unknown("; ".join(skipped))
    return holds(matched, "the next `migrate dev` would write nothing")


PROVERS: dict[str, Callable[[ProverInput], Proof]] = {
    "database_persisted": database_persisted,
    "migrations_preserve": migrations_preserve,
    "prisma_commands_without_accept_data_loss": no_accept_data_loss,
    "schema_commands_stop_on_data_loss": schema_commands_stop,
    "cascades_bounded": cascades_bounded,
    "required_fields": required_fields,
    "unique_constraints": unique_constraints,
    "errors_stop_startup": errors_stop_startup,
    "client_generated": client_generated,
    "mounts_consistent": mounts_consistent,
    "db_push_fallback": db_push_fallback,
    "named_volumes_removable": named_volumes_removable,
    "deploy_stops_on_conflict": deploy_stops_on_conflict,
    "schema_matches_migrations": schema_matches_migrations,
    "startup_not_destructive": startup_not_destructive,
    "no_data_loss_flags_anywhere": no_data_loss_flags_anywhere,
    "no_migrate_reset": no_migrate_reset,
    "destructive_operations_reviewed": migrations_preserve,
}
"""Each item's prover, by the name ITEMS gives it."""
