"""Visits: queries of the visits register."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from layers import vocab
from layers.db import Bind, reading


def register(bind: Bind) -> pd.DataFrame:
    """Every visit, newest first, with business and site names and readable labels."""
    with reading(bind) as conn:
        frame = pd.read_sql(
            text(
                "SELECT v.visit_date, b.name AS business, s.name AS site, v.visit_type, "
                "v.operation_name, array_to_string(v.agencies, ', ') AS agencies, v.outcome, "
                "v.workers_present, v.follow_up_date "
                "FROM visit v LEFT JOIN business b ON b.id = v.business_id "
                "LEFT JOIN site s ON s.id = v.site_id ORDER BY v.visit_date DESC, v.id DESC"
            ),
            conn,
        )
    return frame.assign(
        visit_type=frame["visit_type"].map(vocab.VISIT_TYPES),
        outcome=frame["outcome"].map(vocab.VISIT_OUTCOMES),
    )


def outcome_counts_by_year(bind: Bind) -> pd.DataFrame:
    """Visits by year and outcome (columns year, outcome, visits)."""
    with reading(bind) as conn:
        frame = pd.read_sql(
            text(
                "SELECT extract(year FROM visit_date)::int AS year, outcome, count(*) AS visits "
                "FROM visit GROUP BY 1, 2 ORDER BY 1, 2"
            ),
            conn,
        )
    return frame.assign(outcome=frame["outcome"].map(vocab.VISIT_OUTCOMES))
