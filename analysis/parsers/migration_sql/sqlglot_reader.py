"""MySQL, SQLite and SQL Server files via sqlglot: one reader per statement kind, splitting and errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from analysis.parsers.migration_sql.records import (
    Action,
    ColumnDef,
    Constraint,
    K,
    SelectItem,
    Statement,
    TableDef,
)
from analysis.parsers.migration_sql.text import SQLGLOT_DIALECT, _headers, _problem, _skip_comments
from analysis.parsers.problems import ParseProblem

if TYPE_CHECKING:
    from sqlglot import exp


# -- MySQL, SQLite, SQL Server via sqlglot -------------------------------------------------------------
@cache
def quiet_sqlglot() -> None:
    """sqlglot logs what it cannot parse; keepdata reports it as a finding instead. Called
    before sqlglot's first use (not at import: a PostgreSQL project never loads sqlglot)."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)


_SG_TYPE_NAMES = {"INT": "INTEGER", "BOOL": "BOOLEAN"}


def _sg_type(dt: object) -> tuple[str | None, tuple[str, ...]]:
    """Canonical type text and inline ENUM values of a sqlglot DataType."""
    from sqlglot import exp

    if dt is None or not isinstance(dt, exp.DataType):
        return None, ()
    kind = dt.this
    name = getattr(kind, "name", str(kind))
    if name == "USERDEFINED":
        return '"' + str(dt.args.get("kind") or dt.sql()) + '"', ()
    name = _SG_TYPE_NAMES.get(name, name).replace("_", " ")
    if name in ("ENUM", "SET"):
        vals = tuple(str(e.this) for e in dt.expressions if isinstance(e, exp.Literal))
        return name, vals
    params: list[str] = []
    for e in dt.expressions:
        inner = e.this if isinstance(e, exp.DataTypeParam) else e
        params.append(str(getattr(inner, "this", inner)) if inner is not None else "")
    text = name + ("(" + ",".join(params) + ")" if params else "")
    if "UNSIGNED" in name:
        text = name.replace(" UNSIGNED", "") + " UNSIGNED"
    return text, ()


def _ident(node: object) -> str:
    from sqlglot import exp

    if node is None:
        return ""
    if isinstance(node, exp.Identifier):
        return str(node.this)
    if isinstance(node, exp.Column | exp.Table):
        return str(node.name)
    if isinstance(node, exp.Schema):
        return _ident(node.this)
    if isinstance(node, exp.Expression):
        return str(node.name)
    return str(node)


def _table_parts(node: object) -> tuple[str | None, str | None]:
    from sqlglot import exp

    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return node.name, (node.db or None)
    if node is None:
        return None, None
    return _ident(node), None


def _sg_ref_options(options: Iterable[object] | None) -> tuple[str | None, str | None]:
    on_delete = on_update = None
    for o in options or ():
        s = str(o).upper()
        if s.startswith("ON DELETE "):
            on_delete = s[len("ON DELETE ") :]
        elif s.startswith("ON UPDATE "):
            on_update = s[len("ON UPDATE ") :]
    return on_delete, on_update


class _SgStatementReader:
    def __init__(self, stmt_text: str, base_line: int) -> None:
        self.text = stmt_text
        self.base_line = base_line
        self.pos = 0

    def find_line(self, name: str | None) -> int:
        if not name:
            return self.base_line
        for needle in (f"`{name}`", f'"{name}"', f"[{name}]", name):
            i = self.text.find(needle, self.pos)
            if i != -1:
                self.pos = i + len(needle)
                return self.base_line + self.text.count("\n", 0, i)
        return self.base_line

    def reference(
        self, ref: exp.Expression | None, cols: tuple[str, ...], name: str | None, line: int
    ) -> Constraint:
        from sqlglot import exp

        target = ref.this if ref is not None else None
        rt, rs = _table_parts(target)
        rcols = (
            tuple(_ident(e) for e in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        od, ou = _sg_ref_options(ref.args.get("options") if ref is not None else None)
        return Constraint("foreign key", name, cols, line, rt, rs, rcols, od, ou)

    def constraint(self, node: object, name: str | None = None) -> Constraint | None:
        from sqlglot import exp

        line = self.find_line(name) if name else self.base_line
        if isinstance(node, exp.Constraint):
            cname = _ident(node.this)
            line = self.find_line(cname)
            for inner in node.expressions:
                c = self.constraint(inner, cname)
                if c is not None:
                    return c
            return None
        if isinstance(node, exp.PrimaryKey):
            if not name:
                line = self.find_line("PRIMARY KEY")
            return Constraint("primary key", name, tuple(_ident(e) for e in node.expressions), line)
        if isinstance(node, exp.ForeignKey):
            cols = tuple(_ident(e) for e in node.expressions)
            return self.reference(node.args.get("reference"), cols, name, line)
        if isinstance(node, exp.UniqueColumnConstraint):
            sch = node.this
            ucols: tuple[str, ...] = ()
            iname = name
            if isinstance(sch, exp.Schema):
                ucols = tuple(_ident(e) for e in sch.expressions)
                if not iname and sch.this is not None:
                    iname = _ident(sch.this)
                    line = self.find_line(iname)
            return Constraint("unique", iname, ucols, line)
        if isinstance(node, exp.CheckColumnConstraint | exp.Check):
            return Constraint("check", name, (), line)
        if isinstance(node, exp.IndexColumnConstraint):
            iname = _ident(node.this) if node.this is not None else name
            cols = tuple(
                _ident(e.this if isinstance(e, exp.Ordered) else e) for e in node.expressions
            )
            return Constraint("index", iname, cols, self.find_line(iname) if iname else line)
        return None

    def column_def(self, cd: exp.ColumnDef) -> ColumnDef:
        from sqlglot import exp

        name = _ident(cd.this)
        line = self.find_line(name)
        type_text, enum_vals = _sg_type(cd.args.get("kind"))
        not_null: bool | None = None
        default: str | None = None
        pk = unique = identity = generated = False
        ref: Constraint | None = None
        for c in cd.args.get("constraints") or ():
            k = c.args.get("kind") if isinstance(c, exp.ColumnConstraint) else c
            if isinstance(k, exp.NotNullColumnConstraint):
                not_null = not k.args.get("allow_null")
            elif isinstance(k, exp.DefaultColumnConstraint):
                default = k.this.sql() if k.this is not None else "?"
            elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                pk = True
            elif isinstance(k, exp.UniqueColumnConstraint):
                unique = True
            elif isinstance(
                k, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)
            ):
                identity = True
            elif isinstance(k, exp.ComputedColumnConstraint):
                generated = True
            elif isinstance(k, exp.Reference):
                ref = self.reference(k, (name,), None, line)
        if pk and not_null is None:
            not_null = True
        return ColumnDef(
            name,
            type_text,
            line,
            not_null,
            default,
            pk,
            unique,
            identity,
            generated,
            enum_vals,
            ref,
        )

    def read(self, node: object) -> tuple[str, list[Action]]:
        from sqlglot import exp

        line = self.base_line
        if isinstance(node, exp.Create):
            kind = str(node.args.get("kind") or "").upper()
            if kind == "TABLE":
                sch = node.this
                tname, tschema = _table_parts(sch)
                self.find_line(tname)
                cols: list[ColumnDef] = []
                cons: list[Constraint] = []
                for e in sch.expressions if isinstance(sch, exp.Schema) else ():
                    if isinstance(e, exp.ColumnDef):
                        cols.append(self.column_def(e))
                    else:
                        c = self.constraint(e)
                        if c is not None:
                            cons.append(c)
                td = TableDef(
                    tname or "", tschema, tuple(cols), tuple(cons), bool(node.args.get("exists"))
                )
                return K.CREATE_TABLE, [
                    Action(K.CREATE_TABLE, line, table=tname, schema=tschema, table_def=td)
                ]
            if kind == "INDEX":
                idx = node.this
                tname, tschema = _table_parts(idx.args.get("table"))
                params = idx.args.get("params")
                cols_i: list[str] = []
                for o in (params.args.get("columns") or ()) if params is not None else ():
                    col = o.this if isinstance(o, exp.Ordered) else o
                    cols_i.append(_ident(col) if isinstance(col, exp.Column) else col.sql())
                unique = bool(node.args.get("unique"))
                k = K.CREATE_UNIQUE_INDEX if unique else K.CREATE_INDEX
                return k, [
                    Action(
                        k,
                        line,
                        table=tname,
                        schema=tschema,
                        name=_ident(idx.this),
                        columns=tuple(cols_i),
                        unique=unique,
                        concurrently=bool(node.args.get("concurrently")),
                    )
                ]
            if kind == "VIEW":
                return K.CREATE_VIEW, [Action(K.CREATE_VIEW, line, name=_ident(node.this))]
            if kind == "SCHEMA":
                return K.CREATE_SCHEMA, [Action(K.CREATE_SCHEMA, line, name=_ident(node.this))]
            return K.OTHER, [Action(K.OTHER, line, detail="create " + kind.lower())]
        if isinstance(node, exp.Drop):
            kind = str(node.args.get("kind") or "").upper()
            k = {
                "TABLE": K.DROP_TABLE,
                "INDEX": K.DROP_INDEX,
                "VIEW": K.DROP_VIEW,
                "SCHEMA": K.DROP_SCHEMA,
                "DATABASE": K.DROP_DATABASE,
                "TYPE": K.DROP_TYPE,
            }.get(kind, K.DROP_OTHER)
            out: list[Action] = []
            cluster = node.args.get("cluster")
            on_table = _table_parts(cluster.this)[0] if cluster is not None else None
            for t in node.args.get("tables") or ([node.this] if node.this is not None else []):
                tname, tschema = _table_parts(t)
                tl = self.find_line(tname)
                if k == K.DROP_TABLE:
                    out.append(
                        Action(
                            k,
                            tl,
                            table=tname,
                            schema=tschema,
                            cascade=bool(node.args.get("cascade")),
                            if_exists=bool(node.args.get("exists")),
                        )
                    )
                else:
                    out.append(
                        Action(
                            k,
                            tl,
                            name=tname,
                            table=on_table,
                            schema=tschema,
                            cascade=bool(node.args.get("cascade")),
                            if_exists=bool(node.args.get("exists")),
                        )
                    )
            return k, out or [Action(k, line)]
        if isinstance(node, exp.Alter):
            tname, tschema = _table_parts(node.this)
            self.find_line(tname)
            acts = [self.alter_action(a, tname, tschema) for a in node.args.get("actions") or ()]
            if len(acts) == 1 and acts[0].kind == K.RENAME_TABLE:
                return K.RENAME_TABLE, acts
            return K.ALTER_TABLE, acts or [Action(K.OTHER, line, table=tname)]
        if isinstance(node, exp.TruncateTable):
            tables = tuple(_table_parts(t)[0] or "" for t in node.expressions)
            return K.TRUNCATE, [
                Action(K.TRUNCATE, line, table=tables[0] if tables else None, tables=tables)
            ]
        if isinstance(node, exp.Delete):
            tname, tschema = _table_parts(node.this)
            return K.DELETE, [
                Action(
                    K.DELETE,
                    line,
                    table=tname,
                    schema=tschema,
                    has_where=bool(node.args.get("where")),
                )
            ]
        if isinstance(node, exp.Update):
            tname, tschema = _table_parts(node.this)
            return K.UPDATE, [
                Action(
                    K.UPDATE,
                    line,
                    table=tname,
                    schema=tschema,
                    has_where=bool(node.args.get("where")),
                )
            ]
        if isinstance(node, exp.Insert):
            return self.insert(node)
        if isinstance(node, exp.Transaction):
            return K.BEGIN, [Action(K.BEGIN, line)]
        if isinstance(node, exp.Commit):
            return K.COMMIT, [Action(K.COMMIT, line)]
        if isinstance(node, exp.Rollback):
            return K.ROLLBACK, [Action(K.ROLLBACK, line)]
        if isinstance(node, exp.Pragma):
            return K.PRAGMA, [Action(K.PRAGMA, line, detail=node.this.sql() if node.this else "")]
        if isinstance(node, exp.Set):
            return K.SET, [Action(K.SET, line)]
        if isinstance(node, exp.Query):
            return K.SELECT, [Action(K.SELECT, line)]
        if isinstance(node, exp.Command):
            return self.command(node)
        return K.OTHER, [Action(K.OTHER, line, detail=type(node).__name__)]

    def command(self, node: exp.Command) -> tuple[str, list[Action]]:
        """Statements sqlglot keeps as raw commands: recognise the few that matter."""
        head = str(node.this).upper()
        rest = str(node.expression.this) if node.expression is not None else ""
        line = self.base_line
        if head == "RENAME":
            m = re.match(
                r"\s*TABLE\s+[`\"\[]?([^`\"\]\s]+)[`\"\]]?\s+TO\s+[`\"\[]?([^`\"\]\s]+)", rest, re.I
            )
            if m:
                return K.RENAME_TABLE, [
                    Action(K.RENAME_TABLE, line, table=m.group(1), new_name=m.group(2))
                ]
        if head in ("BEGIN", "START") and not rest.upper().startswith(("TRY", "CATCH")):
            return K.BEGIN, [Action(K.BEGIN, line)]
        if head in ("COMMIT", "END") and not rest.upper().startswith(("TRY", "CATCH")):
            return K.COMMIT, [Action(K.COMMIT, line)]
        if head == "PRAGMA":
            return K.PRAGMA, [Action(K.PRAGMA, line, detail=rest.strip())]
        return K.OTHER, [Action(K.OTHER, line, detail=(head + " " + rest).strip()[:80])]

    def insert(self, node: exp.Insert) -> tuple[str, list[Action]]:
        from sqlglot import exp

        target = node.this
        tname, tschema = _table_parts(target)
        cols = (
            tuple(_ident(e) for e in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        sel = node.expression
        frm = (
            (sel.args.get("from_") or sel.args.get("from")) if isinstance(sel, exp.Select) else None
        )
        if isinstance(sel, exp.Select) and frm is not None:
            src = _table_parts(frm.this)[0] if frm is not None else None
            items: list[SelectItem] = []
            for i, e in enumerate(sel.expressions):
                tgt = cols[i] if i < len(cols) else e.alias_or_name
                val = e.this if isinstance(e, exp.Alias) else e
                if isinstance(val, exp.Column):
                    items.append(SelectItem(tgt, val.name, "column"))
                elif isinstance(val, exp.Coalesce):
                    first = val.this
                    items.append(
                        SelectItem(
                            tgt, first.name if isinstance(first, exp.Column) else None, "coalesce"
                        )
                    )
                elif isinstance(val, exp.Literal | exp.Null | exp.Boolean):
                    items.append(SelectItem(tgt, None, "literal"))
                else:
                    c = val.find(exp.Column)
                    items.append(SelectItem(tgt, c.name if c is not None else None, "expr"))
            return K.INSERT_SELECT, [
                Action(
                    K.INSERT_SELECT,
                    self.base_line,
                    table=tname,
                    schema=tschema,
                    columns=cols,
                    source_table=src,
                    select_items=tuple(items),
                )
            ]
        return K.INSERT, [Action(K.INSERT, self.base_line, table=tname, columns=cols)]

    def alter_action(self, a: exp.Expression, table: str | None, schema: str | None) -> Action:
        from sqlglot import exp

        common: dict[str, Any] = {"table": table, "schema": schema}
        if isinstance(a, exp.ColumnDef):
            cd = self.column_def(a)
            return Action(K.ADD_COLUMN, cd.line, column=cd.name, column_def=cd, **common)
        if isinstance(a, exp.Drop):
            kind = str(a.args.get("kind") or "").upper()
            names = [_ident(t) for t in a.args.get("tables") or ()]
            name = names[0] if names else None
            line = self.find_line(name)
            cascade = bool(a.args.get("cascade"))
            if kind == "COLUMN":
                return Action(
                    K.DROP_COLUMN,
                    line,
                    column=name,
                    cascade=cascade,
                    if_exists=bool(a.args.get("exists")),
                    **common,
                )
            if kind == "FOREIGN KEY":
                return Action(K.DROP_FOREIGN_KEY, line, name=name, **common)
            if kind == "INDEX":
                return Action(K.DROP_INDEX, line, name=name, **common)
            if kind == "CONSTRAINT":
                return Action(K.DROP_CONSTRAINT, line, name=name, cascade=cascade, **common)
            return Action(K.OTHER, line, detail="drop " + kind.lower(), **common)
        if isinstance(a, exp.DropPrimaryKey):
            return Action(K.DROP_PRIMARY_KEY, self.find_line("PRIMARY KEY"), **common)
        if isinstance(a, exp.AddConstraint):
            for inner in a.expressions:
                c = self.constraint(inner)
                if c is not None and c.kind == "index":
                    return Action(K.CREATE_INDEX, c.line, name=c.name, columns=c.columns, **common)
                if c is not None and c.kind == "unique" and c.name and "INDEX" in self.text.upper():
                    return Action(
                        K.CREATE_UNIQUE_INDEX,
                        c.line,
                        name=c.name,
                        columns=c.columns,
                        unique=True,
                        **common,
                    )
                if c is not None:
                    return Action(K.ADD_CONSTRAINT, c.line, name=c.name, constraint=c, **common)
            return Action(K.OTHER, self.base_line, detail="add", **common)
        if isinstance(a, exp.ModifyColumn):
            cd = self.column_def(a.this)
            old = a.args.get("rename_from")
            return Action(
                K.MODIFY_COLUMN,
                cd.line,
                column=_ident(old) if old is not None else cd.name,
                new_name=cd.name if old is not None and _ident(old) != cd.name else None,
                column_def=cd,
                type=cd.type,
                **common,
            )
        if isinstance(a, exp.AlterColumn):
            name = _ident(a.this)
            line = self.find_line(name)
            dtype = a.args.get("dtype")
            if dtype is not None:
                t, _ = _sg_type(dtype)
                using = a.args.get("using")
                return Action(
                    K.ALTER_COLUMN_TYPE,
                    line,
                    column=name,
                    type=t,
                    using=using.sql() if using is not None else None,
                    **common,
                )
            if a.args.get("default") is not None:
                return Action(
                    K.SET_DEFAULT, line, column=name, detail=a.args["default"].sql(), **common
                )
            if a.args.get("drop"):
                return Action(K.DROP_DEFAULT, line, column=name, **common)
            allow_null = a.args.get("allow_null")
            if allow_null is not None:
                return Action(
                    K.DROP_NOT_NULL if allow_null else K.SET_NOT_NULL, line, column=name, **common
                )
            return Action(K.OTHER, line, column=name, detail="alter column", **common)
        if isinstance(a, exp.RenameColumn):
            old = _ident(a.this)
            return Action(
                K.RENAME_COLUMN,
                self.find_line(old),
                column=old,
                new_name=_ident(a.args.get("to")),
                **common,
            )
        if isinstance(a, exp.AlterRename):
            new, _ = _table_parts(a.this)
            return Action(K.RENAME_TABLE, self.base_line, new_name=new, **common)
        if isinstance(a, exp.RenameIndex) if hasattr(exp, "RenameIndex") else False:
            return Action(
                K.RENAME_INDEX,
                self.base_line,
                name=_ident(a.this),
                new_name=_ident(a.args.get("to")),
                **common,
            )
        return Action(K.OTHER, self.base_line, detail=type(a).__name__, **common)


_SG_STATEMENT_TYPES: tuple[type, ...] | None = None


def _sg_statement_types() -> tuple[type, ...]:
    global _SG_STATEMENT_TYPES
    if _SG_STATEMENT_TYPES is None:
        from sqlglot import exp

        names = [
            "Create",
            "Drop",
            "Alter",
            "Insert",
            "Update",
            "Delete",
            "Query",
            "TruncateTable",
            "Transaction",
            "Commit",
            "Rollback",
            "Pragma",
            "Set",
            "Command",
            "Use",
            "Merge",
            "Grant",
            "Revoke",
            "Comment",
            "Analyze",
            "Describe",
            "Show",
            "Copy",
            "Execute",
            "Declare",
            "IfBlock",
            "WhileBlock",
            "Revoke",
            "Refresh",
            "Cache",
            "Uncache",
            "Summarize",
            "Kill",
            "Pivot",
            "Values",
        ]
        _SG_STATEMENT_TYPES = tuple(
            t for n in names if isinstance(t := getattr(exp, n, None), type)
        )
    return _SG_STATEMENT_TYPES


def _naive_split(text: str) -> Iterator[tuple[int, int]]:
    """Statement ranges split on `;` outside quotes and comments (the tokenizer's fallback)."""
    i, start, n = 0, 0, len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
            continue
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close == -1 else close + 2
            continue
        elif ch == ";":
            yield start, i
            start = i + 1
        i += 1
    if text[start:].strip():
        yield start, n


def _parse_sqlglot(
    path: str, text: str, dialect_name: str
) -> tuple[list[Statement], list[ParseProblem]]:
    from sqlglot import TokenType
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ErrorLevel, ParseError, TokenError

    quiet_sqlglot()
    dialect = Dialect.get_or_raise(SQLGLOT_DIALECT[dialect_name])
    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    stypes = _sg_statement_types()
    tsql = dialect_name == "sqlserver"

    def chunks() -> Iterator[tuple[int, int, list[Any] | None]]:
        try:
            tokens = dialect.tokenize(text)
        except TokenError:
            for a, b in _naive_split(text):
                yield a, b, None
            return
        cur: list[Any] = []
        start = 0
        for tok in tokens:
            if tok.token_type == TokenType.SEMICOLON:
                if cur:
                    yield start, tok.start, cur
                cur = []
                start = tok.end + 1
            else:
                cur.append(tok)
        if cur:
            yield start, len(text), cur

    for a, b, toks in chunks():
        begin, comments = _skip_comments(text, a, b)
        if begin >= b:
            continue
        body_text = text[begin:b].rstrip()
        line = text.count("\n", 0, begin) + 1
        col = begin - (text.rfind("\n", 0, begin) + 1) + 1
        end_line = line + body_text.count("\n")
        reader = _SgStatementReader(body_text, line)
        try:
            if toks is None:
                toks = dialect.tokenize(body_text)
                offset = begin
            else:
                offset = 0
            parsed = dialect.parser(error_level=ErrorLevel.RAISE).parse(
                toks, body_text if offset else text
            )
            nodes = [p for p in parsed if p is not None]
            if not nodes:
                continue
            node = nodes[0]
            if not isinstance(node, stypes):
                raise ParseError(f"expected a statement, found {_first_word(body_text)!r}")
            kind, actions = reader.read(node)
            error = None
        except (ParseError, TokenError) as exc:
            msg, eline, ecol = _sg_error(
                exc, line, col, text, begin, offset_is_file=toks is not None
            )
            if tsql and re.search(
                r"\b(TRY|CATCH|TRAN|TRANSACTION|@@TRANCOUNT|THROW)\b", body_text, re.I
            ):
                kind, actions, error = _tsql_wrapper(body_text, line)
            else:
                kind, actions, error = K.INVALID, [Action(K.INVALID, line, detail=msg)], msg
                problems.append(_problem(path, eline, ecol, msg))
        except Exception as exc:  # an AST shape we did not foresee: keep the statement
            kind, actions, error = K.OTHER, [Action(K.OTHER, line, detail=str(exc))], None
        statements.append(
            Statement(
                len(statements),
                kind,
                line,
                col,
                end_line,
                tuple(actions),
                _headers(comments),
                tuple(comments),
                body_text,
                error,
            )
        )
    return statements, problems


def _tsql_wrapper(body: str, line: int) -> tuple[str, list[Action], None]:
    """Prisma's SQL Server TRY/CATCH wrapper pieces: BEGIN TRAN, COMMIT TRAN, the CATCH."""
    up = " ".join(body.upper().split())
    if "CATCH" in up:
        return K.OTHER, [Action(K.OTHER, line, detail="tsql try/catch")], None
    if up.endswith(("BEGIN TRAN", "BEGIN TRANSACTION")):
        return K.BEGIN, [Action(K.BEGIN, line)], None
    if up.startswith(("COMMIT TRAN", "COMMIT")):
        return K.COMMIT, [Action(K.COMMIT, line)], None
    return K.OTHER, [Action(K.OTHER, line, detail="tsql")], None


def _first_word(text: str) -> str:
    parts = text.split(None, 1)
    return parts[0] if parts else ""


def _sg_error(
    exc: Exception, line: int, col: int, text: str, begin: int, offset_is_file: bool
) -> tuple[str, int, int]:
    errors = getattr(exc, "errors", None) or []
    if errors:
        e = errors[0]
        msg = str(e.get("description") or exc).strip()
        el, ec = e.get("line"), e.get("col")
        if isinstance(el, int) and el > 0:
            if offset_is_file:
                return msg, el, max(1, int(ec or 1) - len(str(e.get("highlight") or "")) + 1)
            return msg, line + el - 1, max(1, int(ec or 1))
        return msg, line, col
    msg = str(exc).split("\n", 1)[0].strip()
    return msg, line, col
