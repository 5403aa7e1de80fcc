"""The hidden-sector estimator against the published data sets and their published estimates:
model choice by BIC with the cases seen, the stepwise search, boundary cases and existence, and
bootstrap intervals that repeat the model choice."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from layers.sizing import bca, loglinear
from layers.sizing import capture_recapture as cr
from tests.sizing.published_tables import TABLES


def table(name: str) -> loglinear.CaptureTable:
    names, rows = TABLES[name]
    return loglinear.CaptureTable.from_counts(names, {row[:-1]: row[-1] for row in rows})


def best_by_bic(name: str) -> loglinear.Fit:
    found = table(name)
    return loglinear.rank_by_bic(found, loglinear.every_model(found.lists))[0]


@pytest.mark.parametrize(
    ("name", "published", "interactions"),
    [
        # Silverman, Chan & Vincent (2024), Table 6: all models up to two-list interactions.
        ("Korea", 157, ["b:c", "c:d"]),
        ("Kosovo", 14342, ["EXH:ABA", "EXH:OSCE", "EXH:HRW", "ABA:OSCE", "OSCE:HRW"]),
        ("UKdat_5", 22991, ["LA:NG", "LA:PFNCA", "NG:PFNCA", "NG:GP", "PFNCA:GO"]),
        ("NewOrl_5", 981, []),
    ],
)
def test_the_lowest_bic_model_gives_the_published_estimate(
    name: str, published: int, interactions: list[str]
) -> None:
    best = best_by_bic(name)
    assert round(best.total) == published
    assert loglinear.describe(best.interactions, table(name).names) == interactions


def test_the_bic_penalty_counts_the_cases_seen_not_the_cells() -> None:
    uk = table("UKdat_5")
    fits = loglinear.rank_by_bic(uk, loglinear.every_model(5))

    def by_cells(found: loglinear.Fit) -> float:
        """BIC with log(31 cells) as the penalty, as the estimator had it before."""
        parameters = 1 + 5 + len(found.interactions)
        loglik = (parameters * math.log(uk.observed) - found.bic) / 2
        return parameters * math.log(31) - 2 * loglik

    old = min(fits, key=by_cells)
    assert len(old.interactions) == 7 and round(old.total) == 11175  # as the issue found
    assert round(fits[0].total) == 22991 and len(fits[0].interactions) == 5


@pytest.mark.parametrize(
    ("name", "published"),
    [
        # MultipleSystemsEstimation, reproducing Chan, Silverman & Vincent (2021), p = 0.02.
        ("Korea", 268.7778),
        ("Western", 2483.384),
        ("NewOrl_5", 981.4314),
        ("NewOrl", 1110.488),
    ],
)
def test_the_stepwise_search_gives_the_published_estimate(name: str, published: float) -> None:
    found = loglinear.stepwise(table(name))
    assert found is not None
    assert found.total == pytest.approx(published, abs=0.01)


def test_the_stepwise_search_adds_the_published_interactions() -> None:
    western = loglinear.stepwise(table("Western"))
    new_orleans = loglinear.stepwise(table("NewOrl"))
    assert western is not None and new_orleans is not None
    assert loglinear.describe(western.interactions, table("Western").names) == ["A:E"]
    assert loglinear.describe(new_orleans.interactions, table("NewOrl").names) == ["D:E"]


def test_korea_has_six_admissible_models_of_eight() -> None:
    korea = table("Korea")
    assert len(loglinear.rank_by_bic(korea, loglinear.every_model(3))) == 6


def test_models_without_a_finite_estimate_are_refused_as_published() -> None:
    artificial = table("Artificial_3")
    ab, ac, bc = (0, 1), (0, 2), (1, 2)
    assert loglinear.fit(artificial, (ab, ac, bc)) is None  # not identifiable
    assert loglinear.fit(artificial, (ab,)) is None  # no extended MLE
    found = loglinear.fit(artificial, (ac, bc))  # AC and BC never overlap: boundary cases
    assert found is not None and math.isfinite(found.total)
    with_a_and_c = [i for i, c in enumerate(loglinear.histories_of(3)) if c[0] and c[2]]
    assert not found.kept[with_a_and_c].any()  # fitted as zero, left out of the fit
    chosen = loglinear.rank_by_bic(artificial, loglinear.every_model(3))
    assert all(f.interactions not in ((ab, ac, bc), (ab,)) for f in chosen)


@pytest.mark.parametrize("name", ["UKdat_5", "NewOrl_5", "Western", "Korea"])
def test_the_fast_existence_proof_agrees_with_the_linear_programme(name: str) -> None:
    found = table(name)
    for model in loglinear.every_model(found.lists):
        assert (loglinear.fit(found, model) is not None) == loglinear.has_finite_estimate(
            found, model
        ), model


def test_fits_agree_with_statsmodels_glm() -> None:
    kosovo = table("Kosovo")
    cells = loglinear.histories_of(4).astype(float)
    for model in loglinear.every_model(4):
        ours = loglinear.fit(kosovo, model)
        assert ours is not None  # every Kosovo cell is seen: every model exists
        design = np.column_stack(
            [np.ones(15), cells, *[cells[:, a] * cells[:, b] for a, b in model]]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = sm.GLM(kosovo.counts, design, family=sm.families.Poisson()).fit()
        assert ours.total == pytest.approx(4400 + math.exp(theirs.params[0]), rel=1e-7)
        assert ours.bic == pytest.approx(
            (5 + len(model)) * math.log(4400) - 2 * theirs.llf, rel=1e-9
        )


@pytest.mark.parametrize(
    ("name", "replicates", "published"),
    [
        # Silverman, Chan & Vincent (2024), Tables 3 and 6: 95% BCa, 1,000 replicates.
        ("Korea", 1000, (128, 349)),
        ("Kosovo", 1000, (12451, 16273)),
        ("UKdat_5", 1000, (11456, 43894)),
    ],
)
def test_the_interval_repeats_the_model_choice_and_matches_the_published_one(
    name: str, replicates: int, published: tuple[int, int]
) -> None:
    found = cr.loglinear_estimate(table(name), replicates=replicates)
    # Both are Monte Carlo figures: the upper limit, out in a long tail, varies most.
    assert found.low == pytest.approx(published[0], rel=0.05)
    assert found.high == pytest.approx(published[1], rel=0.15)
    assert found.low < found.total < found.high


def test_a_fixed_model_interval_is_narrower_than_one_that_chooses_again() -> None:
    uk = table("UKdat_5")
    chosen = cr.loglinear_estimate(uk, replicates=200, seed=2)
    rng = np.random.default_rng(2)
    best = best_by_bic("UKdat_5")
    fixed = [
        f.total
        for counts in rng.multinomial(2744, uk.counts / 2744, size=200)
        if (f := loglinear.fit(uk.with_counts(counts), best.interactions)) is not None
    ]
    low, high = np.percentile(fixed, [2.5, 97.5])
    assert chosen.high - chosen.low > 1.5 * (high - low)


def test_bca_with_no_skew_and_no_bias_is_the_percentile_interval() -> None:
    values = np.linspace(-1.96, 1.96, 2001)
    low, high = bca.interval(values, 0.0, 0.0)
    assert low == pytest.approx(np.quantile(values, 0.025), abs=0.01)
    assert high == pytest.approx(np.quantile(values, 0.975), abs=0.01)
    assert bca.acceleration([1.0, 2.0, 3.0], [1, 1, 1]) == pytest.approx(0.0)
    assert bca.acceleration([1.0, 1.0, 4.0], [1, 1, 1]) < 0  # a long right tail of deletions
    # A deletion that left no estimate is left out, not counted as a value.
    assert bca.acceleration([1.0, math.nan, 1.0, 4.0], [1, 9, 1, 1]) == pytest.approx(
        bca.acceleration([1.0, 1.0, 4.0], [1, 1, 1])
    )


def test_six_and_eight_lists_use_the_bounded_search() -> None:
    six = cr.loglinear_estimate(table("UKdat"), replicates=50)
    eight = cr.loglinear_estimate(table("NewOrl"), replicates=50)
    assert "stepwise" in six.method and "stepwise" in eight.method
    assert round(eight.total) == 1110 and eight.interactions == ("D:E",)
