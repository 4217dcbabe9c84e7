"""Faster construction and pickling of the fact records (`model.py`, `records.py`), which
are frozen, slotted dataclasses. The same records, equal and hashable as before."""

from __future__ import annotations

import dataclasses
from operator import attrgetter


def speed_up(namespace: dict) -> None:
    """Give every slotted dataclass of `namespace` (a module's globals) a faster
    `__init__` and `__reduce__`."""
    for obj in list(namespace.values()):
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and hasattr(obj, "__slots__"):
            fields = dataclasses.fields(obj)
            obj.__reduce__ = _reducer(obj, tuple(f.name for f in fields if f.init))
            # A record with __post_init__ keeps the dataclass __init__, which calls it.
            if not hasattr(obj, "__post_init__") and \
                    all(f.init and f.default_factory is dataclasses.MISSING for f in fields):
                obj.__init__ = _init(obj, fields)


def _reducer(cls: type, names: tuple[str, ...]):
    """Slotted frozen dataclasses unpickle through a per-object `fields()` walk, which
    dominates a warm (cached) scan: rebuild them from a plain tuple instead."""
    # attrgetter reads every field in C; with one name it returns the value itself.
    values = attrgetter(*names) if len(names) > 1 else (lambda obj: tuple(getattr(obj, n) for n in names))

    def __reduce__(self):
        return cls, values(self)
    return __reduce__


def _init(cls: type, fields) -> object:
    """An `__init__` that fills each slot through its descriptor: a frozen dataclass's own
    calls `object.__setattr__` per field, which takes about twice as long (the records'
    constructors were 4–5 % of documenso's extraction)."""
    namespace = {f"set_{f.name}": cls.__dict__[f.name].__set__ for f in fields}
    params = []
    for f in fields:
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"default_{f.name}"] = f.default
            params.append(f"{f.name}=default_{f.name}")
    body = "".join(f"    set_{f.name}(self, {f.name})\n" for f in fields) or "    pass\n"
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init
