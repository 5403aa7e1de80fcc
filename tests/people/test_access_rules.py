"""Who may open which page and change records, and the sign-in message: pure functions."""

from __future__ import annotations

import pytest

from layers.core.errors import AuthenticationError
from layers.people import access


def test_authentication_error_does_not_say_which_part_was_wrong() -> None:
    # One message for both failures, naming both possibilities.
    assert str(AuthenticationError()) == "Unknown username or wrong password."


@pytest.mark.parametrize(
    ("role", "page", "allowed"),
    [
        ("viewer", "map", True),
        ("viewer", "reports", False),
        ("viewer", "admin", False),
        ("officer", "reports", True),
        ("officer", "export", False),
        ("analyst", "export", True),
        ("admin", "admin", True),
        ("planner", "admin", False),
        ("nobody", "map", False),
    ],
)
def test_page_access_by_role(role: str, page: str, allowed: bool) -> None:
    assert access.can_open(role, page) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", False),
        ("officer", True),
        ("analyst", True),
        ("planner", True),
        ("admin", True),
        ("stranger", False),
    ],
)
def test_only_a_viewer_cannot_add_or_change_records(role: str, allowed: bool) -> None:
    assert access.can_edit(role) is allowed
