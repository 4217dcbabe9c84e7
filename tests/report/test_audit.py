"""Executive summary and recommendations: every sentence comes from numbers."""

from __future__ import annotations

from report_helpers import figures, finding
from scanner.report.audit import recommendations, summarise
from scanner.report.scoring import score_table


def _summary(fs, figs, overview=None):
    return summarise(fs, figs, overview, score_table(fs, figs))


def test_strengths_and_concerns_come_from_coverage_figures():
    figs = figures(find_many_take=(9, 10), multi_write_in_transaction=(1, 4), relations_on_delete=(6, 10),
                   db_catches_handled=(1, 2))
    s = _summary([], figs)
    assert "9 of 10 things are fine (90%)." in s.strengths
    assert s.concerns == ("Only 1 of 4 things are fine (25%).",)
    # 60% is neither; 1 of 2 is too few items to say anything.
    assert not any("60%" in x for x in s.strengths + s.concerns)
    assert not any("of 2 " in x for x in s.strengths + s.concerns)


def test_two_apps_get_different_sentences():
    a = _summary([], figures(multi_write_in_transaction=(1, 4)))
    b = _summary([], figures(multi_write_in_transaction=(2, 9)))
    assert a.concerns != b.concerns


def test_critical_items_name_rules_and_locations():
    fs = [finding("raw-sql-injection", "critical", "app/api/r/route.ts", 40, category="transactions")]
    fs += [finding("n-plus-one", "high", "a.ts", i) for i in (3, 9, 12, 20)]
    fs += [finding("swallowed-error", "high", "b.ts", 5, category="error-handling")] * 2
    s = _summary(fs, figures())
    assert s.critical == (
        "4 high-severity `n-plus-one` findings in 1 file: `a.ts:3`, `a.ts:9`, `a.ts:12` and 1 more.",
        "1 critical `raw-sql-injection` finding: `app/api/r/route.ts:40`.",
    )


def test_verdict_follows_the_overall_score():
    assert _summary([], figures()).verdict == "Strong"
    fs = [finding(r, "critical", line=i) for r in ("n-plus-one", "write-without-transaction",
                                                   "unvalidated-input", "swallowed-error",
                                                   "relation-missing-on-delete") for i in range(5)]
    low = _summary(fs, figures(find_many_take=(0, 9), multi_write_in_transaction=(0, 9)))
    assert low.verdict in ("Significant gaps", "Critical gaps") and low.score < 6


def test_recommendations_grouped_by_rule_with_priority_and_affected():
    fs = [finding("unbounded-find-many", "medium", "b.ts", 1), finding("unbounded-find-many", "low", "a.ts", 2),
          finding("unbounded-find-many", "medium", "b.ts", 9),
          finding("relation-missing-on-delete", "high", "prisma/schema.prisma", 7, category="schema",
                  model="Vote", field="user"),
          finding("relation-missing-on-delete", "high", "prisma/schema.prisma", 9, category="schema",
                  model="Question", field="event")]
    recs = recommendations(fs)
    assert [(r.priority, r.rule, r.count) for r in recs] == [
        ("high", "relation-missing-on-delete", 2), ("medium", "unbounded-find-many", 3)]
    assert recs[0].affected == (("Question.event", 1), ("Vote.user", 1))
    assert recs[1].affected == (("b.ts", 2), ("a.ts", 1))
