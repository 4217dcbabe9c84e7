"""Event handlers of JSX elements (facts/browser_handlers.py, analysis/browser_only.py): they
run in the browser, where no Prisma client runs; the database work they reach through plain
functions never runs from there, unless they reach a server entry point."""

from __future__ import annotations

from conftest import scan_dir

FIXTURE = "fixtures/rules/swallowed-error"


def _handlers() -> dict[str, set[int]]:
    from scanner.analysis.browser_only import browser_only
    result = scan_dir(FIXTURE)
    return {p: {a for a, _, _ in spans} for p, spans in browser_only(result.index).items()}


def test_handlers_that_reach_no_server_entry_point_run_only_in_the_browser():
    # handleApprove (named only in two onClick attributes), submit (called only from an inline
    # handler) and the three inline onClick arrows.
    # Near misses: `send` calls a server action, `reply` reaches one through a helper module,
    # and `approve` also runs in an effect.
    assert _handlers() == {"src/components/ApprovePopup.tsx": {12, 25, 27, 86, 94}}
