"""Bias-corrected and accelerated (BCa) bootstrap intervals (Efron 1987) for an estimate from a
table of counts, with the acceleration from a grouped delete-one jackknife.

Every case in one cell of a capture table gives the same delete-one estimate, so the jackknife
needs one estimate per non-empty cell, weighted by its count. ``scipy.stats.bootstrap`` would
instead re-run the whole model selection once per case (2,744 times for the UK data).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def acceleration(jackknife: Sequence[float], weights: Sequence[float]) -> float:
    """The BCa acceleration from delete-one estimates, each standing for ``weights`` cases (a
    deletion that left no estimate, NaN, is left out)."""
    values, counts = np.asarray(jackknife, dtype=float), np.asarray(weights, dtype=float)
    finite = np.isfinite(values)
    values, counts = values[finite], counts[finite]
    deviations = np.sum(counts * values) / counts.sum() - values
    spread = np.sum(counts * deviations**2)
    if not np.isfinite(spread) or spread <= 0:
        return 0.0
    return float(np.sum(counts * deviations**3) / (6 * spread**1.5))


def interval(
    replicates: Sequence[float], estimate: float, accel: float, level: float = 0.95
) -> tuple[float, float]:
    """The BCa interval at ``level`` from bootstrap ``replicates`` of ``estimate``."""
    values = np.asarray([v for v in replicates if np.isfinite(v)], dtype=float)
    if values.size == 0:
        raise ValueError("no bootstrap replicate gave an estimate")
    below = np.mean(values < estimate)
    # A replicate set wholly on one side gives an infinite bias correction: keep it finite.
    below = min(max(below, 0.5 / values.size), 1 - 0.5 / values.size)
    bias = stats.norm.ppf(below)
    tail = (1 - level) / 2
    limits = []
    for z in stats.norm.ppf([tail, 1 - tail]):
        shifted = bias + z
        limits.append(stats.norm.cdf(bias + shifted / (1 - accel * shifted)))
    low, high = np.quantile(values, limits, method="median_unbiased")
    return float(low), float(high)
