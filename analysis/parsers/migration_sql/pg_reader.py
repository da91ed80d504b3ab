"""PostgreSQL statements from libpg_query's parse tree: one reader per statement kind, PL/pgSQL bodies."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from analysis.parsers.migration_sql.pg_nodes import (
    _FK_ACTIONS,
    _names,
    _pg_expr_text,
    _pg_type,
    _sval,
)
from analysis.parsers.migration_sql.records import (
    Action,
    ColumnDef,
    Constraint,
    K,
    SelectItem,
    TableDef,
)
from analysis.parsers.migration_sql.text import _newlines


class _PgStatementReader:
    """Turns libpg_query statement nodes of one parsed piece of text into actions.

    One reader serves every statement of the piece: `start` points it at the next one.
    Lines come from a table of newline offsets (bisect), not from counting each time."""

    def __init__(
        self, text: str, newlines: list[int], piece: bytes, offset: int, ascii_only: bool
    ) -> None:
        self.full = text  # the whole file
        self.newlines = newlines  # offsets of "\n" in the whole file
        self.ascii = ascii_only  # the piece is ASCII: its byte offsets are character offsets
        self.piece_newlines: list[int] = []
        self.piece_line = 1
        if not ascii_only:  # libpg_query counts bytes: lines from the piece's byte offsets
            self.piece_newlines = _newlines(piece, b"\n")
            self.piece_line = bisect.bisect_left(newlines, offset) + 1
        self.begin = self.end = self.pos = self.base_offset = self.byte_len = 0
        self.base_line = 1

    def start(self, begin: int, body_len: int, base_line: int, base_offset: int) -> None:
        """Read the statement at file offset `begin`, `body_len` characters long, starting on
        line `base_line` and at byte offset `base_offset` of the piece."""
        self.begin = self.pos = begin
        self.end = begin + body_len
        self.base_line = base_line
        self.base_offset = base_offset
        self.byte_len = (
            body_len if self.ascii else len(self.full[begin : begin + body_len].encode("utf-8"))
        )

    def line_at(self, loc: int | None) -> int:
        """The line of a libpg_query location (a byte offset into the parsed piece)."""
        if loc is None or loc < 0:
            return self.base_line
        rel = loc - self.base_offset
        if rel <= 0:
            return self.base_line
        if rel > self.byte_len:
            rel = self.byte_len
        if self.ascii:
            return bisect.bisect_left(self.newlines, self.begin + rel) + 1
        return self.piece_line + bisect.bisect_left(self.piece_newlines, self.base_offset + rel)

    def find_line(self, name: str | None) -> int:
        """The line of the next mention of `name` (quoted) after the last one found."""
        if not name:
            return self.base_line
        text = self.full
        i = text.find('"' + name + '"', self.pos, self.end)
        if i != -1:
            self.pos = i + len(name) + 2
            return bisect.bisect_left(self.newlines, i) + 1
        i = text.find(name, self.pos, self.end)
        if i != -1:
            self.pos = i + len(name)
            return bisect.bisect_left(self.newlines, i) + 1
        return self.base_line

    # constraints
    def constraint(
        self, c: dict[str, Any], column: str | None = None, line: int | None = None
    ) -> Constraint | None:
        ct = c.get("contype", "")
        kind = {
            "CONSTR_PRIMARY": "primary key",
            "CONSTR_UNIQUE": "unique",
            "CONSTR_FOREIGN": "foreign key",
            "CONSTR_CHECK": "check",
            "CONSTR_EXCLUSION": "exclude",
        }.get(ct)
        if kind is None:
            return None
        cols = tuple(_names(c.get("keys")))
        if kind == "foreign key":
            cols = tuple(_names(c.get("fk_attrs")))
        if not cols and column:
            cols = (column,)
        pk = c.get("pktable") or {}
        return Constraint(
            kind=kind,
            name=c.get("conname"),
            columns=cols,
            line=line if line is not None else self.line_at(c.get("location")),
            ref_table=pk.get("relname"),
            ref_schema=pk.get("schemaname"),
            ref_columns=tuple(_names(c.get("pk_attrs"))),
            on_delete=_FK_ACTIONS.get(c.get("fk_del_action", ""))
            if kind == "foreign key"
            else None,
            on_update=_FK_ACTIONS.get(c.get("fk_upd_action", ""))
            if kind == "foreign key"
            else None,
            not_valid=bool(c.get("skip_validation")),
        )

    def column_def(self, cd: dict[str, Any]) -> ColumnDef:
        name = cd.get("colname", "")
        type_text, serial = _pg_type(cd.get("typeName"))
        line = self.line_at(cd.get("location"))
        not_null: bool | None = None
        default: str | None = None
        pk = unique = identity = generated = False
        ref: Constraint | None = None
        for item in cd.get("constraints") or ():
            c = item.get("Constraint", {})
            ct = c.get("contype")
            if ct == "CONSTR_NOTNULL":
                not_null = True
            elif ct == "CONSTR_NULL":
                not_null = False
            elif ct == "CONSTR_DEFAULT":
                default = _pg_expr_text(c.get("raw_expr"))
            elif ct == "CONSTR_PRIMARY":
                pk, not_null = True, True
            elif ct == "CONSTR_UNIQUE":
                unique = True
            elif ct == "CONSTR_IDENTITY":
                identity = True
            elif ct == "CONSTR_GENERATED":
                generated = True
            elif ct == "CONSTR_FOREIGN":
                ref = self.constraint(c, column=name, line=line)
        if serial:
            identity = True
            default = default or "autoincrement()"
        return ColumnDef(
            name, type_text, line, not_null, default, pk, unique, identity, generated, (), ref
        )

    # statements
    def _CreateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols: list[ColumnDef] = []
        cons: list[Constraint] = []
        for elt in b.get("tableElts") or ():
            if "ColumnDef" in elt:
                cols.append(self.column_def(elt["ColumnDef"]))
            elif "Constraint" in elt:
                c = self.constraint(elt["Constraint"])
                if c is not None:
                    cons.append(c)
        td = TableDef(
            rel.get("relname", ""),
            rel.get("schemaname"),
            tuple(cols),
            tuple(cons),
            bool(b.get("if_not_exists")),
        )
        return K.CREATE_TABLE, [
            Action(K.CREATE_TABLE, self.base_line, table=td.name, schema=td.schema, table_def=td)
        ]

    def _AlterTableStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        table, schema = rel.get("relname"), rel.get("schemaname")
        objtype = b.get("objtype", "OBJECT_TABLE")
        if objtype not in ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE"):
            return K.OTHER, [Action(K.OTHER, self.base_line, table=table, detail=objtype)]
        self.pos = self.begin
        self.find_line(table)
        out: list[Action] = []
        for item in b.get("cmds") or ():
            cmd = item.get("AlterTableCmd", {})
            out.append(self.alter_cmd(cmd, table, schema))
        return K.ALTER_TABLE, out

    def alter_cmd(self, cmd: dict[str, Any], table: str | None, schema: str | None) -> Action:
        st = cmd.get("subtype", "")
        if st == "AT_AddColumn":  # by far the most common: first, with no other look-ups
            cd = self.column_def((cmd.get("def") or {}).get("ColumnDef", {}))
            self.find_line(cd.name)
            return Action(
                K.ADD_COLUMN,
                cd.line,
                table,
                schema,
                cd.name,
                column_def=cd,
                if_exists=bool(cmd.get("missing_ok")),
            )
        name = cmd.get("name")
        cascade = cmd.get("behavior") == "DROP_CASCADE"
        d = cmd.get("def") or {}
        if st == "AT_DropColumn":
            return Action(
                K.DROP_COLUMN,
                self.find_line(name),
                table,
                schema,
                name,
                cascade=cascade,
                if_exists=bool(cmd.get("missing_ok")),
            )
        if st == "AT_AlterColumnType":
            cd = d.get("ColumnDef", {})
            type_text, _ = _pg_type(cd.get("typeName"))
            using = cd.get("raw_default")
            return Action(
                K.ALTER_COLUMN_TYPE,
                self.find_line(name),
                table,
                schema,
                name,
                type=type_text,
                using=_pg_using(using) if using else None,
            )
        if st == "AT_SetNotNull":
            return Action(K.SET_NOT_NULL, self.find_line(name), table, schema, name)
        if st == "AT_DropNotNull":
            return Action(K.DROP_NOT_NULL, self.find_line(name), table, schema, name)
        if st == "AT_ColumnDefault":
            line = self.find_line(name)
            if d:
                return Action(K.SET_DEFAULT, line, table, schema, name, detail=_pg_expr_text(d))
            return Action(K.DROP_DEFAULT, line, table, schema, name)
        if st == "AT_AddConstraint":
            c = self.constraint(d.get("Constraint", {}))
            if c is None:
                return Action(K.OTHER, self.base_line, table, schema, detail="add constraint")
            self.find_line(c.name)
            return Action(K.ADD_CONSTRAINT, c.line, table, schema, name=c.name, constraint=c)
        if st == "AT_DropConstraint":
            return Action(
                K.DROP_CONSTRAINT,
                self.find_line(name),
                table,
                schema,
                name=name,
                cascade=cascade,
                if_exists=bool(cmd.get("missing_ok")),
            )
        return Action(K.OTHER, self.base_line, table, schema, detail=st)

    def _RenameStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rt = b.get("renameType", "")
        rel = b.get("relation") or {}
        new = b.get("newname")
        table, schema = rel.get("relname"), rel.get("schemaname")
        line = self.base_line
        if rt == "OBJECT_TABLE":
            return K.RENAME_TABLE, [
                Action(K.RENAME_TABLE, line, table=table, schema=schema, new_name=new)
            ]
        if rt == "OBJECT_COLUMN":
            return K.RENAME_COLUMN, [
                Action(
                    K.RENAME_COLUMN,
                    line,
                    table=table,
                    schema=schema,
                    column=b.get("subname"),
                    new_name=new,
                )
            ]
        if rt == "OBJECT_INDEX":
            return K.RENAME_INDEX, [
                Action(K.RENAME_INDEX, line, name=table, schema=schema, new_name=new)
            ]
        if rt == "OBJECT_TABCONSTRAINT":
            return K.RENAME_CONSTRAINT, [
                Action(
                    K.RENAME_CONSTRAINT,
                    line,
                    table=table,
                    schema=schema,
                    name=b.get("subname"),
                    new_name=new,
                )
            ]
        if rt in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
            obj = b.get("object") or {}
            names = _names((obj.get("List") or {}).get("items")) or _names(
                (obj.get("TypeName") or {}).get("names")
            )
            return K.RENAME_TYPE, [
                Action(
                    K.RENAME_TYPE,
                    line,
                    name=names[-1] if names else None,
                    schema=names[0] if len(names) > 1 else None,
                    new_name=new,
                )
            ]
        if rt == "OBJECT_SCHEMA":
            return K.RENAME_SCHEMA, [
                Action(K.RENAME_SCHEMA, line, name=b.get("subname"), new_name=new)
            ]
        return K.OTHER, [Action(K.OTHER, line, detail=f"rename {rt}")]

    def _DropStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rt = b.get("removeType", "")
        cascade = b.get("behavior") == "DROP_CASCADE"
        if_exists = bool(b.get("missing_ok"))
        kind = {
            "OBJECT_TABLE": K.DROP_TABLE,
            "OBJECT_TYPE": K.DROP_TYPE,
            "OBJECT_DOMAIN": K.DROP_TYPE,
            "OBJECT_INDEX": K.DROP_INDEX,
            "OBJECT_SCHEMA": K.DROP_SCHEMA,
            "OBJECT_EXTENSION": K.DROP_EXTENSION,
            "OBJECT_VIEW": K.DROP_VIEW,
            "OBJECT_MATVIEW": K.DROP_VIEW,
            "OBJECT_SEQUENCE": K.DROP_SEQUENCE,
        }.get(rt, K.DROP_OTHER)
        self.pos = self.begin
        out: list[Action] = []
        for obj in b.get("objects") or ():
            if "List" in obj:
                names = _names(obj["List"].get("items"))
            elif "TypeName" in obj:
                names = _names(obj["TypeName"].get("names"))
            elif "String" in obj:
                names = [_sval(obj)]
            else:
                names = []
            if not names:
                continue
            name, schema = names[-1], (names[-2] if len(names) > 1 else None)
            line = self.find_line(name)
            if kind == K.DROP_TABLE:
                out.append(
                    Action(
                        kind, line, table=name, schema=schema, cascade=cascade, if_exists=if_exists
                    )
                )
            else:
                out.append(
                    Action(
                        kind,
                        line,
                        name=name,
                        schema=schema,
                        cascade=cascade,
                        if_exists=if_exists,
                        concurrently=bool(b.get("concurrent")),
                        detail=rt,
                    )
                )
        if not out:
            out.append(Action(kind, self.base_line, cascade=cascade, detail=rt))
        return kind, out

    def _IndexStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols: list[str] = []
        for p in b.get("indexParams") or ():
            ie = p.get("IndexElem", {})
            cols.append(ie["name"] if "name" in ie else "(" + _pg_expr_text(ie.get("expr")) + ")")
        unique = bool(b.get("unique"))
        kind = K.CREATE_UNIQUE_INDEX if unique else K.CREATE_INDEX
        return kind, [
            Action(
                kind,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                name=b.get("idxname"),
                columns=tuple(cols),
                unique=unique,
                concurrently=bool(b.get("concurrent")),
                has_where=bool(b.get("whereClause")),
                detail=b.get("accessMethod", ""),
            )
        ]

    def _ReindexStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        conc = any(
            (p.get("DefElem") or {}).get("defname") == "concurrently" for p in b.get("params") or ()
        )
        rel = b.get("relation") or {}
        return K.REINDEX, [
            Action(
                K.REINDEX,
                self.base_line,
                name=rel.get("relname") or b.get("name"),
                concurrently=conc,
            )
        ]

    def _TruncateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        tables = tuple(
            (r.get("RangeVar") or {}).get("relname", "") for r in b.get("relations") or ()
        )
        return K.TRUNCATE, [
            Action(
                K.TRUNCATE,
                self.base_line,
                table=tables[0] if tables else None,
                tables=tables,
                cascade=b.get("behavior") == "DROP_CASCADE",
            )
        ]

    def _DeleteStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        return K.DELETE, [
            Action(
                K.DELETE,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                has_where=bool(b.get("whereClause")),
            )
        ]

    def _UpdateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols = tuple((t.get("ResTarget") or {}).get("name", "") for t in b.get("targetList") or ())
        return K.UPDATE, [
            Action(
                K.UPDATE,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                columns=cols,
                has_where=bool(b.get("whereClause")),
            )
        ]

    def _InsertStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols = tuple((c.get("ResTarget") or {}).get("name", "") for c in b.get("cols") or ())
        sel = (b.get("selectStmt") or {}).get("SelectStmt") or {}
        from_tables = [
            (f.get("RangeVar") or {}).get("relname") for f in sel.get("fromClause") or ()
        ]
        if sel.get("targetList") is not None and from_tables:
            items: list[SelectItem] = []
            for i, t in enumerate(sel.get("targetList") or ()):
                rt = t.get("ResTarget") or {}
                target = cols[i] if i < len(cols) else rt.get("name", "")
                src, how = _pg_select_source(rt.get("val") or {})
                items.append(SelectItem(target, src, how))
            return K.INSERT_SELECT, [
                Action(
                    K.INSERT_SELECT,
                    self.base_line,
                    table=rel.get("relname"),
                    schema=rel.get("schemaname"),
                    columns=cols,
                    source_table=from_tables[0],
                    select_items=tuple(items),
                )
            ]
        return K.INSERT, [Action(K.INSERT, self.base_line, table=rel.get("relname"), columns=cols)]

    def _TransactionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        k = b.get("kind", "")
        kind = {
            "TRANS_STMT_BEGIN": K.BEGIN,
            "TRANS_STMT_START": K.BEGIN,
            "TRANS_STMT_COMMIT": K.COMMIT,
            "TRANS_STMT_ROLLBACK": K.ROLLBACK,
        }.get(k, K.OTHER)
        return kind, [Action(kind, self.base_line, detail=k)]

    def _CreateEnumStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        names = _names(b.get("typeName"))
        vals = tuple(_names(b.get("vals")))
        return K.CREATE_ENUM, [
            Action(
                K.CREATE_ENUM,
                self.base_line,
                name=names[-1] if names else None,
                schema=names[0] if len(names) > 1 else None,
                values=vals,
            )
        ]

    def _AlterEnumStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        names = _names(b.get("typeName"))
        name = names[-1] if names else None
        schema = names[0] if len(names) > 1 else None
        if b.get("oldVal"):
            return K.RENAME_ENUM_VALUE, [
                Action(
                    K.RENAME_ENUM_VALUE,
                    self.base_line,
                    name=name,
                    schema=schema,
                    values=(b["oldVal"],),
                    new_name=b.get("newVal"),
                )
            ]
        return K.ADD_ENUM_VALUE, [
            Action(
                K.ADD_ENUM_VALUE,
                self.base_line,
                name=name,
                schema=schema,
                values=(b.get("newVal", ""),),
                detail=("after " if b.get("newValIsAfter") else "before ")
                + str(b.get("newValNeighbor") or ""),
            )
        ]

    def _CompositeTypeStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("typevar") or {}
        return K.CREATE_TYPE, [Action(K.CREATE_TYPE, self.base_line, name=rel.get("relname"))]

    def _CreateExtensionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        opts = {(o.get("DefElem") or {}).get("defname"): o for o in b.get("options") or ()}
        schema = None
        if "schema" in opts:
            schema = _sval((opts["schema"].get("DefElem") or {}).get("arg"))
        return K.CREATE_EXTENSION, [
            Action(
                K.CREATE_EXTENSION,
                self.base_line,
                name=b.get("extname"),
                schema=schema,
                if_exists=bool(b.get("if_not_exists")),
            )
        ]

    def _CreateSchemaStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.CREATE_SCHEMA, [Action(K.CREATE_SCHEMA, self.base_line, name=b.get("schemaname"))]

    def _DropdbStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.DROP_DATABASE, [Action(K.DROP_DATABASE, self.base_line, name=b.get("dbname"))]

    def _ViewStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("view") or {}
        return K.CREATE_VIEW, [Action(K.CREATE_VIEW, self.base_line, name=rel.get("relname"))]

    def _CreateSeqStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("sequence") or {}
        return K.CREATE_SEQUENCE, [
            Action(K.CREATE_SEQUENCE, self.base_line, name=rel.get("relname"))
        ]

    def _AlterSeqStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("sequence") or {}
        return K.ALTER_SEQUENCE, [Action(K.ALTER_SEQUENCE, self.base_line, name=rel.get("relname"))]

    def _VariableSetStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.SET, [Action(K.SET, self.base_line, name=b.get("name"))]

    def _SelectStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.SELECT, [Action(K.SELECT, self.base_line)]

    # -- code blocks: `DO $$ ... $$` and function bodies ---------------------------------------
    def _DoStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        """`DO $$ BEGIN ... END $$`: the statements of the block run now, each an action at its
        own line (`IF EXISTS (...) THEN ALTER TABLE ... DROP COLUMN ...`)."""
        code, language = _routine_body(b.get("args"))
        head = Action(K.OTHER, self.base_line, detail="do block")
        if code is None or language != "plpgsql":
            return K.OTHER, [head]
        return K.OTHER, [head, *self.block_actions(code)]

    def _CreateFunctionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        """A function's statements run when it is called: kept as `body` actions (detail
        "function body: name") that a call in the same migration brings in."""
        code, language = _routine_body(b.get("options"))
        name = _names(b.get("funcname"))
        head = Action(K.OTHER, self.base_line, name=name[-1] if name else None, detail="function")
        if code is None or language not in ("plpgsql", "sql") or not name:
            return K.OTHER, [head]
        inner = self.block_actions(code, language)
        body = [replace(a, detail=f"function body: {name[-1]}|{a.detail}") for a in inner]
        return K.OTHER, [head, *body]

    def block_actions(self, code: str, language: str = "plpgsql") -> list[Action]:
        """The actions of the SQL statements inside a PL/pgSQL (or SQL) body, at their lines."""
        stmt = self.full[self.begin : self.end]
        at = stmt.find(code)
        first_line = self.base_line + (stmt.count("\n", 0, at) if at >= 0 else 0)
        try:
            return list(_plpgsql_actions(code, language, first_line))
        except Exception:  # a body we cannot read: the statement stays as it was
            return []


_PG_HANDLERS: dict[
    str, Callable[[_PgStatementReader, dict[str, Any]], tuple[str, list[Action]]]
] = {
    name[1:]: fn
    for name, fn in vars(_PgStatementReader).items()
    if name.startswith("_") and name[1:2].isupper() and callable(fn)
}
"""libpg_query node name -> the reader's method for it (`CreateStmt` -> `_CreateStmt`)."""


def _routine_body(options: Iterable[object] | None) -> tuple[str | None, str]:
    """The code (`AS $$ ... $$`) and language of a DO/CREATE FUNCTION's options."""
    code: str | None = None
    language = "plpgsql"
    for opt in options or ():
        d = opt.get("DefElem") if isinstance(opt, dict) else None
        if not d:
            continue
        arg = d.get("arg") or {}
        if d.get("defname") == "language" and "String" in arg:
            language = str(arg["String"].get("sval", "")).lower()
        elif d.get("defname") == "as":
            items = arg.get("List", {}).get("items") if "List" in arg else [arg]
            first = (items or [{}])[0]
            if "String" in first:
                code = str(first["String"].get("sval", ""))
    return code, language


def _plpgsql_actions(code: str, language: str, first_line: int) -> Iterator[Action]:
    """Each SQL statement of the body through the statement reader, its lines moved to the
    file (`first_line` is the body's first line)."""
    from analysis.parsers.migration_sql.pg_native import pg_parser  # not needed for other dialects

    pgparser = pg_parser()

    queries: list[tuple[int, str]] = []
    if language == "sql":
        queries.append((1, code))
    else:
        tag = "$kd_body$"
        while tag in code:
            tag = tag[:-1] + "x$"
        wrapped = f"CREATE FUNCTION kd_body() RETURNS void AS {tag}{code}{tag} LANGUAGE plpgsql"
        tree = json.loads(pgparser.parse_plpgsql_json(wrapped))
        _plpgsql_queries(tree, queries, 1)
    for lineno, query in queries:
        parsed = json.loads(pgparser.parse_sql_json(query))
        for raw in parsed.get("stmts") or ():
            node = raw.get("stmt") or {}
            if not node:
                continue
            kind_name, body = next(iter(node.items()))
            handler = _PG_HANDLERS.get(kind_name)
            if handler is None or kind_name in ("DoStmt", "CreateFunctionStmt", "SelectStmt"):
                continue
            loc = int(raw.get("stmt_location", 0))
            length = int(raw.get("stmt_len", 0)) or (len(query) - loc)
            data = query.encode("utf-8")
            reader = _PgStatementReader(
                query, _newlines(query, "\n"), data, 0, len(data) == len(query)
            )
            begin = loc if len(data) == len(query) else len(data[:loc].decode("utf-8", "replace"))
            line = query.count("\n", 0, begin) + 1
            reader.start(begin, length, line, loc)
            _kind, actions = handler(reader, body)
            shift = first_line + lineno - 2
            for a in actions:
                yield replace(a, line=a.line + shift)


def _plpgsql_queries(node: object, out: list[tuple[int, str]], lineno: int) -> None:
    """The SQL statements of a PL/pgSQL tree (`PLpgSQL_stmt_execsql`, and `EXECUTE 'literal'`)
    with their line in the body."""
    if isinstance(node, list):
        for item in node:
            _plpgsql_queries(item, out, lineno)
        return
    if not isinstance(node, dict):
        return
    lineno = int(node.get("lineno", lineno) or lineno)
    execsql = node.get("PLpgSQL_stmt_execsql")
    if isinstance(execsql, dict):
        line = int(execsql.get("lineno", lineno) or lineno)
        query = ((execsql.get("sqlstmt") or {}).get("PLpgSQL_expr") or {}).get("query")
        if isinstance(query, str):
            out.append((line, query))
        return
    dyn = node.get("PLpgSQL_stmt_dynexecute")
    if isinstance(dyn, dict):
        line = int(dyn.get("lineno", lineno) or lineno)
        query = ((dyn.get("query") or {}).get("PLpgSQL_expr") or {}).get("query")
        m = re.fullmatch(r"\s*'((?:[^']|'')*)'\s*", query or "")
        if m:
            out.append((line, m.group(1).replace("''", "'")))
        return
    for value in node.values():
        _plpgsql_queries(value, out, lineno)


def _pg_using(node: dict[str, Any]) -> str:
    """The USING expression of an ALTER COLUMN TYPE as `col::a::b` (enough to see casts)."""
    parts: list[str] = []
    cur: Any = node
    while isinstance(cur, dict) and "TypeCast" in cur:
        tc = cur["TypeCast"]
        t, _ = _pg_type(tc.get("typeName"))
        parts.append(t or "?")
        cur = tc.get("arg")
    base = _pg_expr_text(cur) if isinstance(cur, dict) else "?"
    return base + "".join("::" + p for p in reversed(parts))


def _pg_select_source(val: dict[str, Any]) -> tuple[str | None, str]:
    if "ColumnRef" in val:
        names = _names(val["ColumnRef"].get("fields"))
        return (names[-1] if names else None), "column"
    if "CoalesceExpr" in val:
        args = val["CoalesceExpr"].get("args") or []
        if args and "ColumnRef" in args[0]:
            names = _names(args[0]["ColumnRef"].get("fields"))
            return (names[-1] if names else None), "coalesce"
        return None, "coalesce"
    if "A_Const" in val or "TypeCast" in val:
        inner = val.get("TypeCast", {}).get("arg", val) if "TypeCast" in val else val
        if "ColumnRef" in inner:
            names = _names(inner["ColumnRef"].get("fields"))
            return (names[-1] if names else None), "column"
        return None, "literal"
    return None, "expr"
