"""Hostile and broken input: damaged TypeScript is parsed with error recovery and
still yields its findings, machine-made files are skipped with a note, the file
system may change under the scan, and internal errors never print a bare
traceback unless --debug asks for it."""

from __future__ import annotations

import pytest

from cliutil import dbaudit, usage_error
from scanner import engine
from scanner.config import load_config
from scanner.engine import scan
from scanner.report.json_report import report_dict
from treeutil import CLIENT_TS, make_tree

HEAD = 'import { prisma } from "./db"\n'


def loop(name: str) -> str:
    """A function whose Prisma call (its third line) is an n-plus-one finding."""
    return (f"export async function {name}(ids: string[]) {{\n"
            "  for (const id of ids) {\n"
            "    await prisma.user.findFirst({ where: { id } })\n"
            "  }\n"
            "}\n")


def scan_report(root, **overrides) -> dict:
    return report_dict(scan(root, load_config(root, overrides=overrides or None)))


def lines_of(report: dict, path: str, rule: str = "n-plus-one") -> list[int]:
    return sorted(f["line"] for f in report["findings"] if f["path"] == path and f["rule"] == rule)


def warnings_of(report: dict, path: str) -> list[tuple[str, int | None, str]]:
    return [(w["kind"], w["line"], w["message"]) for w in report["warnings"] if w["path"] == path]


# -- damaged TypeScript -----------------------------------------------------------------------

# Each broken part sits on line 7, between a finding on line 4 and one after it.
BROKEN = {
    "syntax-error": "export function broken( {\n  const x = ;\n}\n",
    "unterminated-string": 'const s = "never closed\n',
    "unterminated-template": "const t = `never closed ${\n",
    "unclosed-block": "function open() {\n  if (x) {\n",
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_damaged_code_is_recovered_and_its_findings_still_reported(tmp_path, kind):
    broken = BROKEN[kind]
    after = 7 + broken.count("\n") + 2      # the second loop's Prisma call
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/broken.ts": HEAD + loop("a") + broken + loop("b")})
    report = scan_report(tmp_path)
    assert lines_of(report, "src/broken.ts")[0] == 4
    if kind != "unclosed-block":                   # an open block swallows what follows
        assert lines_of(report, "src/broken.ts") == [4, after]
    problems = warnings_of(report, "src/broken.ts")
    assert problems and all(k == "parse" and "parsed with error recovery" in m for k, _, m in problems)
    assert all(line is not None and line >= 6 for _, line, _ in problems), problems
    assert report["stats"]["files_scanned"] == 2


def test_merge_conflict_markers_are_named_with_their_lines(tmp_path):
    conflict = "<<<<<<< HEAD\nconst a = 1\n=======\nconst a = 2\n>>>>>>> feature/x\n"
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/merged.ts": HEAD + conflict + loop("load")})
    report = scan_report(tmp_path)
    assert lines_of(report, "src/merged.ts") == [9]
    markers = [line for _, line, m in warnings_of(report, "src/merged.ts") if m.startswith("merge conflict marker")]
    assert markers == [2, 4, 6]


def test_a_conflict_marker_look_alike_in_valid_code_is_no_warning(tmp_path):
    text = HEAD + 'const banner = `\n<<<<<<< not a conflict\n`\n' + loop("load")
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/ok.ts": text})
    report = scan_report(tmp_path)
    assert report["warnings"] == [] and lines_of(report, "src/ok.ts") == [7]


# -- machine-made files -----------------------------------------------------------------------

DEEP = {  # 10,000 levels of one construct, one level per line (no long line to trip the minified check)
    "parentheses": lambda n: "(\n" * n + "1" + ")\n" * n,
    "arrays": lambda n: "[\n" * n + "]\n" * n,
    "objects": lambda n: "{ a:\n" * n + "1" + "}\n" * n,
    "calls": lambda n: "f(\n" * n + ")\n" * n,
    "arrows": lambda n: "() =>\n" * n + "1\n",
    "binary-chain": lambda n: "a +\n" * n + "1\n",
    "member-chain": lambda n: "x" + "\n.y" * n + "\n",
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_ten_thousand_deep_nesting_is_skipped_with_a_note(tmp_path, shape):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/load.ts": HEAD + loop("load"),
                         "src/deep.ts": HEAD + "export const x = " + DEEP[shape](10_000) + "\n" + loop("more")})
    report = scan_report(tmp_path)
    [(kind, line, message)] = warnings_of(report, "src/deep.ts")
    assert kind == "skipped" and "levels deep" in message and "generated" in message
    assert lines_of(report, "src/load.ts") == [4]          # the rest of the tree is still scanned


def test_nesting_below_the_limit_is_walked_without_recursion(tmp_path):
    n = 900   # deeper than Python's default recursion limit allows a recursive walk
    # Objects and calls take two syntax nodes a level (pair, arguments).
    body = "".join("export const v%d = %s\n" % (i, DEEP[s](n // 2 if s in ("objects", "calls") else n))
                   for i, s in enumerate(sorted(DEEP)))
    text = HEAD + body + "export function g(a: number) {\n" + "if (a) {\n" * 200 + "}\n" * 200 + "}\n" + loop("load")
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/deep.ts": text})
    report = scan_report(tmp_path)
    assert lines_of(report, "src/deep.ts") == [text.count("\n") - 2]
    assert all(k == "parse" for k, _, _ in warnings_of(report, "src/deep.ts"))


def test_a_five_megabyte_generated_file_is_skipped_by_size(tmp_path):
    generated = "".join(f"export const k{i} = {{ id: {i}, name: 'n{i}' }}\n" for i in range(130_000))
    assert len(generated) > 5_000_000
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/load.ts": HEAD + loop("load"), "src/generated.ts": generated})
    report = scan_report(tmp_path)
    [(kind, _, message)] = warnings_of(report, "src/generated.ts")
    assert kind == "skipped" and "max_file_bytes" in message
    assert lines_of(report, "src/load.ts") == [4]


def test_extremely_long_lines(tmp_path):
    # One 15,000-character line among ordinary ones: under max_line_length and the average limit.
    long_string = HEAD + "// an ordinary comment line\n" * 100 + f'export const blob = "{"x" * 15_000}"\n' + loop("load")
    bundle = "var a=" + "1+" * 60_000 + "1;\n"                                          # one 120,000-character line
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/blob.ts": long_string, "src/bundle.js": bundle})
    report = scan_report(tmp_path)
    assert lines_of(report, "src/blob.ts") == [105]
    [(kind, _, message)] = warnings_of(report, "src/bundle.js")
    assert kind == "skipped" and "minified" in message and "120,00" in message


# -- the file system changes under the scan ----------------------------------------------------------

def test_a_file_deleted_during_the_scan_is_skipped_with_a_note(tmp_path, monkeypatch):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/gone.ts": HEAD + loop("a"), "src/kept.ts": HEAD + loop("b")})
    found = engine.discover

    def discover_then_delete(*args, **kwargs):
        out = found(*args, **kwargs)
        (tmp_path / "src/gone.ts").unlink()       # after discovery listed it, before it is read
        return out

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    report = scan_report(tmp_path)
    assert warnings_of(report, "src/gone.ts") == [("skipped", None, "skipped: the file disappeared during the scan")]
    assert lines_of(report, "src/kept.ts") == [4]


# -- internal errors and --debug --------------------------------------------------------------------

def _explode(*args, **kwargs):
    raise RuntimeError("boom")


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS})
    monkeypatch.setattr(engine, "scan", _explode)
    line = usage_error(dbaudit("scan", tmp_path))
    assert line.startswith("dbaudit: internal error: RuntimeError: boom") and "--debug" in line
    run = dbaudit("scan", tmp_path, "--debug")
    assert run.code == 2
    assert "Traceback (most recent call last)" in run.err and "RuntimeError: boom" in run.err


def test_debug_also_shows_where_a_usage_error_came_from(tmp_path):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS})
    line = usage_error(dbaudit("scan", tmp_path, "--select", "no-such-rule"))
    assert "no-such-rule" in line
    run = dbaudit("scan", tmp_path, "--select", "no-such-rule", "--debug")
    assert run.code == 2 and "Traceback" in run.err
    assert run.err.strip().splitlines()[-1] == line


# -- runaway analysis ---------------------------------------------------------------------------

def test_a_file_whose_analysis_runs_out_of_memory_is_skipped_with_a_note(tmp_path, monkeypatch):
    # A parse worker's address space is capped (collect.cap_worker_memory), so a runaway file
    # raises MemoryError in the worker: that file is skipped with a note, the rest is scanned.
    from scanner.facts import extract as X
    real = X.extract

    def extract(pf):
        if pf.path == "src/huge.ts":
            raise MemoryError
        return real(pf)
    monkeypatch.setattr(X, "extract", extract)
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/load.ts": HEAD + loop("load"), "src/huge.ts": HEAD + loop("huge")})
    report = scan_report(tmp_path)
    [(kind, _, message)] = warnings_of(report, "src/huge.ts")
    assert kind == "skipped" and "more memory" in message
    assert lines_of(report, "src/load.ts") == [4] and lines_of(report, "src/huge.ts") == []


def test_a_parse_worker_may_take_half_the_machine_and_at_least_four_gib():
    from scanner.collect import worker_memory_cap
    assert worker_memory_cap(24 << 30) == 12 << 30
    assert worker_memory_cap(2 << 30) == 4 << 30


def test_a_chain_of_assignments_naming_a_value_twice_lists_its_parameter_once():
    # `a1 = a0 + a0`, `a2 = a1 + a1`, …: each step names the one before twice. Listing the
    # parameter once per path doubled the list at each step (2^20 entries here; a real module
    # took 24 GiB); each parameter is listed once.
    from scanner import parse as P
    from scanner.engine import client_config
    from scanner.facts.parsed import ParsedFile
    from scanner.facts.raw_origins import from_parameter
    steps = "".join(f"  const a{i + 1} = a{i} + a{i}\n" for i in range(20))
    source = f"export function f(p: string) {{\n  const a0 = p\n{steps}  return a20\n}}\n".encode()
    tree, grammar = P.parse_source("src/chain.ts", source)
    pf = ParsedFile("src/chain.ts", "lib", tree, grammar, client_config(load_config(None)))
    last = [n for n in pf.resolver.identifiers_named("a20")][-1]
    found: list = []
    assert from_parameter(last, pf.resolver, 0, found, memo={})
    assert [i for _, i in found] == [0]


def test_a_defect_met_in_one_file_skips_that_file_with_a_note(tmp_path, monkeypatch):
    # A bug dbaudit meets in one file's analysis (once: a helper reading `request.nextUrl`
    # stopped every scan of its repository) costs that file, named in a note, not the scan;
    # with --debug it raises, for its traceback.
    from scanner.facts import extract as X
    real = X.extract

    def extract(pf):
        if pf.path == "src/odd.ts":
            raise ValueError("not enough values to unpack")
        return real(pf)
    monkeypatch.setattr(X, "extract", extract)
    monkeypatch.delenv(X.DEBUG_ENV, raising=False)
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/load.ts": HEAD + loop("load"), "src/odd.ts": HEAD + loop("odd")})
    report = scan_report(tmp_path)
    [(kind, _, message)] = warnings_of(report, "src/odd.ts")
    assert kind == "skipped" and "ValueError: not enough values to unpack" in message and "--debug" in message
    assert lines_of(report, "src/load.ts") == [4] and lines_of(report, "src/odd.ts") == []
    monkeypatch.setenv(X.DEBUG_ENV, "1")
    with pytest.raises(ValueError):
        X.extract_facts("src/odd.ts", "lib", (HEAD + loop("odd")).encode(), engine.client_config(load_config(tmp_path)))
