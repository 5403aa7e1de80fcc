"""A business's top risk factors, as area dashboards rank places: pure functions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.register import risk


def test_each_business_lists_its_largest_factors_first() -> None:
    rng = np.random.default_rng(7)
    factors = pd.DataFrame(
        {
            "business_id": rng.integers(1, 40, 300),
            "factor": rng.choice(list(risk.FACTOR_LABELS), 300),
            "points": rng.choice([1.0, 2.5, 5.0, 10.0], 300),  # many ties
        }
    ).drop_duplicates(["business_id", "factor"])
    tops = risk.top_factors(factors)
    for business_id, group in factors.groupby("business_id"):
        labelled = group.assign(label=group["factor"].map(risk.FACTOR_LABELS))
        expected = labelled.sort_values(["points", "label"], ascending=[False, True])["label"]
        assert tops[business_id] == list(expected.head(risk.TOP_FACTORS))
    assert set(tops.index) == set(factors["business_id"])
    assert risk.top_factors(factors.head(0)).empty
