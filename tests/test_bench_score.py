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
