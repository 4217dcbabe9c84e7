"""The rule record, the context a rule's check reads, and the finding builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from ..config import Config
from ..facts.model import Span, SuppressionComment
from ..findings import Finding, Related, Severity
from ..index import PrismaCall, ProjectIndex
from ..resources import data_dir


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: Severity
    summary: str
    check: Callable[["RuleContext"], Iterable[Finding]]
    tags: tuple[str, ...] = ()
    # Confidence of a finding whose check does not grade it, and the fact that makes
    # it so (a rule that cannot say why it is sure says medium, never high).
    confidence: str = "medium"
    proof: str = ""
    # The config keys its check reads (dotted, e.g. `error_handling.error_trackers`),
    # besides `rules.*`, which every rule honours. Each is in config/default.yaml and
    # named in the rule's docs page (tests/test_rule_options.py).
    options: tuple[str, ...] = ()
    # "project": a file's findings may depend on other files (the call graph, importers,
    # analyses over the whole index), so the check runs over the whole index on every scan.
    # "file": a file's findings depend only on its own facts (`reads`), its settled Prisma
    # calls, the schema and `options`; the engine caches them per file (rule_results.py)
    # and the check runs only over `ctx.paths`.
    scope: str = "project"
    # The FileFacts fields a file-scoped check reads besides its settled Prisma calls.
    reads: tuple[str, ...] = ()
    # What it warns of happens only when queries run on the model (a delete reaching a
    # relation, a join on a key), not in how a column stores its value: on a model no scanned
    # code touches (analysis/untouched_models.py), its findings are low.
    on_queries: bool = False
    # Its claim is that the database accepts any value in a column: a CHECK constraint in the
    # migrations that limits the column to listed values proves it wrong (quiet;
    # analysis/check_constraints.py).
    refuted_by_check: bool = False

    @property
    def docs_path(self):
        return data_dir("docs/rules") / f"{self.id}.md"


@dataclass
class RuleContext:
    index: ProjectIndex
    config: Config
    rule: Rule
    # `dbaudit-ignore` comments by path, source and schema files alike.
    suppressions: Mapping[str, tuple[SuppressionComment, ...]] = field(default_factory=dict)
    # The files a file-scoped check looks at (None: all); the others' findings are cached.
    paths: frozenset[str] | None = None

    @property
    def schema(self):
        return self.index.schema

    def prisma_calls(self) -> list[PrismaCall]:
        """The settled Prisma calls in `paths` (all of them when None), in index order."""
        calls = self.index.prisma_calls
        return calls if self.paths is None else [c for c in calls if c.path in self.paths]

    def file_paths(self) -> list[str]:
        """The scanned files in `paths` (all when None), sorted."""
        return sorted(self.index.files if self.paths is None else self.paths)

    def severity(self, default: Severity | None = None) -> Severity:
        override = self.config["rules"]["severity"].get(self.rule.id)
        if override:
            return Severity.parse(str(override))
        return default or self.rule.severity

    def finding(self, path: str, span: Span, message: str, *, severity: Severity | None = None,
                model: str | None = None, field: str | None = None, operation: str | None = None,
                entry_point: str | None = None, related: Iterable[Related] = (),
                matched: str = "", confidence: str | None = None,
                evidence: Iterable[str] = ()) -> Finding:
        evidence = tuple(evidence)
        if confidence is None:
            confidence = self.rule.confidence
            if self.rule.proof and not evidence:
                evidence = (self.rule.proof,)
        return Finding(
            rule=self.rule.id, severity=self.severity(severity), category=self.rule.category,
            path=path, line=span.line, column=span.column, end_line=span.end_line,
            end_column=span.end_column, message=message, model=model, field=field,
            operation=operation, entry_point=entry_point, related=tuple(related),
            matched=matched, confidence=confidence, evidence=evidence,
        )

    def call_finding(self, call: PrismaCall, message: str, **kw) -> Finding:
        kw.setdefault("model", call.model)
        kw.setdefault("operation", call.operation)
        kw.setdefault("entry_point", call.entry_kind)
        kw.setdefault("matched", call.call.text)
        return self.finding(call.path, call.call.span, message, **kw)
