"""The hidden-sector estimate on simulated populations of known size and known list dependence:
the estimators are checked against the truth, and their intervals for coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.sizing import capture_recapture as cr
from layers.sizing import loglinear

TRUE_SIZE = 2000


def _population(seed: int, *, dependent: bool) -> pd.DataFrame:
    """Three lists over TRUE_SIZE businesses; with ``dependent``, a business on list A is more
    likely to be on list B (as visits follow reports)."""
    rng = np.random.default_rng(seed)
    a = rng.random(TRUE_SIZE) < 0.3
    b = (
        np.where(a, rng.random(TRUE_SIZE) < 0.55, rng.random(TRUE_SIZE) < 0.3)
        if dependent
        else (rng.random(TRUE_SIZE) < 0.35)
    )
    c = rng.random(TRUE_SIZE) < 0.25
    return pd.DataFrame({"A": a, "B": b, "C": c})


def test_chapman_matches_the_formula_and_its_interval_brackets_it() -> None:
    found = cr.chapman(100, 80, 20)
    assert found.total == pytest.approx(101 * 81 / 21 - 1)
    assert found.observed == 160
    assert found.observed <= found.low < found.total < found.high
    with pytest.raises(ValueError, match="overlap"):
        cr.chapman(10, 5, 6)


def test_histories_count_each_pattern_of_lists_and_never_the_unseen() -> None:
    seen = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 0, 0, 1]})
    table = cr.histories(seen, ["A", "B", "C"])
    assert table[(1, 1, 0)] == 1 and table[(1, 1, 1)] == 1 and (0, 0, 0) not in table.index
    assert table.sum() == 4


def test_every_set_of_two_list_interactions_is_a_candidate() -> None:
    assert len(loglinear.every_model(3)) == 8
    assert len(loglinear.every_model(5)) == 1024
    assert () in loglinear.every_model(4) and loglinear.pairs_of(4) in loglinear.every_model(4)


def test_the_chapman_interval_covers_the_truth_about_95_times_in_100() -> None:
    covered = 0
    runs = 300
    for seed in range(runs):
        population = _population(seed, dependent=False)
        a, b = population["A"], population["B"]
        found = cr.chapman(int(a.sum()), int(b.sum()), int((a & b).sum()))
        covered += found.low <= TRUE_SIZE <= found.high
    assert 0.91 <= covered / runs <= 0.99


def test_two_dependent_lists_mislead_chapman_but_not_the_log_linear_model() -> None:
    population = _population(7, dependent=True)
    a, b = population["A"], population["B"]
    naive = cr.chapman(int(a.sum()), int(b.sum()), int((a & b).sum()))
    modelled = cr.estimate(population, ["A", "B", "C"], replicates=100)
    assert naive.high < TRUE_SIZE  # positive dependence: Chapman counts too few
    assert "A:B" in modelled.model
    assert modelled.low <= TRUE_SIZE <= modelled.high
    assert abs(modelled.total - TRUE_SIZE) < abs(naive.total - TRUE_SIZE)


def test_the_log_linear_interval_covers_the_truth_in_about_the_nominal_share() -> None:
    runs = 60
    covered = sum(
        (found := cr.estimate(_population(100 + seed, dependent=True), ["A", "B", "C"],
                              replicates=150, seed=seed)).low <= TRUE_SIZE <= found.high
        for seed in range(runs)
    )  # fmt: skip
    # Nominal 95%; with 60 runs, 0.82 lies four standard errors below it.
    assert 0.82 <= covered / runs <= 1.0


def test_estimate_needs_two_lists_that_know_someone() -> None:
    population = _population(3, dependent=False).assign(B=False, C=False)
    with pytest.raises(ValueError, match="at least two lists"):
        cr.estimate(population, ["A", "B", "C"])
    two = _population(3, dependent=False).assign(C=False)
    assert cr.estimate(two, ["A", "B", "C"]).method.startswith("Chapman")
