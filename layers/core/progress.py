"""Progress reporting that layers/ can call without knowing who is watching (CLI bar or app bar)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told how far a long job has got: ``done`` of ``total`` steps, with what it is doing."""

    def __call__(self, done: int, total: int, message: str) -> None: ...


def no_progress(done: int, total: int, message: str) -> None:
    """A progress sink that ignores every update (for callers that do not watch)."""
