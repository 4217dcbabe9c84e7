"""Each rule declares the config keys it reads (`Rule.options`): every one is in
config/default.yaml and named in the rule's docs page, and a rule's check reads
no other key (besides `rules.select`, `rules.ignore` and `rules.severity`, which the
engine and `RuleContext` apply to every rule)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from conftest import FIXTURES, scan_dir
from scanner.config import load_config
from scanner.rules import REGISTRY, RuleContext

DEFAULTS = load_config(None)
GENERIC = ("rules.select", "rules.ignore", "rules.severity")


def _ids(rule):
    return rule.id


@pytest.mark.parametrize("rule", REGISTRY, ids=_ids)
def test_options_are_default_config_keys(rule):
    for key in rule.options:
        assert key not in GENERIC, f"{rule.id}: {key} applies to every rule; do not declare it"
        try:
            DEFAULTS.get(key)
        except (KeyError, TypeError):
            pytest.fail(f"{rule.id} declares option {key!r}, which config/default.yaml does not have")


@pytest.mark.parametrize("rule", REGISTRY, ids=_ids)
def test_options_are_named_in_the_docs_page(rule):
    page = rule.docs_path.read_text(encoding="utf-8")
    for key in rule.options:
        # `error_handling.error_trackers` or `audit.mode: always`
        assert re.search(rf"`{re.escape(key)}[`:]", page), \
            f"docs/rules/{rule.id}.md does not name its option `{key}`"


class _Recording(dict):
    """A config mapping that notes the dotted path of every key read."""

    def __init__(self, data: dict, read: set[str], prefix: str = ""):
        super().__init__(data)
        self._read, self._prefix = read, prefix

    def __getitem__(self, key):
        path = f"{self._prefix}{key}"
        self._read.add(path)
        value = super().__getitem__(key)
        return _Recording(value, self._read, path + ".") if isinstance(value, dict) else value


def _leaves(read: set[str]) -> set[str]:
    """The keys read, without the mappings only walked through on the way."""
    return {k for k in read if not any(o.startswith(k + ".") for o in read)}


@pytest.mark.parametrize("rule", REGISTRY, ids=_ids)
def test_a_check_reads_only_its_declared_options(rule):
    # The rule's own fixtures (the same scan test_fixtures.py makes, cached) exercise
    # its paths; the check runs again over that index with a config that takes notes.
    result = scan_dir(str(FIXTURES / "rules" / rule.id), (rule.id,), min_confidence="low")
    read: set[str] = set()
    config = replace(result.config, data=_Recording(result.config.data, read))
    list(rule.check(RuleContext(result.index, config, rule, {})))
    undeclared = {k for k in _leaves(read) if k not in rule.options and k not in GENERIC}
    assert not undeclared, f"{rule.id} reads config keys it does not declare in options=: {sorted(undeclared)}"
