"""`analysis.lazy_re`: a pattern compiled on first use answers as the compiled one does."""

from __future__ import annotations

import re

from analysis.lazy_re import LazyPattern, lazy_compile


def test_compiled_on_first_use_and_the_same_answers() -> None:
    source = r"(?P<word>[A-Za-z_$\u00a0-\uffff]+)=(\d+)"
    lazy, real = lazy_compile(source, re.I), re.compile(source, re.I)
    assert isinstance(lazy, LazyPattern) and "match" not in vars(lazy)
    text = "a=1 été=22 x= y=3"
    assert lazy.search(text).group("word") == real.search(text).group("word") == "a"
    assert "match" in vars(lazy)  # compiled once, its methods kept
    assert lazy.findall(text) == real.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.sub(r"\2", text) == real.sub(r"\2", text)
    assert lazy.split(text) == real.split(text)
    assert lazy.match("été=1", 0).group(0) == "été=1"
    assert (lazy.pattern, lazy.flags, lazy.groups, dict(lazy.groupindex)) == (
        real.pattern,
        real.flags,
        real.groups,
        dict(real.groupindex),
    )
