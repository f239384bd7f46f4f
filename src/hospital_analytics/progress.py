"""Progress reporting: library steps take a ``Progress`` and default to silence; the CLI plugs in rich bars."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What a step tells about its progress. ``task`` names a bar; ``total`` may be unknown (None)."""

    def start(self, task: str, total: float | None = None) -> None: ...

    def advance(self, task: str, amount: float = 1) -> None: ...

    def finish(self, task: str) -> None: ...


class NullProgress:
    """The default: reports nothing."""

    def start(self, task: str, total: float | None = None) -> None:
        pass

    def advance(self, task: str, amount: float = 1) -> None:
        pass

    def finish(self, task: str) -> None:
        pass


NULL_PROGRESS = NullProgress()
