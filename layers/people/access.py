"""Access rules, in one place: which role may open which part of the app, and who may read an
intelligence report.

Need to know: a report with handling code P may be read by any officer, planner, analyst or
admin; one with handling code C only by its owning agency, by users cleared for restricted
intelligence, and by users cleared for that one report, while the clearance is current (not
revoked, not expired). A viewer sees aggregates only. Everyone else learns that a restricted
report exists (a count), never its content. Every query that returns report content takes its
WHERE clause from ``readable_reports_sql``.

A partner (a person of a partner organisation: a retailer's audit team, a charity, an advice
service) submits reports and follows those their own organisation submitted
(``own_organisation_reports_sql``), and nothing else: no staff page, no intelligence.
"""

from __future__ import annotations

import datetime as dt

from layers.core import vocab
from layers.people.identity import User

#: The roles of the partnership's own staff: everyone but partners.
STAFF_ROLES = frozenset(vocab.ROLES) - {"partner"}

#: Page key → roles that may open it.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "map": STAFF_ROLES,
    "registers": STAFF_ROLES,
    "visits": frozenset({"officer", "planner", "analyst", "admin"}),
    "reports": frozenset({"officer", "planner", "analyst", "admin"}),
    "focus_areas": STAFF_ROLES,
    "networks": STAFF_ROLES,
    "sizing": STAFF_ROLES,
    "export": frozenset({"analyst", "planner", "admin"}),
    "imports": frozenset({"analyst", "admin"}),
    "admin": frozenset({"admin"}),
    "partner_reports": frozenset({"partner"}),
    "accessibility": frozenset(vocab.ROLES),
}


def can_open(role: str, page: str) -> bool:
    """True when a user with ``role`` may open ``page`` (unknown pages and roles: never)."""
    return role in PAGE_ROLES.get(page, frozenset())


#: Roles that may add and change records: businesses, sites and units, visits, reports,
#: referrals and ratings. A viewer only looks.
EDIT_ROLES = frozenset({"officer", "planner", "analyst", "admin"})


def can_edit(role: str) -> bool:
    """True when a user with ``role`` may add or change records."""
    return role in EDIT_ROLES


#: Roles that may import files into the register and the reference data (the Import page).
IMPORT_ROLES = PAGE_ROLES["imports"]


def can_import(role: str) -> bool:
    """True when a user with ``role`` may import files."""
    return role in IMPORT_ROLES


def is_staff(role: str) -> bool:
    """True for the partnership's own staff (every role but partner and unknown ones)."""
    return role in STAFF_ROLES


def can_administer(role: str) -> bool:
    """True when a user with ``role`` may manage people, agencies and clearances."""
    return role == "admin"


#: The SQL condition (over clearance ``c``) of a clearance that grants today: not revoked and
#: not past its expiry date. An expired clearance stops granting on its own.
CURRENT_CLEARANCE = (
    "c.revoked_at IS NULL AND (c.expires_on IS NULL OR c.expires_on >= current_date)"
)


def clearance_is_current(
    expires_on: dt.date | None, revoked_at: dt.datetime | None, today: dt.date
) -> bool:
    """Whether a clearance grants on ``today`` (the rule of ``CURRENT_CLEARANCE``)."""
    return revoked_at is None and (expires_on is None or expires_on >= today)


def can_read_any_report(role: str) -> bool:
    """Whether a user with ``role`` may read the content of any report at all."""
    return role in STAFF_ROLES and role != "viewer"


def can_read_report(
    user: User, *, handling_code: str, owning_agency: str, cleared_for_report: bool = False
) -> bool:
    """Whether ``user`` may read a report's content (narrative, subject, grading)."""
    if user.role in ("viewer", "partner") or user.role not in vocab.ROLES:
        return False
    if handling_code == "P":
        return True
    return user.agency_code == owning_agency or user.cleared_restricted or cleared_for_report


def readable_reports_sql(user: User, alias: str = "r") -> tuple[str, dict[str, object]]:
    """The SQL condition (over report ``alias``) and its bound values that keep only the reports
    ``user`` may read; the same rule as ``can_read_report``."""
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    if user.role in ("viewer", "partner") or user.role not in vocab.ROLES:
        return "false", {}
    condition = (
        f"({alias}.handling_code = 'P' OR {alias}.owning_agency = :access_agency "  # noqa: S608 - alias checked, values bound
        f"OR EXISTS (SELECT 1 FROM clearance c WHERE c.user_id = :access_user "
        f"AND (c.report_id IS NULL OR c.report_id = {alias}.id) AND {CURRENT_CLEARANCE}))"
    )
    return condition, {"access_agency": user.agency_code, "access_user": user.id}


def own_organisation_reports_sql(user: User, alias: str = "r") -> tuple[str, dict[str, object]]:
    """The SQL condition (over report ``alias``) that keeps the reports a partner's own
    organisation submitted: what a partner may follow (status, not triage or grading)."""
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    if user.role != "partner" or not user.agency_code:
        return "false", {}
    return f"{alias}.submitting_agency = :own_agency", {"own_agency": user.agency_code}
