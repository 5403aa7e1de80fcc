"""How many businesses no list has seen: capture-recapture over the independent lists that know
each business (companies register, visits, intelligence reports, business support, others).

- Two lists: the Chapman estimator, with a log-normal confidence interval for the unseen part
  (Chao 1987), so the interval never dips below what the lists have seen.
- Three or more: Poisson log-linear models over the table of list overlaps, as the Home Office
  estimated modern slavery in 2014 and as the published analyses since choose them
  (``layers.sizing.loglinear``): the lowest BIC for up to five lists, stepwise beyond; a BCa
  bootstrap interval that repeats the model choice in every replicate.

Assumptions, said wherever the estimate is shown (``ASSUMPTIONS``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.sizing import bca, loglinear

#: What the estimate takes for granted, in plain words.
ASSUMPTIONS = (
    "The population is closed: no business opens or closes over the period the lists cover.",
    "Each business is recorded once per list, and matched correctly across lists.",
    "Dependence between lists is captured by the chosen model (two lists: none at all); "
    "businesses no list can ever see are not counted.",
    "Within the model, every business has the same chance of being on a list.",
)

#: How the estimate is made, in plain words (shown beside it).
METHOD = (
    "Three or more lists: Poisson log-linear models with every list's main effect and a set of "
    "two-list interactions. Up to five lists, the model with the lowest BIC (its penalty the "
    "log of the cases seen); beyond five, a stepwise search (Chan, Silverman & Vincent 2021). "
    "A model without a finite estimate is never chosen. The 95% interval is a BCa bootstrap "
    "interval from samples of the cases seen, each choosing its model again, so it carries the "
    "uncertainty of the choice. Two lists: Chapman's estimator with a log-normal interval."
)

Z95 = 1.959963984540054

#: For up to five lists, the bootstrap replicates choose among this many of the best models on
#: the original table: with the UK data's 1,024 models, the best replicate model is among the
#: original top 50 in 93% of samples (Silverman, Chan & Vincent 2024, Table 4).
TOP_MODELS = 50


@dataclass(frozen=True)
class Estimate:
    """An estimate of the total number of businesses, seen and unseen, with a 95% interval."""

    observed: int
    total: float
    low: float
    high: float
    method: str
    model: str = ""
    interactions: tuple[str, ...] = ()

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


#: Chooses a model for a resampled table (None when none has a finite estimate).
Chooser = Callable[[loglinear.CaptureTable], loglinear.Fit | None]


def _chooser(table: loglinear.CaptureTable, top: int) -> tuple[loglinear.Fit, Chooser, str]:
    """The chosen model for ``table``, the rule that chooses again on a resampled table, and
    how it chooses, in words."""
    k = table.lists
    if k > loglinear.MOST_LISTS_FOR_EVERY_MODEL:
        best = loglinear.stepwise(table)
        if best is None:
            raise ValidationError("no log-linear model of these lists has a finite estimate")
        rule = f"stepwise selection of two-list interactions (p < {loglinear.STEPWISE_THRESHOLD})"
        return best, loglinear.stepwise, rule
    ranking = loglinear.rank_by_bic(table, loglinear.every_model(k))
    if not ranking:
        raise ValidationError("no log-linear model of these lists has a finite estimate")
    shortlist = [f.interactions for f in ranking[:top]]

    def again(sample: loglinear.CaptureTable) -> loglinear.Fit | None:
        fits = loglinear.rank_by_bic(sample, shortlist)
        return fits[0] if fits else None

    rule = (
        f"lowest BIC (penalty log of the {table.observed:,} cases seen) among "
        f"{len(ranking):,} models with a finite estimate"
    )
    return ranking[0], again, rule


def loglinear_estimate(
    table: loglinear.CaptureTable,
    *,
    replicates: int = 1000,
    seed: int = 0,
    top: int = TOP_MODELS,
    progress: Progress = no_progress,
) -> Estimate:
    """The log-linear estimate from a capture table over three or more lists: the model chosen
    as the literature does (``layers.sizing.loglinear``), and a BCa bootstrap interval whose
    every replicate chooses its model again, so the interval carries the model uncertainty.
    For up to five lists the replicates choose among the ``top`` models of the original BIC
    ranking (Silverman, Chan & Vincent 2024)."""
    if table.lists < 3:
        raise ValueError("log-linear models need three or more lists; use chapman for two")
    progress(0, replicates, "choosing a model")
    best, choose, rule = _chooser(table, top)
    rng = np.random.default_rng(seed)
    observed = table.observed
    drawn = rng.multinomial(observed, table.counts / observed, size=replicates)
    totals = []
    for done, counts in enumerate(drawn, start=1):
        totals.append(_total(choose(table.with_counts(counts))))
        if done % 10 == 0 or done == replicates:
            progress(done, replicates, "bootstrap samples, each choosing its model again")
    jackknife, weights = [], []
    progress(replicates, replicates, "jackknife for the interval's acceleration")
    for cell in np.flatnonzero(table.counts):
        fewer = table.counts.copy()
        fewer[cell] -= 1
        jackknife.append(_total(choose(table.with_counts(fewer))))
        weights.append(table.counts[cell])
    low, high = bca.interval(totals, best.total, bca.acceleration(jackknife, weights))
    interactions = tuple(loglinear.describe(best.interactions, table.names))
    return Estimate(
        observed,
        best.total,
        max(low, float(observed)),
        high,
        f"Poisson log-linear, {rule}; BCa interval from {replicates:,} bootstrap samples, "
        "each choosing its model again",
        "main effects" + "".join(f" + {i}" for i in interactions),
        interactions,
    )


def _total(found: loglinear.Fit | None) -> float:
    return found.total if found is not None else math.nan


def estimate(
    memberships: pd.DataFrame,
    names: Sequence[str],
    *,
    replicates: int = 1000,
    seed: int = 0,
    progress: Progress = no_progress,
) -> Estimate:
    """The estimate that suits the number of lists: Chapman for two, log-linear for more."""
    used = [n for n in names if memberships[n].any()]
    seen = {key: int(count) for key, count in histories(memberships, used).items()}
    table = loglinear.CaptureTable.from_counts(used, seen)
    return estimate_table(table, replicates=replicates, seed=seed, progress=progress)


def estimate_table(
    table: loglinear.CaptureTable,
    *,
    replicates: int = 1000,
    seed: int = 0,
    progress: Progress = no_progress,
) -> Estimate:
    """The estimate that suits the number of lists: Chapman for two, log-linear for more."""
    if table.lists < 2:
        raise ValidationError("at least two lists must each know a business")
    if table.lists == 2:
        cells = loglinear.histories_of(2).astype(bool)
        on = [int(table.counts[cells[:, i]].sum()) for i in range(2)]
        return chapman(on[0], on[1], int(table.overlaps()[0]))
    return loglinear_estimate(table, replicates=replicates, seed=seed, progress=progress)
