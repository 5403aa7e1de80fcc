"""The printable visit sheet: one page per stop of a planned route, with what an officer needs
at the door (address, units and tenants, the last visit, open follow-ups, and intelligence only
as far as the user may read it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd

from layers.casework import reports
from layers.core import vocab
from layers.core.db import Bind, read_frame
from layers.people import rights
from layers.people.identity import User
from layers.routes.routing import MODES, RoutePlan

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # names, findings and narratives are untrusted text
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class StopSheet:
    """One stop's page."""

    stop: int
    kind: str
    name: str
    address: str
    postcode: str
    tenants: pd.DataFrame
    last_visit: dict[str, object] | None
    follow_ups: pd.DataFrame
    reports: pd.DataFrame
    restricted_reports: int
    top_factors: list[str] = field(default_factory=list)
    score: float = 0.0


def _subjects(bind: Bind, kind: str, place_id: int) -> tuple[list[int], list[int]]:
    """The businesses and sites a stop stands for: a site and its current tenants, or one
    business and the site it is in."""
    if kind == "site":
        tenants = read_frame(
            bind,
            "SELECT DISTINCT t.business_id FROM tenancy t JOIN unit u ON u.id = t.unit_id "
            "WHERE u.site_id = :id AND t.end_date IS NULL",
            {"id": place_id},
        )["business_id"].tolist()
        return [int(b) for b in tenants], [place_id]
    return [place_id], []


def _tenants(bind: Bind, businesses: list[int]) -> pd.DataFrame:
    frame = read_frame(
        bind,
        "SELECT coalesce(u.label, '') AS unit, u.floor, b.name AS business, "
        "b.employees_estimate AS employees, b.status FROM business b "
        "LEFT JOIN unit u ON u.id = b.unit_id WHERE b.id = ANY(:ids) "
        "ORDER BY u.floor NULLS LAST, u.label, b.name",
        {"ids": businesses},
    )
    return frame.assign(  # an unknown floor or headcount prints blank, not 0 or <NA>
        floor=frame["floor"].astype("Int64").astype(str).replace("<NA>", ""),
        employees=frame["employees"].astype("Int64").astype(str).replace("<NA>", ""),
        status=frame["status"].map(vocab.BUSINESS_STATUSES),
    )


_ABOUT = "(v.business_id = ANY(:businesses) OR v.site_id = ANY(:sites))"


def _last_visit(bind: Bind, businesses: list[int], sites: list[int]) -> dict[str, object] | None:
    frame = read_frame(
        bind,
        "SELECT v.visit_date, v.outcome, v.operation_name, v.findings FROM visit v "  # noqa: S608 - constant fragment
        f"WHERE {_ABOUT} ORDER BY v.visit_date DESC, v.id DESC LIMIT 1",
        {"businesses": businesses, "sites": sites},
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    row["outcome"] = vocab.VISIT_OUTCOMES.get(str(row["outcome"]), row["outcome"])
    return row


def _follow_ups(bind: Bind, businesses: list[int], sites: list[int]) -> pd.DataFrame:
    """Follow-ups set at earlier visits that no later visit to the same place has answered."""
    frame = read_frame(
        bind,
        "SELECT v.follow_up_date, v.visit_date, v.outcome, v.findings FROM visit v "  # noqa: S608 - constant fragment
        f"WHERE {_ABOUT} AND v.follow_up_date IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM visit later WHERE later.visit_date > v.visit_date "
        "  AND (later.business_id = v.business_id OR later.site_id = v.site_id)) "
        "ORDER BY v.follow_up_date",
        {"businesses": businesses, "sites": sites},
    )
    return vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)


def gather(bind: Bind, user: User, stops: pd.DataFrame) -> list[StopSheet]:
    """A page for each stop (kind, place_id, name, address, postcode; in visiting order). A
    partner is refused (audited)."""
    rights.require_staff(bind, user, "print visit sheets", object_type="route")
    sheets = []
    for stop in stops.itertuples():
        businesses, sites = _subjects(bind, stop.kind, int(stop.place_id))
        readable, restricted = reports.open_about(
            bind, user, business_ids=businesses, site_ids=sites
        )
        factors = getattr(stop, "top_factors", None)
        sheets.append(
            StopSheet(
                stop=int(stop.stop),
                kind=stop.kind,
                name=str(stop.name),
                address=str(stop.address or ""),
                postcode=str(stop.postcode or ""),
                tenants=_tenants(bind, businesses),
                last_visit=_last_visit(bind, businesses, sites),
                follow_ups=_follow_ups(bind, businesses, sites),
                reports=readable,
                restricted_reports=restricted,
                top_factors=list(factors) if isinstance(factors, list) else [],
                score=float(getattr(stop, "score", 0.0) or 0.0),
            )
        )
    return sheets


def render(
    plan: RoutePlan,
    sheets: list[StopSheet],
    *,
    title: str,
    user: User,
    attribution: list[str],
) -> str:
    """The printable HTML: the route on the first page, then one page per stop. Every text is
    escaped; restricted intelligence appears only as a count."""
    return _TEMPLATES.get_template("visit_sheet.html").render(
        title=title,
        plan=plan,
        mode=MODES[plan.mode],
        sheets=sheets,
        user=user,
        printed=dt.datetime.now().strftime("%d %B %Y %H:%M"),
        attribution=attribution,
        legs=plan.legs.to_dict("records"),
    )
