"""Run the dbaudit CLI in-process and keep stdout and stderr apart."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from click.testing import CliRunner

from scanner.cli import main

# click < 8.2 mixes stderr into stdout unless told otherwise.
_RUNNER_KW = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}


@dataclass
class Run:
    code: int
    out: str
    err: str


def dbaudit(*args: str) -> Run:
    result = CliRunner(**_RUNNER_KW).invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception   # an escaped exception is a bug; show its traceback
    return Run(result.exit_code, result.stdout, result.stderr)


def usage_error(run: Run) -> str:
    """The one error line of an exit-2 run; asserts there is no traceback."""
    assert run.code == 2, f"expected exit 2, got {run.code}\n{run.out}\n{run.err}"
    assert "Traceback" not in run.err + run.out
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got:\n{run.err}"
    return lines[0]
