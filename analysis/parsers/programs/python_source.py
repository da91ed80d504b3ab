"""Python: the commands a file runs through subprocess and os, read from its syntax tree."""

from __future__ import annotations

import ast
import warnings

from analysis.model import Location
from analysis.parsers.programs.records import ProgramCommand, ProgramFile
from analysis.sources import SourceFile

# ---------------------------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------------------------

_PY_APIS = frozenset(
    {"run", "call", "Popen", "check_call", "check_output", "getoutput", "getstatusoutput"}
)


def _py_value(node: ast.AST, consts: dict[str, ast.AST]) -> str | tuple[str, ...] | None:
    if isinstance(node, ast.Name) and node.id in consts:
        node = consts[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                parts.append(v.value)
            else:
                parts.append("${...}")
        return "".join(parts)
    if isinstance(node, (ast.List, ast.Tuple)):
        items: list[str] = []
        for elt in node.elts:
            item = _py_value(elt, consts)
            items.append(item if isinstance(item, str) else "${...}")
        return tuple(items)
    return None


def _parse_python(source: SourceFile) -> ProgramFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of the analyzed file
            tree = ast.parse(source.text, filename=source.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ProgramFile(source.path, "python", ())
    consts: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, (ast.Constant, ast.List, ast.Tuple, ast.JoinedStr))
        ):
            consts[node.targets[0].id] = node.value
    out: list[ProgramCommand] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = ""
        owner = ""
        if isinstance(func, ast.Attribute):
            name = func.attr
            if isinstance(func.value, ast.Name):
                owner = func.value.id
        elif isinstance(func, ast.Name):
            name = func.id
        api = f"{owner}.{name}" if owner else name
        is_sub = name in _PY_APIS and owner in ("subprocess", "sp", "")
        is_os = name in ("system", "popen") and owner == "os"
        if not (is_sub or is_os):
            continue
        if owner == "" and name in ("run", "call"):
            continue  # too generic without the module
        value = _py_value(node.args[0], consts)
        loc = Location(source.path, node.lineno, node.col_offset + 1)
        if isinstance(value, str):
            out.append(ProgramCommand(api, loc, command=value))
        elif isinstance(value, tuple) and value:
            out.append(ProgramCommand(api, loc, argv=value))
    out.sort(key=lambda c: (c.location.line, c.location.column))
    return ProgramFile(source.path, "python", tuple(out))
