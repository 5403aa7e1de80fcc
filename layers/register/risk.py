"""Risk, explained: each business's score is a sum of named factors, each with its points.

The weights live here, in ``WEIGHTS``, and nowhere else. Scores and factors are stored
(``business_risk``) and kept current, not recomputed by every reader: the tables a score depends
on mark the businesses a change moves (triggers of migration 0013), and ``refresh`` recomputes
them before the transaction that made the change commits (a hook of ``layers.core.db``). Readers
refresh anything still marked first (a change written outside ``transaction``), so what they
read always equals a fresh computation; ``refresh_all`` renews the time-based factors (the age
of the last visit, the windows of outcomes, ratings and tenancies) and runs daily
(``sectormap risk refresh``). Intelligence counts only as numbers (how many open reports,
weighted by grading and category): the factor never carries a report's narrative, subject or
grading, so the factor table is safe to show to anyone who may see the business.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, text

from layers.core import db
from layers.core.bulk import analyze
from layers.core.db import Bind, read_frame, transaction
from layers.core.fragments import RATING_PENDING
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings


@dataclass(frozen=True)
class Weights:
    """Every number the risk score uses."""

    report_base: float = 10.0
    #: Multiplier by source evaluation (1 reliable, 2 untested, 3 not reliable; '' ungraded).
    source_evaluation: dict[str, float] = field(
        default_factory=lambda: {"1": 1.0, "2": 0.7, "3": 0.3, "": 0.5}
    )
    #: Multiplier by intelligence assessment (A known directly … E suspected false).
    assessment: dict[str, float] = field(
        default_factory=lambda: {"A": 1.0, "B": 0.9, "C": 0.7, "D": 0.4, "E": 0.0, "": 0.5}
    )
    category: dict[str, float] = field(
        default_factory=lambda: {
            "modern_slavery": 2.0,
            "illegal_working": 1.5,
            "accommodation": 1.3,
            "minimum_wage": 1.2,
            "health_safety": 1.2,
            "holiday_pay": 1.0,
            "tax_fraud": 0.8,
            "other": 0.6,
        }
    )
    #: Points for the outcome of the latest visit in the last ``outcome_months``.
    outcome: dict[str, float] = field(
        default_factory=lambda: {
            "exploitation_indicators": 30,
            "enforcement": 20,
            "referral": 15,
            "no_access": 10,
            "advice": 5,
            "no_issues": 0,
        }
    )
    outcome_months: int = 36
    #: Points for a poor confirmed inspection rating (0-5, see ``layers.casework.rating``)
    #: given in the last ``outcome_months``; a pending rating counts once the right to reply is
    #: heard or its window (``rating_reply_days``) has passed.
    poor_rating: dict[str, float] = field(default_factory=lambda: {"0": 20, "1": 15, "2": 8})
    never_visited: float = 10
    visit_over_24_months: float = 8
    visit_over_12_months: float = 4
    multi_occupancy: float = 5
    multi_occupancy_units: int = 5
    no_company_number: float = 5
    churn: float = 5
    churn_tenancies: int = 3
    churn_years: int = 5
    crowding: float = 10
    #: Square metres of floor per worker below which a unit counts as crowded.
    crowding_m2_per_worker: float = 5.0
    #: Points for the successor of a phoenix pattern (``layers.network.phoenix``).
    phoenix: float = 15
    bands: tuple[tuple[str, float], ...] = (("high", 30), ("medium", 15), ("low", 0))


WEIGHTS = Weights()

FACTOR_LABELS = {
    "open_reports": "Open intelligence reports (weighted by grading and category)",
    "recent_outcome": "Outcome of the latest visit",
    "visit_gap": "Time since the last visit",
    "poor_rating": "Poor ethical-compliance rating",
    "multi_occupancy": "In a multi-occupancy building",
    "no_company_number": "No company number",
    "churn": "Frequent tenant changes in its unit",
    "crowding": "Employees out of line with floor space",
    "phoenix": "Successor of a phoenix pattern",
}


def _case(expression: str, name: str, mapping: dict[str, float]) -> tuple[str, dict[str, object]]:
    """A CASE over ``expression`` whose codes and points are bound parameters (never SQL text)."""
    params: dict[str, object] = {}
    whens = []
    for i, (code, value) in enumerate(mapping.items()):
        params[f"{name}_k{i}"], params[f"{name}_v{i}"] = code, value
        whens.append(f"WHEN :{name}_k{i} THEN CAST(:{name}_v{i} AS float8)")
    return f"CASE {expression} {' '.join(whens)} ELSE 0 END", params


#: How many of its largest factors a business shows where places are ranked.
TOP_FACTORS = 3
#: Businesses recomputed at a time (bounds the memory of a refresh of a million).
REFRESH_BATCH = 100_000
#: A refresh of at least this many is a bulk load: the planner gets fresh statistics after it.
BULK_REFRESH = 10_000


def compute_factors(bind: Bind, business_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The risk factors with points > 0 computed afresh, one row per (business_id, factor),
    with a plain detail (counts and dates, never report content). ``business_ids`` limits the
    businesses."""
    sql, params = _factor_query(business_ids)
    return read_frame(bind, sql, params)


def _ids(business_ids: Sequence[int] | None) -> list[int] | None:
    """Business ids as a bound array (None: every business)."""
    return None if business_ids is None else list(business_ids)


def _factor_query(business_ids: Sequence[int] | None) -> tuple[str, dict[str, object]]:
    """The factors' SQL (points rounded to 0.1, only those above 0) and its bound values."""
    weights = WEIGHTS
    evaluation, p1 = _case("coalesce(r.source_evaluation, '')", "ev", weights.source_evaluation)
    assessment, p2 = _case("coalesce(r.intelligence_assessment, '')", "as", weights.assessment)
    category, p3 = _case("r.category", "cat", weights.category)
    outcome, p4 = _case("v.outcome", "out", weights.outcome)
    poor, p5 = _case("v.rating::text", "rat", weights.poor_rating)
    # Only CASE skeletons are formatted into the SQL; every code and number is a bound value.
    sql = f"""
    WITH chosen AS (
        SELECT b.* FROM business b
        WHERE b.status <> 'archived' AND (CAST(:ids AS int[]) IS NULL OR b.id = ANY(:ids))),
    reports AS (
        SELECT r.business_id, count(*) AS n,
            sum(:report_base * {evaluation} * {assessment} * {category}) AS points
        FROM report r JOIN chosen c ON c.id = r.business_id
        WHERE r.status <> 'closed' GROUP BY r.business_id),
    last_visit AS (
        SELECT DISTINCT ON (v.business_id) v.business_id, v.visit_date, v.outcome,
            {outcome} AS points
        FROM visit v JOIN chosen c ON c.id = v.business_id
        ORDER BY v.business_id, v.visit_date DESC, v.id DESC),
    rated AS (
        SELECT DISTINCT ON (v.business_id) v.business_id, v.visit_date, v.rating,
            {poor} AS points
        FROM visit v JOIN chosen c ON c.id = v.business_id
        WHERE v.rating IS NOT NULL AND NOT {RATING_PENDING}
        ORDER BY v.business_id, v.visit_date DESC, v.id DESC),
    churn AS (
        SELECT c.id AS business_id, count(t.id) AS n FROM chosen c
        JOIN tenancy t ON t.unit_id = c.unit_id
        WHERE t.start_date >= current_date - make_interval(years => :churn_years)
        GROUP BY c.id),
    units AS (SELECT site_id, count(*) AS n FROM unit GROUP BY site_id)
    SELECT c.id AS business_id, 'open_reports' AS factor, r.points, r.n::text AS detail
        FROM chosen c JOIN reports r ON r.business_id = c.id
    UNION ALL
    SELECT c.id, 'recent_outcome', l.points, l.outcome || ' on ' || l.visit_date
        FROM chosen c JOIN last_visit l ON l.business_id = c.id
        WHERE l.visit_date >= current_date - make_interval(months => :outcome_months)
    UNION ALL
    SELECT business_id, 'poor_rating', points, 'rated ' || rating || ' on ' || visit_date
        FROM rated WHERE visit_date >= current_date - make_interval(months => :outcome_months)
    UNION ALL
    SELECT c.id, 'visit_gap',
        CASE WHEN l.visit_date IS NULL THEN :never
             WHEN l.visit_date < current_date - interval '24 months' THEN :over24
             WHEN l.visit_date < current_date - interval '12 months' THEN :over12 ELSE 0 END,
        coalesce('last visit ' || l.visit_date, 'never visited')
        FROM chosen c LEFT JOIN last_visit l ON l.business_id = c.id
    UNION ALL
    SELECT c.id, 'multi_occupancy', :multi, u.n || ' units'
        FROM chosen c JOIN units u ON u.site_id = c.site_id WHERE u.n >= :multi_units
    UNION ALL
    SELECT c.id, 'no_company_number', :no_number, '' FROM chosen c
        WHERE c.company_number IS NULL
    UNION ALL
    SELECT business_id, 'churn', :churn, n || ' tenancies in ' || :churn_years || ' years'
        FROM churn WHERE n >= :churn_tenancies
    UNION ALL
    SELECT c.id, 'crowding', :crowding,
        c.employees_estimate || ' employees in ' || u.floor_area_m2 || ' m²'
        FROM chosen c JOIN unit u ON u.id = c.unit_id
        WHERE u.floor_area_m2 IS NOT NULL AND c.employees_estimate > 0
        AND u.floor_area_m2 / c.employees_estimate < :crowding_m2
    UNION ALL
    (SELECT DISTINCT ON (c.id) c.id, 'phoenix', :phoenix,
        'after ' || g.name || ' ceased on ' || p.ceased_on || ' (' || p.gap_days
        || ' days; ' || replace(p.place, '_', ' ') || '; ' || array_to_string(p.shares, '; ')
        || ')'
        FROM chosen c JOIN phoenix_pair p ON p.successor_id = c.id
        JOIN business g ON g.id = p.predecessor_id
        ORDER BY c.id, p.ceased_on DESC)
    """  # noqa: S608
    params = {
        **p1,
        **p2,
        **p3,
        **p4,
        **p5,
        "ids": _ids(business_ids),
        "report_base": weights.report_base,
        "outcome_months": weights.outcome_months,
        "never": weights.never_visited,
        "over24": weights.visit_over_24_months,
        "over12": weights.visit_over_12_months,
        "multi": weights.multi_occupancy,
        "multi_units": weights.multi_occupancy_units,
        "no_number": weights.no_company_number,
        "churn": weights.churn,
        "churn_years": weights.churn_years,
        "churn_tenancies": weights.churn_tenancies,
        "crowding": weights.crowding,
        "crowding_m2": weights.crowding_m2_per_worker,
        "phoenix": weights.phoenix,
        "reply_days": get_settings().rating_reply_days,
    }
    rounded = "round(CAST(raw.points AS numeric), 1)"
    query = (
        f"SELECT raw.business_id, raw.factor, CAST({rounded} AS float8) AS points, raw.detail "  # noqa: S608 - constant SQL, values bound
        f"FROM ({sql}) raw WHERE {rounded} > 0"
    )
    return query, params


def refresh(
    conn: Connection,
    business_ids: Sequence[int] | None = None,
    progress: Progress = no_progress,
) -> int:
    """Recompute and store the risk of ``business_ids`` (by default, those a change has
    marked), on the caller's connection and in its transaction; returns how many."""
    if business_ids is None:
        business_ids = (
            conn.execute(
                text(
                    "DELETE FROM risk_pending WHERE business_id IN (SELECT business_id FROM "
                    "risk_pending FOR UPDATE SKIP LOCKED) RETURNING business_id"
                )
            )
            .scalars()
            .all()
        )
    else:
        conn.execute(
            text("DELETE FROM risk_pending WHERE business_id = ANY(:ids)"),
            {"ids": list(business_ids)},
        )
    ids = sorted(set(business_ids))
    for start in range(0, len(ids), REFRESH_BATCH):
        progress(start, len(ids), "recomputing risk")
        _store(conn, ids[start : start + REFRESH_BATCH])
    progress(len(ids), len(ids), "risk stored")
    if len(ids) >= BULK_REFRESH:
        analyze(conn, "business_risk")
    return len(ids)


_STORE = """
WITH f AS ({factors}),
labelled AS (SELECT f.*, CAST(:labels AS jsonb) ->> f.factor AS label FROM f),
summed AS (
    SELECT business_id, CAST(round(CAST(sum(points) AS numeric), 1) AS float8) AS score,
        jsonb_agg(jsonb_build_object('factor', factor, 'points', points, 'detail', detail)
            ORDER BY points DESC, label) AS factors,
        (array_agg(label ORDER BY points DESC, label))[1:{top}] AS top_factors
    FROM labelled GROUP BY business_id)
INSERT INTO business_risk (business_id, score, factors, top_factors, refreshed_at)
SELECT b.id, coalesce(s.score, 0), coalesce(s.factors, '[]'), coalesce(s.top_factors, '{{}}'),
    now()
FROM business b LEFT JOIN summed s ON s.business_id = b.id
WHERE b.id = ANY(:ids) AND b.status <> 'archived'
ON CONFLICT (business_id) DO UPDATE SET score = EXCLUDED.score, factors = EXCLUDED.factors,
    top_factors = EXCLUDED.top_factors, refreshed_at = EXCLUDED.refreshed_at
"""


def _store(conn: Connection, ids: list[int]) -> None:
    """Recompute and upsert, in one statement (two refreshes of one business may meet: the
    later wins, neither fails); businesses archived or gone lose their row."""
    conn.execute(
        text(
            "DELETE FROM business_risk r WHERE r.business_id = ANY(:ids) AND NOT EXISTS "
            "(SELECT 1 FROM business b WHERE b.id = r.business_id AND b.status <> 'archived')"
        ),
        {"ids": ids},
    )
    factors, params = _factor_query(ids)
    conn.execute(
        text(_STORE.format(factors=factors, top=TOP_FACTORS)),
        {**params, "ids": ids, "labels": json.dumps(FACTOR_LABELS)},
    )


def refresh_all(bind: Bind, progress: Progress = no_progress) -> int:
    """Recompute every business's risk (for the factors that move with time alone); returns
    how many. A timer runs it daily (``sectormap risk refresh``)."""
    with transaction(bind) as conn:
        ids = conn.execute(text("SELECT id FROM business")).scalars().all()
        return refresh(conn, ids, progress)


def refresh_marked(bind: Bind) -> None:
    """Refresh what a change left marked, so a reader never sees a stale score (call it before
    reading ``business_risk`` directly)."""
    with db.reading(bind) as conn:
        marked = conn.execute(text("SELECT EXISTS (SELECT 1 FROM risk_pending)")).scalar_one()
    if marked:
        with transaction(bind) as conn:
            refresh(conn)


db.before_commit(refresh)


def business_factors(bind: Bind, business_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The stored risk factors with points > 0, one row per (business_id, factor): business_id,
    factor, points, detail. ``business_ids`` limits the businesses."""
    refresh_marked(bind)
    return read_frame(
        bind,
        "SELECT r.business_id, f.factor, f.points, f.detail FROM business_risk r "
        "CROSS JOIN LATERAL jsonb_to_recordset(r.factors) AS f(factor text, points float8, "
        "detail text) WHERE CAST(:ids AS int[]) IS NULL OR r.business_id = ANY(:ids) "
        "ORDER BY r.business_id, f.points DESC",
        {"ids": _ids(business_ids)},
    )


def stored_risk(bind: Bind, business_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Each business's stored score and top factor labels: business_id, score, top_factors."""
    refresh_marked(bind)
    return read_frame(
        bind,
        "SELECT business_id, score, top_factors FROM business_risk "
        "WHERE CAST(:ids AS int[]) IS NULL OR business_id = ANY(:ids)",
        {"ids": _ids(business_ids)},
    )


def band(score: float, weights: Weights = WEIGHTS) -> str:
    """'high', 'medium' or 'low' for a score."""
    return next(name for name, floor in weights.bands if score >= floor)


def band_case(score: str, weights: Weights = WEIGHTS) -> tuple[str, dict[str, object]]:
    """SQL giving the band of the score expression ``score`` by the same floors as ``band``,
    with its bound parameters (names and floors are parameters, never SQL text)."""
    params: dict[str, object] = {}
    whens = []
    for i, (name, floor) in enumerate(weights.bands):
        params[f"band_name_{i}"], params[f"band_floor_{i}"] = name, floor
        whens.append(
            f"WHEN {score} >= CAST(:band_floor_{i} AS float8) THEN CAST(:band_name_{i} AS text)"
        )
    return f"CASE {' '.join(whens)} END", params


def explain(factors: pd.DataFrame) -> pd.DataFrame:
    """A factor table people read: factor, points, detail, largest first."""
    table = factors.assign(factor=factors["factor"].map(FACTOR_LABELS))
    table["detail"] = [
        f"{d} open report(s)" if f == FACTOR_LABELS["open_reports"] else d
        for f, d in zip(table["factor"], table["detail"], strict=True)
    ]
    return table.sort_values("points", ascending=False)[["factor", "points", "detail"]]


def site_factors(bind: Bind, site_id: int) -> pd.DataFrame:
    """Building-level factors of a site, from its current tenants: open reports add up, every
    other factor takes its worst tenant (with how many tenants it applies to)."""
    tenants = read_frame(
        bind,
        "SELECT DISTINCT t.business_id FROM tenancy t JOIN unit u ON u.id = t.unit_id "
        "WHERE u.site_id = :site AND t.end_date IS NULL",
        {"site": site_id},
    )["business_id"].tolist()
    if not tenants:
        return pd.DataFrame(columns=["factor", "points", "detail"])
    factors = business_factors(bind, tenants)
    rows = []
    for factor, group in factors.groupby("factor", sort=False):
        if factor == "open_reports":
            points = group["points"].sum()
            detail = str(group["detail"].astype(int).sum())
        else:
            points = group["points"].max()
            detail = f"{len(group)} of {len(tenants)} tenants"
        rows.append({"factor": factor, "points": round(float(points), 1), "detail": detail})
    return pd.DataFrame(rows, columns=["factor", "points", "detail"])
