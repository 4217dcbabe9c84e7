"""bench/score.py: precision per rule and confidence from a labelled sample, with the total
on stdout (it is read with the table, not apart from it)."""

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_score_prints_rules_and_total(tmp_path):
    path = tmp_path / "labels.csv"
    cols = ["repo", "rule", "severity", "confidence", "path", "line", "message", "label", "reason"]
    rows = [("n-plus-one", "high", "TRUE"), ("n-plus-one", "medium", "FALSE"), ("swallowed-error", "medium", "TRUE")]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i, (rule, conf, label) in enumerate(rows):
            w.writerow(["a+b", rule, "high", conf, "x.ts", i + 1, "m", label, "r"])
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "score.py"), str(path)],
                         capture_output=True, text=True, check=True)
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert any(l.split()[:3] == ["n-plus-one", "all", "1/2"] for l in lines)
    assert lines[-1].split()[:4] == ["all", "rules", "all", "2/3"]
    md = subprocess.run([sys.executable, str(ROOT / "bench" / "score.py"), str(path), "--markdown"],
                        capture_output=True, text=True, check=True).stdout.splitlines()
    assert md[-1] == "| all rules | all | 3 | 2 | 1 | 0.67 |"


def test_recall_counts_the_baseline_under_both_label_sets(tmp_path):
    """bench/recall.py: a baseline finding counts while the report shows it at medium or
    high; a re-judged FALSE leaves the re-judged total, not the labels' one."""
    base = tmp_path / "baseline.csv"
    base.write_text("repo,rule,path,line\na+b,n-plus-one,x.ts,1\na+b,n-plus-one,x.ts,2\na+b,swallowed-error,y.ts,3\n")
    rej = tmp_path / "rejudged.csv"
    rej.write_text("repo,rule,path,line,label,reason\na+b,n-plus-one,x.ts,2,FALSE,small\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    findings = [{"rule": "n-plus-one", "path": "x.ts", "line": 1, "confidence": "high"},
                {"rule": "n-plus-one", "path": "x.ts", "line": 2, "confidence": "low"},
                {"rule": "swallowed-error", "path": "y.ts", "line": 3, "confidence": "medium"}]
    (reports / "a+b.json").write_text(__import__("json").dumps({"findings": findings}))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "recall.py"), str(reports),
                          "--baseline", str(base), "--rejudged", str(rej)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith("labels     shown 2 of 3 (-33.3%); lost: n-plus-one 1")
    assert out[1].startswith("re-judged  shown 2 of 2 (+0.0%); lost: none")


def test_sample_caps_findings_per_repository():
    """bench/sample.py --per-repo: one repository cannot fill a rule's sample; without the
    cap the sample is the plain seeded one."""
    sys.path.insert(0, str(ROOT / "bench"))
    import random as _random

    from sample import pick
    found = [{"repo": "big", "line": i} for i in range(30)] + [{"repo": "small", "line": i} for i in range(3)]
    capped = pick(found, 10, 7, per_repo=5)
    assert sorted(f["repo"] for f in capped) == ["big"] * 5 + ["small"] * 3
    assert capped == pick(found, 10, 7, per_repo=5)  # seeded: the same inputs, the same sample
    assert pick(found, 10, 7) == _random.Random(7).sample(found, 10)
    assert pick(found[:4], 10, 7) == found[:4]
