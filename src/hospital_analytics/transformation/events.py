"""dbt's events -> a ``Collector``: one counter, advanced once per finished node."""

from __future__ import annotations

from typing import Any

from hospital_analytics.progress import Collector


class DbtProgress:
    """A dbt callback turning its events into one counter: the total is the number of nodes dbt will run,
    one step per ``NodeFinished``.

    ``ConcurrencyLine`` carries ``node_count``, but for ``build`` that count leaves out the unit tests, which
    dbt adds just before the first node starts; the ``total`` on ``LogStartLine`` (the "1 of N START"
    line) includes them. So the counter starts on the first ``LogStartLine`` (or with ``node_count`` if no
    node runs) and never advances past its total.
    """

    def __init__(self, progress: Collector, task: str):
        self.progress = progress
        self.task = task
        self.node_count: int | None = None
        self.total: int | None = None
        self.finished = 0

    def __call__(self, event: Any) -> None:
        try:
            name = event.info.name
            if name == "ConcurrencyLine":
                self.node_count = int(event.data.node_count)
            elif name == "LogStartLine" and self.total is None:
                self._start(int(event.data.total) or self.node_count)
            elif name == "NodeFinished":
                if self.total is None:
                    self._start(self.node_count)
                if self.total is None or self.finished < self.total:
                    self.finished += 1
                    self.progress.update(self.task, 1)
        except Exception:  # progress must never break a dbt run
            pass

    def _start(self, total: int | None) -> None:
        self.total = total
        self.progress.update(self.task, 0, total=total)

    def close(self) -> None:
        """After the run: a counter that never started (dbt ran no node) is announced with what dbt counted."""
        if self.total is None:
            self._start(self.node_count or 0)
