"""Quicker construction of frozen, slotted dataclass records.

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
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Replace the generated `__init__` of a frozen, slotted dataclass (see the module doc).

    Only for classes whose fields all take part in `__init__`, positionally, with plain
    defaults (no `default_factory`), and with no `__post_init__`; anything else is refused."""
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
