"""Poisson log-linear models of a capture table, fitted and chosen as the multiple systems
estimation literature does (Chan, Silverman & Vincent 2021; Silverman, Chan & Vincent 2024).

A model is the main effects of every list plus a set of two-list interactions. A pair of lists
that never overlap is a boundary case: its interaction's estimate is minus infinity, so the
cells holding both lists are fitted as zero and left out of the fit (the extended maximum
likelihood estimate). A model is admissible only when that estimate exists and is identifiable
(full rank, and the Fienberg-Rinaldo condition: a converged Newton fit proves it, and a
linear programme settles any fit that leaves it in doubt): a model without
a finite estimate of the unseen cell is never chosen.

Two ways to choose among admissible models:

- ``rank_by_bic``: every set of interactions, ranked by BIC whose penalty counts the cases seen
  (``log N``, as Rcapture and the published analyses do), for up to five lists;
- ``stepwise``: from the main effects, add the interaction whose observed overlap is least
  likely under the current model while that p-value is under a threshold (0.02 by default) and
  the result stays admissible; bounded, so eight lists take seconds.

Fits use Newton's method on the Poisson likelihood in numpy: the bootstrap fits tens of
thousands of models with a few dozen cells each, where ``statsmodels.GLM`` spends ten times as
long setting each one up (the tests check both agree).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse, special
from scipy.optimize import linprog

#: Above this many lists, every subset of interactions is too many to try (6 lists: 32,768).
MOST_LISTS_FOR_EVERY_MODEL = 5

#: The stepwise search's threshold on an interaction's p-value (the published recommendation).
STEPWISE_THRESHOLD = 0.02

Pair = tuple[int, int]


@functools.cache
def histories_of(lists: int) -> np.ndarray:
    """Every capture history over ``lists`` lists but the unseen one, as rows of 0/1 in
    itertools.product order ((0, …, 0, 1) first)."""
    return np.array(list(itertools.product((0, 1), repeat=lists))[1:], dtype=np.int8)


@functools.cache
def pairs_of(lists: int) -> tuple[Pair, ...]:
    """Every pair of lists, in order."""
    return tuple(itertools.combinations(range(lists), 2))


@functools.cache
def on_both(lists: int) -> np.ndarray:
    """Which histories (rows) hold both lists of each pair (columns, ``pairs_of`` order)."""
    cells = histories_of(lists)
    return np.column_stack([cells[:, a] & cells[:, b] for a, b in pairs_of(lists)]).astype(float)


@dataclass(frozen=True)
class CaptureTable:
    """How many cases each capture history holds, for every history but the unseen one."""

    names: tuple[str, ...]
    counts: np.ndarray

    @classmethod
    def from_counts(cls, names: Sequence[str], seen: dict[tuple[int, ...], int]) -> CaptureTable:
        """The table of ``seen`` (history → count; histories not given hold no case)."""
        cells = histories_of(len(names))
        counts = np.array([seen.get(tuple(int(v) for v in c), 0) for c in cells], dtype=float)
        return cls(tuple(names), counts)

    @property
    def lists(self) -> int:
        """How many lists the table crosses."""
        return len(self.names)

    @property
    def observed(self) -> int:
        """Cases seen by at least one list."""
        return int(self.counts.sum())

    def overlaps(self) -> np.ndarray:
        """Cases seen by both lists of each pair (``pairs_of`` order)."""
        return self.counts @ on_both(self.lists)

    def with_counts(self, counts: np.ndarray) -> CaptureTable:
        """The same lists with other counts (a bootstrap or jackknife sample)."""
        return CaptureTable(self.names, np.asarray(counts, dtype=float))


@dataclass(frozen=True)
class Fit:
    """One admissible model fitted to one table."""

    interactions: tuple[Pair, ...]
    total: float
    bic: float
    fitted: np.ndarray
    kept: np.ndarray

    def expected_overlaps(self, lists: int) -> np.ndarray:
        """The model's expected cases on both lists of each pair (``pairs_of`` order)."""
        return self.fitted @ on_both(lists)[self.kept]


def describe(interactions: Sequence[Pair], names: Sequence[str]) -> list[str]:
    """The interactions as ``A:B`` labels."""
    return [f"{names[a]}:{names[b]}" for a, b in interactions]


def _split(
    table: CaptureTable, interactions: Sequence[Pair]
) -> tuple[tuple[Pair, ...], np.ndarray]:
    """The interactions fitted as finite parameters, and the cells they are fitted to: an
    interaction of two lists that never overlap is at minus infinity, with its cells at zero."""
    k = table.lists
    cells = histories_of(k)
    overlap = dict(zip(pairs_of(k), table.overlaps(), strict=True))
    boundary = tuple(p for p in interactions if overlap[p] == 0)
    kept = np.ones(len(cells), dtype=bool)
    for a, b in boundary:
        kept &= ~(cells[:, a] & cells[:, b]).astype(bool)
    return tuple(p for p in interactions if p not in boundary), kept


def has_finite_estimate(table: CaptureTable, interactions: Sequence[Pair]) -> bool:
    """Whether the model's extended maximum likelihood estimate exists and is identifiable,
    by the rank of its design and the linear programme alone (what ``fit`` proves faster)."""
    free, kept = _split(table, interactions)
    support = (table.counts[kept] > 0).tobytes()
    return _full_rank(table.lists, free, kept.tobytes()) and _interior(
        table.lists, free, kept.tobytes(), support
    )


def fit(table: CaptureTable, interactions: Sequence[Pair]) -> Fit | None:
    """The model with ``interactions`` fitted to ``table``; None when it has no finite,
    identifiable estimate of the unseen cell."""
    k = table.lists
    free, kept = _split(table, interactions)
    counts = table.counts[kept]
    if not _full_rank(k, free, kept.tobytes()):
        return None
    design = _design(k, free, kept.tobytes())
    beta = _poisson_mle(design, counts)
    if not _exists(beta, design, counts) and (
        beta is None or not _interior(k, free, kept.tobytes(), (counts > 0).tobytes())
    ):
        return None
    assert beta is not None
    fitted = np.exp(design @ beta)
    loglik = float(np.sum(counts * np.log(np.where(fitted > 0, fitted, 1.0)) - fitted))
    loglik -= float(special.gammaln(counts + 1).sum())
    parameters = 1 + k + len(interactions)  # the boundary ones count too
    bic = parameters * math.log(table.observed) - 2 * loglik
    total = table.observed + math.exp(min(beta[0], 700.0))
    return Fit(tuple(interactions), total, bic, fitted, kept)


@functools.lru_cache(maxsize=4096)
def _design(lists: int, interactions: tuple[Pair, ...], kept: bytes) -> np.ndarray:
    cells = histories_of(lists)[np.frombuffer(kept, dtype=bool)]
    columns = [np.ones(len(cells)), *cells.T]
    columns += [cells[:, a] * cells[:, b] for a, b in interactions]
    return np.column_stack(columns).astype(float)


@functools.lru_cache(maxsize=4096)
def _full_rank(lists: int, interactions: tuple[Pair, ...], kept: bytes) -> bool:
    """Whether the model's parameters are identifiable from the kept cells."""
    design = _design(lists, interactions, kept)
    return bool(np.linalg.matrix_rank(design) == design.shape[1])


def _exists(beta: np.ndarray | None, design: np.ndarray, counts: np.ndarray) -> bool:
    """Whether a fit proves its maximum likelihood estimate exists: Newton's method converged
    to a stationary point (where the estimate does not exist its steps along the direction of
    recession never shrink), with no empty cell driven to zero."""
    if beta is None:
        return False
    empty = counts == 0
    return not empty.any() or float(np.exp(design[empty] @ beta).min()) > 1e-12


@functools.lru_cache(maxsize=65536)
def _interior(lists: int, interactions: tuple[Pair, ...], kept: bytes, support: bytes) -> bool:
    """Whether the margins lie in the relative interior of their cone (Fienberg & Rinaldo
    2012), that is some table with every kept cell positive has the observed margins: the
    condition for the estimate to exist. It depends only on which cells are positive, so it
    is cached by that pattern; asked only when a converged fit leaves it in doubt."""
    design = _design(lists, interactions, kept)
    positive = np.frombuffer(support, dtype=bool)
    # Maximise s subject to A m = A y, m >= s (m, s >= 0), y the 0/1 support (same face).
    margins = design.T @ positive.astype(float)
    cells = design.shape[0]
    found = linprog(
        c=np.r_[np.zeros(cells), -1.0],
        A_eq=np.c_[design.T, np.zeros(design.shape[1])],
        b_eq=margins,
        A_ub=sparse.hstack([-sparse.eye(cells), np.ones((cells, 1))]),
        b_ub=np.zeros(cells),
        bounds=[(0, None)] * (cells + 1),
        method="highs",
    )
    return bool(found.status == 0 and -found.fun > 1e-9)


def _poisson_mle(design: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    """Maximum likelihood coefficients of a Poisson log-linear model (Newton's method with step
    halving, from least squares on log(y + 0.5)); None if it does not converge."""
    beta = np.linalg.lstsq(design, np.log(counts + 0.5), rcond=None)[0]

    def loglik(b: np.ndarray) -> float:
        eta = design @ b
        return float(counts @ eta - np.exp(eta).sum())

    current = loglik(beta)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(100):
            mu = np.exp(design @ beta)
            gradient = design.T @ (counts - mu)
            hessian = (design * mu[:, None]).T @ design
            try:
                step = np.linalg.solve(hessian, gradient)
            except np.linalg.LinAlgError:
                return None
            for _ in range(30):
                value = loglik(beta + step)
                if value >= current - 1e-12 * abs(current):
                    break
                step /= 2
            else:
                return None
            beta, current = beta + step, value
            if np.abs(step).max() < 1e-9 and np.abs(gradient).max() < 1e-7 * max(counts.sum(), 1):
                return beta
    return None


def every_model(lists: int) -> list[tuple[Pair, ...]]:
    """Every set of two-list interactions beside the main effects (3 lists: 8; 5 lists: 1,024)."""
    pairs = pairs_of(lists)
    return [
        chosen for size in range(len(pairs) + 1) for chosen in itertools.combinations(pairs, size)
    ]


def rank_by_bic(table: CaptureTable, candidates: Sequence[tuple[Pair, ...]]) -> list[Fit]:
    """The admissible models among ``candidates``, lowest BIC first."""
    fits = [found for model in candidates if (found := fit(table, model)) is not None]
    return sorted(fits, key=lambda f: f.bic)


def stepwise(table: CaptureTable, threshold: float = STEPWISE_THRESHOLD) -> Fit | None:
    """Forward stepwise selection (Chan, Silverman & Vincent 2021): from the main effects, add
    the interaction whose observed overlap is least likely under the current model (two-sided
    Poisson p-value; the first pair on a tie), if under ``threshold`` and admissible."""
    current = fit(table, ())
    if current is None:
        return None
    pairs = pairs_of(table.lists)
    seen = table.overlaps()
    while True:
        expected = current.expected_overlaps(table.lists)
        # Two-sided: the smaller of P(X <= seen) and P(X >= seen), X ~ Poisson(expected).
        p = np.minimum(special.pdtr(seen, expected), _at_least(seen, expected))
        chosen = set(current.interactions)
        order = [i for i in np.argsort(p, kind="stable") if p[i] < threshold]
        for index in order:
            if pairs[index] in chosen:
                continue
            bigger = fit(table, tuple(sorted((*current.interactions, pairs[index]))))
            if bigger is not None:
                current = bigger
                break
        else:
            return current


def _at_least(seen: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= seen) for X ~ Poisson(expected); 1 where nothing was seen."""
    return np.where(seen > 0, special.pdtrc(np.maximum(seen - 1, 0), expected), 1.0)
