"""Access rules, in one place: which role may open which part of the app, and who may read an
intelligence report.

Need to know: a report with handling code P may be read by any officer, planner, analyst or
admin; one with handling code C only by its owning agency, by users cleared for restricted
intelligence, and by users cleared for that one report. A viewer sees aggregates only. Everyone
else learns that a restricted report exists (a count), never its content. Every query that returns
report content takes its WHERE clause from ``readable_reports_sql``.
"""

from __future__ import annotations

from layers.core import vocab
from layers.people.identity import User

#: Page key → roles that may open it.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "map": frozenset(vocab.ROLES),
    "registers": frozenset(vocab.ROLES),
    "visits": frozenset({"officer", "planner", "analyst", "admin"}),
    "reports": frozenset({"officer", "planner", "analyst", "admin"}),
    "focus_areas": frozenset(vocab.ROLES),
    "sizing": frozenset(vocab.ROLES),
    "export": frozenset({"analyst", "planner", "admin"}),
    "imports": frozenset({"analyst", "admin"}),
    "admin": frozenset({"admin"}),
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


def can_read_report(
    user: User, *, handling_code: str, owning_agency: str, cleared_for_report: bool = False
) -> bool:
    """Whether ``user`` may read a report's content (narrative, subject, grading)."""
    if user.role == "viewer" or user.role not in vocab.ROLES:
        return False
    if handling_code == "P":
        return True
    return user.agency_code == owning_agency or user.cleared_restricted or cleared_for_report


def readable_reports_sql(user: User, alias: str = "r") -> tuple[str, dict[str, object]]:
    """The SQL condition (over report ``alias``) and its bound values that keep only the reports
    ``user`` may read; the same rule as ``can_read_report``."""
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    if user.role == "viewer" or user.role not in vocab.ROLES:
        return "false", {}
    condition = (
        f"({alias}.handling_code = 'P' OR {alias}.owning_agency = :access_agency "  # noqa: S608 - alias checked, values bound
        f"OR CAST(:access_cleared AS boolean) OR EXISTS (SELECT 1 FROM report_clearance rc "
        f"WHERE rc.report_id = {alias}.id AND rc.user_id = :access_user))"
    )
    return condition, {
        "access_agency": user.agency_code,
        "access_cleared": user.cleared_restricted,
        "access_user": user.id,
    }
