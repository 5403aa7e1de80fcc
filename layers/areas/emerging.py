"""Emerging threats: per area, the last 12 months against the 12 before: new businesses (first
seen), intelligence reports by category (counts only) and visits that found indicators of
exploitation.

The test: if an area's rate had not changed, each of the n events of the two years would be
equally likely to fall in either, so the recent count is Binomial(n, 1/2). A rise is flagged
when the one-sided exact binomial p-value, adjusted for the many areas and measures tested at
once (Benjamini-Hochberg false discovery rate), is below 0.05.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from scipy.stats import binomtest
from sqlalchemy import text
from statsmodels.stats.multitest import multipletests

from layers.core import vocab
from layers.core.db import Bind, read_frame, reading
from layers.core.errors import ValidationError
from layers.core.fragments import (
    CURRENT_BUSINESS,
    PLACE,
    REPORT_PLACE,
    REPORT_SUBJECT,
    VISIT_SUBJECT,
)

TEST = (
    "A rise is flagged when it is unlikely to be chance: under an unchanged rate the last 12 "
    "months' count is Binomial(n, 1/2) of the two years' n events; one-sided exact binomial "
    "test, Benjamini-Hochberg false discovery rate below 5% across all areas and measures."
)
FALSE_DISCOVERY_RATE = 0.05

#: The events counted, each with its date and where it happened (constant SQL).
_EVENTS = {
    "new businesses": (
        f"SELECT b.first_seen AS day, b.geom FROM business b WHERE {CURRENT_BUSINESS}"  # noqa: S608 - constant fragments, values bound
    ),
    "visits finding indicators": (
        f"SELECT v.visit_date AS day, {PLACE} AS geom "  # noqa: S608 - constant fragments, values bound
        f"FROM visit v {VISIT_SUBJECT} "
        "WHERE v.outcome = 'exploitation_indicators'"
    ),
}
_REPORTS = (
    "SELECT r.received_date AS day, r.category, "  # noqa: S608 - constant fragments, values bound
    f"{REPORT_PLACE} AS geom FROM report r "
    f"{REPORT_SUBJECT}"
)


def latest_day(bind: Bind) -> dt.date:
    """The latest date any counted event has, or today when there is none (the default end of
    the comparison, so old data still compares its last two years)."""
    with reading(bind) as conn:
        found = conn.execute(
            text(
                "SELECT greatest((SELECT max(first_seen) FROM business), "
                "(SELECT max(visit_date) FROM visit), (SELECT max(received_date) FROM report))"
            )
        ).scalar()
    return min(found, dt.date.today()) if found else dt.date.today()


def _counted(bind: Bind, events: str, kind: str, until: dt.date, keys: str) -> pd.DataFrame:
    """Events per area in the two windows: code, name, [category,] recent, previous."""
    if kind == "area":
        areas = "SELECT id::text AS code, name, geom FROM focus_area"
    else:
        areas = "SELECT code, name, geom FROM boundary WHERE kind = :kind"
    sql = (
        f"WITH e AS ({events}), a AS ({areas}) "  # noqa: S608 - constant fragments
        f"SELECT a.code, a.name{keys}, "
        "count(*) FILTER (WHERE e.day > :until - 365) AS recent, "
        "count(*) FILTER (WHERE e.day <= :until - 365) AS previous "
        "FROM e JOIN a ON ST_Intersects(a.geom, e.geom) "
        "WHERE e.day > :until - 730 AND e.day <= :until "
        f"GROUP BY a.code, a.name{keys}"
    )
    return read_frame(bind, sql, {"kind": kind, "until": until})


def rises(bind: Bind, by: str, *, until: dt.date | None = None) -> pd.DataFrame:
    """Per area and measure: the 12 months up to ``until`` (default ``latest_day``) against the
    12 before, the change, the p-value, the adjusted q-value and whether the rise is flagged."""
    if by not in ("district", "ward", "msoa", "area"):
        raise ValidationError(
            f"emerging threats are compared by district, ward, msoa or area, not {by!r}"
        )
    until = until or latest_day(bind)
    frames = [
        _counted(bind, sql, by, until, "").assign(measure=measure)
        for measure, sql in _EVENTS.items()
    ]
    reports = _counted(bind, _REPORTS, by, until, ", e.category")
    frames.append(
        reports.assign(measure="reports: " + reports["category"].map(vocab.REPORT_CATEGORIES)).drop(
            columns="category"
        )
    )
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        return table.assign(change=[], p_value=[], q_value=[], flagged=[])
    table["change"] = table["recent"] - table["previous"]
    table["p_value"] = [
        binomtest(int(r), int(r + p), 0.5, alternative="greater").pvalue if r + p else 1.0
        for r, p in zip(table["recent"], table["previous"], strict=True)
    ]
    table["q_value"] = multipletests(table["p_value"], method="fdr_bh")[1]
    table["flagged"] = (table["q_value"] < FALSE_DISCOVERY_RATE) & (table["change"] > 0)
    return table.sort_values(["flagged", "q_value", "change"], ascending=[False, True, False],
                             ignore_index=True)[
        ["code", "name", "measure", "recent", "previous", "change", "p_value", "q_value", "flagged"]
    ]  # fmt: skip
