"""What a pull-request review reports, after the rules: inline suppressions
first, then the baseline, then the diff scope. Each step only removes
findings; the record keeps what each removed, for stats and reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from . import suppress
from .baseline import Baseline, BaselineMatch, match
from .findings import Finding, confidence_rank
from .gitdiff import ChangedLines

SELECTION_NAMED = 3   # rule ids a headline names before it counts them


@dataclass
class Review:
    reported: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    unused_ignores: list[suppress.UnusedIgnore] = field(default_factory=list)
    baseline: BaselineMatch | None = None
    diff: ChangedLines | None = None
    outside_diff: list[Finding] = field(default_factory=list)
    # Findings under the confidence the view shows (`--min-confidence`); kept by the
    # baseline and history, which record every finding with its confidence.
    below_confidence: list[Finding] = field(default_factory=list)
    min_confidence: str = "low"
    # Findings a report leaves out at `--min-severity` (report.shown): a view only,
    # still counted for --fail-on, the score and the JSON report.
    below_severity: list[Finding] = field(default_factory=list)
    min_severity: str = "low"
    # `scan --select/--ignore`: every rule the config enables runs and the audit weighs
    # them all; the findings of the rules left out of the listing wait here.
    unselected: list[Finding] = field(default_factory=list)
    rules_run: tuple[str, ...] = ()
    rules_listed: tuple[str, ...] | None = None   # None: the findings of every rule run are listed
    notes: list[str] = field(default_factory=list)   # doubts worth a warning

    def stats(self) -> dict:
        return {
            "suppressed": len(self.suppressed),
            "unused_ignores": len(self.unused_ignores),
            "baseline": None if self.baseline is None else {
                "file": self.baseline.file, "new": len(self.baseline.new),
                "baselined": len(self.baseline.baselined), "fixed": len(self.baseline.fixed)},
            "diff": None if self.diff is None else {
                "ref": self.diff.ref, "merge_base": self.diff.merge_base,
                "files_changed": len(self.diff.files), "outside_diff": len(self.outside_diff)},
            "min_confidence": self.min_confidence,
            "below_confidence": len(self.below_confidence),
        }

    def narrowed(self) -> list[Finding]:
        """What `--baseline` and `--diff` kept out of the listing: the code still has them."""
        return [*(self.baseline.baselined if self.baseline is not None else ()), *self.outside_diff]

    def selected(self) -> tuple[str, ...] | None:
        """The rules whose findings are listed when `--select`/`--ignore` left some of
        those that ran out of the listing; None when every rule that ran is listed."""
        if self.rules_listed is None or set(self.rules_listed) >= set(self.rules_run):
            return None
        return self.rules_listed

    def selection(self) -> str:
        """What `--select`/`--ignore` list, for a headline: `of n-plus-one`, `of all rules
        but string-enum-column`, `of 7 selected rules`; empty when every rule is listed."""
        listed = self.selected()
        if listed is None:
            return ""
        if not listed:
            return "of no rule"
        left_out = [r for r in self.rules_run if r not in set(listed)]
        if len(listed) <= SELECTION_NAMED:
            return "of " + ", ".join(listed)
        if len(left_out) <= SELECTION_NAMED:
            return "of all rules but " + ", ".join(left_out)
        return f"of {len(listed)} selected rules"

    def summary(self) -> str:
        """One line on what was hidden and why, empty when nothing was."""
        parts = []
        if self.unselected:
            parts.append(f"{len(self.unselected)} of rules that --select/--ignore left out "
                         "(the audit counts them)")
        if self.suppressed:
            parts.append(f"{len(self.suppressed)} suppressed inline")
        if self.baseline is not None:
            parts.append(f"{len(self.baseline.baselined)} in the baseline "
                         f"({len(self.baseline.fixed)} fixed since)")
        if self.diff is not None:
            parts.append(f"{len(self.outside_diff)} outside the lines changed since {self.diff.ref}")
        if self.below_confidence:
            parts.append(f"{len(self.below_confidence)} of confidence below {self.min_confidence} "
                         "(--min-confidence low lists them)")
        if self.below_severity:
            parts.append(f"{len(self.below_severity)} of severity below {self.min_severity} "
                         "(--min-severity low lists them)")
        return ("Not reported: " + ", ".join(parts) + ".") if parts else ""


def review(findings: list[Finding], suppressions: suppress.Suppressions, rules_run: Iterable[str],
           baseline: Baseline | None = None, changed: ChangedLines | None = None,
           min_confidence: str = "low", rules_listed: Iterable[str] | None = None) -> Review:
    """`rules_listed`, when given, narrows the listing to those rules' findings
    (`scan --select/--ignore`); the others go to `unselected`, which the audit weighs."""
    ran = list(rules_run)
    listed = None if rules_listed is None else set(rules_listed)
    shown = ran if listed is None else [r for r in ran if r in listed]
    inline = suppress.apply(findings, suppressions, shown)
    out = Review(reported=inline.kept, suppressed=inline.suppressed, unused_ignores=inline.unused,
                 rules_run=tuple(ran), rules_listed=None if listed is None else tuple(shown))
    if listed is not None:
        out.unselected = [f for f in out.reported if f.rule not in listed]
        out.reported = [f for f in out.reported if f.rule in listed]
        out.suppressed = [f for f in out.suppressed if f.rule in listed]
        ran = shown   # a baseline entry of a rule not listed is neither new nor fixed
    if baseline is not None:
        out.baseline = match(out.reported, findings, baseline, ran)
        out.reported = out.baseline.new
        if baseline.entries and findings and not out.baseline.baselined \
                and len(out.baseline.fixed) == len(baseline.entries):
            out.notes.append(f"none of the {len(baseline.entries)} findings recorded in the baseline "
                             "matched: was it written for another PATH or before a file moved?")
    if changed is not None:
        out.diff = changed
        kept = []
        for f in out.reported:
            (kept if changed.touches(f.path, f.line, f.end_line) else out.outside_diff).append(f)
        out.reported = kept
    out.min_confidence = min_confidence
    floor = confidence_rank(min_confidence)
    out.below_confidence = [f for f in out.reported if confidence_rank(f.confidence) < floor]
    out.reported = [f for f in out.reported if confidence_rank(f.confidence) >= floor]
    # Those of other rules under the confidence floor are neither listed nor audited.
    out.unselected = [f for f in out.unselected if confidence_rank(f.confidence) >= floor]
    return out
