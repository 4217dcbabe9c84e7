"""A progress bar on stderr for long scans: only on a terminal, only once a
scan has run for a second (short scans and CI logs stay clean)."""

from __future__ import annotations

import sys
import time

DELAY = 1.0


class ScanProgress:
    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._bar = None
        self._task = None

    def update(self, done: int, total: int, what: str = "parsing") -> None:
        if not self.enabled or total <= 0:
            return
        if self._bar is None:
            if time.monotonic() - self.started < DELAY:
                return
            # rich is imported only when a bar is shown (never in CI or a short scan).
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            self._bar = Progress(TextColumn("[bold]dbaudit[/] {task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(what, total=total)
        self._bar.update(self._task, completed=done, total=total, description=what)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
