"""`quick_init`: the same records as the dataclass-generated `__init__`, only sooner."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from analysis.parsers.migration_sql import Action, ColumnDef, Statement
from analysis.records import quick_init


@dataclasses.dataclass(slots=True, frozen=True)
class _Plain:
    name: str
    line: int
    tags: tuple[str, ...] = ()
    note: str | None = None


@quick_init
@dataclasses.dataclass(slots=True, frozen=True)
class _Quick:
    name: str
    line: int
    tags: tuple[str, ...] = ()
    note: str | None = None


def test_same_fields_defaults_and_signature() -> None:
    assert str(inspect.signature(_Quick)) == str(inspect.signature(_Plain))
    pairs = [
        (_Quick("a", 1), _Plain("a", 1)),
        (_Quick("a", 2, ("x",), note="n"), _Plain("a", 2, ("x",), note="n")),
        (_Quick(name="b", line=3), _Plain(name="b", line=3)),
    ]
    for q, p in pairs:
        assert dataclasses.astuple(q) == dataclasses.astuple(p)
        assert repr(q).replace("_Quick", "_Plain") == repr(p)
    with pytest.raises(TypeError):
        _Quick("a")  # type: ignore[call-arg]  # a required field is missing, as without it


def test_still_frozen_hashable_and_replaceable() -> None:
    a = Action("add column", 3, "T", None, "c")
    assert a == Action("add column", 3, table="T", column="c") and hash(a) == hash(
        Action("add column", 3, table="T", column="c")
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.line = 4  # type: ignore[misc]
    assert dataclasses.replace(a, line=5).line == 5
    cd = ColumnDef("c", "TEXT", 2)
    assert (cd.not_null, cd.default, cd.enum_values, cd.references) == (None, None, (), None)
    st = Statement(0, "alter table", 1, 1, 1, (a,))
    assert st.header is None and st.text == "" and st.error is None


def test_refuses_what_it_cannot_reproduce() -> None:
    @dataclasses.dataclass
    class Mutable:
        x: int

    @dataclasses.dataclass(slots=True, frozen=True)
    class Factory:
        xs: list[int] = dataclasses.field(default_factory=list)

    for cls in (Mutable, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)
