"""A tqdm progress bar for the command line that layers/ report to."""

from __future__ import annotations

from types import TracebackType

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


class TqdmProgress:
    """Context manager: a tqdm bar on stderr, updated by ``progress(done, total, message)``."""

    def __init__(self, title: str) -> None:
        self._bar = tqdm(desc=title, total=0, unit="step", leave=False, dynamic_ncols=True)
        # Log lines written while the bar runs go above it instead of through it.
        self._redirect = logging_redirect_tqdm()

    def __call__(self, done: int, total: int, message: str) -> None:
        self._bar.total = total
        self._bar.n = done
        self._bar.set_postfix_str(message, refresh=False)
        self._bar.refresh()

    def __enter__(self) -> TqdmProgress:
        self._redirect.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._redirect.__exit__(exc_type, exc, tb)
        self._bar.close()
