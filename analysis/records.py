"""Frozen, slotted dataclass records: cheap to define, quick to construct.

`dataclass` is the standard decorator, except that a frozen, slotted record with plain fields
(no `field(...)`, no base class, no `__post_init__`: nearly every record of the analysis) is
made without the standard one's code generation, which compiles five to nine functions per
class at import: some 200 records cost keepdata's start-up about half its import time. Its
`__eq__`, `__hash__`, `__repr__`, ordering and frozen `__setattr__` are shared functions over
the field tuple; its `__init__` (the `quick_init` one, below) is generated on the first
instantiation. The records behave as the standard decorator's do: the same fields
(`dataclasses.fields`, `replace`, `asdict`), equality, hashing, ordering, repr, signature,
docstring, `__match_args__`, pickling, and `FrozenInstanceError` on assignment (a test
compares them). Anything else goes to the standard decorator unchanged.

A frozen dataclass cannot assign `self.x = x` in its `__init__`, so the generated one calls
`object.__setattr__(self, "x", x)` for every field: a global lookup, an attribute lookup and a
generic call each time. For records made by the ten thousand (one per SQL statement, action,
column), that is most of their cost. `quick_init` gives such a class an `__init__` with the same
parameters and defaults that stores each field through its slot descriptor, which is what
`object.__setattr__` ends up doing: the instances are the same, equality, hashing, `repr`,
`dataclasses.replace` and the refusal of later assignments are unchanged.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, cast, dataclass_transform, overload

T = TypeVar("T")
_MISSING = dataclasses.MISSING
_NOT_PLAIN = ("ClassVar", "InitVar", "KW_ONLY")
"""Annotations the standard decorator treats specially (a pseudo-field, keyword-only)."""


@overload
def dataclass(cls: type[T], /) -> type[T]: ...


@overload
def dataclass(
    cls: None = None,
    /,
    *,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    order: bool = False,
    unsafe_hash: bool = False,
    frozen: bool = False,
    match_args: bool = True,
    kw_only: bool = False,
    slots: bool = False,
    weakref_slot: bool = False,
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(
    cls: type[T] | None = None,
    /,
    *,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    order: bool = False,
    unsafe_hash: bool = False,
    frozen: bool = False,
    match_args: bool = True,
    kw_only: bool = False,
    slots: bool = False,
    weakref_slot: bool = False,
) -> type[T] | Callable[[type[T]], type[T]]:
    """`dataclasses.dataclass`, cheap to apply to a frozen, slotted record (module doc)."""
    options: dict[str, Any] = dict(
        init=init,
        repr=repr,
        eq=eq,
        order=order,
        unsafe_hash=unsafe_hash,
        frozen=frozen,
        match_args=match_args,
        kw_only=kw_only,
        slots=slots,
        weakref_slot=weakref_slot,
    )
    quick = (slots and frozen and init and repr and eq and match_args) and not (
        unsafe_hash or kw_only or weakref_slot
    )

    def wrap(c: type[T]) -> type[T]:
        made = _record(c, order) if quick else None
        return made if made is not None else dataclasses.dataclass(c, **options)

    return wrap if cls is None else wrap(cls)


_Values = Callable[[object], tuple[object, ...]]
"""A record's field values, in order."""


def _tuple_of(names: tuple[str, ...]) -> _Values:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _record(cls: type[T], order: bool) -> type[T] | None:
    """`cls` as a frozen, slotted record, or None when it is not a plain one (see `dataclass`)."""
    body = cls.__dict__
    if (
        type(cls) is not type
        or cls.__bases__ != (object,)
        or "__slots__" in body
        or "__post_init__" in body
        or any(k in body for k in ("__setattr__", "__delattr__", "__init__", "__repr__"))
        or (order and any(k in body for k in ("__lt__", "__le__", "__gt__", "__ge__")))
    ):
        return None
    annotations = body.get("__annotations__", {})
    fields: dict[str, dataclasses.Field[Any]] = {}
    for name, kind in annotations.items():
        if not isinstance(kind, str) or any(word in kind for word in _NOT_PLAIN):
            return None
        default = body.get(name, _MISSING)
        if isinstance(default, (dataclasses.Field, property)) or (
            default is not _MISSING and default.__class__.__hash__ is None
        ):
            return None  # field(...), or a mutable default the standard one refuses
        f: Any = dataclasses.Field(default, _MISSING, True, True, None, True, None, False)  # type: ignore[arg-type]
        f.name = name
        f.type = kind
        f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        fields[name] = f
    try:
        params = dataclasses._DataclassParams(True, True, True, order, False, True)  # type: ignore[attr-defined]
    except TypeError:  # another Python's private API: the standard decorator
        return None
    names = tuple(fields)
    required_after_default = False
    seen_default = False
    for f in fields.values():
        if f.default is _MISSING:
            required_after_default = required_after_default or seen_default
        else:
            seen_default = True
    if required_after_default:
        return None  # the standard decorator raises its own TypeError
    namespace = {k: v for k, v in body.items() if k not in fields}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = names
    namespace["__dataclass_fields__"] = fields
    namespace["__dataclass_params__"] = params
    namespace.setdefault("__match_args__", names)
    new: Any = type(cls.__name__, cls.__bases__, namespace)
    new.__qualname__ = cls.__qualname__
    values = _tuple_of(names)
    _set(new, "__init__", _lazy_init(new, fields))
    _set(new, "__repr__", _repr(names))
    explicit_eq = "__eq__" in body
    if not explicit_eq:
        _set(new, "__eq__", _compare(values, "__eq__"))
    class_hash = body.get("__hash__", _MISSING)
    explicit_hash = not (class_hash is _MISSING or (class_hash is None and explicit_eq))
    if not explicit_hash:
        _set(new, "__hash__", lambda self: hash(values(self)))
    if order:
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            _set(new, op, _compare(values, op))
    _set(new, "__setattr__", _frozen(new, names, "assign to"))
    _set(new, "__delattr__", _frozen(new, names, "delete"))
    if "__getstate__" not in body:
        new.__getstate__ = dataclasses._dataclass_getstate  # type: ignore[attr-defined]
    if "__setstate__" not in body:
        new.__setstate__ = dataclasses._dataclass_setstate  # type: ignore[attr-defined]
    if not body.get("__doc__"):
        new.__doc__ = cls.__name__ + _signature_text(fields)
    return cast("type[T]", new)


def _set(cls: type, name: str, fn: Callable[..., object]) -> None:
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    fn.__module__ = cls.__module__
    type.__setattr__(cls, name, fn)


def _signature_text(fields: dict[str, dataclasses.Field[Any]]) -> str:
    """What `inspect.signature` shows for the standard `__init__` (string annotations)."""
    parts = []
    for f in fields.values():
        text = f"{f.name}: {f.type!r}"
        if f.default is not _MISSING:
            text += f" = {f.default!r}"
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _lazy_init(cls: type, fields: dict[str, dataclasses.Field[Any]]) -> Callable[..., None]:
    def __init__(self: object, *args: object, **kwargs: object) -> None:
        if type.__getattribute__(cls, "__init__") is __init__:
            quick_init(cls)
        type.__getattribute__(cls, "__init__")(self, *args, **kwargs)

    __init__.__annotations__ = {f.name: f.type for f in fields.values()} | {"return": None}
    return __init__


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    getters = [(f"{n}=", attrgetter(n)) for n in names]

    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        inner = ", ".join(label + builtin_repr(get(self)) for label, get in getters)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


builtin_repr = repr


def _compare(values: _Values, op: str) -> Callable[[object, object], object]:
    compare = getattr(tuple, op)

    def method(self: object, other: object) -> object:
        if other.__class__ is self.__class__:
            return compare(values(self), values(other))
        return NotImplemented

    return method


def _frozen(cls: type[T], names: tuple[str, ...], verb: str) -> Callable[..., None]:
    error = dataclasses.FrozenInstanceError
    if verb == "assign to":

        def __setattr__(self: T, name: str, value: object) -> None:
            if type(self) is cls or name in names:
                raise error(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)  # type: ignore[misc]  # cls is a class

        return __setattr__

    def __delattr__(self: T, name: str) -> None:
        if type(self) is cls or name in names:
            raise error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[misc]  # cls is a class

    return __delattr__


def quick_init(cls: type[T]) -> type[T]:
    """Replace the generated `__init__` of a frozen, slotted dataclass (see the module doc).

    Only for classes whose fields all take part in `__init__`, positionally, with plain
    defaults (no `default_factory`), and with no `__post_init__`; anything else is refused."""
    # reflection on the class being decorated (any class: the dataclass machinery's own attributes)
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    namespace: dict[str, object] = {}
    args: list[str] = []
    body: list[str] = []
    for i, f in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: not a plain positional field")
        namespace[f"_s{i}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_d{i}"] = f.default
            args.append(f"{f.name}=_d{i}")
        body.append(f"  _s{i}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(body) or "  pass") + "\n"
    exec(source, namespace)  # the source is built above from the class's own field names
    init: Any = namespace["__init__"]
    generated: Any = cls.__init__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = generated.__doc__
    init.__annotations__ = dict(getattr(generated, "__annotations__", {}))
    type.__setattr__(cls, "__init__", init)
    return cls
