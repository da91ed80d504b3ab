"""The names discovery may read (analysis.discover_names): the result cache's key takes a file
by `maybe_kind`, discovery by `MAYBE_PATTERN`; a file one takes and the other not would be a
stale cached result, so both must say the same of every name."""

from __future__ import annotations

import itertools
import random
import re

from analysis.discover import classify
from analysis.discover_names import (
    MAYBE_PARTS,
    MAYBE_PATTERN,
    MAYBE_PREFIXES,
    MAYBE_SUFFIXES,
    maybe_kind,
)
from tests.conftest import EXAMPLES

PATTERN = re.compile(MAYBE_PATTERN)


def names() -> list[str]:
    tokens = [*MAYBE_SUFFIXES, *MAYBE_PARTS, *MAYBE_PREFIXES, "x", ".", "\n", "ya", "m", "l"]
    out = {"", "\n", "ml\n", "ml\n\n", "\nml", "a.sql\nb", "prisma.config", "xprisma.config.ts"}
    for a, b in itertools.product(tokens, repeat=2):
        out.update((a + b, "x" + a + b, a + b + "x", a + "\n" + b, a + b + "\n"))
    rng = random.Random(13)
    alphabet = "".join(sorted(set("".join(tokens)))) + "xyz-_"
    out.update(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(5000)
    )
    return sorted(out)


def test_maybe_kind_is_the_pattern() -> None:
    for name in names():
        assert maybe_kind(name) == (PATTERN.search(name) is not None), repr(name)


def test_the_names_need_no_escaping_but_the_dot() -> None:
    for token in (*MAYBE_SUFFIXES, *MAYBE_PARTS, *MAYBE_PREFIXES):
        assert re.fullmatch(r"[a-z0-9_.]+", token), token


def test_every_name_discovery_reads_in_the_examples_may_have_a_kind() -> None:
    found = [p for p in EXAMPLES.rglob("*") if p.is_file()]
    known = [p for p in found if classify(p.relative_to(EXAMPLES).as_posix()) is not None]
    assert len(known) > 20
    assert all(maybe_kind(p.name.lower()) for p in known)
