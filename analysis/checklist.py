"""The Data Safety Checklist of the seed report, computed: each item says whether it holds,
and why, with file:line evidence.

The mapping from items to rules is data (`ITEMS`): an item breaks when an unsuppressed
finding of one of its rules is there (high or critical: `fail`; medium or low: `warn`;
informational findings are listed, never decisive). When none is, the item's *prover* looks
at the project's facts for proof that it holds (`pass`, with the lines that prove it), that
the warning it names applies (`warn`, e.g. a named volume that `down -v` would delete), that
there is nothing to check (`not-applicable`, with the reason) or that the files cannot tell
(`unverifiable`, with the reason). An item is never `pass` without at least one piece of
evidence that names a file and line: a prover that finds none makes it `unverifiable`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from analysis.engine import Analysis
from analysis.model import Finding, Location, Severity
from analysis.secrets import safe_text


class Section(StrEnum):
    VERIFIED_SAFE = "Verified Safe Operations"
    DOCUMENTED_WARNINGS = "Documented Warnings"
    NO_DANGEROUS = "No Dangerous Operations"


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    UNVERIFIABLE = "unverifiable"


@dataclass(slots=True, frozen=True)
class Evidence:
    """One reason for an item's status: a finding that breaks it, or a fact (a line of a file
    and what it shows) that proves it."""

    text: str
    location: Location | None
    rule: str | None = None
    severity: Severity | None = None

    @property
    def kind(self) -> str:
        return "finding" if self.rule else "fact"


@dataclass(slots=True, frozen=True)
class ChecklistItem:
    id: str
    section: Section
    text: str
    status: Status
    rules: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    reason: str
    """One sentence: why this status (always set for not-applicable and unverifiable)."""

    @property
    def checked(self) -> bool:
        """`[x]` in Markdown: the item holds, or there is nothing it could break on."""
        return self.status in (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(slots=True, frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    def section(self, section: Section) -> tuple[ChecklistItem, ...]:
        return tuple(i for i in self.items if i.section == section)

    def get(self, item_id: str) -> ChecklistItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def counts(self) -> dict[Status, int]:
        out = {s: 0 for s in Status}
        for item in self.items:
            out[item.status] += 1
        return out


# -- the facts the provers read ---------------------------------------------------------------
FACT_SOURCES: dict[str, tuple[str, str]] = {
    "stacks": ("analysis.facts.compose", "compose_stacks"),
    "databases": ("analysis.facts.databases", "databases"),
    "images": ("analysis.facts.images", "images"),
    "startup": ("analysis.facts.startup", "startup_paths"),
    "schemas": ("analysis.facts.schema", "schemas"),
    "relations": ("analysis.facts.relations", "relation_graphs"),
    "migrations": ("analysis.facts.migrations", "migration_histories"),
    "pending": ("analysis.facts.drift", "pending_changes"),
}
"""Each fact the report reads: (module, function). A module that is not there yet (or a
fact that fails) leaves the fact None, and what depends on it says 'not analyzed yet'."""


@dataclass(slots=True, frozen=True)
class ProjectFacts:
    """The facts of one analysis, each None when it could not be computed."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def missing(self, name: str) -> str:
        err = self.errors.get(name)
        module, fn = FACT_SOURCES[name]
        return f"{fn} ({module}) {err}" if err else f"{fn} ({module}) is not analyzed yet"


def fact_function(name: str) -> Callable[[Any], Any] | None:
    module_name, fn_name = FACT_SOURCES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    fn = getattr(module, fn_name, None)
    return fn if callable(fn) else None


def project_facts(analysis: Analysis) -> ProjectFacts:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FACT_SOURCES:
        fn = fact_function(name)
        if fn is None:
            continue
        try:
            values[name] = analysis.fact(fn)
        except Exception as exc:  # a fact's bug must not take the whole report down
            errors[name] = f"failed: {type(exc).__name__}: {exc}"
    return ProjectFacts(values, errors)


# -- proofs ------------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class Proof:
    """What a prover found: `outcome` is pass, warn, not-applicable or unverifiable."""

    outcome: Status
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""


def holds(evidence: Iterable[Evidence], reason: str = "") -> Proof:
    return Proof(Status.PASS, tuple(evidence), reason)


def warns(evidence: Iterable[Evidence], reason: str) -> Proof:
    return Proof(Status.WARN, tuple(evidence), reason)


def not_applicable(reason: str) -> Proof:
    return Proof(Status.NOT_APPLICABLE, (), reason)


def unknown(reason: str, evidence: Iterable[Evidence] = ()) -> Proof:
    return Proof(Status.UNVERIFIABLE, tuple(evidence), reason)


Prover = Callable[[ProjectFacts], Proof]


def fact(location: Location | None, text: str) -> Evidence:
    return Evidence(safe_text(text), location)


# -- the items, as data ------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class ItemSpec:
    id: str
    section: Section
    text: str
    rules: tuple[str, ...]
    """The rules whose findings break the item."""
    prover: str
    """The name of the function in PROVERS that looks for proof when no finding breaks it."""


ITEMS: tuple[ItemSpec, ...] = (
    # Verified Safe Operations
    ItemSpec(
        "db-volume-persists",
        Section.VERIFIED_SAFE,
        "Database volume persists data",
        (
            "KD101",
            "KD102",
            "KD103",
            "KD104",
            "KD105",
            "KD106",
            "KD108",
            "KD109",
            "KD110",
            "KD112",
            "KD113",
            "KD114",
            "KD115",
        ),
        "database_persisted",
    ),
    ItemSpec(
        "migrations-preserve-data",
        Section.VERIFIED_SAFE,
        "Migrations preserve existing data",
        (
            "KD601",
            "KD602",
            "KD603",
            "KD604",
            "KD605",
            "KD606",
            "KD607",
            "KD608",
            "KD609",
            "KD610",
            "KD611",
            "KD613",
            "KD614",
            "KD615",
            "KD616",
            "KD617",
            "KD618",
            "KD621",
            "KD622",
            "KD624",
        ),
        "migrations_preserve",
    ),
    ItemSpec(
        "no-accept-data-loss",
        Section.VERIFIED_SAFE,
        "No `--accept-data-loss` flag",
        ("KD201",),
        "prisma_commands_without_accept_data_loss",
    ),
    ItemSpec(
        "schema-changes-fail-on-data-loss",
        Section.VERIFIED_SAFE,
        "Schema changes fail if data loss",
        ("KD201", "KD202", "KD203", "KD204", "KD216", "KD221"),
        "schema_commands_stop_on_data_loss",
    ),
    ItemSpec(
        "cascades-intentional",
        Section.VERIFIED_SAFE,
        "Cascade deletes are intentional",
        ("KD501", "KD502", "KD503", "KD621"),
        "cascades_bounded",
    ),
    ItemSpec(
        "required-fields-have-defaults",
        Section.VERIFIED_SAFE,
        "Required fields have defaults",
        ("KD511", "KD604", "KD605"),
        "required_fields",
    ),
    ItemSpec(
        "unique-constraints-safe",
        Section.VERIFIED_SAFE,
        "Unique constraints are safe",
        ("KD507", "KD606"),
        "unique_constraints",
    ),
    ItemSpec(
        "error-handling",
        Section.VERIFIED_SAFE,
        "Error handling prevents inconsistent state",
        ("KD209", "KD210", "KD211", "KD619"),
        "errors_stop_startup",
    ),
    ItemSpec(
        "client-generation-safe",
        Section.VERIFIED_SAFE,
        "Prisma Client generation is safe",
        ("KD301", "KD302", "KD306"),
        "client_generated",
    ),
    ItemSpec(
        "volume-mounts-no-conflict",
        Section.VERIFIED_SAFE,
        "Volume mounts don't conflict",
        ("KD107", "KD109", "KD112", "KD306"),
        "mounts_consistent",
    ),
    # Documented Warnings
    ItemSpec(
        "first-run-db-push",
        Section.DOCUMENTED_WARNINGS,
        "First run uses `db push` (development only)",
        ("KD205", "KD206"),
        "db_push_fallback",
    ),
    ItemSpec(
        "down-v-deletes-data",
        Section.DOCUMENTED_WARNINGS,
        "`docker compose down -v` deletes data",
        ("KD111",),
        "named_volumes_removable",
    ),
    ItemSpec(
        "migration-conflicts-manual",
        Section.DOCUMENTED_WARNINGS,
        "Migration conflicts require manual resolution",
        ("KD204", "KD213", "KD703"),
        "deploy_stops_on_conflict",
    ),
    ItemSpec(
        "schema-changes-need-migrations",
        Section.DOCUMENTED_WARNINGS,
        "Schema changes must create migrations",
        ("KD205", "KD510", "KD701", "KD702"),
        "schema_matches_migrations",
    ),
    # No Dangerous Operations
    ItemSpec(
        "no-automatic-data-loss",
        Section.NO_DANGEROUS,
        "No automatic data loss",
        ("KD201", "KD202", "KD203", "KD204", "KD215", "KD216", "KD221", "KD305", "KD608"),
        "startup_not_destructive",
    ),
    ItemSpec(
        "no-accept-data-loss-anywhere",
        Section.NO_DANGEROUS,
        "No `--accept-data-loss` or `--force-reset` in any script",
        ("KD201", "KD202"),
        "no_data_loss_flags_anywhere",
    ),
    ItemSpec(
        "no-migrate-reset",
        Section.NO_DANGEROUS,
        "No `migrate reset` in scripts",
        ("KD203",),
        "no_migrate_reset",
    ),
    ItemSpec(
        "no-destructive-without-warning",
        Section.NO_DANGEROUS,
        "No destructive operations without warnings",
        ("KD111", "KD601", "KD602", "KD603", "KD607", "KD608", "KD615", "KD622", "KD702"),
        "destructive_operations_reviewed",
    ),
)
"""The checklist, in the seed's order: every item with the rules that break it."""


# -- provers -----------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class ProverInput:
    analysis: Analysis
    facts: ProjectFacts
    active: tuple[Finding, ...]
    """Every unsuppressed finding of the run (a prover may cite informational ones)."""

    def of(self, *rules: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.active if f.rule in rules)


def _needs(inp: ProverInput, *names: str) -> Proof | None:
    """An `unverifiable` proof when one of the facts is missing, else None."""
    for name in names:
        if inp.facts.get(name) is None:
            return unknown(inp.facts.missing(name))
    return None


def _not_written(inp: ProverInput) -> Proof:
    return unknown("no prover for this item yet")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# Facts are read by attribute (their modules belong to other parts of keepdata): the names
# used below are those of analysis.facts.{databases,compose,images,migrations,schema,
# relations,startup}.


def database_persisted(inp: ProverInput) -> Proof:
    if (missing := _needs(inp, "databases")) is not None:
        return missing
    dbs = tuple(inp.facts.get("databases"))
    if not dbs:
        return not_applicable("no compose file runs a database service")
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
            decl = _volume_decl(inp, db.stack, holder.source) if holder.kind == "volume" else None
            if decl is not None:
                driver = "external" if decl.external else f"driver `{decl.driver or 'local'}`"
                evidence.append(fact(decl.location, f"volume `{decl.name}` is declared ({driver})"))
        else:
            undecided.append(f"`{db.service}`: {db.reason}")
    if undecided:
        return unknown("; ".join(undecided), evidence)
    return holds(evidence, "a named volume or bind mount holds every database's data directory")


def _volume_decl(inp: ProverInput, stack_id: str, name: str | None) -> Any:
    for stack in inp.facts.get("stacks") or ():
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


def _migrations(inp: ProverInput) -> tuple[Any, ...]:
    return tuple(m for h in inp.facts.get("migrations") or () for m in h.migrations)


def _destructive(migration: Any) -> list[tuple[int, str]]:
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
    if (missing := _needs(inp, "relations")) is not None:
        return missing
    evidence: list[Evidence] = []
    for graph in inp.facts.get("relations"):
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


def _schemas(inp: ProverInput) -> tuple[Any, ...]:
    return tuple(inp.facts.get("schemas") or ())


def _scalar_fields(schema: Any) -> list[Any]:
    models = {m.name for m in schema.models}
    return [f for model in schema.models for f in model.fields if f.type_name not in models]


def required_fields(inp: ProverInput) -> Proof:
    if (missing := _needs(inp, "schemas")) is not None:
        return missing
    if not _schemas(inp):
        return not_applicable("the project has no Prisma schema")
    evidence: list[Evidence] = []
    for schema in _schemas(inp):
        for f in _scalar_fields(schema):
            if f.optional or f.list or f.attribute("id"):
                continue
            if f.attribute("default") or f.attribute("updatedAt"):
                continue
            evidence.append(fact(f.location, f"`{f.model}.{f.name}` is required, no `@default`"))
    return unknown(REQUIRED_FIELDS_REASON, evidence[:12])


def _attr_location(attr: Any, fallback: Location) -> Location:
    loc = getattr(attr, "location", None)
    if callable(loc):
        loc = loc()
    if isinstance(loc, Location):
        return loc
    line = getattr(attr, "line", None)
    return Location(fallback.path, line) if isinstance(line, int) else fallback


def unique_constraints(inp: ProverInput) -> Proof:
    if (missing := _needs(inp, "schemas")) is not None:
        return missing
    if not _schemas(inp):
        return not_applicable("the project has no Prisma schema")
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
    if (missing := _needs(inp, "images")) is not None:
        return missing
    images = tuple(inp.facts.get("images"))
    if not images:
        return not_applicable("no Dockerfile builds an image")
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
    if (missing := _needs(inp, "stacks")) is not None:
        return missing
    evidence: list[Evidence] = []
    for stack in inp.facts.get("stacks"):
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
    if (missing := _needs(inp, "databases")) is not None:
        return missing
    dbs = tuple(inp.facts.get("databases"))
    if not dbs:
        return not_applicable("no compose file runs a database service")
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
SCHEMA_COMMANDS = ("migrate deploy", "db push", "migrate dev", "migrate reset")


def _walk_commands(value: Any, out: dict[tuple[str, int, int, str], CommandFact], depth: int = 0):
    if depth > 12 or value is None or isinstance(value, str | int | float | bool):
        return
    if isinstance(value, tuple | list):
        for item in value:
            _walk_commands(item, out, depth + 1)
        return
    if isinstance(value, dict):
        for item in value.values():
            _walk_commands(item, out, depth + 1)
        return
    command = getattr(value, "command", None)
    location = getattr(value, "location", None)
    flags = getattr(value, "flags", None)
    if isinstance(command, str) and isinstance(location, Location) and isinstance(flags, tuple):
        context = getattr(value, "context", "startup")
        condition = getattr(value, "condition", "") or ""
        fact_ = CommandFact(
            command,
            tuple(str(f) for f in flags),
            str(getattr(context, "value", context)),
            str(condition),
            location,
        )
        out.setdefault((location.path, location.line, location.column, command), fact_)
        return
    if hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            if not name.startswith("_"):
                _walk_commands(getattr(value, name, None), out, depth + 1)


def prisma_commands(inp: ProverInput) -> tuple[CommandFact, ...]:
    """Every Prisma command the startup fact found, once each, in file order."""
    out: dict[tuple[str, int, int, str], CommandFact] = {}
    startup = inp.facts.get("startup")
    _walk_commands(getattr(startup, "commands", startup), out)
    return tuple(out[k] for k in sorted(out))


def _command_evidence(c: CommandFact, what: str) -> Evidence:
    cond = f" when {c.condition}" if c.condition else ""
    return fact(c.location, f"`{c.text}` ({c.context}{cond}): {what}")


def _commands_or(inp: ProverInput) -> tuple[tuple[CommandFact, ...], Proof | None]:
    if (missing := _needs(inp, "startup")) is not None:
        return (), missing
    cmds = prisma_commands(inp)
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
    src = inp.analysis.context.sources.get(path)
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
    applying = [c for c in cmds if c.context == "startup" and c.command in SCHEMA_COMMANDS]
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
    if (missing := _needs(inp, "pending")) is not None:
        return missing
    results = tuple(inp.facts.get("pending"))
    if not results:
        return not_applicable("no Prisma schema with a migrations folder to compare")
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


# -- evaluation --------------------------------------------------------------------------------
def finding_evidence(f: Finding) -> Evidence:
    from analysis.catalog import BY_ID

    rule = BY_ID.get(f.rule)
    name = f" {rule.name}" if rule else ""
    return Evidence(safe_text(f"{f.rule}{name}: {f.message}"), f.location, f.rule, f.severity)


def _by_severity(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-int(f.severity), f.sort_key)))


def _prove(spec: ItemSpec, inp: ProverInput) -> Proof:
    prover = PROVERS.get(spec.prover, _not_written)
    try:
        return prover(inp)
    except Exception as exc:  # a prover's bug must not take the report down
        return unknown(f"the proof failed: {type(exc).__name__}: {exc}")


def evaluate(spec: ItemSpec, inp: ProverInput) -> ChecklistItem:
    """One item's status: the findings of its rules (high or critical: fail; medium or low:
    warn), else its prover's; a prover that sees the item broken in the facts fails it even
    where the findings only warn."""
    rules = set(spec.rules)
    mine = _by_severity(f for f in inp.active if f.rule in rules)
    decisive = [f for f in mine if f.severity > Severity.INFO]
    proof = _prove(spec, inp)
    if decisive:
        worst = decisive[0]
        status = Status.FAIL if worst.severity >= Severity.HIGH else Status.WARN
        n = len(decisive)
        reason = (
            f"{n} finding{'s' if n != 1 else ''} of its rules; the worst is "
            f"{worst.rule} ({worst.severity.label}) at {worst.location.path}:{worst.location.line}"
        )
        evidence = tuple(finding_evidence(f) for f in mine)
        if proof.outcome is Status.FAIL:
            if status is not Status.FAIL:
                status, reason = Status.FAIL, f"{proof.reason}; {reason}"
            evidence += proof.evidence
        return ChecklistItem(spec.id, spec.section, spec.text, status, spec.rules, evidence, reason)
    evidence = proof.evidence
    status = proof.outcome
    reason = proof.reason
    if status == Status.PASS and not any(e.location is not None for e in evidence):
        status = Status.UNVERIFIABLE
        reason = "no line of any file proves it" + (f" ({reason})" if reason else "")
    if status in (Status.PASS, Status.NOT_APPLICABLE):
        from analysis.grading.unknown import unparsed_for

        blind = unparsed_for(spec.rules, inp.active)
        if blind is not None:  # what could not be read cannot pass
            status = Status.UNVERIFIABLE
            where = f"{blind.location.path}:{blind.location.line}"
            reason = f"{where} could not be parsed ({blind.rule}), so this is unknown"
            evidence = (finding_evidence(blind), *evidence)
    shown = {(e.location.path, e.location.line) for e in evidence if e.location is not None}
    info = tuple(
        finding_evidence(f) for f in mine if (f.location.path, f.location.line) not in shown
    )
    return ChecklistItem(
        spec.id, spec.section, spec.text, status, spec.rules, evidence + info, reason
    )


def checklist_of(analysis: Analysis, facts: ProjectFacts | None = None) -> Checklist:
    facts = facts if facts is not None else project_facts(analysis)
    inp = ProverInput(analysis, facts, analysis.active)
    return Checklist(tuple(evaluate(spec, inp) for spec in ITEMS))


def checklist(analysis: Analysis) -> Checklist:
    """The Data Safety Checklist of an analysis (see the module's docstring)."""
    return checklist_of(analysis)
