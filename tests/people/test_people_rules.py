"""Pure rules of people and sign-in: the password policy, the lockout window, clearance expiry,
idle sessions and the checks on a person's and an organisation's details."""

from __future__ import annotations

import datetime as dt

import pytest

from layers.core.errors import ValidationError
from layers.people import access, agencies, passwords, sign_in, users

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
RULE = sign_in.LockoutRule(
    attempts=5, window=dt.timedelta(minutes=15), duration=dt.timedelta(minutes=15)
)


def _at(*minutes: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "it has 7 characters; it needs at least 12"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("password123456", "too easy to guess"),
        ("jsmith-tangerine-Orbit-77", "contains the username"),
        ("sectormap-demo", "the published demo password"),
    ],
)
def test_the_password_policy_says_what_is_wrong(password: str, problem: str) -> None:
    found = passwords.problems(password, username="jsmith")
    assert any(problem in p for p in found), found
    with pytest.raises(ValidationError, match="this password cannot be used"):
        passwords.check(password, username="jsmith")


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "Plum-kettle-Harbour-19", "tf4q-8kzr-2mwe-p7xh"]
)
def test_strong_passwords_pass(password: str) -> None:
    assert passwords.problems(password, username="jsmith") == []


def test_one_time_passwords_pass_the_policy_and_differ() -> None:
    made = {passwords.one_time() for _ in range(20)}
    assert len(made) == 20
    assert all(passwords.problems(p, username="someone") == [] for p in made)


def test_old_hash_parameters_are_noticed() -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192).hash("correct horse battery staple")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("correct horse battery staple"))
    assert passwords.verify(old, "correct horse battery staple")
    assert not passwords.verify(None, "anything")


@pytest.mark.parametrize(
    ("failures", "now", "until"),
    [
        ([], 0, None),
        ([0, 1, 2, 3], 4, None),  # four failures: not yet
        ([0, 1, 2, 3, 4], 5, 19),  # the fifth locks for 15 minutes from it
        ([0, 1, 2, 3, 4], 18.9, 19),
        ([0, 1, 2, 3, 4], 19, None),  # the lock has ended
        ([0, 4, 8, 12, 16], 17, None),  # five failures, but spread over 16 minutes
        ([0, 4, 8, 12, 15], 16, 30),  # exactly 15 minutes apart still counts
        ([0, 1, 2, 3, 4, 5, 6], 10, 21),  # further failures move the end on
        ([4, 0, 3, 1, 2], 5, 19),  # in any order
    ],
)
def test_the_lockout_window(failures: list[float], now: float, until: float | None) -> None:
    expected = None if until is None else _at(until)[0]
    assert sign_in.locked_until(_at(*failures), _at(now)[0], RULE) == expected


def test_the_lockout_message_names_the_time_to_try_again() -> None:
    error = sign_in.LockedOutError(dt.datetime(2026, 7, 1, 14, 5, tzinfo=dt.UTC))
    # 14:05 UTC is 15:05 in London in summer.
    assert str(error) == (
        "Too many failed sign-ins for this username. Try again after 15:05 on 01/07/2026."
    )


@pytest.mark.parametrize(
    ("expires", "revoked", "current"),
    [
        (None, None, True),
        (dt.date(2026, 12, 2), None, True),  # the expiry day itself still counts
        (dt.date(2026, 12, 1), None, False),
        (None, T0, False),
    ],
)
def test_clearance_expiry(
    expires: dt.date | None, revoked: dt.datetime | None, current: bool
) -> None:
    assert access.clearance_is_current(expires, revoked, dt.date(2026, 12, 2)) is current


def test_idle_sessions_end_after_the_setting() -> None:
    assert not sign_in.idle_too_long(T0, T0 + dt.timedelta(minutes=30))
    assert sign_in.idle_too_long(T0, T0 + dt.timedelta(minutes=30, seconds=1))


def test_a_person_is_normalised_and_checked() -> None:
    person = users.validate(users.Person(" J.Smith ", " Jo Smith ", "officer", "glaa", "Jo@X.ORG"))
    assert (person.username, person.full_name, person.agency_code, person.email) == (
        "j.smith", "Jo Smith", "GLAA", "jo@x.org",
    )  # fmt: skip
    for bad, column in (
        (users.Person("j smith", "Jo", "officer", "GLAA"), "username"),
        (users.Person("j\x00", "Jo", "officer", "GLAA"), "username"),
        (users.Person("jsmith", "", "officer", "GLAA"), "full_name"),
        (users.Person("jsmith", "Jo\x07", "officer", "GLAA"), "full_name"),
        (users.Person("jsmith", "Jo", "boss", "GLAA"), "role"),
        (users.Person("jsmith", "Jo", "officer", "GLAA", "not-an-email"), "email"),
    ):
        with pytest.raises(ValidationError) as refused:
            users.validate(bad)
        assert refused.value.column == column


def test_an_organisation_is_normalised_and_checked() -> None:
    details = agencies.validate(agencies.AgencyDetails("fic_ngo", " Fictional NGO ", "partner"))
    assert (details.code, details.name, details.reports_as) == (
        "FIC_NGO",
        "Fictional NGO",
        "charity",
    )
    assert agencies.validate(agencies.AgencyDetails("XX", "X", "council")).reports_as == "agency"
    for bad, column in (
        (agencies.AgencyDetails("x", "X", "council"), "code"),
        (agencies.AgencyDetails("A B", "X", "council"), "code"),
        (agencies.AgencyDetails("AB", "", "council"), "name"),
        (agencies.AgencyDetails("AB", "X", "army"), "kind"),
        (agencies.AgencyDetails("AB", "X", "partner", reports_as="gossip"), "reports_as"),
        (agencies.AgencyDetails("AB", "X", "partner", remit="a\x00b"), "remit"),
    ):
        with pytest.raises(ValidationError) as refused:
            agencies.validate(bad)
        assert refused.value.column == column


@pytest.mark.parametrize(
    ("role", "staff", "admin"),
    [
        ("partner", False, False),
        ("viewer", True, False),
        ("officer", True, False),
        ("admin", True, True),
        ("nobody", False, False),
    ],
)
def test_staff_and_administrators(role: str, staff: bool, admin: bool) -> None:
    assert access.is_staff(role) is staff
    assert access.can_administer(role) is admin


@pytest.mark.parametrize("page", ["map", "registers", "visits", "reports", "sizing", "export"])
def test_a_partner_opens_only_their_reports_page(page: str) -> None:
    assert not access.can_open("partner", page)
    assert access.can_open("partner", "partner_reports")
    assert not access.can_open("officer", "partner_reports")
