"""The command line: a thin click layer over engine, reporters and rules."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import gc

# A scan allocates hundreds of thousands of small, long-lived fact records and almost
# no cyclic garbage: the collector's default thresholds spend a third of a warm scan
# walking them. Collect rarely instead, as mypy does (inherited by forked workers).
gc.set_threshold(100_000, 50, 100)

from . import __version__
from .config import SCOPES, ConfigError, load_config
from .discover import is_source_name
from .facts.extract import DEBUG_ENV
from .baseline import BaselineError
from .findings import Severity, merged
from .history.errors import HistoryError
from .gitdiff import GitDiffError
from .rules import REGISTRY, RULES_BY_ID, UnknownRule, select_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json")
# `scan` also speaks the pull-request formats (scanner/report/).
SCAN_FORMATS = (*FORMATS, "sarif", "github", "markdown", "html")

HISTORY_HELP = ("History store: a SQLite file or sqlite:///… / postgresql://… URL "
                "[$DBAUDIT_HISTORY_URL, config history.url, default PATH/.dbaudit/history.sqlite].")


class InputError(Exception):
    """Bad input the user must fix (exit 2)."""


def _split(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def _check_output(output: str | None, flag: str = "-o") -> None:
    """Refuse an unwritable report path before the scan runs, not after."""
    if output is None or output == "-":
        return
    path = Path(output)
    if not path.parent.is_dir():
        raise InputError(f"{flag} {output}: the folder {path.parent} does not exist; create it or choose another path.")
    if path.is_dir():
        raise InputError(f"{flag} {output}: that is a folder; give a file name, e.g. {path / 'dbaudit.json'}.")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{flag} {output}: cannot write there (read-only); choose a writable path.")


def _check_root(path: Path) -> None:
    if path.is_file() and not is_source_name(path.name):
        raise InputError(f"{path}: not a TypeScript/JavaScript source or .prisma file; "
                         "give a source file or a folder to scan.")


def _check_nothing_to_scan(path: Path, result) -> None:
    """A folder with no source and no schema in scope is a mistake (a wrong path,
    an exclude too wide), not a clean scan: discovery's `empty` warning says so."""
    if path.is_dir() and any(w.kind == "empty" for w in result.warnings):
        from .parse import SOURCE_EXTENSIONS
        exts = "/".join(SOURCE_EXTENSIONS)
        where = f"{path} ({path.resolve()})" if str(path) == "." else str(path)
        raise InputError(f"nothing to scan in {where}: no {exts} source or .prisma schema in scope "
                         "(after .gitignore, exclude, default_excludes and out_of_scope); "
                         "give the folder that holds the app's code.")


def _listed(fmt: str, result, min_severity: str | None):
    """The findings a report of this format lists (`--min-severity` narrows all but JSON)."""
    from .report import UNFILTERED, shown
    return result.findings if fmt in UNFILTERED else shown(result, min_severity).findings


def _wrote(file: str, findings) -> None:
    n = len(findings)
    click.echo(f"dbaudit: wrote {file} ({n} finding{'' if n == 1 else 's'})", err=True)


def _write(output: str | None, text: str) -> None:
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    path = Path(output)
    if not path.parent.exists():
        raise InputError(f"-o {output}: the folder {path.parent} does not exist; create it or choose another path.")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"-o {output}: cannot write the report ({e.strerror}); choose a writable path.") from None


def _write_report(output: str | None, fmt: str, result, **options) -> None:
    """The report of `fmt` to standard output, or streamed into the file `output`."""
    if output is None or output == "-":
        from .report import render
        _write(output, render(fmt, result, **options))
        return
    from .report import write
    path = Path(output)
    if not path.parent.exists():
        raise InputError(f"-o {output}: the folder {path.parent} does not exist; create it or choose another path.")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            write(fmt, result, fh, **options)
    except OSError as e:
        raise InputError(f"-o {output}: cannot write the report ({e.strerror}); choose a writable path.") from None


def _print_traceback() -> None:
    import traceback   # only for --debug
    traceback.print_exc()


def _run(fn, debug: bool):
    if debug:
        os.environ[DEBUG_ENV] = "1"   # parse workers inherit it
    try:
        return fn()
    except (ConfigError, UnknownRule, InputError, BaselineError, GitDiffError, HistoryError) as e:
        if debug:
            _print_traceback()
        click.echo(f"dbaudit: error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("dbaudit: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if debug:
            _print_traceback()
        else:
            click.echo(f"dbaudit: internal error: {type(e).__name__}: {e}. "
                       "Rerun with --debug for the traceback and report it.", err=True)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbaudit")
def main() -> None:
    """dbaudit: find database anti-patterns in TypeScript + Prisma code."""


def _report_files(specs) -> list[tuple[str, str]]:
    """`--write FORMAT:FILE` pairs, checked before the scan runs."""
    out = []
    for spec in specs:
        fmt, sep, file = spec.partition(":")
        if not sep or not file or fmt not in SCAN_FORMATS:
            raise InputError(f"--write {spec}: expected FORMAT:FILE with FORMAT one of "
                             f"{', '.join(SCAN_FORMATS)} (e.g. --write sarif:dbaudit.sarif).")
        out.append((fmt, file))
    return out


def _warn(message: str) -> None:
    click.echo(f"dbaudit: warning: {message}", err=True)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(SCAN_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", help="Write the report to this file instead of standard output.")
@click.option("--write", "writes", multiple=True, metavar="FORMAT:FILE",
              help="Also write a report in FORMAT to FILE, from the same scan (repeatable).")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Hide the findings recorded in FILE (see `dbaudit baseline`); report only new ones.")
@click.option("--diff", "diff_ref", metavar="REF",
              help="Report only findings on lines changed since the merge base of REF and HEAD "
                   "(uncommitted changes included); the whole repository is still analysed.")
@click.option("--report-unused-ignores", is_flag=True,
              help="List dbaudit-ignore comments that suppressed nothing (on standard error).")
@click.option("--link-base", metavar="URL",
              help="markdown: make finding links absolute, e.g. https://github.com/OWNER/REPO/blob/SHA/")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Extra config file, layered over .dbaudit.yaml.")
@click.option("--select", multiple=True,
              help="List only the findings of these rule ids (comma-separated or repeated); the audit's "
                   "scores and coverage still weigh every rule.")
@click.option("--ignore", multiple=True, help="Do not list the findings of these rule ids (the audit still weighs them).")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), default=None,
              help="Exit 1 when a finding is at or above this severity [config fail_on, default high].")
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]), default=None,
              help="Show, score and fail on findings of at least this confidence "
                   "[config min_confidence, default medium]; low shows all.")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default=None,
              help="Show only findings of at least this severity (text, html, markdown, sarif, github; "
                   "not json); --fail-on still counts them all.")
@click.option("--no-group", is_flag=True,
              help="text: list every finding instead of folding more than 5 of one rule and severity into a line.")
@click.option("--scope", type=click.Choice(SCOPES), default=None,
              help="app: leave operational scripts (script_paths, files package.json scripts run, "
                   "seeds) out [config scope, default all].")
@click.option("--save", is_flag=True, help="Record this scan in the history store (see `dbaudit history`).")
@click.option("--history", "history_url", metavar="URL", help=HISTORY_HELP)
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where the facts cache lives [default: the user cache folder, never the scanned repo].")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes for parsing [default: one per core].")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def scan(path, fmt, output, writes, baseline_file, diff_ref, report_unused_ignores, link_base, config_file,
         select, ignore, fail_on, min_confidence, min_severity, no_group, scope, save, history_url, no_cache,
         cache_dir, jobs, debug):
    """Scan PATH (a repository checkout, folder or file) and report findings."""
    def go():
        from .baseline import load_baseline
        from .engine import scan as run_scan
        from .gitdiff import changed_lines, repo_root
        extra = _report_files(writes)
        _check_root(path)
        _check_output(output)
        for _, file in extra:
            _check_output(file, "--write")
        overrides = {k: v for k, v in (("scope", scope), ("min_confidence", min_confidence)) if v}
        config = load_config(path if path.is_dir() else path.parent, config_file, overrides or None,
                             rule_ids=RULES_BY_ID)
        baseline = load_baseline(baseline_file) if baseline_file else None
        changed = changed_lines(path.resolve(), diff_ref) if diff_ref else None
        from .collect import CacheOptions
        from .progress import ScanProgress
        bar = ScanProgress()
        try:
            result = run_scan(path, config, select=_split(select), ignore=_split(ignore),
                              baseline=baseline, changed=changed,
                              cache=CacheOptions(enabled=not no_cache, folder=cache_dir), jobs=jobs,
                              progress=bar.update, audit_all=True)
        finally:
            bar.close()
        _check_nothing_to_scan(path, result)
        options = {"source_root": repo_root(path.resolve()), "link_base": link_base, "warn": _warn,
                   "min_severity": min_severity, "group": not no_group}
        color = fmt == "text" and output is None and sys.stdout.isatty()
        _write_report(output, fmt, result, color=color, **options)
        if output and output != "-":
            _wrote(output, _listed(fmt, result, min_severity))
        for extra_fmt, file in extra:
            _write_report(file, extra_fmt, result, **options)
            if file != "-":
                _wrote(file, _listed(extra_fmt, result, min_severity))
        if report_unused_ignores:
            for unused in result.review.unused_ignores:
                click.echo(f"dbaudit: {unused.describe()}", err=True)
        if save:
            from .history.commands import save_scan
            click.echo(save_scan(result, history_url, _split(select), _split(ignore)).message(), err=True)
        threshold = Severity.parse(fail_on or config["fail_on"])
        failing = [f for f in result.findings if f.severity.rank >= threshold.rank]
        return EXIT_FINDINGS if failing else EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("baseline")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path))
@click.option("-o", "--output", metavar="FILE",
              help="Write the baseline to FILE (e.g. .dbaudit-baseline.json) instead of standard output.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Extra config file, layered over .dbaudit.yaml.")
@click.option("--select", multiple=True, help="Only these rule ids (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def baseline_cmd(path, output, config_file, select, ignore, debug):
    """Record the current findings of PATH (by line-free fingerprint) so that
    `dbaudit scan PATH --baseline FILE` reports only new ones."""
    def go():
        from .baseline import render_baseline
        from .engine import scan as run_scan
        _check_root(path)
        _check_output(output)
        config = load_config(path if path.is_dir() else path.parent, config_file, rule_ids=RULES_BY_ID)
        result = run_scan(path, config, select=_split(select), ignore=_split(ignore))
        _check_nothing_to_scan(path, result)
        # Every finding, with its confidence: a later scan may show more of them.
        recorded = merged(result.findings, result.review.below_confidence)
        _write(output, render_baseline(recorded))
        if output and output != "-":
            n = len(recorded)
            click.echo(f"dbaudit: recorded {n} finding{'' if n == 1 else 's'} in {output}", err=True)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("rules")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def rules_cmd(fmt):
    """List the rules."""
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "name": r.name, "category": r.category,
                                "severity": r.severity.value, "summary": r.summary} for r in REGISTRY],
                              indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    table = Table(title="dbaudit rules")
    for col in ("id", "severity", "category", "summary"):
        table.add_column(col)
    for r in REGISTRY:
        table.add_row(r.id, r.severity.value, r.category, r.summary)
    Console(width=140, markup=False, highlight=False).print(table)   # summaries are plain text


@main.command()
@click.argument("rule_id")
@click.option("--raw", is_flag=True, help="Print the page's Markdown unchanged (docs/rules/RULE.md).")
def explain(rule_id, raw):
    """Show a rule's documentation page: the example and the fix first, then
    what it finds, why it matters and how confident it is."""
    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        try:
            select_rules([rule_id])
        except UnknownRule as e:   # its message carries the did-you-mean
            click.echo(f"dbaudit: error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        page = rule.docs_path.read_text(encoding="utf-8")
    except OSError:
        click.echo(f"dbaudit: error: the docs page for {rule_id} is missing ({rule.docs_path}).", err=True)
        sys.exit(EXIT_USAGE)
    if raw:
        click.echo(page)
        return
    from .docs_page import render_terminal
    tty = sys.stdout.isatty()
    click.echo(render_terminal(page, color=tty, width=_terminal_width() if tty else 100), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="Extra config file, layered over .dbaudit.yaml.")
@click.option("--unresolved", is_flag=True,
              help="List the Prisma-shaped calls whose receiver was not recognised as a client, "
                   "grouped by receiver, instead of the analysed calls.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def facts(path, fmt, config_file, unresolved, debug):
    """Show what the fact model saw: clients and Prisma calls with their scopes."""
    def go():
        from .engine import scan as run_scan
        from .report.facts_report import render_facts, render_unresolved
        _check_root(path)
        config = load_config(path if path.is_dir() else path.parent, config_file, rule_ids=RULES_BY_ID)
        result = run_scan(path, config, ignore=list(RULES_BY_ID))   # facts only: no rule runs
        _check_nothing_to_scan(path, result)
        render = render_unresolved if unresolved else render_facts
        click.echo(render(result, fmt), nl=False)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("init")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing .dbaudit.yaml.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def init_cmd(path, force, debug):
    """Write a commented .dbaudit.yaml for the repository at PATH: its schema,
    client names (with the receivers not recognised, commented out), the entry
    points seen, and the script and test globs to adapt."""
    def go():
        from .config import PROJECT_FILE
        from .engine import scan as run_scan
        from .init_config import PROBE_RULES, render_init
        target = path / PROJECT_FILE
        if target.exists() and not force:
            raise InputError(f"{target} already exists; edit it, or rerun with --force to overwrite it.")
        defaults = load_config(None)
        result = run_scan(path, defaults, select=PROBE_RULES)
        _check_nothing_to_scan(path, result)
        try:
            target.write_text(render_init(result, defaults), encoding="utf-8")
        except OSError as e:
            raise InputError(f"{target}: cannot write it ({e.strerror}); check the folder's permissions.") from None
        click.echo(f"dbaudit: wrote {target}", err=True)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


# -- history: saved scans over time (logic in scanner/history/) ----------------

_REPO_PATH = click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)


def _history_options(fn):
    fn = click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")(fn)
    fn = click.option("--config", "config_file", type=click.Path(path_type=Path),
                      help="Extra config file, layered over .dbaudit.yaml.")(fn)
    return click.option("--history", "history_url", metavar="URL", help=HISTORY_HELP)(fn)


def _terminal_width() -> int:
    import shutil
    return max(100, shutil.get_terminal_size((120, 24)).columns) if sys.stdout.isatty() else 120


@main.command("history")
@click.argument("path", default=".", type=_REPO_PATH)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--branch", help="Only scans of this branch.")
@_history_options
def history_cmd(path, fmt, branch, history_url, config_file, debug):
    """List the saved scans of the repository at PATH: date, commit, branch,
    counts per severity, and findings new and fixed since the scan before."""
    def go():
        from .history.commands import history_report
        config = load_config(path, config_file, rule_ids=RULES_BY_ID)
        color = fmt == "text" and sys.stdout.isatty()
        click.echo(history_report(path, history_url, config, branch, fmt, color, _terminal_width()), nl=False)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("diff-scans")
@click.argument("scan_a")
@click.argument("scan_b")
@click.option("-C", "--path", "path", default=".", type=_REPO_PATH, show_default=True,
              help="The repository whose history store to read; its scans win when a sha prefix is ambiguous.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_history_options
def diff_scans_cmd(scan_a, scan_b, path, fmt, history_url, config_file, debug):
    """Findings new and fixed between two saved scans, matched by fingerprint.
    SCAN_A and SCAN_B are scan ids (12 or #12) or commit sha prefixes."""
    def go():
        from .history.commands import diff_report
        config = load_config(path, config_file, rule_ids=RULES_BY_ID)
        color = fmt == "text" and sys.stdout.isatty()
        click.echo(diff_report(scan_a, scan_b, path, history_url, config, fmt, color), nl=False)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("trend")
@click.argument("path", default=".", type=_REPO_PATH)
@click.option("-o", "--output", help="Write the page to this file instead of standard output.")
@click.option("-f", "--format", "fmt", type=click.Choice(("html", "json")), default="html", show_default=True)
@click.option("--all-repos", is_flag=True, help="One page for every repository in the store.")
@click.option("--branch", help="Only scans of this branch.")
@_history_options
def trend_cmd(path, output, fmt, all_repos, branch, history_url, config_file, debug):
    """A self-contained HTML page (inline SVG, no scripts) charting the saved
    scans over time: totals, severities, each rule, new and fixed."""
    def go():
        from .history.commands import trend_report
        config = load_config(path, config_file, rule_ids=RULES_BY_ID)
        _write(output, trend_report(path, history_url, config, all_repos, branch, fmt))
        if output and output != "-":
            click.echo(f"dbaudit: wrote {output}", err=True)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


@main.command("backfill")
@click.argument("path", default=".", type=_REPO_PATH)
@click.option("--since", metavar="SPAN|DATE", help="How far back: 6.months, 12.weeks or a date (2024-01-31).")
@click.option("--every", metavar="SPAN", help="At most one commit per span, e.g. 1.week (the newest of each).")
@click.option("--commits", type=int, metavar="N", help="At most N commits (the newest).")
@click.option("--ref", default="HEAD", show_default=True, help="Branch or commit whose first-parent history to walk.")
@click.option("--force", is_flag=True, help="Rescan commits already saved with this config.")
@click.option("--select", multiple=True, help="Only these rule ids (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_history_options
def backfill_cmd(path, since, every, commits, ref, force, select, ignore, fmt, history_url, config_file, debug):
    """Scan past commits of the repository at PATH and save each with its
    commit date. Reads commits with git archive: the working tree is untouched.
    Uses today's config so that past and present scans compare."""
    def go():
        from .history.commands import backfill
        config = load_config(path, config_file, rule_ids=RULES_BY_ID)
        click.echo(backfill(path, history_url, config, _split(select), _split(ignore), since, every,
                            commits, ref, force, fmt), nl=False)
        return EXIT_CLEAN
    sys.exit(_run(go, debug))


def entry() -> None:
    """The `dbaudit` command (and `python -m scanner.cli`): `main`, then an exit that skips
    the interpreter's last garbage collection. A scan leaves its facts, index and findings
    (about 200,000 objects on a 2,000-file repository, some in reference cycles) for that
    collection, which takes a sixth of a warm scan only to free memory the process is about
    to give back; frozen, they are left to the exit. Tests call `main`, which keeps the
    collector as it is."""
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    entry()
