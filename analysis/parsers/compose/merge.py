"""Compose's merge rules for several files, `extends` and `!reset`/`!override`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from analysis.parsers.compose.fields import mount_target_of, parse_port
from analysis.parsers.compose.nodes import YMap, YScalar, YSeq, scalar_text

if TYPE_CHECKING:
    from analysis.parsers.compose.nodes import YNode


# -- Compose merge rules ------------------------------------------------------------------------
_REPLACE_KEYS = frozenset({"command", "entrypoint"})
_KEYED_LISTS = frozenset({"environment", "labels", "args", "sysctls", "extra_hosts"})
"""Lists Compose turns into mappings before merging (`KEY=value` items)."""


def _to_keyed_map(node: YNode, sep: str = "=") -> YMap:
    if isinstance(node, YMap):
        return node
    entries: list[tuple[YScalar, YNode]] = []
    if isinstance(node, YSeq):
        index: dict[str, int] = {}
        for item in node.items:
            if not isinstance(item, YScalar) or item.is_null:
                continue
            text = item.text
            raw = item.raw or text
            if sep in text:
                name, _, value = text.partition(sep)
                raw_value = raw.partition(sep)[2] if sep in raw else value
                val: YScalar = YScalar(value, item.location, "str", raw_value)
            else:
                name = text
                val = YScalar("", item.location, "null", "")
            k = YScalar(name.strip(), item.location, "str", name.strip())
            if k.text in index:
                entries[index[k.text]] = (k, val)
            else:
                index[k.text] = len(entries)
                entries.append((k, val))
    return YMap(tuple(entries), node.location)


def _depends_map(node: YNode) -> YMap:
    if isinstance(node, YMap):
        return node
    entries: list[tuple[YScalar, YNode]] = []
    if isinstance(node, YSeq):
        for item in node.items:
            if isinstance(item, YScalar) and not item.is_null:
                cond = YScalar("service_started", item.location, "str", "service_started")
                ckey = YScalar("condition", item.location, "str", "condition")
                entries.append((item, YMap(((ckey, cond),), item.location)))
    return YMap(tuple(entries), node.location)


def _port_key(node: YNode) -> tuple[str, ...]:
    port = parse_port(node, [])
    if port is None:
        return ("?", repr(node))
    return (port.host_ip or "", port.target, port.published or "", port.protocol)


def _merge_unique(base: YSeq, over: YSeq, key: Callable[[YNode], object]) -> YSeq:
    items = list(base.items)
    index = {key(item): i for i, item in enumerate(items)}
    for item in over.items:
        k = key(item)
        if k is not None and k in index:
            items[index[k]] = item
        else:
            index[k] = len(items)
            items.append(item)
    return YSeq(tuple(items), over.location, base.tag if base.tag not in _CUSTOM else "seq")


_CUSTOM = frozenset({"!reset", "!override"})


def _as_list(node: YNode) -> YSeq:
    if isinstance(node, YSeq):
        return node
    return YSeq((node,), node.location)


def merge_trees(base: YNode, over: YNode, path: tuple[str, ...] = ()) -> YNode:
    """Merge `over` into `base` with Compose's rules for the key path `path`."""
    if over.tag == "!override":
        return _retag(over)
    if over.tag == "!reset":
        return over
    depth = len(path)
    last = path[-1] if path else ""
    in_service = depth >= 2 and path[0] == "services"
    if in_service and depth == 3:
        if last in _REPLACE_KEYS:
            return over
        if last == "volumes" and isinstance(base, YSeq) and isinstance(over, YSeq):
            return _merge_unique(base, over, mount_target_of)
        if last == "ports" and isinstance(base, YSeq) and isinstance(over, YSeq):
            return _merge_unique(base, over, _port_key)
        if last in ("environment", "labels", "sysctls", "extra_hosts"):
            sep = ":" if last == "extra_hosts" else "="
            return _merge_maps(_to_keyed_map(base, sep), _to_keyed_map(over, sep), path)
        if last == "depends_on":
            return _merge_maps(_depends_map(base), _depends_map(over), path)
        if last == "build":
            return _merge_build(base, over, path)
        if last in ("env_file", "tmpfs", "dns", "dns_search"):
            return _merge_unique(_as_list(base), _as_list(over), _scalar_key)
    if in_service and depth == 4 and path[2] == "healthcheck" and last == "test":
        return over
    if in_service and depth == 4 and path[2] == "build" and last == "args":
        return _merge_maps(_to_keyed_map(base), _to_keyed_map(over), path)
    if isinstance(base, YMap) and isinstance(over, YMap):
        return _merge_maps(base, over, path)
    if isinstance(base, YSeq) and isinstance(over, YSeq):
        return YSeq(base.items + over.items, over.location, "seq")
    return over


def _scalar_key(node: YNode) -> object:
    if isinstance(node, YScalar):
        return node.text
    if isinstance(node, YMap):
        return scalar_text(node.get("path"))
    return None


def _merge_build(base: YNode, over: YNode, path: tuple[str, ...]) -> YNode:
    def as_map(node: YNode) -> YNode:
        if isinstance(node, YScalar) and not node.is_null:
            key = YScalar("context", node.location, "str", "context")
            return YMap(((key, node),), node.location)
        return node

    b, o = as_map(base), as_map(over)
    if isinstance(b, YMap) and isinstance(o, YMap):
        return _merge_maps(b, o, path)
    return over


def _merge_maps(base: YMap, over: YMap, path: tuple[str, ...]) -> YMap:
    entries: dict[str, tuple[YScalar, YNode]] = {k.text: (k, v) for k, v in base.entries}
    for k, v in over.entries:
        prev = entries.get(k.text)
        if v.tag == "!reset":
            entries.pop(k.text, None)
            continue
        if prev is None:
            entries[k.text] = (k, _retag(v) if v.tag == "!override" else v)
        else:
            merged = merge_trees(prev[1], v, (*path, k.text))
            # A replaced value is set by the override: its key says where.
            entries[k.text] = (k if isinstance(merged, YScalar) else prev[0], merged)
    return YMap(tuple(entries.values()), base.location, "map")


def _retag(node: YNode) -> YNode:
    if node.tag not in _CUSTOM:
        return node
    if isinstance(node, YMap):
        return replace(node, tag="map")
    if isinstance(node, YSeq):
        return replace(node, tag="seq")
    return replace(node, tag="str")


def strip_reset(node: YNode) -> YNode:
    """Drop `!reset` entries left in a tree that was not merged with anything."""
    if isinstance(node, YMap):
        if not any(v.tag in _CUSTOM or isinstance(v, YMap | YSeq) for _, v in node.entries):
            return node
        return YMap(
            tuple((k, strip_reset(v)) for k, v in node.entries if v.tag != "!reset"),
            node.location,
            node.tag,
        )
    if node.tag == "!override":
        return _retag(node)
    return node


def map_scalars(node: YNode, fn: Callable[[YScalar], YScalar]) -> YNode:
    """A copy of the tree with every scalar value (not keys) replaced by `fn(scalar)`;
    subtrees where nothing changed are shared."""
    if isinstance(node, YScalar):
        return fn(node)
    if isinstance(node, YSeq):
        items = tuple(map_scalars(i, fn) for i in node.items)
        if all(a is b for a, b in zip(items, node.items, strict=True)):
            return node
        return YSeq(items, node.location, node.tag)
    entries = tuple((k, map_scalars(v, fn)) for k, v in node.entries)
    if all(a[1] is b[1] for a, b in zip(entries, node.entries, strict=True)):
        return node
    return YMap(entries, node.location, node.tag)


def with_entry(node: YMap, key: str, value: YNode | None) -> YMap:
    """A copy of `node` with `key` set to `value` (None: removed)."""
    entries = [(k, v) for k, v in node.entries if k.text != key]
    if value is not None:
        existing = node.key(key)
        k = existing or YScalar(key, value.location, "str", key)
        entries.append((k, value))
    return YMap(tuple(entries), node.location, node.tag)
