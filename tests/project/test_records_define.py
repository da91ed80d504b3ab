"""`analysis.records.dataclass`: records made without the standard decorator's code
generation behave exactly as the standard decorator's."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from analysis import records
from analysis.model import Location, Severity


def twins(source: str) -> tuple[type, type]:
    """The class in `source` made by the standard decorator and by keepdata's."""
    made = []
    for deco in (dataclasses.dataclass, records.dataclass):
        namespace: dict[str, object] = {
            "dataclass": deco,
            "dataclasses": dataclasses,
            "__name__": __name__,
        }
        exec("from __future__ import annotations\n" + source, namespace)
        made.append(namespace["Rec"])
    return made[0], made[1]


PLAIN = """
@dataclass(slots=True, frozen=True)
class Rec:
    name: str
    line: int = 1
    tags: tuple[str, ...] = ()
    note: str | None = None
"""
ORDERED = PLAIN.replace("frozen=True)", "frozen=True, order=True)")
DOCUMENTED = (
    PLAIN.replace("class Rec:\n", 'class Rec:\n    """A record."""\n\n')
    + """
    @property
    def where(self) -> str:
        return f"{self.name}:{self.line}"

    def shifted(self, n: int) -> Rec:
        return dataclasses.replace(self, line=self.line + n)
"""
)
EMPTY = """
@dataclass(slots=True, frozen=True)
class Rec:
    pass
"""
ONE = """
@dataclass(slots=True, frozen=True)
class Rec:
    value: float
"""


NAN = float("nan")


def samples(cls: type, source: str) -> list[object]:
    if source == EMPTY:
        return [cls(), cls()]
    if source == ONE:
        return [cls(1.0), cls(1.0), cls(2.0), cls(NAN)]
    return [
        cls("a"),
        cls("a", 1),
        cls("a", 2, ("x",)),
        cls(name="b", note="n"),
        cls("b", line=0, tags=("y", "z"), note=None),
    ]


@pytest.mark.parametrize("source", [PLAIN, ORDERED, DOCUMENTED, EMPTY, ONE])
def test_the_same_record(source: str) -> None:
    std, ours = twins(source)
    assert "__dict__" not in dir(ours()) if source == EMPTY else True
    a, b = samples(std, source), samples(ours, source)
    assert [repr(x) for x in a] == [repr(y).replace("Rec", "Rec") for y in b]
    assert [dataclasses.astuple(x) for x in a] == [dataclasses.astuple(y) for y in b]
    assert [hash(x) for x in a] == [hash(y) for y in b]
    assert [[x == y for y in a] for x in a] == [[x == y for y in b] for x in b]
    assert [[x != y for y in a] for x in a] == [[x != y for y in b] for x in b]
    if source == ORDERED:
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert [[getattr(x, op)(y) for y in a] for x in a] == [
                [getattr(x, op)(y) for y in b] for x in b
            ]
        assert sorted(b, key=lambda r: r) == sorted(b)
    assert [
        (f.name, f.type, f.default, f.init, f.compare, f.hash, f.repr, f.kw_only)
        for f in dataclasses.fields(std)
    ] == [
        (f.name, f.type, f.default, f.init, f.compare, f.hash, f.repr, f.kw_only)
        for f in dataclasses.fields(ours)
    ]
    assert dataclasses.is_dataclass(ours) and dataclasses.is_dataclass(b[0])
    assert repr(std.__dataclass_params__) == repr(ours.__dataclass_params__)
    assert std.__match_args__ == ours.__match_args__
    assert std.__slots__ == ours.__slots__
    assert std.__doc__ == ours.__doc__
    assert str(inspect.signature(std)) == str(inspect.signature(ours))
    assert std.__init__.__annotations__ == ours.__init__.__annotations__
    globals()["Rec"] = ours  # pickle finds the class by name
    for x in b:
        assert repr(pickle.loads(pickle.dumps(x))) == repr(x)
        assert copy.deepcopy(x) == x
        assert x != object() and (x == object()) is False
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
            x.name = "z"  # type: ignore[attr-defined]
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field"):
            del x.name  # type: ignore[attr-defined]
        assert not hasattr(x, "__dict__")
    if source in (PLAIN, ORDERED, DOCUMENTED):
        assert dataclasses.replace(b[0], line=5) == ours("a", 5)
        assert dataclasses.asdict(b[2]) == dataclasses.asdict(a[2])
        with pytest.raises(TypeError):
            ours()  # a required field is missing
        with pytest.raises(TypeError):
            ours("a", nope=1)
    if source == DOCUMENTED:
        assert b[1].where == "a:1" and b[1].shifted(2) == ours("a", 3)


def test_what_it_leaves_to_the_standard_decorator() -> None:
    for source in (
        PLAIN.replace(
            "tags: tuple[str, ...] = ()",
            "tags: list[str] = dataclasses.field(default_factory=list)",
        ),
        PLAIN.replace("slots=True, frozen=True", "slots=True"),
        PLAIN + "\n    def __post_init__(self) -> None:\n        pass\n",
    ):
        namespace: dict[str, object] = {
            "dataclass": records.dataclass,
            "dataclasses": dataclasses,
            "__name__": __name__,
        }
        exec("from __future__ import annotations\n" + source, namespace)
        cls = namespace["Rec"]
        assert (
            "__create_fn__" in cls.__init__.__code__.co_qualname
            or cls.__init__.__qualname__ == "Rec.__init__"
        )
        assert cls("a") == cls("a")
    with pytest.raises(ValueError, match="mutable default"):
        exec(
            "from __future__ import annotations\n"
            + PLAIN.replace("tags: tuple[str, ...] = ()", "tags: list[str] = []"),
            {"dataclass": records.dataclass, "__name__": __name__},
        )
    with pytest.raises(TypeError, match="non-default argument"):
        exec(
            "from __future__ import annotations\n"
            + PLAIN.replace("    note: str | None = None\n", "    note: str\n"),
            {"dataclass": records.dataclass, "__name__": __name__},
        )


def test_the_analysis_records_are_made_by_it() -> None:
    assert Location.__eq__.__code__.co_filename == records.__file__
    assert Location("a", 2) < Location("a", 3) and Location("b") > Location("a", 9)
    assert sorted({Location("b"), Location("a", 2), Location("a")}) == [
        Location("a"),
        Location("a", 2),
        Location("b"),
    ]
    assert repr(Location("a")) == "Location(path='a', line=1, column=1, end_line=None)"
    assert Severity.HIGH.label == "high"
