"""`analysis.records.dataclass`: records made without the standard decorator's code
generation behave exactly as the standard decorator's."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import subprocess
import sys
from typing import ClassVar

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


FIELDS = """
@dataclass(slots=True, frozen=True)
class Rec:
    LIMIT: ClassVar[int] = 3
    name: str
    line: int = 1
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    note: str | None = dataclasses.field(default=None, compare=False)
    weight: int = dataclasses.field(default=0, hash=False)
    cache: dict[str, int] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )
    made: list[str] = dataclasses.field(default_factory=list, init=False, compare=False)
"""
ORDERED_FIELDS = FIELDS.replace("frozen=True)", "frozen=True, order=True)")
MUTABLE = FIELDS.replace("slots=True, frozen=True", "slots=True").replace(
    "default_factory=tuple", "default_factory=list"
)
PLAIN_CLASS = MUTABLE.replace("@dataclass(slots=True)", "@dataclass")
FROZEN_CLASS = FIELDS.replace("slots=True, frozen=True", "frozen=True")
IDENTITY = FIELDS.replace("frozen=True)", "frozen=True, eq=False)")
OWN_EQ = (
    FIELDS
    + """
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rec) and other.name == self.name
"""
)
_READ_BY_BOTH = ClassVar
"""Both decorators read a string `ClassVar[...]` through the class's module: this one."""
SOURCES = [FIELDS, ORDERED_FIELDS, MUTABLE, PLAIN_CLASS, FROZEN_CLASS, IDENTITY, OWN_EQ]


def field_samples(cls: type, source: str) -> list[object]:
    seq = list if "default_factory=list)" in source.split("made")[0] else tuple
    return [
        cls("a"),
        cls("a", 2, seq(["x"])),
        cls(name="b", note="n"),
        cls("b", 0, seq(["y", "z"]), None, 4),
        cls("b", 0, seq(["y", "z"]), "other", 5),
        cls("a", weight=1),
    ]


def _shape(cls: type) -> list[tuple[object, ...]]:
    shapes = []
    for name, f in cls.__dataclass_fields__.items():  # type: ignore[attr-defined]
        kind = f._field_type.name
        shapes.append((name, f.type, f.default, f.default_factory, f.init, f.repr, f.compare))
        shapes.append((f.hash, f.kw_only, kind))
    return shapes


@pytest.mark.parametrize("source", SOURCES)
def test_the_same_record_with_fields(source: str) -> None:
    """Fields with `field(...)`, factories, `init=False`, a `ClassVar`, mutable and
    dict-backed classes, `order`, `eq=False` and an own `__eq__` are made as the standard
    decorator makes them."""
    std, ours = twins(source)
    a, b = field_samples(std, source), field_samples(ours, source)
    assert [repr(x) for x in a] == [repr(y) for y in b]
    assert [dataclasses.astuple(x) for x in a] == [dataclasses.astuple(y) for y in b]
    assert [[x == y for y in a] for x in a] == [[x == y for y in b] for x in b]
    assert [[x != y for y in a] for x in a] == [[x != y for y in b] for x in b]
    assert (std.__hash__ is None) == (ours.__hash__ is None)
    assert (std.__hash__ is object.__hash__) == (ours.__hash__ is object.__hash__)
    if std.__hash__ not in (None, object.__hash__):
        assert [hash(x) for x in a] == [hash(y) for y in b]
    if source == ORDERED_FIELDS:
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert [[getattr(x, op)(y) for y in a] for x in a] == [
                [getattr(x, op)(y) for y in b] for x in b
            ]
    assert _shape(std) == _shape(ours)
    assert [f.name for f in dataclasses.fields(std)] == [f.name for f in dataclasses.fields(ours)]
    assert repr(std.__dataclass_params__) == repr(ours.__dataclass_params__)
    assert std.__match_args__ == ours.__match_args__
    assert getattr(std, "__slots__", None) == getattr(ours, "__slots__", None)
    assert std.__doc__ == ours.__doc__
    assert str(inspect.signature(std)) == str(inspect.signature(ours))
    assert std.__init__.__annotations__ == ours.__init__.__annotations__
    for name in ("LIMIT", "name", "line", "tags", "note", "cache", "made"):
        assert (name in std.__dict__) == (name in ours.__dict__), name
        if name in std.__dict__ and "__slots__" not in std.__dict__:
            assert std.__dict__[name] == ours.__dict__[name], name
    assert ours.LIMIT == 3 and b[0].cache is None and b[0].made == [] == a[0].made
    assert b[0].made is not b[1].made
    assert b[0].tags is not b[1].tags or b[0].tags == ()
    assert repr(dataclasses.replace(b[1], line=7, note="r")) == repr(
        dataclasses.replace(a[1], line=7, note="r")
    )
    assert dataclasses.asdict(b[3]) == dataclasses.asdict(a[3])
    with pytest.raises(TypeError):
        ours(cache={})  # an `init=False` field is no parameter
    globals()["Rec"] = ours  # pickle finds the class by name
    for x, y in zip(a, b, strict=True):
        assert repr(pickle.loads(pickle.dumps(y))) == repr(y)
        assert repr(copy.deepcopy(y)) == repr(y)
        if "frozen=True" in source:
            with pytest.raises(dataclasses.FrozenInstanceError):
                y.line = 9  # type: ignore[attr-defined]
        else:
            x.line = y.line = 9  # type: ignore[attr-defined]
            assert repr(x) == repr(y)
        assert hasattr(x, "__dict__") == hasattr(y, "__dict__")


def test_what_it_leaves_to_the_standard_decorator() -> None:
    for source in (
        PLAIN + "\n    def __post_init__(self) -> None:\n        pass\n",
        PLAIN.replace("slots=True, frozen=True", "slots=True, kw_only=True"),
        PLAIN.replace("line: int = 1", "line: int = dataclasses.field(default=1, kw_only=True)"),
    ):
        namespace: dict[str, object] = {
            "dataclass": records.dataclass,
            "dataclasses": dataclasses,
            "__name__": __name__,
        }
        exec("from __future__ import annotations\n" + source, namespace)
        cls = namespace["Rec"]
        assert "__create_fn__" in cls.__init__.__code__.co_qualname
        assert cls(name="a") == cls(name="a")
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


def test_no_record_of_the_analysis_is_left_to_the_standard_decorator() -> None:
    """Every record `keepdata check` defines is made without the standard decorator's
    code generation (it costs about a millisecond a class at every start)."""
    from analysis.facts.images.records import Image
    from analysis.facts.startup.where import _PathState
    from analysis.model import Finding
    from analysis.parsers.dockerfile.parser import _StageBuilder

    for cls in (Finding, Image, _PathState, _StageBuilder):
        assert cls.__eq__.__code__.co_filename == records.__file__, cls
    assert Finding.__hash__ is not None and _PathState.__hash__ is None


def test_dataclasses_imported_without_inspect() -> None:
    """`analysis.dataclasses_import`: `dataclasses` works as always (the standard decorator
    writes its signature docstring through `inspect`, imported then), and `inspect` is the
    real module for whoever imports it later."""
    code = (
        "import sys\n"
        "import analysis.records\n"
        "print('inspect' in sys.modules)\n"
        "import dataclasses\n"
        "@dataclasses.dataclass\n"
        "class A:\n"
        "    x: int\n"
        "print(A.__doc__)\n"
        "import inspect\n"
        "print(type(inspect).__name__, str(inspect.signature(A)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split("\n")[:3] == ["False", "A(x: int)", "module (x: int) -> None"]
