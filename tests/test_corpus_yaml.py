"""bench/corpus.yaml is read by bench/extract.py, corpus.py and the accuracy work: it must
load, name each repository once at a full commit, and say which fresh set it came from."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_corpus_yaml_loads_with_one_pinned_entry_per_repository():
    repos = yaml.safe_load((ROOT / "bench" / "corpus.yaml").read_text(encoding="utf-8"))["repos"]
    names = [r["repo"] for r in repos]
    assert len(names) == len(set(names))
    for r in repos:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", r["repo"]), r
        assert re.fullmatch(r"[0-9a-f]{40}", r["commit"]), r
        assert isinstance(r.get("shape", ""), str)
        assert r.get("set", "corpus") == "corpus" or re.fullmatch(r"fresh-\d+", r["set"]), r
