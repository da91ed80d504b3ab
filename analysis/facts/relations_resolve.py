"""Pairing a schema's relation fields the way Prisma does, and what Prisma's validator rejects
in them (KD505): see `resolve_relations`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from analysis.catalog import BY_ID
from analysis.facts.relations_records import (
    ALL_ACTIONS,
    CASCADE,
    MANY_TO_MANY,
    NO_ACTION,
    ONE_TO_MANY,
    ONE_TO_ONE,
    RESTRICT,
    RULE,
    SET_DEFAULT,
    SET_NULL,
    Relation,
    RelationEnd,
)
from analysis.model import Finding, Location
from analysis.parsers.prisma_schema import (
    ConstantValue,
    Field,
    Model,
    StringValue,
    field_refs,
)

# ---------------------------------------------------------------------------------------------
# Provider rules
# ---------------------------------------------------------------------------------------------


def allowed_actions(provider: str | None, relation_mode: str) -> tuple[str, ...]:
    """The referential actions Prisma accepts for the provider and relation mode."""
    if relation_mode == "prisma":
        if provider in ("postgresql", "sqlite"):
            return (CASCADE, RESTRICT, SET_NULL)
        return (CASCADE, RESTRICT, NO_ACTION, SET_NULL)
    if provider == "sqlserver":
        return (CASCADE, NO_ACTION, SET_NULL, SET_DEFAULT)
    return ALL_ACTIONS


def default_on_delete(provider: str | None, relation_mode: str, required: bool) -> str:
    """Prisma's default `onDelete`: SetNull for optional, Restrict (SQL Server: NoAction)."""
    if not required:
        return SET_NULL
    if RESTRICT in allowed_actions(provider, relation_mode):
        return RESTRICT
    return NO_ACTION


def _checks_cycles(provider: str | None, relation_mode: str) -> bool:
    return provider in ("sqlserver", "mongodb") or relation_mode == "prisma"


# ---------------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------------


def _relation_name(field: Field) -> str | None:
    attr = field.relation
    if attr is None:
        return None
    value = attr.arg("name", 0)
    return value.value if isinstance(value, StringValue) else None


def _default_name(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{first}To{second}"


def _list_text(names: Sequence[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


class _Resolver:
    def __init__(self, models: Sequence[Model], provider: str | None, relation_mode: str) -> None:
        self.models = {m.name: m for m in models if m.kind in ("model", "view")}
        self.provider = provider
        self.mode = relation_mode
        self.problems: list[Finding] = []
        self.relations: list[Relation] = []
        self.severity = BY_ID[RULE].severity
        self._unique: dict[str, list[list[str]]] = {}

    def unique_sets(self, model: Model) -> list[list[str]]:
        """The model's unique criteria as sorted name lists (memoized)."""
        hit = self._unique.get(model.name)
        if hit is None:
            hit = [sorted(c) for c in model.unique_sets]
            self._unique[model.name] = hit
        return hit

    def problem(self, message: str, loc: Location | None) -> None:
        if loc is None:
            return
        self.problems.append(Finding(RULE, self.severity, message, loc))

    def run(self) -> None:
        # relation fields per (model, related model, name)
        groups: dict[tuple[str, str, str | None], list[Field]] = defaultdict(list)
        rel_fields: list[Field] = []
        for m in self.models.values():
            for f in m.fields:
                if f.type_name in self.models and f.unsupported is None:
                    rel_fields.append(f)
                    groups[(m.name, f.type_name, _relation_name(f))].append(f)
        ambiguous: set[tuple[str, str]] = set()
        for (model, related, name), fields in groups.items():
            if len(fields) <= 1:
                continue
            is_self = model == related
            if is_self and name is not None and len(fields) == 2:
                continue
            names = _list_text([f.name for f in fields])
            if is_self and name is None and len(fields) == 2:
                msg = (
                    f"ambiguous self relation in model `{model}`: {names} both refer to `{model}`; "
                    'if they are one relation, give both the same name with `@relation("Name")`'
                )
            elif is_self and name is None:
                msg = (
                    f"unnamed self relations in model `{model}`: {names} have no relation name; "
                    'name them with `@relation("Name")`'
                )
            elif is_self:
                msg = (
                    f'{names} in model `{model}` share the relation name "{name}": at most two '
                    "fields can belong to one relation"
                )
            elif name is None:
                msg = (
                    f"ambiguous relation in model `{model}`: {names} both refer to `{related}`; "
                    'give them different names with `@relation("Name")`'
                )
            else:
                msg = (
                    f'{names} in model `{model}` use the same relation name "{name}"; '
                    "give them different names"
                )
            for f in fields:
                ambiguous.add((f.model, f.name))
            self.problem(msg, fields[0].location)

        paired: set[tuple[str, str]] = set()
        for f in rel_fields:
            key = (f.model, f.name)
            if key in paired or key in ambiguous:
                continue
            name = _relation_name(f)
            if f.model == f.type_name:
                others = [g for g in groups.get((f.model, f.model, name), []) if g.name != f.name]
            else:
                others = list(groups.get((f.type_name, f.model, name), []))
            others = [g for g in others if (g.model, g.name) not in ambiguous]
            paired.add(key)
            if len(others) == 1 and (others[0].model, others[0].name) not in paired:
                g = others[0]
                paired.add((g.model, g.name))
                self.pair(f, g, name)
            else:
                self.single(f, name)
        self.check_ignored(rel_fields)
        if _checks_cycles(self.provider, self.mode):
            self.check_cycles()
        if self.provider == "sqlserver" and self.mode != "prisma":
            self.check_multiple_paths()

    # -- building relations ----------------------------------------------------------------
    def end(self, f: Field | None, model: str) -> RelationEnd:
        if f is None:
            return RelationEnd(model, None, False, True, None)
        return RelationEnd(f.model, f.name, f.list, f.optional, f.location)

    def _fields_of(self, f: Field, key: str) -> tuple[tuple[str, ...], bool]:
        """(names, present) of `fields:`/`references:` in the field's @relation."""
        attr = f.relation
        if attr is None:
            return (), False
        value = attr.arg(key)
        if value is None:
            return (), False
        return field_refs(value), True

    def pair(self, f: Field, g: Field, name: str | None) -> None:
        if f.list and g.list:
            self.many_to_many(f, g, name)
            return
        if f.list != g.list:
            forward, back = (g, f) if f.list else (f, g)
            self.inline(forward, back, name, ONE_TO_MANY)
            return
        f_has = self._fields_of(f, "fields")[1] or self._fields_of(f, "references")[1]
        g_has = self._fields_of(g, "fields")[1] or self._fields_of(g, "references")[1]
        if g_has and not f_has:
            forward, back = g, f
        elif f_has and not g_has:
            forward, back = f, g
        else:
            forward, back = (f, g) if (f.model, f.name) <= (g.model, g.name) else (g, f)
            if not f_has:
                for a, b in ((forward, back), (back, forward)):
                    self.problem(
                        f"one-to-one relation `{a.qualified}` / `{b.qualified}`: neither side has "
                        "`fields` and `references` in @relation; add them on the side that holds "
                        "the foreign key",
                        a.location,
                    )
            else:
                for a, b in ((forward, back), (back, forward)):
                    self.problem(
                        f"one-to-one relation `{a.qualified}` / `{b.qualified}`: both sides give "
                        "`fields`/`references`; give them on one side only",
                        a.location,
                    )
        self.inline(forward, back, name, ONE_TO_ONE)

    def single(self, f: Field, name: str | None) -> None:
        """A relation field without a partner: report it, keep what it declares."""
        where = "view" if self.models[f.model].kind == "view" else "model"
        self.problem(
            f"relation field `{f.qualified}` has no back-relation field: {where} `{f.type_name}` "
            f"needs a field of type `{f.model}"
            + ("[]`" if not f.list else "?`")
            + (f' with @relation("{name}")' if name else "")
            + " (`prisma format` adds it)",
            f.location,
        )
        if f.list:
            self.inline(None, f, name, ONE_TO_MANY, report=False)
        else:
            self.inline(f, None, name, ONE_TO_MANY, report=True)

    def inline(
        self,
        forward: Field | None,
        back: Field | None,
        name: str | None,
        kind: str,
        report: bool = True,
    ) -> None:
        assert forward is not None or back is not None
        child_model = forward.model if forward is not None else back.type_name  # type: ignore[union-attr]
        parent_model = forward.type_name if forward is not None else back.model  # type: ignore[union-attr]
        fields: tuple[str, ...] = ()
        references: tuple[str, ...] = ()
        child = self.models[child_model]
        parent = self.models[parent_model]
        attr = forward.relation if forward is not None else None
        if forward is not None:
            fields, has_fields = self._fields_of(forward, "fields")
            references, has_refs = self._fields_of(forward, "references")
            if report:
                self.check_forward(
                    forward, back, child, parent, fields, references, has_fields, has_refs, kind
                )
        if back is not None and report:
            self.check_back(forward, back)
        scalar = [child.field(n) for n in fields]
        required = any(s is not None and s.required for s in scalar)
        if not fields and forward is not None:
            required = forward.required
        on_delete, on_delete_loc = self.action(forward, "onDelete")
        on_update, on_update_loc = self.action(forward, "onUpdate")
        map_value = attr.arg("map") if attr is not None else None
        self.relations.append(
            Relation(
                name=name or _default_name(child_model, parent_model),
                explicit_name=name is not None,
                kind=kind,
                implicit=False,
                child=self.end(forward, child_model),
                parent=self.end(back, parent_model),
                fields=fields,
                references=references,
                required=required,
                on_delete=on_delete or default_on_delete(self.provider, self.mode, required),
                on_update=on_update or CASCADE,
                on_delete_explicit=on_delete is not None,
                on_update_explicit=on_update is not None,
                on_delete_location=on_delete_loc,
                on_update_location=on_update_loc,
                attribute_location=(
                    Location(forward.path, attr.line, attr.column)
                    if forward is not None and attr is not None
                    else None
                ),
                constraint_name=map_value.value if isinstance(map_value, StringValue) else None,
            )
        )

    def action(self, f: Field | None, key: str) -> tuple[str | None, Location | None]:
        if f is None or f.relation is None:
            return None, None
        arg = f.relation.argument(key)
        if arg is None or not isinstance(arg.value, ConstantValue):
            return None, None
        loc = Location(f.path, arg.line, arg.column)
        if arg.value.name not in ALL_ACTIONS:
            return None, loc  # reported by the parser
        if arg.value.name not in allowed_actions(self.provider, self.mode):
            allowed = ", ".join(f"`{a}`" for a in allowed_actions(self.provider, self.mode))
            hint = ""
            if arg.value.name == NO_ACTION and self.mode == "prisma":
                hint = '; with relationMode = "prisma" use `Restrict`, which behaves the same'
            where = (
                'relationMode = "prisma"' if self.mode == "prisma" else f"provider {self.provider}"
            )
            self.problem(
                f"`{key}: {arg.value.name}` on `{f.qualified}` is not allowed with {where} "
                f"(allowed: {allowed}){hint}",
                loc,
            )
        return arg.value.name, loc

    def check_forward(
        self,
        forward: Field,
        back: Field | None,
        child: Model,
        parent: Model,
        fields: tuple[str, ...],
        references: tuple[str, ...],
        has_fields: bool,
        has_refs: bool,
        kind: str,
    ) -> None:
        loc = forward.location
        q = forward.qualified
        if kind == ONE_TO_MANY or (has_fields or has_refs):
            if not has_fields or not fields:
                self.problem(
                    f"relation field `{q}` must give `fields: [...]` in @relation: the scalar "
                    f"field(s) of `{child.name}` that hold the reference to `{parent.name}`",
                    loc,
                )
            if not has_refs or not references:
                self.problem(
                    f"relation field `{q}` must give `references: [...]` in @relation: the "
                    f"field(s) of `{parent.name}` it points at",
                    loc,
                )
        if not fields or not references:
            return
        missing = [n for n in fields if child.field(n) is None]
        if missing:
            self.problem(
                f"`fields` of `{q}` names {_list_text(missing)}, which model `{child.name}` does not have",
                loc,
            )
        rel_fields = [
            n for n in fields if (fl := child.field(n)) is not None and fl.type_name in self.models
        ]
        if rel_fields:
            self.problem(
                f"`fields` of `{q}` must name scalar fields, not the relation field(s) {_list_text(rel_fields)}",
                loc,
            )
        missing_refs = [n for n in references if parent.field(n) is None]
        if missing_refs:
            self.problem(
                f"`references` of `{q}` names {_list_text(missing_refs)}, which model "
                f"`{parent.name}` does not have",
                loc,
            )
        if len(fields) != len(references):
            self.problem(
                f"`{q}` gives {len(fields)} field(s) in `fields` and {len(references)} in "
                "`references`: they must pair up",
                loc,
            )
            return
        if missing or missing_refs or rel_fields:
            return
        if sorted(references) not in self.unique_sets(parent):
            what = (
                f"add `@unique` to `{parent.name}.{references[0]}`"
                if len(references) == 1
                else f"add `@@unique([{', '.join(references)}])` to `{parent.name}`"
            )
            self.problem(
                f"`references` of `{q}` must point at a unique criterion of `{parent.name}`: {what}",
                loc,
            )
        for a_name, b_name in zip(fields, references, strict=True):
            a = child.field(a_name)
            b = parent.field(b_name)
            if a is None or b is None:
                continue
            if (a.type_name, a.unsupported) != (b.type_name, b.unsupported):
                self.problem(
                    f"`{child.name}.{a_name}` is {a.type_name} but the field it references, "
                    f"`{parent.name}.{b_name}`, is {b.type_name}: the types must match",
                    loc,
                )
        optional_scalars = [n for n in fields if (fl := child.field(n)) is not None and fl.optional]
        if forward.required and optional_scalars:
            self.problem(
                f"relation field `{q}` is required but its scalar field(s) "
                f"{_list_text(fields)} are optional: make `{forward.name}` optional "
                f"(`{parent.name}?`) or the scalar fields required",
                loc,
            )
        required_scalars = [n for n in fields if (fl := child.field(n)) is not None and fl.required]
        if required_scalars and not (self.provider == "postgresql" and self.mode != "prisma"):
            for key in ("onDelete", "onUpdate"):
                arg = forward.relation.argument(key) if forward.relation is not None else None
                if (
                    arg is not None
                    and isinstance(arg.value, ConstantValue)
                    and arg.value.name == SET_NULL
                ):
                    self.problem(
                        f"`{key}: SetNull` on `{q}` while {_list_text(required_scalars)} "
                        f"{'is' if len(required_scalars) == 1 else 'are'} required: "
                        f"{self.provider or 'this provider'} rejects it; choose another action "
                        "or make the field optional",
                        Location(forward.path, arg.line, arg.column),
                    )
        if kind == ONE_TO_ONE and sorted(fields) not in self.unique_sets(child):
            what = (
                f"add `@unique` to `{child.name}.{fields[0]}`"
                if len(fields) == 1
                else f"add `@@unique([{', '.join(fields)}])` to `{child.name}`"
            )
            self.problem(
                f"one-to-one relation `{q}` must use unique fields on its owning side: {what}, "
                f"or make the back-relation a list for one-to-many",
                loc,
            )

    def check_back(self, forward: Field | None, back: Field) -> None:
        attr = back.relation
        target = f"`{forward.qualified}`" if forward is not None else "the other side"
        if (
            attr is not None
            and back.list
            and (attr.arg("fields") is not None or attr.arg("references") is not None)
        ):
            self.problem(
                f"`{back.qualified}` must not give `fields` or `references`: give them on {target}",
                back.location,
            )
        if attr is not None and (
            attr.arg("onDelete") is not None or attr.arg("onUpdate") is not None
        ):
            self.problem(
                f"`{back.qualified}` must not give `onDelete` or `onUpdate`: give them on {target}, "
                "the side with `fields`",
                back.location,
            )
        if forward is not None and not forward.list and not back.list and back.required:
            self.problem(
                f"back-relation field `{back.qualified}` of a one-to-one relation must be optional "
                f"(`{back.type_name}?`): the database cannot enforce a required one",
                back.location,
            )

    def many_to_many(self, f: Field, g: Field, name: str | None) -> None:
        fa, fb = sorted((f, g), key=lambda x: (x.model, x.name))
        embedded = any(
            x.relation is not None and x.relation.arg("fields") is not None for x in (fa, fb)
        )
        rel_name = name or _default_name(fa.model, fb.model)
        if self.provider == "mongodb" and not embedded:
            for x in (fa, fb):
                self.problem(
                    f"implicit many-to-many relations are not supported on MongoDB (`{x.qualified}`): "
                    "store the ids in a `String[] @db.ObjectId` field with `fields`/`references`",
                    x.location,
                )
        if embedded and self.provider != "mongodb":
            for x in (fa, fb):
                self.problem(
                    f"`{x.qualified}`: many-to-many relations with `fields` exist only on MongoDB; "
                    "remove `fields`/`references` for an implicit relation, or use a join model",
                    x.location,
                )
        if embedded and self.provider == "mongodb":
            for x in (fa, fb):
                self.check_embedded(x)
        if not embedded:
            for x in (fa, fb):
                if x.relation is not None and x.relation.arg("references") is not None:
                    self.problem(
                        f"implicit many-to-many relation field `{x.qualified}` must not give "
                        "`references`",
                        x.location,
                    )
                related = self.models[x.type_name]
                ids = [fl for fl in related.fields if fl.is_id]
                if len(ids) != 1:
                    self.problem(
                        f"`{x.qualified}` is an implicit many-to-many relation to `{related.name}`, "
                        "which has no single `@id` field: use an explicit join model",
                        x.location,
                    )
                for key in ("onDelete", "onUpdate"):
                    if x.relation is not None and (arg := x.relation.argument(key)) is not None:
                        self.problem(
                            f"`{key}` is not supported on implicit many-to-many relations "
                            f"(`{x.qualified}`): both sides always cascade to the join table",
                            Location(x.path, arg.line, arg.column),
                        )
        loc_a = fa.relation
        self.relations.append(
            Relation(
                name=rel_name,
                explicit_name=name is not None,
                kind=MANY_TO_MANY,
                implicit=not embedded,
                child=self.end(fa, fa.model),
                parent=self.end(fb, fb.model),
                fields=self._fields_of(fa, "fields")[0] if embedded else (),
                references=self._fields_of(fa, "references")[0] if embedded else (),
                required=False,
                on_delete=CASCADE if not embedded else NO_ACTION,
                on_update=CASCADE if not embedded else NO_ACTION,
                on_delete_explicit=False,
                on_update_explicit=False,
                on_delete_location=None,
                on_update_location=None,
                attribute_location=(
                    Location(fa.path, loc_a.line, loc_a.column) if loc_a is not None else None
                ),
                join_table=f"_{rel_name}" if not embedded else None,
            )
        )

    def check_embedded(self, x: Field) -> None:
        """MongoDB many-to-many: `fields` is a list of ids, `references` the related id."""
        fields, has_fields = self._fields_of(x, "fields")
        references, _ = self._fields_of(x, "references")
        if not has_fields:
            return
        model = self.models[x.model]
        related = self.models[x.type_name]
        ids = [f.name for f in related.fields if f.is_id]
        if len(references) != 1 or references[0] not in ids:
            self.problem(
                f"`references` of `{x.qualified}` must name the id field of `{related.name}`"
                + (f" (`{ids[0]}`)" if ids else ""),
                x.location,
            )
            return
        target = related.field(references[0])
        for name in fields:
            own = model.field(name)
            if own is None:
                self.problem(
                    f"`fields` of `{x.qualified}` names `{name}`, which model `{model.name}` "
                    "does not have",
                    x.location,
                )
            elif target is not None and (not own.list or own.type_name != target.type_name):
                self.problem(
                    f"`{model.name}.{name}` must be a list of the id type "
                    f"(`{target.type_name}[]`) to hold the ids of `{related.name}`",
                    x.location,
                )

    def check_ignored(self, rel_fields: list[Field]) -> None:
        for f in rel_fields:
            related = self.models[f.type_name]
            model = self.models[f.model]
            if related.is_ignored and not f.is_ignored and not model.is_ignored:
                self.problem(
                    f"relation field `{f.qualified}` must be marked `@ignore` because model "
                    f"`{related.name}` it points to is ignored (@@ignore)",
                    f.location,
                )

    # -- cascade cycles (Prisma checks them for SQL Server, MongoDB and relationMode prisma) -
    def _forward(self) -> dict[str, list[Relation]]:
        out: dict[str, list[Relation]] = defaultdict(list)
        for r in self.relations:
            if r.kind != MANY_TO_MANY and r.child.field is not None and r.fields:
                out[r.child.model].append(r)
        return out

    @staticmethod
    def _triggers(r: Relation) -> bool:
        return r.on_delete != NO_ACTION or r.on_update != NO_ACTION

    def _defaults_note(self, r: Relation) -> str:
        parts = []
        if not r.on_delete_explicit and r.on_delete != NO_ACTION:
            parts.append(f"`onDelete` defaults to `{r.on_delete}`")
        if not r.on_update_explicit and r.on_update != NO_ACTION:
            parts.append(f"`onUpdate` defaults to `{r.on_update}`")
        return f" ({' and '.join(parts)})" if parts else ""

    def _where(self) -> str:
        if self.provider == "sqlserver" and self.mode != "prisma":
            return "on SQL Server"
        if self.provider == "mongodb":
            return "on MongoDB"
        return 'with relationMode = "prisma"'

    def check_cycles(self) -> None:
        forward = self._forward()
        for rel in [r for rs in forward.values() for r in rs]:
            start = rel.child.model
            stack: list[tuple[Relation, tuple[Relation, ...]]] = [(rel, (rel,))]
            visited: set[tuple[str, str | None]] = set()
            while stack:
                nxt, path = stack.pop()
                visited.add((nxt.child.model, nxt.child.field))
                if not self._triggers(nxt):
                    continue
                if nxt.self_relation:
                    self.problem(
                        f"`{rel.child.label}`: the self relation `{nxt.child.label}` needs "
                        f"`onDelete: NoAction, onUpdate: NoAction` {self._where()}, which does not "
                        f"allow cascading cycles{self._defaults_note(rel)}",
                        rel.child.location,
                    )
                    break
                if nxt.parent.model == start:
                    chain = " -> ".join(r.child.label for r in path) + f" -> {start}"
                    self.problem(
                        f"`{rel.child.label}`: referential actions form a cycle ({chain}) "
                        f"{self._where()}; set `onDelete: NoAction, onUpdate: NoAction` on one of "
                        f"them{self._defaults_note(rel)}",
                        rel.child.location,
                    )
                    break
                for r2 in forward.get(nxt.parent.model, []):
                    if (r2.child.model, r2.child.field) not in visited:
                        stack.append((r2, (*path, r2)))

    def check_multiple_paths(self) -> None:
        forward = self._forward()
        for rel in [r for rs in forward.values() for r in rs]:
            if not self._triggers(rel):
                continue
            start = rel.child.model
            seen: dict[str, set[str]] = defaultdict(set)
            for first in forward.get(start, []):
                if not self._triggers(first):
                    continue
                stack: list[tuple[Relation, frozenset[str]]] = [(first, frozenset())]
                while stack:
                    nxt, on_path = stack.pop()
                    key = f"{nxt.child.model}.{nxt.child.field}"
                    if nxt.self_relation or nxt.parent.model == start:
                        continue
                    seen[first.child.field or ""].add(nxt.parent.model)
                    path = on_path | {key}
                    for r2 in forward.get(nxt.parent.model, []):
                        k2 = f"{r2.child.model}.{r2.child.field}"
                        if self._triggers(r2) and k2 not in path:
                            stack.append((r2, path))
            mine = seen.pop(rel.child.field or "", set())
            reachable: set[str] = set()
            for other in seen.values():
                reachable |= mine & other
            if reachable:
                names = _list_text(sorted(reachable))
                self.problem(
                    f"`{rel.child.label}`: deleting or updating {names} cascades to `{start}` "
                    "through more than one path, which SQL Server rejects; set "
                    f"`onDelete: NoAction, onUpdate: NoAction` on one path{self._defaults_note(rel)}",
                    rel.child.location,
                )


def resolve_relations(
    models: Sequence[Model], provider: str | None, relation_mode: str = "foreignKeys"
) -> tuple[tuple[Relation, ...], tuple[Finding, ...]]:
    """Pair the relation fields of `models` into relations; report what Prisma would reject.

    `provider` is the normalized datasource provider (`postgresql`, `mysql`, `sqlite`,
    `sqlserver`, `cockroachdb`, `mongodb`) or None; `relation_mode` is the effective mode
    (`foreignKeys` or `prisma`).
    """
    r = _Resolver(models, provider, relation_mode)
    r.run()
    return tuple(r.relations), tuple(r.problems)
