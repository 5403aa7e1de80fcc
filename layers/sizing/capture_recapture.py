"""How many businesses no list has seen: capture-recapture over the independent lists that know
each business (companies register, visits, intelligence reports, business support, others).

- Two lists: the Chapman estimator, with a log-normal confidence interval for the unseen part
  (Chao 1987), so the interval never dips below what the lists have seen.
- Three or more: Poisson log-linear models over the table of list overlaps (as the Home Office
  estimated modern slavery in 2014): every model with all main effects and any set of two-list
  interactions is fitted with statsmodels, the one with the lowest BIC is kept, and its estimate
  of the unseen cell gets a parametric bootstrap percentile interval.

Assumptions, said wherever the estimate is shown (``ASSUMPTIONS``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

#: What the estimate takes for granted, in plain words.
ASSUMPTIONS = (
    "The population is closed: no business opens or closes over the period the lists cover.",
    "Each business is recorded once per list, and matched correctly across lists.",
    "Dependence between lists is captured by the chosen model (two lists: none at all); "
    "businesses no list can ever see are not counted.",
    "Within the model, every business has the same chance of being on a list.",
)

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """An estimate of the total number of businesses, seen and unseen, with a 95% interval."""

    observed: int
    total: float
    low: float
    high: float
    method: str
    model: str = ""

    @property
    def unseen(self) -> float:
        """Businesses estimated to be on no list."""
        return self.total - self.observed

    @property
    def hidden_share(self) -> float:
        """The unseen share of the estimated total."""
        return self.unseen / self.total if self.total else 0.0


def histories(memberships: pd.DataFrame, lists: Sequence[str]) -> pd.Series:
    """The overlap table: how many businesses have each capture history (a tuple of 0/1, one
    per list, never all zero), from one row per business and one boolean column per list."""
    seen = memberships[list(lists)].astype(int)
    seen = seen[seen.sum(axis=1) > 0]
    return seen.value_counts().sort_index()


def chapman(n1: int, n2: int, both: int) -> Estimate:
    """The Chapman estimate from two lists of ``n1`` and ``n2`` businesses, ``both`` on each."""
    if min(n1, n2) < 1 or both > min(n1, n2):
        raise ValueError("each list needs a business, and the overlap cannot exceed either list")
    observed = n1 + n2 - both
    total = (n1 + 1) * (n2 + 1) / (both + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - both) * (n2 - both) / ((both + 1) ** 2 * (both + 2))
    low, high = _lognormal_interval(observed, total, variance)
    return Estimate(observed, total, low, high, "Chapman (two lists)")


def _lognormal_interval(observed: int, total: float, variance: float) -> tuple[float, float]:
    unseen = total - observed
    if unseen <= 0 or variance <= 0:
        return float(observed), max(float(total), float(observed))
    spread = math.exp(Z95 * math.sqrt(math.log(1 + variance / unseen**2)))
    return observed + unseen / spread, observed + unseen * spread


def _design(cells: np.ndarray, interactions: Sequence[tuple[int, int]]) -> np.ndarray:
    columns = [np.ones(len(cells)), *cells.T]
    columns += [cells[:, a] * cells[:, b] for a, b in interactions]
    return np.column_stack(columns).astype(float)


def _fit(counts: np.ndarray, cells: np.ndarray, interactions: Sequence[tuple[int, int]]):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning)
        )
        return sm.GLM(counts, _design(cells, interactions), family=sm.families.Poisson()).fit()


def _unseen(fitted) -> float:  # type: ignore[no-untyped-def]
    """The model's count for the all-zero history: exp(intercept)."""
    return float(math.exp(min(fitted.params[0], 50.0)))


def models(lists: int) -> list[tuple[tuple[int, int], ...]]:
    """Every set of two-list interactions to try beside the main effects (for 3 lists, 8)."""
    pairs = list(itertools.combinations(range(lists), 2))
    chosen = []
    for size in range(len(pairs) + 1):
        chosen.extend(itertools.combinations(pairs, size))
    # A model must leave at least one degree of freedom: observed cells minus parameters.
    cells = 2**lists - 1
    return [m for m in chosen if 1 + lists + len(m) < cells]


def loglinear(
    table: pd.Series,
    names: Sequence[str],
    *,
    replicates: int = 200,
    seed: int = 0,
) -> Estimate:
    """The log-linear estimate from an overlap table (``histories``) over three or more lists:
    the model with the lowest BIC, and a parametric bootstrap percentile interval."""
    k = len(names)
    if k < 3:
        raise ValueError("log-linear models need three or more lists; use chapman for two")
    cells = np.array(list(itertools.product((0, 1), repeat=k))[1:])
    counts = np.array([int(table.get(tuple(c), 0)) for c in cells], dtype=float)
    observed = int(counts.sum())
    scored = []
    for interactions in models(k):
        fitted = _fit(counts, cells, interactions)
        scored.append((fitted.bic_llf, interactions, fitted))
    _, best, fitted = min(scored, key=lambda s: s[0])
    unseen = _unseen(fitted)
    total = observed + unseen
    # Parametric bootstrap: new tables drawn from the fitted model (the unseen cell included),
    # the same model refitted to each.
    rng = np.random.default_rng(seed)
    expected = np.concatenate([[unseen], fitted.fittedvalues])
    probabilities = expected / expected.sum()
    totals = []
    for _ in range(replicates):
        drawn = rng.multinomial(round(total), probabilities)
        again = _fit(drawn[1:].astype(float), cells, best)
        totals.append(drawn[1:].sum() + _unseen(again))
    low, high = np.percentile(totals, [2.5, 97.5])
    label = "main effects" + "".join(f" + {names[a]}:{names[b]}" for a, b in best)
    return Estimate(observed, total, float(low), float(high), "Poisson log-linear", label)


def estimate(memberships: pd.DataFrame, names: Sequence[str], **options: int) -> Estimate:
    """The estimate that suits the number of lists: Chapman for two, log-linear for more."""
    used = [n for n in names if memberships[n].any()]
    if len(used) < 2:
        raise ValueError("at least two lists must each know a business")
    if len(used) == 2:
        a, b = (memberships[n].astype(bool) for n in used)
        return chapman(int(a.sum()), int(b.sum()), int((a & b).sum()))
    return loglinear(histories(memberships, used), used, **options)
