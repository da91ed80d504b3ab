"""Dataclass records: cheap to define, quick to construct.

`dataclass` is the standard decorator, except that a record without a base class, an
`__init__`, `__repr__`, `__setattr__` or `__post_init__` of its own, `InitVar`s or keyword-only
fields (every record `keepdata check` defines: frozen or not, slotted or not, with defaults,
`field(default=..., default_factory=..., init=, repr=, compare=, hash=)`, `ClassVar`s,
`order=True`, `eq=False`) is made without the standard one's code generation, which compiles
five to nine functions per class at import (about a millisecond a class, at every start).
Its `__eq__`, `__hash__`, `__repr__`, ordering and frozen `__setattr__` are functions over
attribute getters of its fields, made once per class; its `__init__` (the `quick_init` one,
below) is generated on the first instantiation, one compilation per shape of record (how
many fields, which are parameters, which have a factory). The records behave as the standard
decorator's do: the same fields (`dataclasses.fields`, `replace`, `asdict`), class
attributes, equality, hashing (or `__hash__ = None` for a mutable record), ordering, repr,
signature, docstring, `__match_args__`, pickling, and `FrozenInstanceError` on assignment (a
test compares them shape by shape). Anything else goes to the standard decorator unchanged.

A frozen dataclass cannot assign `self.x = x` in its `__init__`, so the generated one calls
`object.__setattr__(self, "x", x)` for every field: a global lookup, an attribute lookup and a
generic call each time. For records made by the ten thousand (one per SQL statement, action,
column), that is most of their cost. `quick_init` gives such a class an `__init__` with the same
parameters and defaults that stores each field through its slot descriptor, which is what
`object.__setattr__` ends up doing: the instances are the same, equality, hashing, `repr`,
`dataclasses.replace` and the refusal of later assignments are unchanged.
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, ClassVar, TypeVar, cast, dataclass_transform, overload

from analysis.dataclasses_import import dataclasses

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
    quick = init and repr and match_args and not (unsafe_hash or kw_only or weakref_slot)
    quick = quick and (eq or not order)  # order without eq: the standard decorator's error

    def wrap(c: type[T]) -> type[T]:
        made = _record(c, eq, order, frozen, slots) if quick else None
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


def _is_classvar(kind: str, module: str) -> bool:
    """`ClassVar[...]` (or a bare `ClassVar`) naming typing's, as the standard one reads it."""
    if not (kind == "ClassVar" or kind.startswith("ClassVar[")):
        return False
    return getattr(sys.modules.get(module), "ClassVar", None) is ClassVar


def _fields(cls: type, kw_only: bool) -> dict[str, dataclasses.Field[Any]] | None:
    """The class's fields as the standard decorator makes them, or None when one is not plain
    (`InitVar`, `KW_ONLY`, a keyword-only or mutable default, a property...)."""
    body = cls.__dict__
    fields: dict[str, dataclasses.Field[Any]] = {}
    for name, kind in body.get("__annotations__", {}).items():
        if not isinstance(kind, str):
            return None
        default = body.get(name, _MISSING)
        if _is_classvar(kind, cls.__module__):
            if isinstance(default, dataclasses.Field):
                return None  # the standard decorator's error
            f: Any = dataclasses.Field(default, _MISSING, True, True, None, True, None, _MISSING)  # type: ignore[arg-type]
            f._field_type = dataclasses._FIELD_CLASSVAR  # type: ignore[attr-defined]
        elif any(word in kind for word in _NOT_PLAIN):
            return None
        elif isinstance(default, dataclasses.Field):
            f = default
            if f.kw_only not in (_MISSING, False) or (
                f.default is not _MISSING and f.default.__class__.__hash__ is None
            ):
                return None
            f.kw_only = kw_only
            f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        elif isinstance(default, property) or (
            default is not _MISSING and default.__class__.__hash__ is None
        ):
            return None  # a mutable default the standard one refuses
        else:
            f = dataclasses.Field(default, _MISSING, True, True, None, True, None, kw_only)  # type: ignore[arg-type]
            f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        f.name = name
        f.type = kind
        fields[name] = f
    return fields


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not _MISSING or f.default_factory is not _MISSING


def _record(cls: type[T], eq: bool, order: bool, frozen: bool, slots: bool) -> type[T] | None:
    """`cls` as the standard decorator makes it, or None when it is not a plain one (see
    `dataclass`): no base class, no `__post_init__`, no `InitVar`/`KW_ONLY`, no `__init__`,
    `__repr__`, `__setattr__` or `__delattr__` of its own, no ordering method with `order`."""
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
    all_fields = _fields(cls, False)
    if all_fields is None:
        return None
    try:
        params = dataclasses._DataclassParams(True, True, eq, order, False, frozen)  # type: ignore[attr-defined]
    except TypeError:  # another Python's private API: the standard decorator
        return None
    fields = [f for f in all_fields.values() if f._field_type is dataclasses._FIELD]  # type: ignore[attr-defined]
    seen_default = False
    for f in fields:
        if f.init:
            if _has_default(f):
                seen_default = True
            elif seen_default:
                return None  # the standard decorator raises its own TypeError
    names = tuple(f.name for f in fields)
    made: list[type] = []  # the class, once made: the methods that need it look it up here
    methods: dict[str, Any] = {
        "__dataclass_params__": params,
        "__dataclass_fields__": all_fields,
        "__init__": _lazy_init(made, fields),
        "__repr__": _repr(tuple(f.name for f in fields if f.repr)),
    }
    explicit_eq = "__eq__" in body
    compared = _tuple_of(tuple(f.name for f in fields if f.compare))
    if eq and not explicit_eq:
        methods["__eq__"] = _compare(compared, "__eq__")
    class_hash = body.get("__hash__", _MISSING)
    explicit_hash = not (class_hash is _MISSING or (class_hash is None and explicit_eq))
    if eq and not explicit_hash:
        if frozen:
            hashed = _tuple_of(
                tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
            )
            methods["__hash__"] = lambda self: hash(hashed(self))
        else:
            methods["__hash__"] = None
    if order:
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            methods[op] = _compare(compared, op)
    if frozen:
        methods["__setattr__"] = _frozen(made, names, "assign to")
        methods["__delattr__"] = _frozen(made, names, "delete")
    if not body.get("__doc__"):
        methods["__doc__"] = cls.__name__ + _signature_text(fields)
    if "__match_args__" not in body:
        methods["__match_args__"] = tuple(f.name for f in fields if f.init)
    if slots and frozen:
        if "__getstate__" not in body:
            methods["__getstate__"] = dataclasses._dataclass_getstate  # type: ignore[attr-defined]
        if "__setstate__" not in body:
            methods["__setstate__"] = dataclasses._dataclass_setstate  # type: ignore[attr-defined]
    qualname = cls.__qualname__
    for name, fn in methods.items():
        if name[2:-2] in _METHOD_NAMES and fn is not None:
            fn.__name__ = name
            fn.__qualname__ = f"{qualname}.{name}"
            fn.__module__ = cls.__module__
    if slots:
        namespace = {k: v for k, v in body.items() if k not in names}
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        namespace["__slots__"] = names
        namespace["__qualname__"] = qualname
        namespace.update(methods)
        new: Any = type(cls.__name__, cls.__bases__, namespace)
    else:  # the standard decorator changes such a class in place
        new = cls
        for f in fields:
            if isinstance(body.get(f.name), dataclasses.Field):
                if f.default is _MISSING:
                    type.__delattr__(new, f.name)
                else:
                    type.__setattr__(new, f.name, f.default)
        for name, value in methods.items():
            type.__setattr__(new, name, value)
    made.append(new)
    return cast("type[T]", new)


_METHOD_NAMES = frozenset(
    ("init", "repr", "eq", "hash", "lt", "le", "gt", "ge", "setattr", "delattr")
)
"""The methods this module writes (named after the class, as the standard decorator's)."""


def _signature_text(fields: list[dataclasses.Field[Any]]) -> str:
    """What `inspect.signature` shows for the standard `__init__` (string annotations)."""
    parts = []
    for f in fields:
        if not f.init:
            continue
        text = f"{f.name}: {f.type!r}"
        if f.default is not _MISSING:
            text += f" = {f.default!r}"
        elif f.default_factory is not _MISSING:
            text += " = <factory>"
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _lazy_init(made: list[type], fields: list[dataclasses.Field[Any]]) -> Callable[..., None]:
    """An `__init__` that, called first, gives the class (`made[0]`) its real one."""

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        cls = made[0]
        if type.__getattribute__(cls, "__init__") is __init__:
            _install_init(cls, fields)
        type.__getattribute__(cls, "__init__")(self, *args, **kwargs)

    __init__.__annotations__ = {f.name: f.type for f in fields if f.init} | {"return": None}
    return __init__


_INIT_CODE: dict[str, CodeType] = {}
"""Compiled `__init__` bodies by shape (how many fields, which are parameters, which have a
factory): records of one shape share one compilation, renamed per class (parameter names
are the code's first local names; its defaults are the function's)."""


def _install_init(cls: type, fields: list[dataclasses.Field[Any]]) -> None:
    """Give `cls` the `__init__` the standard decorator writes, with the same parameters,
    defaults and stored values, but storing each field through its slot descriptor (a frozen
    record's `object.__setattr__` call is most of its construction cost)."""
    slotted = "__slots__" in cls.__dict__
    ns: dict[str, object] = {"_HAS": dataclasses._HAS_DEFAULT_FACTORY}  # type: ignore[attr-defined]
    params: list[str] = []
    names: list[str] = []
    defaults: list[object] = []
    body: list[str] = []
    for i, f in enumerate(fields):
        factory = f.default_factory is not _MISSING
        if f.init:
            names.append(f.name)
            if f.default is not _MISSING or factory:
                defaults.append(ns["_HAS"] if factory else f.default)
            params.append(f"_a{i}")  # defaults live on the function, not in its code
            value = f"_f{i}() if _a{i} is _HAS else _a{i}" if factory else f"_a{i}"
        elif factory:
            value = f"_f{i}()"
        elif f.default is not _MISSING:
            value = f"_d{i}"
        else:
            continue
        ns[f"_f{i}"], ns[f"_d{i}"] = f.default_factory, f.default
        if slotted:
            ns[f"_s{i}"] = cls.__dict__[f.name].__set__
            body.append(f"  _s{i}(__dataclass_self__, {value})")
        else:
            ns[f"_n{i}"] = f.name
            body.append(f"  _set(__dataclass_self__, _n{i}, {value})")
    if not slotted:  # `self.x = v` of a plain class; a frozen one's refuses it
        ns["_set"] = object.__setattr__
    source = f"def __init__({', '.join(['__dataclass_self__', *params])}):\n" + (
        "\n".join(body) or "  pass"
    )
    code = _INIT_CODE.get(source)
    if code is None:
        made: dict[str, Any] = {}
        exec(source, made)  # the source is built above from placeholders only
        code = _INIT_CODE[source] = made["__init__"].__code__
    code = code.replace(
        co_varnames=("__dataclass_self__", *names, *code.co_varnames[len(names) + 1 :])
    )
    init: Any = FunctionType(code, ns, "__init__", tuple(defaults) or None)
    previous: Any = type.__getattribute__(cls, "__init__")
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = previous.__doc__
    init.__annotations__ = {f.name: f.type for f in fields if f.init} | {"return": None}
    type.__setattr__(cls, "__init__", init)


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


def _frozen(made: list[type], names: tuple[str, ...], verb: str) -> Callable[..., None]:
    """The frozen record's `__setattr__` or `__delattr__` (its class: `made[0]`)."""
    error = dataclasses.FrozenInstanceError
    if verb == "assign to":

        def __setattr__(self: object, name: str, value: object) -> None:
            cls: Any = made[0]
            if type(self) is cls or name in names:
                raise error(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        return __setattr__

    def __delattr__(self: object, name: str) -> None:
        cls: Any = made[0]
        if type(self) is cls or name in names:
            raise error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def quick_init(cls: type[T]) -> type[T]:
    """Replace the generated `__init__` of a frozen, slotted dataclass (see the module doc).

    Only for classes whose fields all take part in `__init__`, positionally, with plain
    defaults (no `default_factory`), and with no `__post_init__`; anything else is refused.
    A record made by this module's `dataclass` already gets such an `__init__` (on its first
    instantiation): it is returned as it is."""
    # reflection on the class being decorated (any class: the dataclass machinery's own attributes)
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    fields = list(dataclasses.fields(cls))  # type: ignore[arg-type]
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: not a plain positional field")
    if type.__getattribute__(cls, "__init__").__code__.co_filename != __file__:
        _install_init(cls, fields)
    return cls
