"""Building the YAML tree safely from PyYAML's node graph: duplicate keys, merge keys, alias bombs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.model import Location
from analysis.parsers.compose.merge import merge_trees
from analysis.parsers.compose.nodes import (
    _TAGS,
    MAX_EXPANDED_NODES,
    MAX_PROBLEMS,
    YMap,
    YScalar,
    YSeq,
)
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.parsers.yaml_import import yaml

if TYPE_CHECKING:
    from analysis.parsers.compose.nodes import YNode

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """The document is not turned into a tree (alias bomb, recursion)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _TreeBuilder:
    """PyYAML node graph -> YNode tree. Aliased nodes are converted once and shared."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ParseProblem] = []
        self._done: dict[int, YNode] = {}
        self._size: dict[int, int] = {}
        self._active: set[int] = set()

    def problem(
        self, message: str, line: int, column: int = 1, kind: ProblemKind = ProblemKind.SYNTAX
    ) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ParseProblem(kind, message, Location(self.path, line, column)))

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        end = node.end_mark
        end_line = end.line + 1 if end is not None else None
        if end is not None and end.column == 0 and end.line > mark.line:
            end_line = end.line
        return Location(self.path, mark.line + 1, mark.column + 1, end_line)

    def size(self, node: yaml.Node) -> int:
        """Node count of the expanded tree (memoized on the shared graph; O(graph))."""
        key = id(node)
        cached = self._size.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            mark = node.start_mark
            raise _Refused(
                "a YAML alias refers to a node that contains it (a recursive alias); "
                "Compose cannot read this file",
                mark.line + 1,
                mark.column + 1,
            )
        self._active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += self.size(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += self.size(k) + self.size(v)
        self._active.discard(key)
        if total > MAX_EXPANDED_NODES:
            mark = node.start_mark
            raise _Refused(
                f"YAML aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); not read",
                mark.line + 1,
                mark.column + 1,
            )
        self._size[key] = total
        return total

    def convert(self, node: yaml.Node) -> YNode:
        key = id(node)
        done = self._done.get(key)
        if done is not None:
            return done
        tag = _TAGS.get(node.tag, node.tag)
        out: YNode
        if isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            out = YScalar(text, self.loc(node), "str" if tag in ("map", "seq") else tag, text)
        elif isinstance(node, yaml.SequenceNode):
            out = YSeq(tuple(self.convert(i) for i in node.value), self.loc(node), tag)
        else:
            assert isinstance(node, yaml.MappingNode)
            out = self.mapping(node, tag)
        self._done[key] = out
        return out

    def mapping(self, node: yaml.MappingNode, tag: str) -> YMap:
        merged: dict[str, tuple[YScalar, YNode]] = {}
        explicit: dict[str, tuple[YScalar, YNode]] = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                mark = k_node.start_mark
                self.problem(
                    "a mapping key is itself a list or mapping; Compose cannot read it",
                    mark.line + 1,
                    mark.column + 1,
                )
                continue
            if _TAGS.get(k_node.tag) == "merge":
                self.merge_into(merged, v_node)
                continue
            k = self.convert(k_node)
            assert isinstance(k, YScalar)
            v = self.convert(v_node)
            prev = explicit.get(k.text)
            if prev is not None:
                self.problem(
                    f"duplicate key {k.text!r} in a mapping (first at line {prev[0].location.line});"
                    " Compose rejects the file; keepdata uses the last value",
                    k.location.line,
                    k.location.column,
                    ProblemKind.DUPLICATE,
                )
                del explicit[k.text]
            explicit[k.text] = (k, v)
        if merged:
            for name, entry in explicit.items():
                merged.pop(name, None)
                merged[name] = entry
            entries = tuple(merged.values())
        else:
            entries = tuple(explicit.values())
        return YMap(entries, self.loc(node), tag)

    def merge_into(self, merged: dict[str, tuple[YScalar, YNode]], value: yaml.Node) -> None:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        # Earlier mappings in a `<<: [*a, *b]` list win over later ones.
        for src in reversed(sources):
            conv = self.convert(src)
            if not isinstance(conv, YMap):
                self.problem(
                    "a YAML merge key (`<<`) must name a mapping",
                    src.start_mark.line + 1,
                    src.start_mark.column + 1,
                )
                continue
            for k, v in conv.entries:
                merged.pop(k.text, None)
                merged[k.text] = (k, v)


def load_yaml(text: str, path: str) -> tuple[YNode | None, tuple[ParseProblem, ...]]:
    """The first document of `text` as a YNode tree (several documents: merged in order as
    Compose does), with its parse problems. Never raises."""
    builder = _TreeBuilder(path)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        builder.problem(f"invalid YAML: {what} (line {line}, column {column})", line, column)
        return None, tuple(builder.problems)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        builder.problem(f"invalid YAML: {exc}", 1)
        return None, tuple(builder.problems)
    trees: list[YNode] = []
    try:
        for node in nodes:
            if node is None:
                continue
            builder.size(node)
            trees.append(builder.convert(node))
    except _Refused as exc:
        builder.problem(exc.message, exc.line, exc.column, ProblemKind.LIMIT)
        return None, tuple(builder.problems)
    except RecursionError:
        builder.problem("the YAML nests too deeply to be read", 1, 1, ProblemKind.TOO_DEEP)
        return None, tuple(builder.problems)
    if not trees:
        return None, tuple(builder.problems)
    tree = trees[0]
    for other in trees[1:]:
        if isinstance(tree, YMap) and isinstance(other, YMap):
            tree = merge_trees(tree, other)
    return tree, tuple(builder.problems)
