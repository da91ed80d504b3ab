"""PyYAML, imported without compiling the one regular expression of it keepdata never runs.

`import yaml` imports PyYAML's pure-Python reader, whose class body compiles
`Reader.NON_PRINTABLE`, a character class spanning all of Unicode: about 4 ms, a tenth of
the import of yaml, at every cold run. keepdata reads YAML with the C loader
(`CSafeLoader`), which checks printable characters itself and never touches that pattern.
So before the first import of yaml the pattern's entry in the `re` module's cache is
filled with a `LazyPattern` (compiled only if the pure-Python reader ever runs, e.g.
without libyaml), and taken out again right after: any later `re.compile` of the same text
compiles as usual. Should a Python keep its cache differently, the import is the ordinary
one. Import yaml from here: `from analysis.parsers.yaml_import import yaml`.
"""

from __future__ import annotations

import re
import sys

from analysis.lazy_re import LazyPattern

NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
"""The text of `yaml.reader.Reader.NON_PRINTABLE` (PyYAML 5.1 to 6.x)."""


def _import_yaml() -> None:
    if "yaml" in sys.modules:
        return
    cache = getattr(re, "_cache", None)
    key = (str, NON_PRINTABLE, 0)
    placeholder = LazyPattern(NON_PRINTABLE)
    seeded = isinstance(cache, dict) and key not in cache
    if seeded:
        cache[key] = placeholder  # type: ignore[index]
    try:
        import yaml  # noqa: F401  # (bound below, for the type checker)
    finally:
        if seeded and cache.get(key) is placeholder:  # type: ignore[union-attr]
            del cache[key]  # type: ignore[union-attr]


_import_yaml()

import yaml  # noqa: E402  # after the stand-in above

__all__ = ["yaml"]
