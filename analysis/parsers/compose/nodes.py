"""The YAML tree of a compose file: `YMap`, `YSeq`, `YScalar`, each with its location."""

from __future__ import annotations

from dataclasses import field

from analysis.model import Location
from analysis.records import dataclass

MAX_EXPANDED_NODES = 250_000
"""A document whose tree, with every alias expanded, has more nodes than this is refused."""
MAX_PROBLEMS = 50

_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "str",
    "tag:yaml.org,2002:merge": "merge",
    "tag:yaml.org,2002:value": "str",
    "tag:yaml.org,2002:binary": "str",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
    "tag:yaml.org,2002:omap": "seq",
    "tag:yaml.org,2002:pairs": "seq",
    "tag:yaml.org,2002:set": "map",
}


# -- the YAML tree ------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class YScalar:
    """A scalar: `text` is its value as a string (after interpolation, in a stack's tree), `raw`
    the text as written, `tag` one of str/int/float/bool/null or a custom tag (`!reset`)."""

    text: str
    location: Location
    tag: str = "str"
    raw: str = ""

    @property
    def is_null(self) -> bool:
        return self.tag == "null"

    @property
    def value(self) -> str | None:
        return None if self.tag == "null" else self.text


@dataclass(slots=True, frozen=True)
class YSeq:
    items: tuple[YNode, ...]
    location: Location
    tag: str = "seq"


_INDEX_FROM = 16
"""Mappings with more entries than this are looked up through a dict built on first use (a
compose file of 20,000 services made every lookup, and so the analysis, quadratic)."""


@dataclass(slots=True, frozen=True)
class YMap:
    entries: tuple[tuple[YScalar, YNode], ...]
    location: Location
    tag: str = "map"
    _index: dict[str, tuple[YScalar, YNode]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _entry(self, key: object) -> tuple[YScalar, YNode] | None:
        entries = self.entries
        if len(entries) <= _INDEX_FROM:
            for entry in entries:
                if entry[0].text == key:
                    return entry
            return None
        index = self._index
        if index is None:
            index = {}
            for entry in entries:
                index.setdefault(entry[0].text, entry)  # the first of duplicate keys wins
            object.__setattr__(self, "_index", index)
        return index.get(key) if isinstance(key, str) else None

    def get(self, key: str) -> YNode | None:
        entry = self._entry(key)
        return entry[1] if entry is not None else None

    def key(self, key: str) -> YScalar | None:
        entry = self._entry(key)
        return entry[0] if entry is not None else None

    def keys(self) -> tuple[str, ...]:
        return tuple(k.text for k, _ in self.entries)

    def __contains__(self, key: object) -> bool:
        return self._entry(key) is not None


YNode = YScalar | YSeq | YMap


def scalar_text(node: YNode | None) -> str | None:
    """The text of a non-null scalar, else None."""
    if isinstance(node, YScalar) and node.tag != "null":
        return node.text
    return None


def node_bool(node: YNode | None) -> bool | None:
    text = scalar_text(node)
    if text is None:
        return None
    low = text.strip().lower()
    if low in ("true", "yes", "on", "1"):
        return True
    if low in ("false", "no", "off", "0", ""):
        return False
    return None


def node_int(node: YNode | None) -> int | None:
    text = scalar_text(node)
    if text is None:
        return None
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        return None
