"""`-f sarif`: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Every registered rule is described in `tool.driver.rules` (descriptions and
help from its docs page); each reported finding is a result with one physical
location, related locations and the line-free fingerprint, so alerts follow
the code across edits. Paths are relative to the repository root under
`%SRCROOT%`. GitHub's upload limits are met by dropping the least severe
results, with a warning."""

from __future__ import annotations

import io
import json
import re
import zlib
from typing import Callable, Iterable, Iterator, TextIO
from urllib.parse import quote

from .. import __version__
from ..findings import Finding, Severity
from .locations import SARIF_LEVEL, char_columns, path_prefix

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/dbaudit/"
FINGERPRINT_KEY = "dbauditFingerprint/v1"
SRCROOT = "%SRCROOT%"
# GitHub code scanning: results per run, gzip-compressed upload size, tags
# per rule, locations per result.
MAX_RESULTS = 25_000
MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_TAGS = 20
MAX_RELATED = 1000
DESCRIPTION_LIMIT = 1024
# GitHub reads `security-severity` as a CVSS-like score: > 9.0 critical,
# 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
# RFC 3986 characters a path segment may hold unescaped (':' is escaped: in a
# relative reference's first segment it would read as a scheme).
_URI_SAFE = "/!$&'()*+,;=@-._~"
_SECTION = re.compile(r"^## (.+?)\s*$", re.M)


def artifact_uri(path: str) -> str:
    return quote(path, safe=_URI_SAFE)


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def _plain(markdown: str) -> str:
    """Markdown made readable as text: no heading marks or bold stars."""
    text = re.sub(r"^#{1,6}\s*", "", markdown, flags=re.M)
    return text.replace("**", "")


def _bounded(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _doc_page(rule) -> str:
    try:
        return rule.docs_path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _what_it_does(page: str) -> str:
    """The `## What it does` section as one paragraph of text, cut at a
    sentence end to fit GitHub's description limit."""
    sections = _SECTION.split(page)
    for title, body in zip(sections[1::2], sections[2::2]):
        if title.strip().lower() == "what it does":
            text = " ".join(_plain(body).split())
            if len(text) <= DESCRIPTION_LIMIT:
                return text
            cut = text.rfind(". ", 0, DESCRIPTION_LIMIT - 1)
            return text[: cut + 1] if cut > 0 else _bounded(text)
    return ""


def _severity(rule, config) -> str:
    override = (config["rules"]["severity"].get(rule.id) if config is not None else None)
    return Severity.parse(str(override)).value if override else rule.severity.value


def rule_descriptor(rule, config=None) -> dict:
    page = _doc_page(rule)
    severity = _severity(rule, config)
    tags = list(dict.fromkeys([rule.category, *rule.tags]))[:MAX_TAGS]
    props: dict = {"tags": tags}
    if "security" in rule.tags:
        props["security-severity"] = SECURITY_SEVERITY[severity]
    full = _what_it_does(page) or rule.summary
    return {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": _bounded(rule.summary)},
        "fullDescription": {"text": _bounded(full)},
        "help": {"text": _plain(page) if page else rule.summary,
                 "markdown": page if page else rule.summary},
        "defaultConfiguration": {"level": SARIF_LEVEL[severity]},
        "properties": props,
    }


def _location(uri: str, region: dict, message: str | None = None, loc_id: int | None = None) -> dict:
    loc: dict = {}
    if loc_id is not None:
        loc["id"] = loc_id
    loc["physicalLocation"] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}, "region": region}
    if message:
        loc["message"] = {"text": message}
    return loc


def result_object(f: Finding, rule_index: dict[str, int], prefix: str) -> dict:
    col, end_col = char_columns(f, utf16=True)
    end_line = max(f.end_line, f.line)
    region = {"startLine": f.line, "startColumn": col, "endLine": end_line,
              "endColumn": end_col if end_line > f.line else max(end_col, col)}
    related = [_location(artifact_uri(prefix + r.path), {"startLine": max(r.line, 1)}, r.message, i)
               for i, r in enumerate(f.related[:MAX_RELATED], 1)]
    out: dict = {"ruleId": f.rule}
    if f.rule in rule_index:
        out["ruleIndex"] = rule_index[f.rule]
    out.update({
        "level": SARIF_LEVEL[f.severity.value],
        "message": {"text": f.message},
        "locations": [_location(artifact_uri(prefix + f.path), region)],
    })
    if related:
        out["relatedLocations"] = related
    out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    # CodeQL's vocabulary: `precision` is how often such a result is true, `rank` (0-100)
    # orders results by severity and confidence together.
    out["rank"] = _rank(f)
    props = {"severity": f.severity.value, "category": f.category, "precision": f.confidence,
             "confidence": f.confidence}
    if f.evidence:
        props["evidence"] = list(f.evidence)
    props.update({k: v for k, v in (("model", f.model), ("operation", f.operation),
                                     ("entryPoint", f.entry_point)) if v})
    out["properties"] = props
    return out


_SEVERITY_RANK = {"critical": 90.0, "high": 70.0, "medium": 50.0, "low": 30.0}
_CONFIDENCE_SHIFT = {"high": 9.0, "medium": 0.0, "low": -20.0}


def _rank(f: Finding) -> float:
    return max(0.0, min(100.0, _SEVERITY_RANK[f.severity.value] + _CONFIDENCE_SHIFT.get(f.confidence, 0.0)))


def _most_severe(findings: list[Finding], n: int) -> list[Finding]:
    """The n most severe findings, kept in report order."""
    ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity.rank, i))[:n]
    return [findings[i] for i in sorted(ranked)]


def sarif_log(result, findings: list[Finding], rules, source_root=None,
              notices: Iterable[str] = ()) -> dict:
    log = _log_without_results(result, rules, source_root, notices)
    prefix = path_prefix(result, source_root)
    index = {r.id: i for i, r in enumerate(rules)}
    log["runs"][0]["results"] = [result_object(f, index, prefix) for f in findings]
    return log


def _log_without_results(result, rules, source_root=None, notices: Iterable[str] = ()) -> dict:
    """The log with an empty `results` list (in its place among the run's keys)."""
    rules = list(rules)
    notifications = [{"level": "warning", "message": {"text": text}} for text in notices]
    notifications += [{"level": "note", "message": {"text": f"{w.path}{':' + str(w.line) if w.line else ''}: "
                                                            f"{w.message}"}}
                      for w in result.warnings]
    run: dict = {
        "tool": {"driver": {"name": "dbaudit", "version": result.version, "semanticVersion": result.version,
                            "informationUri": INFORMATION_URI,
                            "rules": [rule_descriptor(r, result.config) for r in rules]}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "columnKind": "utf16CodeUnits",
        "results": [],
    }
    if "recognition" in result.stats:
        # How much of the code was analysed (`N of M Prisma-shaped calls`), for dashboards.
        run["properties"] = {"recognition": result.stats["recognition"]}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


# `results` sits in runs[0]: its items are indented by 8 spaces in the indented dump.
_RESULTS_KEY = '"results": []'
_ITEM_INDENT = " " * 8


def _chunks(result, findings: list[Finding], rules, source_root, notices) -> Iterator[str]:
    """The indented dump of `sarif_log(...)`, one result at a time (the same text as
    json.dumps(log, indent=2), without ever holding all of it)."""
    rules = list(rules)
    head, tail = _dump(_log_without_results(result, rules, source_root, notices)).split(_RESULTS_KEY, 1)
    if not findings:
        yield head + _RESULTS_KEY + tail
        return
    prefix = path_prefix(result, source_root)
    index = {r.id: i for i, r in enumerate(rules)}
    yield head + '"results": [\n'
    for k, f in enumerate(findings):
        item = json.dumps(result_object(f, index, prefix), indent=2, ensure_ascii=False)
        yield (",\n" if k else "") + _ITEM_INDENT + item.replace("\n", "\n" + _ITEM_INDENT)
    yield "\n      ]" + tail


def _dump(log: dict) -> str:
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


class _Sink:
    """Text written through it goes to `fh` (when given) and is counted gzip-compressed."""

    def __init__(self, fh: TextIO | None):
        self.fh = fh
        self.zip = zlib.compressobj(9, zlib.DEFLATED, 31)
        self.size = 0

    def write(self, text: str) -> None:
        if self.fh is not None:
            self.fh.write(text)
        self.size += len(self.zip.compress(text.encode("utf-8")))

    def close(self) -> int:
        self.size += len(self.zip.flush())
        return self.size


def _emit(fh: TextIO | None, result, findings, rules, source_root, notices) -> int:
    """Write one log to `fh` (or only count it); its gzip-compressed size."""
    sink = _Sink(fh)
    for piece in _chunks(result, findings, rules, source_root, notices):
        sink.write(piece)
    return sink.close()


def write(result, fh: TextIO, source_root=None, warn: Callable[[str], None] | None = None, rules=None,
          max_results: int = MAX_RESULTS, max_gzip_bytes: int = MAX_GZIP_BYTES, **_options) -> None:
    """The SARIF log streamed to an open, seekable text file. GitHub's upload limits are
    met by dropping the least severe results (and writing the file again), with a warning."""
    if rules is None:
        from ..rules import REGISTRY
        rules = REGISTRY
    rules = list(rules)
    findings = list(result.findings)
    notices: list[str] = []
    if len(findings) > max_results:
        notices.append(f"{len(findings)} results exceed GitHub's limit of {max_results} per run: "
                       f"kept the {max_results} most severe. Run `dbaudit scan -f json` for all.")
        findings = _most_severe(findings, max_results)
    if not fh.seekable():   # a pipe: the file may have to be written again, so build it first
        text = io.StringIO()
        write(result, text, source_root, warn, rules, max_results, max_gzip_bytes)
        fh.write(text.getvalue())
        return
    start = fh.tell()
    size = _emit(fh, result, findings, rules, source_root, notices)
    total = len(result.findings)
    size_notice = None
    while size > max_gzip_bytes and findings:
        keep = max(0, min(len(findings) - 1, int(len(findings) * max_gzip_bytes / size * 0.9)))
        findings = _most_severe(findings, keep)
        size_notice = (f"the SARIF file exceeded GitHub's upload limit of {max_gzip_bytes} bytes "
                       f"(gzip-compressed): kept the {len(findings)} most severe of {total} results. "
                       f"Run `dbaudit scan -f json` for all.")
        size = _emit(None, result, findings, rules, source_root, [*notices, size_notice])
    if size_notice:
        fh.seek(start)
        fh.truncate()
        _emit(fh, result, findings, rules, source_root, [*notices, size_notice])
        notices.append(size_notice)
    for n in notices:
        if warn is not None:
            warn(n)


def render(result, **options) -> str:
    out = io.StringIO()
    write(result, out, **options)
    return out.getvalue()
