"""The cache's pickle of FileFacts: each record rebuilt by a constructor made for its
class, which fills the slots through their descriptors. Unpickling every file's facts
is most of a warm scan; this takes a third off the records' own `__init__` (a frozen
dataclass's `object.__setattr__` per field). The same records, equal and hashable as
before; `facts/model.py`'s `__reduce__` stays what other pickles use."""

from __future__ import annotations

import dataclasses
import io
import pickle

from .facts import model, records
from .facts.model import FileFacts


def _builder(cls: type):
    names = [f.name for f in dataclasses.fields(cls)]
    args = ", ".join(names)
    body = "".join(f"    set_{n}(o, {n})\n" for n in names)
    namespace = {"new": object.__new__, "cls": cls, **{f"set_{n}": cls.__dict__[n].__set__ for n in names}}
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
