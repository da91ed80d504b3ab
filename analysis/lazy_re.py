"""Regular expressions compiled on first use: a pattern a run never needs costs nothing at
start-up (some character classes, e.g. every non-ASCII identifier character, take
milliseconds to compile)."""

from __future__ import annotations

import re
from typing import cast


class LazyPattern:
    """`re.compile(pattern, flags)` on first use; then its methods and attributes, looked up
    as quickly as a compiled pattern's (they are copied onto the instance)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        compiled = re.compile(*self._source)
        for attr in ("match", "fullmatch", "search", "findall", "finditer", "sub", "subn"):
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__.update(split=compiled.split, pattern=compiled.pattern, flags=compiled.flags)
        self.__dict__.update(groups=compiled.groups, groupindex=compiled.groupindex)
        value: object = getattr(compiled, name)  # the compiled pattern's own attribute
        return value


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A `LazyPattern`, typed as `re.Pattern[str]` for callers (it answers the same calls)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
