"""Rules of the schema area (KD501-KD511), over `schemas(ctx)` and `relation_graphs(ctx)`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator

from analysis.catalog import BY_ID
from analysis.context import Context, join
from analysis.facts.relations import (
    CASCADE,
    MANY_TO_MANY,
    NO_ACTION,
    SET_NULL,
    Deletion,
    Path,
    RelationGraph,
    relation_graphs,
)
from analysis.facts.schema import Schema, schema_discovery
from analysis.model import Finding, Location, Related
from analysis.parsers.prisma_schema import ConfigBlock, Model
from analysis.sources import FileKind

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _finding(
    rule: str, message: str, location: Location, related: Iterable[Related] = ()
) -> Finding:
    return Finding(rule, BY_ID[rule].severity, message, location, tuple(related))


def _pairs(ctx: Context) -> Iterator[tuple[Schema, RelationGraph]]:
    yield from zip(ctx.fact(schema_discovery).schemas, ctx.fact(relation_graphs), strict=True)


VALUABLE_WORDS = frozenset(
    {
        "payment",
        "invoice",
        "order",
        "audit",
        "transaction",
        "message",
        "file",
        "attachment",
        "upload",
        "document",
        "receipt",
        "ledger",
        "charge",
        "refund",
        "purchase",
        "subscription",
        "billing",
        "contract",
        "transfer",
        "payout",
    }
)
"""Words in a model (or table) name that make its rows look valuable."""

MONEY_FIELDS = frozenset({"amount", "price", "balance", "total", "cost", "fee", "currency"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[0-9]+")


def _words(name: str) -> list[str]:
    out = []
    for w in _WORD.findall(name):
        w = w.lower()
        for suffix in ("ies", "es", "s"):
            if len(w) > 4 and w.endswith(suffix):
                stem = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
                if stem in VALUABLE_WORDS or suffix == "s":
                    w = stem
                break
        out.append(w)
    return out


def valuable_reason(model: Model, extra: Iterable[str] = ()) -> str | None:
    """Why `model`'s data looks valuable (the name or field that says so), or None."""
    extra_l = {e.lower() for e in extra}
    if model.name.lower() in extra_l:
        return f"`{model.name}` is listed in valuable_models"
    for name, what in ((model.name, "model name"), (model.db_name or "", "table name")):
        for w in _words(name):
            if w in VALUABLE_WORDS or w in extra_l:
                return f"its {what} `{name}` looks valuable ({w})"
    for f in model.fields:
        words = _words(f.name)
        if (
            f.type_name in ("Decimal", "BigInt", "Int", "Float")
            and words
            and words[-1] in MONEY_FIELDS
        ):
            return f"its field `{model.name}.{f.name}` ({f.type_name}) looks like money"
        hit = next((w for w in words if w in ("invoice", "payment", "stripe", "iban")), None)
        if hit is not None and f.type_name in ("String", "Decimal", "Int", "BigInt"):
            return f"its field `{model.name}.{f.name}` looks like payment data ({hit})"
    return None


def _step_related(path: Path, skip_first: bool = True) -> list[Related]:
    out: list[Related] = []
    for i, step in enumerate(path.steps):
        if skip_first and i == 0:
            continue
        loc = step.location
        if loc is not None:
            out.append(
                Related(
                    loc,
                    f"then `{step.child}.{step.field}` (onDelete: {step.action}) deletes "
                    f"{step.child} rows",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# KD505: problems of the schema as a whole (files' syntax problems come from the parser)
# ---------------------------------------------------------------------------------------------


def schema_parse_errors(ctx: Context) -> Iterator[Finding]:
    discovery = ctx.fact(schema_discovery)
    yield from discovery.problems
    for schema in discovery.schemas:
        yield from schema.problems


# ---------------------------------------------------------------------------------------------
# KD501 / KD502: cascades
# ---------------------------------------------------------------------------------------------


def _longest_chains(graph: RelationGraph) -> dict[tuple[str, str | None], Path]:
    """For each relation field (`child`, `field`): the longest cascade chain through it."""
    best: dict[tuple[str, str | None], Path] = {}
    for d in graph.deletions:
        for p in d.cascades:
            for s in p.steps:
                key = (s.child, s.field)
                cur = best.get(key)
                if cur is None or p.depth > cur.depth:
                    best[key] = p
    return best


def cascade_delete(ctx: Context) -> Iterator[Finding]:
    for _schema, graph in _pairs(ctx):
        chains = _longest_chains(graph)
        nodes = {n.model: n for n in graph.nodes}
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.on_delete != CASCADE or rel.child.field is None:
                continue
            loc = rel.action_location
            if loc is None:
                continue
            chain = chains.get((rel.child.model, rel.child.field))
            msg = (
                f"deleting one {rel.parent.model} deletes its "
                f"{rel.child.model} rows (`{rel.child.label}`, onDelete: Cascade)"
            )
            if chain is not None and chain.depth > 1:
                msg += f"; chain: {chain.text}"
            related = []
            parent = nodes.get(rel.parent.model)
            if parent is not None:
                related.append(Related(parent.location, f"model {rel.parent.model}"))
            yield _finding("KD501", msg, loc, related)


def _branch(path: Path) -> tuple[str, str | None]:
    """The first relation of a cascade chain: where that chain can be cut."""
    first = path.steps[0]
    return (first.child, first.field)


def _chain_message(d: Deletion, valuable: list[tuple[str, str, Path]]) -> tuple[str, Path]:
    deepest = max(d.cascades, key=lambda p: (p.depth, p.models))
    if valuable:
        model, reason, path = valuable[0]
        # the deepest chain through the same first relation (other branches are their own)
        deepest = max(
            (p for p in d.cascades if _branch(p) == _branch(path)),
            key=lambda p: (p.depth, p.models),
        )
        msg = (
            f"deleting one {d.model} deletes {model} rows through onDelete: Cascade "
            f"({path.text}): {reason}"
        )
        more = [m for m, _, _ in valuable[1:]]
        if more:
            msg += f"; also {', '.join(more)}"
        if deepest.depth >= 2 and deepest is not path:
            msg += f"; the deepest chain has {deepest.depth} levels: {deepest.text}"
        return msg, path
    others = len(d.deleted_models)
    msg = (
        f"deleting one {d.model} cascades through {deepest.depth} levels: {deepest.text}"
        f" ({others} model{'s' if others != 1 else ''} lose rows: {', '.join(d.deleted_models)})"
    )
    return msg, deepest


def cascade_chain(ctx: Context) -> Iterator[Finding]:
    extra = tuple(getattr(ctx.settings, "valuable_models", ()) or ())
    for schema, graph in _pairs(ctx):
        reasons = {m.name: valuable_reason(m, extra) for m in (*schema.models, *schema.views)}
        for d in graph.deletions:
            if not d.cascades:
                continue
            valuable: list[tuple[str, str, Path]] = []
            for target in d.deleted_models:
                why = reasons.get(target)
                if why is None or target == d.model:
                    continue
                path = min((p for p in d.cascades if p.end == target), key=lambda p: p.depth)
                valuable.append((target, why, path))
            if not valuable and d.depth < 2:
                continue
            msg, path = _chain_message(d, valuable)
            loc = path.steps[0].location
            if loc is not None:
                yield _finding("KD502", msg, loc, _step_related(path))
            yield from _other_deep_branches(d, _branch(path))


def _other_deep_branches(d: Deletion, reported: tuple[str, str | None]) -> Iterator[Finding]:
    """KD502 for each further cascade chain of `d` that runs 2+ levels deep through another
    first relation (`User -> Cart -> CartItem` beside `User -> Order -> Invoice`): a chain of
    its own, cut at its own relation, that the finding above does not name."""
    deepest: dict[tuple[str, str | None], Path] = {}
    models: dict[tuple[str, str | None], dict[str, None]] = {}
    for p in d.cascades:
        key = _branch(p)
        if key == reported:
            continue
        models.setdefault(key, {}).update(dict.fromkeys(p.models[1:]))
        cur = deepest.get(key)
        if cur is None or (p.depth, p.models) > (cur.depth, cur.models):
            deepest[key] = p
    for key, path in deepest.items():
        loc = path.steps[0].location
        if path.depth < 2 or loc is None:
            continue
        lost = list(models[key])
        yield _finding(
            "KD502",
            f"deleting one {d.model} also cascades through {path.depth} levels: {path.text} "
            f"({len(lost)} model{'s' if len(lost) != 1 else ''} lose rows: {', '.join(lost)})",
            loc,
            _step_related(path),
        )


# ---------------------------------------------------------------------------------------------
# KD503 .. KD511
# ---------------------------------------------------------------------------------------------


def setnull_on_required(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.child.field is None or not rel.fields:
                continue
            child = schema.model(rel.child.model)
            if child is None:
                continue
            required = [n for n in rel.fields if (f := child.field(n)) is not None and f.required]
            if not required:
                continue
            for key, action, loc in (
                ("onDelete", rel.on_delete, rel.on_delete_location),
                ("onUpdate", rel.on_update, rel.on_update_location),
            ):
                if action != SET_NULL or loc is None:
                    continue
                verb = "deleting" if key == "onDelete" else "changing the key of"
                fields = ", ".join(f"`{rel.child.model}.{n}`" for n in required)
                yield _finding(
                    "KD503",
                    f"`{rel.child.label}` has `{key}: SetNull` but {fields} "
                    f"{'is' if len(required) == 1 else 'are'} required: {verb} "
                    f"a {rel.parent.model} row that has {rel.child.model} "
                    "rows fails (NULL into a NOT NULL column); make the field optional or use "
                    "another action",
                    loc,
                )


def missing_relation_index(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        if schema.relation_mode != "prisma" or schema.provider == "mongodb":
            continue
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.child.field is None or not rel.fields:
                continue
            child = schema.model(rel.child.model)
            if child is None:
                continue
            n = len(rel.fields)
            if any(set(s[:n]) == set(rel.fields) for s in child.index_sets):
                continue
            field = child.field(rel.child.field)
            if field is None:
                continue
            cols = ", ".join(rel.fields)
            related = []
            if schema.datasource is not None and (p := schema.datasource.relation_mode_property):
                related.append(
                    Related(
                        Location(schema.datasource.path, p.line, p.column),
                        'relationMode = "prisma"',
                    )
                )
            yield _finding(
                "KD504",
                f'`{rel.child.label}` has no index on {cols}: with relationMode = "prisma" the '
                "database creates no foreign key index, so lookups and the emulated "
                f"referential actions scan `{child.table_name}`; add `@@index([{cols}])`",
                field.location,
                related,
            )


def provider_mismatch(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        lock = schema.migrations.lock
        if lock is None or lock.provider is None or schema.datasource is None:
            continue
        raw = schema.datasource.provider
        if raw is None:
            continue
        ours = "postgresql" if raw == "postgres" else raw
        theirs = "postgresql" if lock.provider == "postgres" else lock.provider
        if ours == theirs:
            continue
        ds = schema.datasource
        yield _finding(
            "KD506",
            f"{lock.path} says the migrations were written for `{lock.provider}` but the "
            f"schema's datasource uses `{raw}`: `migrate deploy` refuses to run (P3019), and "
            "the SQL in the migrations is for another database",
            Location(lock.path, lock.line),
            (Related(_provider_location(ds), f'provider = "{raw}" in the schema'),),
        )


def _provider_location(ds: ConfigBlock) -> Location:
    p = ds.prop("provider")
    return Location(ds.path, p.line, p.column) if p is not None else ds.location


def model_without_id(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        for m in schema.models:
            if m.id_fields:
                continue
            required_unique = [
                s
                for s in m.unique_sets
                if all((f := m.field(n)) is not None and f.required for n in s)
            ]
            if required_unique:
                continue
            only_optional = bool(m.unique_sets)
            why = (
                "only unique fields that are optional"
                if only_optional
                else "no `@id`, `@@id`, `@unique` or `@@unique`"
            )
            if m.is_ignored:
                tail = (
                    "Prisma ignores it (@@ignore), so the client cannot read or write it and "
                    "rows cannot be addressed one by one"
                )
            else:
                tail = (
                    "Prisma rejects the schema (every model needs a unique criterion of required "
                    "fields) unless the model is marked @@ignore"
                )
            yield _finding(
                "KD507",
                f"model `{m.name}` has {why}: {tail}; add an `@id`",
                m.location,
            )


def implicit_delete_restrict(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        for rel in graph.relations:
            if (
                rel.kind == MANY_TO_MANY
                or rel.child.field is None
                or not rel.required
                or rel.on_delete_explicit
            ):
                continue
            loc = rel.location
            if loc is None:
                continue
            how = (
                "Restrict"
                if rel.on_delete != NO_ACTION
                else "NoAction (SQL Server has no Restrict)"
            )
            emulated = (
                ' (enforced by Prisma Client: relationMode = "prisma")'
                if schema.relation_mode == "prisma"
                else ""
            )
            yield _finding(
                "KD508",
                f"deleting a {rel.parent.model} row fails while "
                f"{rel.child.model} rows reference it: `{rel.child.label}` is required and sets "
                f"no onDelete, so Prisma's default {how} applies{emulated}; write the onDelete "
                "you want (Cascade, SetNull with an optional field, or Restrict) to make it explicit",
                loc,
            )


def relation_mode_prisma(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        ds = schema.datasource
        if ds is None or schema.provider == "mongodb" or ds.relation_mode != "prisma":
            continue
        prop = ds.relation_mode_property
        if prop is None:
            continue
        cascades = sum(
            1 for r in schema.relations if r.on_delete == CASCADE and r.kind != MANY_TO_MANY
        )
        extra = (
            f"; its {cascades} onDelete: Cascade relation(s) run only in Prisma Client"
            if cascades
            else ""
        )
        yield _finding(
            "KD509",
            f'relationMode = "prisma" in datasource `{ds.name}`: the database has no foreign '
            "keys, so deletes outside Prisma Client (SQL, another service, a console) leave "
            f"orphan rows{extra}",
            Location(ds.path, prop.line, prop.column),
        )


def no_migrations(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        ds = schema.datasource
        if ds is None or not schema.is_relational:
            continue
        mig = schema.migrations
        if mig.computed or mig.folders:
            continue
        related = []
        if mig.configured is not None:
            related.append(Related(mig.configured, "migrations.path"))
        state = (
            f"{mig.path} exists but holds no migration"
            if mig.exists
            else f"there is no migrations folder ({mig.path})"
        )
        elsewhere = _migrations_elsewhere(ctx, schema)
        if elsewhere is not None:
            state += (
                f" (migrations exist in {elsewhere}, where Prisma does not look for this "
                "schema: move them, or set `migrations.path` in prisma.config.ts)"
            )
        yield _finding(
            "KD510",
            f"datasource `{ds.name}` ({schema.provider}) of {schema.root}: {state}, so the "
            "database's shape has no history and `migrate deploy` has nothing to apply; create "
            "one with `prisma migrate dev --name init`",
            _provider_location(ds),
            related,
        )


def _migrations_elsewhere(ctx: Context, schema: Schema) -> str | None:
    """A `migrations` folder with migrations near the schema, other than the one Prisma uses."""
    folder = schema.directory
    parent = posixpath.dirname(folder) or "."
    for candidate in (join(folder, "migrations"), join(parent, "migrations")):
        if candidate is None or candidate == schema.migrations.path:
            continue
        prefix = candidate + "/"
        if any(p.startswith(prefix) for p in ctx.files(FileKind.MIGRATION_SQL)):
            return candidate
    return None


def required_ignored_field(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        model_names = {m.name for m in (*schema.models, *schema.views)}
        for m in schema.models:
            if m.is_ignored:
                continue
            for f in m.fields:
                if not f.is_ignored or not f.required or f.has_default or f.is_updated_at:
                    continue
                if f.type_name in model_names:
                    continue
                attr = f.attribute("ignore")
                loc = Location(f.path, attr.line, attr.column) if attr else f.location
                yield _finding(
                    "KD511",
                    f"`{m.name}.{f.name}` is required, marked @ignore and has no @default: "
                    f"Prisma Client no longer writes the NOT NULL column `{f.column_name}`, so "
                    f"every create of {m.name} fails; add a @default (or a database default) or "
                    "make it optional",
                    loc,
                )


CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    ("schema_parse_errors", schema_parse_errors),
    ("cascade_delete", cascade_delete),
    ("cascade_chain", cascade_chain),
    ("setnull_on_required", setnull_on_required),
    ("missing_relation_index", missing_relation_index),
    ("provider_mismatch", provider_mismatch),
    ("model_without_id", model_without_id),
    ("implicit_delete_restrict", implicit_delete_restrict),
    ("relation_mode_prisma", relation_mode_prisma),
    ("no_migrations", no_migrations),
    ("required_ignored_field", required_ignored_field),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)


__all__ = ["VALUABLE_WORDS", "check", "valuable_reason"]
