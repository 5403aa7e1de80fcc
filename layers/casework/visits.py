"""Visits: logging a visit (with optional inspection scores), the register with its filters,
follow-ups due, joint operations, and visits as map points."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import pandas as pd
from sqlalchemy import Connection, text

from layers.casework import rating, referrals, reports
from layers.core import vocab
from layers.core.db import Bind, planned, read_frame, transaction
from layers.core.errors import ValidationError
from layers.core.fragments import (
    PLACE,
    RATING_PENDING,
    VISIT_SUBJECT,
    VISITS_OF_AREA_BUILDINGS,
    VISITS_OF_AREA_BUSINESSES,
)
from layers.core.settings import get_settings
from layers.people import audit, rights
from layers.people.identity import User


@dataclass(frozen=True)
class NewVisit:
    """A visit as an officer records it."""

    visit_date: dt.date
    visit_type: str
    outcome: str
    business_id: int | None = None
    site_id: int | None = None
    agencies: tuple[str, ...] = ()
    operation_name: str | None = None
    workers_present: int | None = None
    findings: str = ""
    follow_up_date: dt.date | None = None
    #: Component scores of a joint inspection (see ``layers.casework.rating``): all four or none.
    scores: dict[str, int | None] = field(default_factory=dict)
    #: A new rating stays pending until the business's right to reply has been heard.
    rating_pending: bool = True
    #: Reports (readable by the officer) this visit acted on.
    report_ids: tuple[int, ...] = ()
    #: Agencies to refer the visit's concern to, in the same transaction.
    refer_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitFilters:
    """What a visits list is limited to; empty means everything."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outcomes: tuple[str, ...] = ()
    visit_types: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    operation_name: str | None = None
    officer_id: int | None = None
    business_id: int | None = None
    site_id: int | None = None

    def describe(self) -> str:
        """The filters that are set, in words (for an export's metadata)."""
        parts = []
        for name, value in asdict(self).items():
            if value in (None, ()):
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
            parts.append(f"{name.replace('_', ' ')} = {shown}")
        return "; ".join(parts) or "none"


def _check(visit: NewVisit, today: dt.date) -> dict[str, int] | None:
    """Refuse a visit that breaks a rule, naming the field; return its checked scores."""
    if visit.business_id is None and visit.site_id is None:
        raise ValidationError("a visit needs a business or a site", column="business_id")
    if visit.visit_date > today:
        raise ValidationError(
            f"the visit date {visit.visit_date} is in the future: log a visit after it happens "
            "(plan future visits in Focus areas)",
            column="visit_date",
        )
    if visit.visit_type not in vocab.VISIT_TYPES:
        raise ValidationError(f"unknown visit type {visit.visit_type!r}", column="visit_type")
    if visit.outcome not in vocab.VISIT_OUTCOMES:
        raise ValidationError(f"unknown outcome {visit.outcome!r}", column="outcome")
    unknown = sorted(set(visit.agencies) - set(vocab.AGENCIES))
    if unknown:
        raise ValidationError(f"unknown agencies: {', '.join(unknown)}", column="agencies")
    if visit.workers_present is not None and visit.workers_present < 0:
        raise ValidationError("workers present cannot be negative", column="workers_present")
    if visit.follow_up_date is not None and visit.follow_up_date < visit.visit_date:
        raise ValidationError(
            f"the follow-up date {visit.follow_up_date} is before the visit ({visit.visit_date})",
            column="follow_up_date",
        )
    return rating.check_scores(visit.scores)


def _subject_exists(conn: Connection, visit: NewVisit) -> None:
    for table, value in (("business", visit.business_id), ("site", visit.site_id)):
        if (
            value is not None
            and not conn.execute(
                text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = :id)"),  # noqa: S608 - fixed names
                {"id": value},
            ).scalar()
        ):
            raise ValidationError(f"there is no {table} {value}", column=f"{table}_id")


def log_visit(bind: Bind, user: User, visit: NewVisit, *, today: dt.date | None = None) -> int:
    """Record ``visit`` by ``user`` (audited) and return its id, with its report links and
    referrals: all of it, or nothing. With inspection scores, the 0-5 rating is combined here
    and kept with the visit."""
    rights.require_editor(bind, user, "log visits", object_type="visit")
    scores = _check(visit, today or dt.date.today())
    combined = rating.combine(scores) if scores else None
    values = {
        "visit_date": visit.visit_date,
        "business_id": visit.business_id,
        "site_id": visit.site_id,
        "agencies": sorted(set(visit.agencies)),
        "operation_name": (visit.operation_name or "").strip() or None,
        "visit_type": visit.visit_type,
        "workers_present": visit.workers_present,
        "outcome": visit.outcome,
        "findings": visit.findings.strip(),
        "follow_up_date": visit.follow_up_date,
        "officer_id": user.id,
        **{name: (scores or {}).get(name) for name in rating.COMPONENTS},
        "rating": combined.rating if combined else None,
        "rating_pending": bool(combined) and visit.rating_pending,
    }
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    with transaction(bind) as conn:
        _subject_exists(conn, visit)
        visit_id = int(
            conn.execute(
                text(f"INSERT INTO visit ({columns}) VALUES ({placeholders}) RETURNING id"),  # noqa: S608 - fixed names
                values,
            ).scalar_one()
        )
        audit.by(
            conn,
            user,
            "create",
            object_type="visit",
            object_id=visit_id,
            detail={k: str(v) for k, v in values.items() if k != "findings" and v is not None},
        )
        for report_id in visit.report_ids:
            link_report(conn, user, report_id, visit_id)
        for agency in visit.refer_to:
            referrals.refer(
                conn,
                user,
                agency_code=agency,
                reason=values["findings"] or vocab.VISIT_OUTCOMES[visit.outcome],
                visit_id=visit_id,
            )
    return visit_id


def answer_rating(
    bind: Bind, user: User, visit_id: int, *, right_to_reply: str, confirm: bool
) -> None:
    """Record the business's right-to-reply note on a rated visit and, with ``confirm``, end
    the pending period so the rating counts. Audited with before and after."""
    rights.require_editor(bind, user, "change ratings", object_type="visit", object_id=visit_id)
    with transaction(bind) as conn:
        before = (
            conn.execute(
                text(
                    "SELECT rating, rating_pending, right_to_reply FROM visit "
                    "WHERE id = :id FOR UPDATE"
                ),
                {"id": visit_id},
            )
            .mappings()
            .first()
        )
        if before is None or before["rating"] is None:
            raise ValidationError(f"visit {visit_id} has no inspection rating", column="visit_id")
        after = {
            "rating": before["rating"],
            "rating_pending": before["rating_pending"] and not confirm,
            "right_to_reply": right_to_reply.strip(),
        }
        conn.execute(
            text(
                "UPDATE visit SET rating_pending = :rating_pending, "
                "right_to_reply = :right_to_reply WHERE id = :id"
            ),
            {**after, "id": visit_id},
        )
        audit.edit(
            conn,
            user,
            object_type="visit",
            object_id=visit_id,
            before=before,
            after=after,
        )


#: The filters of ``VisitFilters`` over visit ``v``, as bound parameters.
_WHERE = """
WHERE (CAST(:date_from AS date) IS NULL OR v.visit_date >= :date_from)
  AND (CAST(:date_to AS date) IS NULL OR v.visit_date <= :date_to)
  AND (cardinality(CAST(:outcomes AS text[])) = 0 OR v.outcome = ANY(:outcomes))
  AND (cardinality(CAST(:visit_types AS text[])) = 0 OR v.visit_type = ANY(:visit_types))
  AND (cardinality(CAST(:agencies AS text[])) = 0
       OR v.agencies::text[] && CAST(:agencies AS text[]))
  AND (CAST(:operation AS text) IS NULL OR v.operation_name = :operation)
  AND (CAST(:officer AS int) IS NULL OR v.officer_id = :officer)
  AND (CAST(:business AS int) IS NULL OR v.business_id = :business)
  AND (CAST(:site AS int) IS NULL OR v.site_id = :site)
"""

_REGISTER = (
    "SELECT v.id, v.visit_date, b.name AS business, s.name AS site, v.visit_type, "  # noqa: S608 - constant fragments
    "v.operation_name, array_to_string(v.agencies, ', ') AS agencies, v.outcome, "
    "v.workers_present, v.follow_up_date, u.full_name AS officer, v.rating, v.rating_pending, "
    f"v.findings FROM visit v {VISIT_SUBJECT} "
    "LEFT JOIN app_user u ON u.id = v.officer_id" + _WHERE + "ORDER BY v.visit_date DESC, v.id DESC"
)

_POINTS = (
    "SELECT v.id, v.visit_date, v.outcome, v.operation_name, coalesce(b.name, s.name) AS name, "  # noqa: S608 - constant fragments, values bound
    f"ST_Y({PLACE}) AS lat, "
    f"ST_X({PLACE}) AS lon "
    f"FROM visit v {VISIT_SUBJECT} " + _WHERE + "ORDER BY v.visit_date, v.id"
)


def _filter_params(filters: VisitFilters) -> dict[str, object]:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "outcomes": list(filters.outcomes),
        "visit_types": list(filters.visit_types),
        "agencies": list(filters.agencies),
        "operation": filters.operation_name,
        "officer": filters.officer_id,
        "business": filters.business_id,
        "site": filters.site_id,
    }


def register(bind: Bind, filters: VisitFilters = VisitFilters()) -> pd.DataFrame:
    """Visits that pass ``filters``, newest first, with names and readable labels."""
    frame = read_frame(bind, _REGISTER, _filter_params(filters))
    return vocab.labelled(frame, visit_type=vocab.VISIT_TYPES, outcome=vocab.VISIT_OUTCOMES)


def points(bind: Bind, filters: VisitFilters = VisitFilters()) -> pd.DataFrame:
    """Visits that pass ``filters`` as map points (at the business, else the site's footprint):
    id, visit_date, outcome (code), operation_name, name, lat, lon."""
    return read_frame(bind, _POINTS, _filter_params(filters))


def date_span(bind: Bind) -> tuple[dt.date, dt.date]:
    """The first and last visit dates (today for both when there are no visits)."""
    row = read_frame(bind, "SELECT min(visit_date) AS first, max(visit_date) AS last FROM visit")
    first, last = row.iloc[0]["first"], row.iloc[0]["last"]
    if pd.isna(first):
        first = last = dt.date.today()
    # A span of at least one day, so a range control always has room to move.
    return first, max(last, first + dt.timedelta(days=1))


def outcome_counts_by_year(bind: Bind) -> pd.DataFrame:
    """Visits by year and outcome (columns year, outcome, visits)."""
    frame = read_frame(
        bind,
        "SELECT extract(year FROM visit_date)::int AS year, outcome, count(*) AS visits "
        "FROM visit GROUP BY 1, 2 ORDER BY 1, 2",
    )
    return vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)


def follow_ups_due(
    bind: Bind, user: User, *, within_days: int = 14, today: dt.date | None = None
) -> pd.DataFrame:
    """The follow-ups of visits ``user`` logged that fall due within ``within_days`` (or are
    overdue) and that no later visit to the same business or site has answered yet. A partner
    is refused (audited)."""
    rights.require_staff(bind, user, "see visits", object_type="visit")
    today = today or dt.date.today()
    frame = read_frame(
        bind,
        "SELECT v.id, v.follow_up_date, v.follow_up_date < :today AS overdue, v.visit_date, "  # noqa: S608 - constant fragments, values bound
        "coalesce(b.name, s.name) AS subject, v.business_id, v.site_id, v.outcome, v.findings "
        f"FROM visit v {VISIT_SUBJECT} "
        "WHERE v.officer_id = :user AND v.follow_up_date IS NOT NULL "
        "AND v.follow_up_date <= :until AND NOT EXISTS ("
        "  SELECT 1 FROM visit later WHERE later.visit_date > v.visit_date "
        "  AND (later.business_id = v.business_id OR later.site_id = v.site_id)) "
        "ORDER BY v.follow_up_date, v.id",
        {"user": user.id, "today": today, "until": today + dt.timedelta(days=within_days)},
    )
    return vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)


def operations(bind: Bind) -> pd.DataFrame:
    """Named joint operations: name, first and last visit date, visits."""
    return read_frame(
        bind,
        "SELECT operation_name AS name, min(visit_date) AS first_visit, "
        "max(visit_date) AS last_visit, count(*) AS visits FROM visit "
        "WHERE operation_name IS NOT NULL GROUP BY operation_name ORDER BY max(visit_date) DESC",
    )


def outcome_counts(visits: pd.DataFrame) -> pd.DataFrame:
    """Outcome counts of a visits frame with outcome codes: outcome (label), visits, in the
    vocabulary's order, every outcome present (zero when none)."""
    counts = visits["outcome"].value_counts()
    return pd.DataFrame(
        {
            "outcome": list(vocab.VISIT_OUTCOMES.values()),
            "visits": [int(counts.get(code, 0)) for code in vocab.VISIT_OUTCOMES],
        }
    )


def latest_ratings(bind: Bind, business_id: int | None = None) -> pd.DataFrame:
    """Each rated business's latest inspection (of one business, if given): business_id,
    visit_id, visit_date, rating, rating_pending (still within the reply window),
    awaiting_reply (an officer has not confirmed it), reply_by (the window's last day),
    right_to_reply and the four scores."""
    return read_frame(
        bind,
        "SELECT DISTINCT ON (v.business_id) v.business_id, v.id AS visit_id, v.visit_date, "  # noqa: S608 - constant fragment, values bound
        f"v.rating, {RATING_PENDING} AS rating_pending, v.rating_pending AS awaiting_reply, "
        "v.visit_date + CAST(:reply_days AS int) - 1 AS reply_by, v.right_to_reply, "
        "v.score_pay_hours, v.score_health_safety, v.score_contracts, v.score_management "
        "FROM visit v WHERE v.rating IS NOT NULL AND v.business_id IS NOT NULL "
        "AND (CAST(:business AS int) IS NULL OR v.business_id = :business) "
        "ORDER BY v.business_id, v.visit_date DESC, v.id DESC",
        {"business": business_id, "reply_days": get_settings().rating_reply_days},
    )


def link_report(bind: Bind, user: User, report_id: int, visit_id: int) -> None:
    """Link a report to the visit that acted on it. Only someone who may read the report may
    link it (the link itself says the visit followed that intelligence). Audited."""
    reports.require_readable(
        bind, user, report_id, f"You may not link report {report_id}: you cannot read it."
    )
    with transaction(bind) as conn:
        if not conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM visit WHERE id = :id)"), {"id": visit_id}
        ).scalar():
            raise ValidationError(f"there is no visit {visit_id}", column="visit_id")
        conn.execute(
            text(
                "INSERT INTO report_visit (report_id, visit_id) VALUES (:r, :v) "
                "ON CONFLICT DO NOTHING"
            ),
            {"r": report_id, "v": visit_id},
        )
        audit.by(
            conn,
            user,
            "edit",
            object_type="report",
            object_id=report_id,
            detail={"linked_visit": visit_id},
        )


def outcomes_in_area(
    bind: Bind, area_id: int, since: dt.date | None, until: dt.date | None
) -> pd.DataFrame:
    """Visits inside focus area ``area_id`` between ``since`` and ``until`` (inclusive; None:
    open-ended), counted by outcome: outcome (label), visits, in the vocabulary's order."""
    query = (
        "SELECT v.outcome, count(*) AS visits FROM ({visits}) v "
        "WHERE (CAST(:since AS date) IS NULL OR v.visit_date >= :since) "
        "AND (CAST(:until AS date) IS NULL OR v.visit_date <= :until) GROUP BY v.outcome"
    )
    params = {"area": area_id, "since": since, "until": until}
    # The planner expects a few businesses per grid run where there are hundreds, and would
    # look up their visits one business at a time: hashed, they cost a fraction.
    with planned(bind, enable_nestloop="off") as conn:
        of_businesses = read_frame(conn, query.format(visits=VISITS_OF_AREA_BUSINESSES), params)
    of_buildings = read_frame(bind, query.format(visits=VISITS_OF_AREA_BUILDINGS), params)
    counts = pd.concat([of_businesses, of_buildings]).groupby("outcome")["visits"].sum()
    ordered = counts.reindex(list(vocab.VISIT_OUTCOMES)).dropna().astype(int)
    return pd.DataFrame(
        {"outcome": ordered.index.map(vocab.VISIT_OUTCOMES), "visits": ordered.to_numpy()}
    )
