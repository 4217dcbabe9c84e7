"""The cache's pickle of FileFacts: each record rebuilt by a constructor made for its
class, which fills the slots through their descriptors and interns its text fields.
Unpickling every file's facts is most of a warm scan: this takes a third off the
records' own `__init__` (a frozen dataclass's `object.__setattr__` per field). And the
parent holds every file's facts, whose names (imports, callees, parameters, modules)
repeat from file to file: interned, documenso's 183,000 strings are 21,000. The same
records, equal and hashable as before; `facts/model.py`'s `__reduce__` stays what
other pickles use."""

from __future__ import annotations

import dataclasses
import io
import pickle
import sys

from .facts import model, records
from .facts.model import FileFacts


# How a field of each text type is interned (by its annotation, a string here).
_INTERNED = {"str": "intern({})", "str | None": "{0} if {0} is None else intern({0})",
             "tuple[str, ...]": "tuple(map(intern, {0})) if {0} else {0}"}


def _builder(cls: type):
    names = [f.name for f in dataclasses.fields(cls)]
    args = ", ".join(names)
    kinds = {f.name: f.type for f in dataclasses.fields(cls)}
    body = "".join(f"    set_{n}(o, {_INTERNED.get(kinds[n], '{}').format(n)})\n" for n in names)
    namespace = {"new": object.__new__, "cls": cls, "intern": sys.intern,
                 **{f"set_{n}": cls.__dict__[n].__set__ for n in names}}
    exec(f"def build({args}):\n    o = new(cls)\n{body}    return o\n", namespace)  # noqa: S102 - fixed text
    build = namespace["build"]
    # Pickled by reference: a module-level name of this module.
    build.__name__ = build.__qualname__ = f"build_{cls.__name__}"
    build.__module__ = __name__
    globals()[build.__name__] = build

    def reduce(obj):
        return build, tuple([getattr(obj, n) for n in names])
    return reduce


_DISPATCH = {
    cls: _builder(cls)
    for module in (model, records) for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and "__slots__" in vars(cls)
    and cls.__module__ == module.__name__
}


class _Pickler(pickle.Pickler):
    dispatch_table = _DISPATCH


def dumps(facts: FileFacts) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(facts)
    return buf.getvalue()
