"""Benchmark: the hidden-sector estimate (model choice and a BCa interval whose every bootstrap
sample chooses its model again) on the published data sets of five, six and eight lists,
against the baseline of searching every set of two-list interactions, as the estimator did
before, for the six-list point estimate alone.

    python -m bench.hidden_sector [--replicates 1000]
"""

from __future__ import annotations

import argparse
import time

from layers.sizing import capture_recapture, loglinear
from tests.sizing.published_tables import TABLES


def _table(name: str) -> loglinear.CaptureTable:
    names, rows = TABLES[name]
    return loglinear.CaptureTable.from_counts(names, {row[:-1]: row[-1] for row in rows})


def main() -> None:
    """Print the time of each estimate and of the baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=1000)
    args = parser.parse_args()
    for name in ("UKdat_5", "UKdat", "NewOrl"):
        table = _table(name)
        started = time.perf_counter()
        found = capture_recapture.loglinear_estimate(table, replicates=args.replicates)
        took = time.perf_counter() - started
        print(
            f"{name} ({table.lists} lists, {table.observed:,} cases): {found.total:,.0f} "
            f"[{found.low:,.0f}-{found.high:,.0f}], {found.model}; {took:.1f} s with "
            f"{args.replicates:,} bootstrap samples"
        )
    six = _table("UKdat")
    started = time.perf_counter()
    ranking = loglinear.rank_by_bic(six, loglinear.every_model(6))
    took = time.perf_counter() - started
    print(
        f"baseline, every set of interactions for six lists ({len(loglinear.every_model(6)):,} "
        f"models, {len(ranking):,} with a finite estimate), point estimate only: "
        f"{ranking[0].total:,.0f} in {took:.1f} s"
    )


if __name__ == "__main__":
    main()
