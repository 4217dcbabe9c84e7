"""The cache's pickle of FileFacts rebuilds equal records of the same classes."""

from __future__ import annotations

import pickle

from conftest import FIXTURES
from scanner import fact_pickle
from scanner.config import load_config
from scanner.engine import scan


def test_round_trip_gives_equal_records_of_the_same_classes():
    demo = FIXTURES / "apps" / "academy"
    files = scan(demo, load_config(demo)).index.files
    assert len(files) > 5
    for facts in files.values():
        again = pickle.loads(fact_pickle.dumps(facts))
        assert again == facts == pickle.loads(pickle.dumps(facts))
        assert [type(c) for c in again.call_sites] == [type(c) for c in facts.call_sites]
        assert hash(again.functions) == hash(facts.functions)
