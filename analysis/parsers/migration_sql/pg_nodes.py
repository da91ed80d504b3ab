"""Reading libpg_query's JSON nodes: names, types, default expressions, foreign-key actions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# -- PostgreSQL via libpg_query -------------------------------------------------------------------
_PG_TYPES = {
    "int4": "INTEGER",
    "integer": "INTEGER",
    "int": "INTEGER",
    "int8": "BIGINT",
    "bigint": "BIGINT",
    "int2": "SMALLINT",
    "smallint": "SMALLINT",
    "float8": "DOUBLE PRECISION",
    "float4": "REAL",
    "real": "REAL",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "varchar": "VARCHAR",
    "bpchar": "CHAR",
    "char": "CHAR",
    "numeric": "DECIMAL",
    "decimal": "DECIMAL",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "timetz": "TIMETZ",
    "date": "DATE",
    "interval": "INTERVAL",
    "text": "TEXT",
    "jsonb": "JSONB",
    "json": "JSON",
    "bytea": "BYTEA",
    "uuid": "UUID",
    "xml": "XML",
    "inet": "INET",
    "cidr": "CIDR",
    "macaddr": "MACADDR",
    "citext": "CITEXT",
    "money": "MONEY",
    "oid": "OID",
    "bit": "BIT",
    "varbit": "VARBIT",
    "tsvector": "TSVECTOR",
    "serial": "INTEGER",
    "serial4": "INTEGER",
    "bigserial": "BIGINT",
    "serial8": "BIGINT",
    "smallserial": "SMALLINT",
    "serial2": "SMALLINT",
    "float": "DOUBLE PRECISION",
}
_PG_SERIAL = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})
_FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


def _sval(node: object) -> str:
    if isinstance(node, dict):
        if "String" in node:
            return str(node["String"].get("sval", ""))
        if "sval" in node:
            return str(node.get("sval", ""))
    return ""


def _names(items: Iterable[object] | None) -> list[str]:
    return [_sval(i) for i in items or ()]


def _pg_type(tn: dict[str, Any] | None) -> tuple[str | None, bool]:
    """Canonical type text and whether it is a serial type."""
    if not tn:
        return None, False
    raw = tn.get("names")
    if not raw:
        return None, False
    try:  # the usual shape: [{"String": {"sval": "pg_catalog"}}, {"String": {"sval": "int4"}}]
        names = [n["String"]["sval"] for n in raw]
    except (KeyError, TypeError):
        names = _names(raw)
    if "typmods" not in tn and "arrayBounds" not in tn:  # a plain name: same answer each time
        key = tuple(names)
        hit = _PG_PLAIN_TYPES.get(key)
        if hit is None:
            if len(_PG_PLAIN_TYPES) >= 4096:
                _PG_PLAIN_TYPES.clear()
            hit = _PG_PLAIN_TYPES[key] = _pg_type_of(names, tn)
        return hit
    return _pg_type_of(names, tn)


_PG_PLAIN_TYPES: dict[tuple[str, ...], tuple[str | None, bool]] = {}
"""_pg_type of type names without modifiers or array bounds (the few a project uses)."""


def _pg_type_of(names: list[str], tn: dict[str, Any]) -> tuple[str | None, bool]:
    base = names[-1]
    low = base.lower()
    known = low in _PG_TYPES
    # a quoted name with capitals (`"Interval"`, a Prisma enum) is the user's type, not the
    # builtin: the parser folds unquoted names to lower case
    builtin = names[0] == "pg_catalog" or (len(names) == 1 and known and base == low)
    mods: list[str] = []
    typmods = tn.get("typmods")
    if typmods:
        for m in typmods:
            c = m.get("A_Const") if isinstance(m, dict) else None
            if c is not None:
                if "ival" in c:
                    mods.append(str(c["ival"].get("ival", 0)))
                elif "sval" in c:
                    mods.append(str(c["sval"].get("sval", "")))
                elif "fval" in c:
                    mods.append(str(c["fval"].get("fval", "")))
    serial = False
    if builtin and known:
        serial = low in _PG_SERIAL
        text = _PG_TYPES[low]
    elif builtin:
        text = base.upper()
    else:
        text = f'"{base}"'
    if mods:
        text += "(" + ",".join(mods) + ")"
    bounds = tn.get("arrayBounds")
    if bounds:
        text += "[]" * len(bounds)
    return text, serial


def _pg_expr_text(node: object) -> str:
    """A short rendering of a default expression (for display and presence checks)."""
    if not isinstance(node, dict) or not node:
        return "?"
    kind, body = next(iter(node.items()))
    if kind == "A_Const":
        if body.get("isnull"):
            return "NULL"
        for key in ("sval", "ival", "fval", "boolval", "bsval"):
            if key in body:
                inner = body[key]
                val = next(iter(inner.values()), 0 if key == "ival" else False)
                if key == "sval":
                    return "'" + str(val) + "'"
                if key == "boolval":
                    return "true" if val else "false"
                return str(val)
        return "0"
    if kind == "TypeCast":
        return _pg_expr_text(body.get("arg"))
    if kind == "SQLValueFunction":
        return str(body.get("op", "")).replace("SVFOP_", "")
    if kind == "FuncCall":
        return ".".join(_names(body.get("funcname"))) + "()"
    if kind == "ColumnRef":
        return ".".join(_names(body.get("fields")))
    return str(kind)
