"""Login against app_user, with argon2 hashes and an audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import AuthenticationError, ValidationError
from layers.people import users


@pytest.fixture
def officer(conn: Connection) -> int:
    return users.upsert_user(
        conn,
        username="t_officer",
        full_name="Test Officer",
        role="officer",
        agency_code="GLAA",
        password="correct horse",
    )


def _audit(conn: Connection, username: str) -> list[str]:
    return list(
        conn.execute(
            text("SELECT action FROM audit_log WHERE username = :u ORDER BY id"), {"u": username}
        ).scalars()
    )


def test_passwords_are_stored_as_argon2_hashes(conn: Connection, officer: int) -> None:
    stored = conn.execute(
        text("SELECT password_hash FROM app_user WHERE id = :i"), {"i": officer}
    ).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_login_succeeds_with_the_right_password(conn: Connection, officer: int) -> None:
    user = users.authenticate(conn, " T_Officer ", "correct horse")
    assert (user.id, user.role, user.agency_code) == (officer, "officer", "GLAA")
    assert _audit(conn, "t_officer") == ["login"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("t_officer", "wrong horse"), ("nobody", "correct horse")],
    ids=["wrong-password", "unknown-user"],
)
def test_failed_logins_say_the_same_and_are_audited(
    conn: Connection, officer: int, username: str, password: str
) -> None:
    with pytest.raises(AuthenticationError) as failure:
        users.authenticate(conn, username, password)
    assert str(failure.value) == "Unknown username or wrong password."
    assert _audit(conn, username) == ["login_failed"]


def test_an_inactive_user_cannot_sign_in(conn: Connection, officer: int) -> None:
    conn.execute(text("UPDATE app_user SET active = false WHERE id = :i"), {"i": officer})
    with pytest.raises(AuthenticationError):
        users.authenticate(conn, "t_officer", "correct horse")


def test_short_passwords_and_unknown_roles_are_refused(conn: Connection) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        users.upsert_user(
            conn, username="x", full_name="X", role="officer", agency_code="GLAA", password="short"
        )
    with pytest.raises(ValidationError, match="unknown role 'boss'"):
        users.upsert_user(
            conn,
            username="x",
            full_name="X",
            role="boss",
            agency_code="GLAA",
            password="long enough",
        )
