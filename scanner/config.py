"""Layered configuration: packaged defaults < the root's `.dbaudit.yaml` <
`--config FILE` < flags. Every key must exist in the defaults and keep its type.

The rule ids it checks (`rules.select`, `rules.ignore`, `rules.severity`) are the
caller's to give (`scanner.rules.RULES_BY_ID`): config sits below the rules and
imports none of them."""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

import yaml

from .findings import Severity
from .resources import data_dir

PROJECT_FILE = ".dbaudit.yaml"
AUDIT_MODES = ("auto", "always", "never")
SCOPES = ("all", "app")


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI exits 2 with it."""


def default_path() -> Path:
    return data_dir("config") / "default.yaml"


# The packaged defaults are read on every run: through libyaml when PyYAML has it (1 ms
# instead of the pure-Python parser's 15-35). Users' files keep the pure-Python parser,
# whose error messages the config errors quote.
_DEFAULTS_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path, loader=yaml.SafeLoader) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config file ({e.strerror}).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the config file as UTF-8.") from None
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        fix = ("YAML indents with spaces: replace the tab there" if "\\t" in problem
               else "Fix the YAML syntax there")
        raise ConfigError(f"{path}:{where}: YAML syntax error: {problem}. {fix}.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of option: value, "
                          f"not a {type(data).__name__}.")
    return data


def _type_name(v: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number",
            bool: "true or false", float: "a number", type(None): "nothing (null)"}.get(type(v), type(v).__name__)


def _got(v: Any) -> str:
    """`got a string ('big')`: the type, and the value when it is short."""
    shown = f" ({v!r})" if v is not None and len(repr(v)) <= 60 else ""
    return f"got {_type_name(v)}{shown}"


def _string_list(v: Any, dotted: str, source: str) -> list:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"{source}: '{dotted}' must be a list of strings, {_got(v)}.")
    return v


def _merge(base: dict, over: dict, source: str, prefix: str = "") -> None:
    for k, v in over.items():
        dotted = f"{prefix}{k}"
        if k not in base:
            close = difflib.get_close_matches(str(k), [str(x) for x in base], n=1)
            hint = f" Did you mean '{prefix}{close[0]}'?" if close else \
                f" Known keys here: {', '.join(sorted(map(str, base)))}."
            raise ConfigError(f"{source}: unknown key '{dotted}'.{hint}")
        cur = base[k]
        if isinstance(cur, dict) and k in ("severity", "out_of_scope"):
            # Open mappings (rule id -> severity, kind -> globs): merged entry by entry.
            if not isinstance(v, dict):
                raise ConfigError(f"{source}: '{dotted}' must be a mapping, got {_type_name(v)}.")
            if k == "out_of_scope":
                for kind, globs in v.items():
                    _string_list(globs, f"{dotted}.{kind}", source)
            base[k] = {**cur, **v}
        elif isinstance(cur, dict) and cur:
            if not isinstance(v, dict):
                raise ConfigError(f"{source}: '{dotted}' must be a mapping, got {_type_name(v)}.")
            _merge(cur, v, source, dotted + ".")
        else:
            ok = isinstance(v, type(cur)) and not (isinstance(v, bool) and not isinstance(cur, bool))
            if isinstance(cur, int) and not isinstance(cur, bool) and isinstance(v, int) and not isinstance(v, bool):
                ok = True
            if not ok:
                raise ConfigError(f"{source}: '{dotted}' must be {_type_name(cur)}, {_got(v)}.")
            if isinstance(v, list):
                _string_list(v, dotted, source)
            base[k] = v


@dataclass(frozen=True)
class Config:
    data: dict
    sources: tuple[str, ...]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str) -> Any:
        v: Any = self.data
        for part in dotted.split("."):
            v = v[part]
        return v


def load_config(root: Path | None, extra: Path | None = None, overrides: dict | None = None,
                rule_ids: Collection[str] | None = None) -> Config:
    """`rule_ids`: the known rule ids; a layer naming another is an error that names
    the layer. None leaves rule ids unchecked here (`select_rules` still refuses an
    unknown id in `rules.select` or `rules.ignore` when a scan starts)."""
    data = _load_yaml(default_path(), _DEFAULTS_LOADER)
    sources = [str(default_path())]
    layers: list[Path] = []
    if root is not None:
        project = (root if root.is_dir() else root.parent) / PROJECT_FILE
        if project.is_file():
            layers.append(project)
    if extra is not None:
        if not extra.is_file():
            raise ConfigError(f"{extra}: config file not found. Check the --config path.")
        layers.append(extra)
    # Validate after each layer, so an error names the file that brought the value.
    for layer in layers:
        _merge(data, _load_yaml(layer), str(layer))
        _validate(data, str(layer), rule_ids)
        sources.append(str(layer))
    if overrides:
        _merge(data, copy.deepcopy(overrides), "command line")
        _validate(data, "command line", rule_ids)
    return Config(data, tuple(sources))


def _validate(data: dict, source: str, rule_ids: Collection[str] | None) -> None:
    rules = data["rules"]
    for key, ids in (("select", rules["select"]), ("ignore", rules["ignore"]), ("severity", rules["severity"])):
        for rid in ids if rule_ids is not None else ():
            if rid not in rule_ids:
                close = difflib.get_close_matches(str(rid), list(rule_ids), n=1)
                hint = f"Did you mean '{close[0]}'?" if close else "Run `dbaudit rules` for the list."
                raise ConfigError(f"{source}: 'rules.{key}' names unknown rule id '{rid}'. {hint}")
    try:
        Severity.parse(data["fail_on"])
    except ValueError:
        raise ConfigError(f"{source}: 'fail_on' must be one of low, medium, high, critical.") from None
    for rule, sev in data["rules"]["severity"].items():
        try:
            Severity.parse(str(sev))
        except ValueError:
            raise ConfigError(f"{source}: 'rules.severity.{rule}' must be one of low, medium, "
                              f"high, critical, got {sev!r}.") from None
    if data["audit"]["mode"] not in AUDIT_MODES:
        raise ConfigError(f"{source}: 'audit.mode' must be one of {', '.join(AUDIT_MODES)}, "
                          f"got {data['audit']['mode']!r}.")
    if data["min_confidence"] not in ("low", "medium", "high"):
        raise ConfigError(f"{source}: 'min_confidence' must be one of low, medium, high, "
                          f"got {data['min_confidence']!r}.")
    if data["scope"] not in SCOPES:
        raise ConfigError(f"{source}: 'scope' must be one of {', '.join(SCOPES)}, got {data['scope']!r}.")
    bad = set(data["include_out_of_scope"]) - set(data["out_of_scope"])
    if bad:
        raise ConfigError(f"{source}: 'include_out_of_scope' names unknown kinds {sorted(bad)}; "
                          f"use {sorted(data['out_of_scope'])}.")
