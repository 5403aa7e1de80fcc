"""Access rules, in one place: which role may open which part of the app.

(Rules for reading intelligence — agency, handling code, clearance — join this module with the
reports layer; every query that returns reports will go through it.)
"""

from __future__ import annotations

from layers import vocab

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


#: Roles that may add, edit and archive businesses, sites and units.
EDIT_ROLES = frozenset({"officer", "planner", "analyst", "admin"})


def can_edit_registers(role: str) -> bool:
    """True when a user with ``role`` may change the registers."""
    return role in EDIT_ROLES
