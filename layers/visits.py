"""Visits: queries of the visits register."""

from __future__ import annotations

import pandas as pd

from layers import vocab
from layers.db import Bind, read_frame


def register(bind: Bind) -> pd.DataFrame:
    """Every visit, newest first, with business and site names and readable labels."""
    frame = read_frame(
        bind,
        "SELECT v.visit_date, b.name AS business, s.name AS site, v.visit_type, "
        "v.operation_name, array_to_string(v.agencies, ', ') AS agencies, v.outcome, "
        "v.workers_present, v.follow_up_date "
        "FROM visit v LEFT JOIN business b ON b.id = v.business_id "
        "LEFT JOIN site s ON s.id = v.site_id ORDER BY v.visit_date DESC, v.id DESC",
    )
    return vocab.labelled(frame, visit_type=vocab.VISIT_TYPES, outcome=vocab.VISIT_OUTCOMES)


def outcome_counts_by_year(bind: Bind) -> pd.DataFrame:
    """Visits by year and outcome (columns year, outcome, visits)."""
    frame = read_frame(
        bind,
        "SELECT extract(year FROM visit_date)::int AS year, outcome, count(*) AS visits "
        "FROM visit GROUP BY 1, 2 ORDER BY 1, 2",
    )
    return vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)
