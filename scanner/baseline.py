"""Baselines: the findings a team accepts as known, recorded by line-free
fingerprint so `scan --baseline FILE` reports only new ones and counts the
recorded ones that disappeared as fixed.

The file is JSON written for review in a diff: a format version, then one
entry per finding (fingerprint; rule, severity, path and message for
humans and summaries), sorted by path, rule and fingerprint, so regenerating it after
unrelated edits changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .findings import Finding

FORMAT_KEY = "dbaudit_baseline"
FORMAT_VERSION = 1
ABOUT = ("Findings accepted as known. `dbaudit scan PATH --baseline FILE` hides them and reports "
         "only new ones. Regenerate with `dbaudit baseline PATH -o FILE` (same PATH as the scan).")


class BaselineError(ValueError):
    """A baseline file that cannot be used; the CLI exits 2 with the message."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    severity: str
    path: str
    message: str
    confidence: str = ""   # empty in baselines written before findings had one

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "severity": self.severity,
                "path": self.path, "message": self.message, "confidence": self.confidence}


@dataclass(frozen=True)
class Baseline:
    file: str                       # where it was read from, for messages and reports
    entries: tuple[BaselineEntry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


@dataclass
class BaselineMatch:
    file: str
    new: list[Finding]
    baselined: list[Finding]
    fixed: list[BaselineEntry]


def entries_of(findings: Iterable[Finding]) -> list[BaselineEntry]:
    out = {f.fingerprint: BaselineEntry(f.fingerprint, f.rule, f.severity.value, f.path, f.message, f.confidence)
           for f in findings}
    return sorted(out.values(), key=lambda e: (e.path, e.rule, e.fingerprint))


def render_baseline(findings: Iterable[Finding]) -> str:
    data = {FORMAT_KEY: FORMAT_VERSION, "about": ABOUT,
            "findings": [e.to_dict() for e in entries_of(findings)]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _regenerate(file: str) -> str:
    return f"Regenerate it with `dbaudit baseline PATH -o {file}`, or drop --baseline."


def load_baseline(path: Path) -> Baseline:
    file = str(path)
    if not path.exists():
        raise BaselineError(f"baseline {file} does not exist. Create it with "
                            f"`dbaudit baseline PATH -o {file}`, or drop --baseline.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except IsADirectoryError:
        raise BaselineError(f"baseline {file} is a folder, not a file. Name the baseline file.") from None
    except OSError as e:
        raise BaselineError(f"baseline {file}: cannot read it ({e.strerror}).") from None
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {file}: not UTF-8 text. {_regenerate(file)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        hint = " (a merge left conflict markers?)" if "<<<<<<<" in text else ""
        raise BaselineError(f"baseline {file}: not valid JSON at line {e.lineno}, column {e.colno}: "
                            f"{e.msg}{hint}. {_regenerate(file)}") from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise BaselineError(f"baseline {file}: not a dbaudit baseline (no \"{FORMAT_KEY}\" key). "
                            f"{_regenerate(file)}")
    version = data[FORMAT_KEY]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BaselineError(f"baseline {file}: format version {version!r} is not supported (this "
                            f"dbaudit reads version {FORMAT_VERSION}). {_regenerate(file)}")
    items = data.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"baseline {file}: \"findings\" must be a list. {_regenerate(file)}")
    entries = []
    for i, item in enumerate(items, 1):
        fp = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"baseline {file}: finding #{i} has no \"fingerprint\" string. "
                                f"{_regenerate(file)}")
        entries.append(BaselineEntry(fp, *(str(item.get(k, "")) for k in
                                           ("rule", "severity", "path", "message", "confidence"))))
    return Baseline(file, tuple(entries))


def match(findings: list[Finding], all_findings: Iterable[Finding], baseline: Baseline,
          rules_run: Iterable[str]) -> BaselineMatch:
    """Split `findings` into new and baselined. An entry is fixed when no
    current finding (`all_findings`, suppressed ones included) carries its
    fingerprint; entries of rules that did not run are neither."""
    known = baseline.fingerprints
    current = {f.fingerprint for f in all_findings}
    ran = set(rules_run)
    new = [f for f in findings if f.fingerprint not in known]
    baselined = [f for f in findings if f.fingerprint in known]
    fixed = [e for e in baseline.entries if e.rule in ran and e.fingerprint not in current]
    return BaselineMatch(baseline.file, new, baselined, fixed)
