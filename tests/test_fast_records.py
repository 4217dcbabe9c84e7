"""facts/fast_records.py gives the fact records a faster __init__ and __reduce__: the
records must stay what the dataclass decorator made them (equal, hashable, defaults,
picklable), and a record with __post_init__ keeps the dataclass __init__ that calls it."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from scanner.facts.fast_records import speed_up
from scanner.facts.model import Span


@dataclass(frozen=True, slots=True)
class _Plain:
    x: int
    y: str = "d"


@dataclass(frozen=True, slots=True)
class _Checked:
    x: int

    def __post_init__(self):
        object.__setattr__(self, "x", abs(self.x))


speed_up({"_Plain": _Plain, "_Checked": _Checked})


def test_sped_up_records_behave_as_dataclasses():
    a = _Plain(1)
    assert a == _Plain(1, "d") and hash(a) == hash(_Plain(1, "d")) and a.y == "d"
    assert pickle.loads(pickle.dumps(a)) == a
    span = Span(1, 2, 3, 4)
    assert pickle.loads(pickle.dumps(span)) == span


def test_a_record_with_post_init_keeps_it():
    assert _Checked(-3).x == 3
