"""Rules of the schema area (KD501-KD511), over `schemas(ctx)` and `relation_graphs(ctx)`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator

from analysis.context import Context, join
from analysis.facts.relations import (
    Deletion,
    Path,
    RelationGraph,
    relation_graphs,
)
from analysis.facts.schema import Schema, schema_discovery
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.prisma_schema.records import ConfigBlock, Model
from analysis.rules.findings import finding as _finding
from analysis.sources import FileKind

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


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

CONTENT_WORDS = frozenset({"message", "file", "attachment", "upload", "document", "subscription"})
"""Valuable words that name a user's own content (chats, files, feeds), not a record the
business must keep: deleted with its owner, that is the erasure a GDPR request asks for."""

OWNER_WORDS = frozenset(
    {"user", "account", "organization", "organisation", "org", "workspace", "team", "tenant"}
)
"""The last word of a model that owns content: deleting it erases what it owns, by design."""

MONEY_FIELDS = frozenset({"amount", "price", "balance", "total", "cost", "fee", "currency"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[0-9]+")


def _words(name: str) -> tuple[str, ...]:
    """The lower-case words of a model, table or field name (`OrderItems` -> order, item),
    plural valuable words made singular. Remembered: names repeat (every model has its `id`,
    `createdAt`...) and the rules ask about each one several times."""
    hit = _WORDS.get(name)
    if hit is None:
        if len(_WORDS) >= 16_384:
            _WORDS.clear()
        hit = _WORDS[name] = _split_words(name)
    return hit


_WORDS: dict[str, tuple[str, ...]] = {}


def _split_words(name: str) -> tuple[str, ...]:
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
    return tuple(out)


def valuable_word(model: Model, extra: Iterable[str] = ()) -> str | None:
    """The word of the model's (or table's) name that makes it valuable, or None."""
    extra_l = {e.lower() for e in extra}
    if model.name.lower() in extra_l:
        return model.name.lower()
    for name in (model.name, model.db_name or ""):
        for w in _words(name):
            if w in VALUABLE_WORDS or w in extra_l:
                return w
    return None


def valuable_reason(model: Model, extra: Iterable[str] = ()) -> str | None:
    """Why `model`'s data looks valuable (the name or field that says so), or None."""
    extra_l = {e.lower() for e in extra}
    if model.name.lower() in extra_l:
        return f"`{model.name}` is listed in valuable_models"
    for name, what in ((model.name, "model name"), (model.db_name or "", "table name")):
        for w in _words(name):
            if w in VALUABLE_WORDS or w in extra_l:
                return f"its {what} `{name}` looks valuable ({w})"
    return money_reason(model)


def money_reason(model: Model) -> str | None:
    """A field of `model` that looks like money or payment data, or None."""
    has_currency = any("currency" in _words(f.name) for f in model.fields)
    for f in model.fields:
        words = _words(f.name)
        if (
            (
                f.type_name == "Decimal"
                or (has_currency and f.type_name in ("BigInt", "Int", "Float"))
            )
            and words
            and words[-1] in MONEY_FIELDS
        ):
            return f"its field `{model.name}.{f.name}` ({f.type_name}) looks like money"
        hit = next((w for w in words if w in ("invoice", "payment", "stripe", "iban")), None)
        if hit is not None and f.type_name in ("String", "Decimal", "Int", "BigInt"):
            return f"its field `{model.name}.{f.name}` looks like payment data ({hit})"
    return None


def owner_root(model: str) -> bool:
    """`model` owns content by its name (`User`, `EmailAccount`, `Organization`, `Team`)."""
    words = _words(model)
    return bool(words) and words[-1] in OWNER_WORDS


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


def _owned(path: Path) -> bool:
    """Every relation on the chain is required: each row belongs to the one before it (the
    schema says a child cannot exist without its parent), the ownership a cascade expresses.
    A self relation (a folder's subfolders, a comment's replies) is a tree whose root has no
    parent, so its optional parent counts as ownership too."""
    return all(step.required or step.child == step.parent for step in path.steps)


OWNERSHIP_NOTE = (
    "; every relation on the chain is required (each row belongs to the one before it), so "
    "this is the ownership the cascade expresses: reported low, check that it is intended"
)


def _chain_finding(
    message: str, path: Path, graded: bool = True, note: str | None = None
) -> Finding:
    """KD502 at the chain's first relation. A chain into a model that is valuable by name
    (`graded=False`) is medium; any other chain (depth alone, or a money-looking field) is
    the structure the schema's owners chose, reported low: an ownership chain says so, one
    through an optional relation names it and suggests SetNull; `note` says why instead (a
    user's own content deleted with its owner)."""
    loc = path.steps[0].location
    assert loc is not None
    if not graded:
        return _finding("KD502", message, loc, _step_related(path))
    if note is None:
        loose = next((st for st in path.steps if not st.required and st.child != st.parent), None)
        if loose is None:
            note = OWNERSHIP_NOTE
        else:
            note = (
                f"; `{loose.label}` is optional (a {loose.child} row can exist without its "
                f"{loose.parent}), yet deleting the {loose.parent} deletes it: if it should "
                "outlive it, use onDelete: SetNull; nothing valuable by name on the chain: "
                "reported low"
            )
    return Finding("KD502", Severity.LOW, message + note, loc, tuple(_step_related(path)))


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
        yield _chain_finding(
            f"deleting one {d.model} also cascades through {path.depth} levels: {path.text} "
            f"({len(lost)} model{'s' if len(lost) != 1 else ''} lose rows: {', '.join(lost)})",
            path,
        )


# ---------------------------------------------------------------------------------------------
# KD503 .. KD511
# ---------------------------------------------------------------------------------------------


def _provider_location(ds: ConfigBlock) -> Location:
    p = ds.prop("provider")
    return Location(ds.path, p.line, p.column) if p is not None else ds.location


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


__all__ = ["CONTENT_WORDS", "OWNER_WORDS", "VALUABLE_WORDS", "valuable_reason"]
