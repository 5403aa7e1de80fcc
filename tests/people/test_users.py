"""People against PostGIS: signing in (argon2, lockout, hash upgrade, single sign-on, one's own
password) and the whole lifecycle of a person, each change audited with before and after."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, text

from layers.core.errors import AccessDeniedError, AuthenticationError, ValidationError
from layers.people import identity, sign_in, users
from tests.support import make_user

STRONG = "Plum-kettle-Harbour-19"
ADMIN = identity.command_line("admin")


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


def _edits(conn: Connection, object_type: str) -> list[dict[str, object]]:
    return [
        json.loads(detail)
        for detail in conn.execute(
            text(
                "SELECT detail::text FROM audit_log WHERE action = 'edit' "
                "AND object_type = :t ORDER BY id"
            ),
            {"t": object_type},
        ).scalars()
    ]


def test_passwords_are_stored_as_argon2_hashes(conn: Connection, officer: int) -> None:
    stored = conn.execute(
        text("SELECT password_hash FROM app_user WHERE id = :i"), {"i": officer}
    ).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_login_succeeds_with_the_right_password(conn: Connection, officer: int) -> None:
    signed = sign_in.authenticate(conn, " T_Officer ", "correct horse")
    assert (signed.user.id, signed.user.role, signed.user.agency_code) == (
        officer,
        "officer",
        "GLAA",
    )
    assert not signed.must_change_password
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
        sign_in.authenticate(conn, username, password)
    assert str(failure.value) == "Unknown username or wrong password."
    assert _audit(conn, username) == ["login_failed"]


def test_an_inactive_user_cannot_sign_in(conn: Connection, officer: int) -> None:
    conn.execute(text("UPDATE app_user SET active = false WHERE id = :i"), {"i": officer})
    with pytest.raises(AuthenticationError):
        sign_in.authenticate(conn, "t_officer", "correct horse")


def test_unknown_roles_are_refused(conn: Connection) -> None:
    with pytest.raises(ValidationError, match="unknown role 'boss'"):
        users.upsert_user(
            conn, username="x2", full_name="X", role="boss", agency_code="GLAA",
            password="long enough",
        )  # fmt: skip


@pytest.mark.parametrize("username", ["t_officer", "nobody_at_all"])
def test_five_failures_lock_a_username_even_against_the_right_password(
    conn: Connection, officer: int, username: str
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError) as failure:
            sign_in.authenticate(conn, username, "wrong horse")
        assert not isinstance(failure.value, sign_in.LockedOutError)
    with pytest.raises(sign_in.LockedOutError):
        sign_in.authenticate(conn, username, "wrong horse")
    with pytest.raises(sign_in.LockedOutError) as locked:
        sign_in.authenticate(conn, username, "correct horse")
    assert "Try again after" in str(locked.value)
    actions = _audit(conn, username)
    # Known or unknown, the username is locked alike, so a lock reveals nothing.
    assert actions == ["login_failed"] * 5 + ["lockout", "login_failed"]


def test_a_lock_ends_and_success_clears_the_failures(conn: Connection, officer: int) -> None:
    conn.execute(
        text(
            "INSERT INTO sign_in_failure (username, at) SELECT 't_officer', "
            "now() - interval '20 minutes' FROM generate_series(1, 5)"
        )
    )
    assert sign_in.authenticate(conn, "t_officer", "correct horse").user.id == officer
    assert not conn.execute(
        text("SELECT count(*) FROM sign_in_failure WHERE username = 't_officer'")
    ).scalar_one()


def test_an_old_hash_is_upgraded_at_sign_in(conn: Connection, officer: int) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash("correct horse")
    conn.execute(
        text("UPDATE app_user SET password_hash = :h WHERE id = :i"), {"h": old, "i": officer}
    )
    sign_in.authenticate(conn, "t_officer", "correct horse")
    stored = conn.execute(
        text("SELECT password_hash FROM app_user WHERE id = :i"), {"i": officer}
    ).scalar_one()
    assert stored != old and "m=65536,t=3" in stored


def test_the_whole_lifecycle_of_a_person_is_audited(conn: Connection) -> None:
    one_time = users.add(
        conn, ADMIN, users.Person("T.Lifecycle", "Terry Life", "officer", "COUNCIL", "T@Ex.org")
    )
    signed = sign_in.authenticate(conn, "t.lifecycle", one_time)
    assert signed.must_change_password
    with pytest.raises(ValidationError, match="too easy to guess"):
        sign_in.change_own_password(conn, signed.user, current=one_time, new="password12345")
    with pytest.raises(ValidationError, match="current password is wrong"):
        sign_in.change_own_password(conn, signed.user, current="nope", new=STRONG)
    sign_in.change_own_password(conn, signed.user, current=one_time, new=STRONG)
    assert not sign_in.authenticate(conn, "t.lifecycle", STRONG).must_change_password

    after = users.change(conn, ADMIN, "t.lifecycle", role="analyst", agency_code="hmrc")
    assert (after["role"], after["agency_code"]) == ("analyst", "HMRC")
    users.deactivate(conn, ADMIN, "T.LIFECYCLE")
    assert users.current(conn, signed.user.id) is None
    with pytest.raises(AuthenticationError):
        sign_in.authenticate(conn, "t.lifecycle", STRONG)
    users.reactivate(conn, ADMIN, "t.lifecycle")
    reset = users.reset_password(conn, ADMIN, "t.lifecycle")
    assert sign_in.authenticate(conn, "t.lifecycle", reset).must_change_password

    edits = _edits(conn, "app_user")
    assert edits[0]["before"] is None and edits[0]["after"]["email"] == "t@ex.org"
    assert (edits[1]["before"]["role"], edits[1]["after"]["role"]) == ("officer", "analyst")
    assert (edits[2]["before"]["active"], edits[2]["after"]["active"]) == (True, False)
    assert (edits[3]["before"]["active"], edits[3]["after"]["active"]) == (False, True)
    passwords_set = conn.execute(
        text(
            "SELECT username, detail->>'one_time' FROM audit_log WHERE action = 'password' "
            "ORDER BY id"
        )
    ).all()
    assert passwords_set == [("t.lifecycle", "false"), (ADMIN.username, "true")]
    assert "password_hash" not in json.dumps(edits)


def test_usernames_and_emails_are_unique_regardless_of_case(conn: Connection) -> None:
    users.add(conn, ADMIN, users.Person("t_unique", "One", "officer", "COUNCIL", "one@ex.org"))
    with pytest.raises(ValidationError, match="taken"):
        users.add(conn, ADMIN, users.Person("T_Unique", "Two", "officer", "COUNCIL"))
    with pytest.raises(ValidationError, match="already belongs to t_unique"):
        users.add(conn, ADMIN, users.Person("t_unique2", "Two", "officer", "COUNCIL", "ONE@ex.org"))


def test_the_last_active_admin_and_oneself_are_guarded(conn: Connection) -> None:
    conn.execute(text("UPDATE app_user SET active = false WHERE role = 'admin'"))
    only = make_user(conn, "t_only_admin", role="admin")
    with pytest.raises(ValidationError, match="last active administrator"):
        users.deactivate(conn, ADMIN, "t_only_admin")
    with pytest.raises(ValidationError, match="last active administrator"):
        users.change(conn, ADMIN, "t_only_admin", role="officer")
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        users.deactivate(conn, only, "t_only_admin")
    make_user(conn, "t_second_admin", role="admin")
    users.change(conn, only, "t_only_admin", role="officer")  # now someone else is admin


def test_partners_belong_to_partner_organisations(conn: Connection) -> None:
    with pytest.raises(ValidationError, match="partner organisation have the partner role"):
        users.add(conn, ADMIN, users.Person("t_partner", "P", "partner", "GLAA"))
    with pytest.raises(ValidationError, match="partner organisation have the partner role"):
        users.add(conn, ADMIN, users.Person("t_partner", "P", "officer", "VCS"))
    users.add(conn, ADMIN, users.Person("t_partner", "P", "partner", "VCS"))


@pytest.mark.parametrize("role", ["officer", "viewer", "partner"])
def test_only_an_admin_manages_people(conn: Connection, role: str) -> None:
    someone = make_user(
        conn, f"t_not_admin_{role}", role=role, agency="VCS" if role == "partner" else "COUNCIL"
    )
    calls = (
        lambda: users.add(conn, someone, users.Person("t_new", "N", "officer", "COUNCIL")),
        lambda: users.change(conn, someone, someone.username, role="admin"),
        lambda: users.deactivate(conn, someone, "admin"),
        lambda: users.reset_password(conn, someone, "admin"),
    )
    for call in calls:
        with pytest.raises(AccessDeniedError):
            call()
    assert _audit(conn, someone.username) == ["denied"] * len(calls)


def test_single_sign_on_maps_a_verified_email_to_an_active_person(conn: Connection) -> None:
    users.add(conn, ADMIN, users.Person("t_sso", "S", "officer", "GLAA", "sso.person@ex.org"))
    user = sign_in.single_sign_on(conn, email="SSO.Person@ex.org", verified=True, issuer="idp")
    assert user.username == "t_sso"
    refusals = {
        "unverified": dict(email="sso.person@ex.org", verified=False),
        "unknown": dict(email="stranger@ex.org", verified=True),
        "no email": dict(email=None, verified=True),
    }
    for case, claims in refusals.items():
        with pytest.raises(sign_in.SingleSignOnRefusedError) as refused:
            sign_in.single_sign_on(conn, issuer="idp", **claims)  # type: ignore[arg-type]
        assert {
            "unverified": "not verified",
            "unknown": "No Sectormap account",
            "no email": "no email",
        }[case] in str(refused.value)
    users.deactivate(conn, ADMIN, "t_sso")
    with pytest.raises(sign_in.SingleSignOnRefusedError, match="deactivated"):
        sign_in.single_sign_on(conn, email="sso.person@ex.org", verified=True, issuer="idp")
    logged = conn.execute(
        text("SELECT action, detail->>'method' FROM audit_log WHERE detail ? 'issuer' ORDER BY id")
    ).all()
    assert logged == [("login", "single sign-on")] + [("login_failed", "single sign-on")] * 4


def test_a_password_reset_lifts_a_lock(conn: Connection, officer: int) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            sign_in.authenticate(conn, "t_officer", "wrong horse")
    with pytest.raises(sign_in.LockedOutError):
        sign_in.authenticate(conn, "t_officer", "correct horse")
    one_time = users.reset_password(conn, ADMIN, "t_officer")
    assert sign_in.authenticate(conn, "t_officer", one_time).must_change_password
