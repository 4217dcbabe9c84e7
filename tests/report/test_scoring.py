"""The score formula of docs/scoring.md, checked by hand-computed cases."""

from __future__ import annotations

import math

import pytest

from report_helpers import figures, finding
from scanner.report.scoring import AREAS, hit_factor, score_table, status_of


def _area(table, name):
    return next(a for a in table.areas if a.area == name)


def test_clean_project_scores_ten_everywhere():
    t = score_table([], figures())
    assert [a.area for a in t.areas] == list(AREAS)
    assert all(a.score == 10 and a.status == "strong" for a in t.areas)
    assert t.overall == 10 and t.overall_rounded == 10


@pytest.mark.parametrize("hits, factor", [(0, 0), (1, 1), (2, 2), (3, 1 + math.log2(3)), (4, 3), (500, 3)])
def test_hit_factor_is_logarithmic_and_capped(hits, factor):
    assert hit_factor(hits) == pytest.approx(factor)


def test_findings_and_coverage_combine_as_documented():
    fs = [finding("n-plus-one", "high", line=i) for i in range(1, 5)]
    t = score_table(fs, figures(find_many_take=(1, 2)))
    qp = _area(t, "Query Patterns")
    # 10 - 4 x (1 - 0.5) - 0.75 x min(1 + log2 4, 3) = 10 - 2 - 2.25
    assert qp.score == pytest.approx(5.75) and qp.rounded == 6 and qp.status == "needs work"
    assert [(i.rule, i.severity, i.count, i.weight) for i in qp.findings] == [("n-plus-one", "high", 4, 1.0)]
    perf = _area(t, "Performance")
    # find_many_take 0.5 and relation_fields_indexed 1.0: mean 0.75 -> 1 point; N+1 at half weight.
    assert perf.coverage == pytest.approx(0.75)
    assert perf.score == pytest.approx(10 - 1 - 1.125)
    assert _area(t, "Error Handling").score == 10
    assert t.overall == pytest.approx(sum(a.score for a in t.areas) / 9)


def test_sqlite_costs_scalability_two_points():
    t = score_table([], figures(), provider="sqlite")
    sc = _area(t, "Scalability")
    assert sc.score == 8 and sc.fixed == (("single-writer provider (sqlite)", 2.0),)
    assert _area(score_table([], figures(), provider="postgresql"), "Scalability").score == 10


def test_unknown_rule_counts_against_its_category_areas():
    t = score_table([finding("some-new-rule", "critical", category="error-handling")], figures())
    assert _area(t, "Error Handling").score == pytest.approx(8.5)
    assert all(a.score == 10 for a in t.areas if a.area != "Error Handling")


def test_figures_without_a_denominator_are_no_input():
    t = score_table([], figures(db_catches_handled=(0, 0)))
    eh = _area(t, "Error Handling")
    assert eh.coverage is None and eh.coverage_points == 0 and eh.figures == ()


def test_scores_never_leave_zero_to_ten():
    fs = [finding(r, "critical", line=i) for r in ("n-plus-one", "unbounded-find-many", "full-scan-filter")
          for i in range(10)]
    t = score_table(fs, figures(find_many_take=(0, 5)))
    assert _area(t, "Query Patterns").score == 0


@pytest.mark.parametrize("score, status", [(9.6, "strong"), (7.5, "strong"), (7.49, "needs work"),
                                           (5.5, "needs work"), (5.0, "weak"), (4.49, "critical gap")])
def test_status_bands(score, status):
    assert status_of(score) == status


def test_areas_nothing_measures_are_not_scored():
    empty = figures(**{k: (0, 0) for k in ("calls_in_lib", "transactions", "multi_write_in_transaction",
                                           "entry_points_validated", "find_many_take",
                                           "relation_fields_indexed", "relations_on_delete",
                                           "db_catches_handled")})
    t = score_table([], empty)
    assert all(a.score is None and a.rounded is None and a.status == "not measured" for a in t.areas)
    assert t.overall is None and t.overall_rounded is None
    # One finding measures its areas; the overall is the mean of those alone.
    t = score_table([finding("swallowed-error", "high", category="error-handling")], empty)
    assert [a.area for a in t.areas if a.score is not None] == ["Error Handling"]
    assert t.overall == pytest.approx(10 - 0.75)
