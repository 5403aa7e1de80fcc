"""The hidden part of the sector: which independent lists know each current business, and the
capture-recapture estimate of how many businesses no list has seen
(``layers.sizing.capture_recapture``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from layers.core import vocab
from layers.core.db import Bind, read_frame
from layers.core.progress import Progress, no_progress
from layers.sizing import capture_recapture


def memberships(bind: Bind) -> pd.DataFrame:
    """One row per business known to any list over the period (archived records aside: they
    are mistakes or duplicates), one boolean column per list."""
    pairs = read_frame(
        bind,
        "SELECT s.business_id, s.source FROM business_source s "
        "JOIN business b ON b.id = s.business_id WHERE b.status <> 'archived'",
    )
    table = pd.crosstab(pairs["business_id"], pairs["source"]).astype(bool)
    return table.reindex(columns=[s for s in vocab.SOURCES if s in table.columns])


def overlaps(known: pd.DataFrame) -> pd.DataFrame:
    """The overlap table people read: one row per combination of lists, with its businesses."""
    table = capture_recapture.histories(known, list(known.columns))
    rows = [
        {
            "lists": " + ".join(
                vocab.SOURCES[n] for n, on in zip(known.columns, key, strict=True) if on
            ),
            "businesses": int(count),
        }
        for key, count in table.items()
    ]
    return pd.DataFrame(rows).sort_values("businesses", ascending=False, ignore_index=True)


def demo_truth(bind: Bind) -> int | None:
    """The size of the fictional population the demo drew its businesses from (None for real
    data)."""
    found = read_frame(bind, "SELECT population_size FROM demo_run ORDER BY id DESC LIMIT 1")
    return None if found.empty else int(found.iloc[0]["population_size"])


@dataclass(frozen=True)
class HiddenSector:
    """The estimate with what it rests on."""

    estimate: capture_recapture.Estimate
    lists: list[str]
    overlaps: pd.DataFrame
    truth: int | None


def estimate(
    bind: Bind, *, replicates: int = 200, seed: int = 0, progress: Progress = no_progress
) -> HiddenSector:
    """Estimate the whole sector, seen and unseen, from the lists that know its businesses."""
    known = memberships(bind)
    labelled = known.rename(columns=vocab.SOURCES)
    found = capture_recapture.estimate(
        labelled, list(labelled.columns), replicates=replicates, seed=seed, progress=progress
    )
    used = [name for name in labelled.columns if labelled[name].any()]
    return HiddenSector(found, used, overlaps(known), demo_truth(bind))
