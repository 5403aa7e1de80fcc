"""Signing in: with a password (slowed by a lockout), with the organisation's identity provider
(single sign-on), idle sessions, and changing one's own password.

The lockout: after ``lockout_attempts`` (5) failed sign-ins for one username within
``lockout_window_minutes`` (15), that username is refused for ``lockout_minutes`` (15), even
with the right password. Failures are counted per username whether or not it exists, so neither
the messages nor the lockout reveal which usernames exist. Every attempt, and each lock, is
audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from layers.core.db import Bind, transaction
from layers.core.errors import AuthenticationError, SectormapError, ValidationError
from layers.core.settings import get_settings
from layers.people import audit, passwords, users
from layers.people.identity import User

#: Times shown to people are the UK's.
UK_TIME = ZoneInfo("Europe/London")


class LockedOutError(AuthenticationError):
    """Too many failed sign-ins for a username: refused until ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        local = until.astimezone(UK_TIME)
        super().__init__(
            "Too many failed sign-ins for this username. Try again after "
            f"{local:%H:%M} on {local:%d/%m/%Y}."
        )


class SingleSignOnRefusedError(SectormapError, PermissionError):
    """An identity from the identity provider that maps to no active person here."""


@dataclass(frozen=True)
class LockoutRule:
    """How many failures within which window lock a username, and for how long."""

    attempts: int
    window: dt.timedelta
    duration: dt.timedelta

    @classmethod
    def from_settings(cls) -> LockoutRule:
        """The rule of this deployment's settings."""
        settings = get_settings()
        return cls(
            attempts=settings.lockout_attempts,
            window=dt.timedelta(minutes=settings.lockout_window_minutes),
            duration=dt.timedelta(minutes=settings.lockout_minutes),
        )

    @property
    def memory(self) -> dt.timedelta:
        """How far back failures can matter: a lock starts within a window and then lasts."""
        return self.window + self.duration


def locked_until(
    failures: Sequence[dt.datetime], now: dt.datetime, rule: LockoutRule
) -> dt.datetime | None:
    """When the lock on a username ends, given the times of its failed sign-ins (any order),
    or None when it is not locked at ``now``.

    A lock starts at the failure that makes ``rule.attempts`` failures within ``rule.window``
    and lasts ``rule.duration`` from it.
    """
    times = sorted(failures)
    ends = [
        times[i] + rule.duration
        for i in range(rule.attempts - 1, len(times))
        if times[i] - times[i - rule.attempts + 1] <= rule.window
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None


def _failures(conn: Connection, username: str, rule: LockoutRule) -> list[dt.datetime]:
    return list(
        conn.execute(
            text(
                "SELECT at FROM sign_in_failure WHERE username = :u "
                "AND at > now() - CAST(:memory AS interval) ORDER BY at"
            ),
            {"u": username, "memory": rule.memory},
        ).scalars()
    )


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and whether they must choose a new password before anything else."""

    user: User
    must_change_password: bool


def authenticate(bind: Bind, username: str, password: str) -> SignedIn:
    """Check a username and password against the lockout and the stored hash (upgraded when
    its parameters are old); every attempt is audited.

    Raises ``LockedOutError`` while the username is locked, and ``AuthenticationError`` (which
    never says whether the username or the password was wrong) when they do not match an active
    person.
    """
    name = username.strip().lower()[:64].replace("\x00", "")
    rule = LockoutRule.from_settings()
    with transaction(bind) as conn:
        # One sign-in per username at a time, so parallel guesses cannot slip past the count.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:u))"), {"u": name})
        now = conn.execute(text("SELECT now()")).scalar_one()
        failures = _failures(conn, name, rule)
        until = locked_until(failures, now, rule)
        row = (
            conn.execute(
                text(
                    "SELECT id, password_hash, must_change_password FROM app_user "
                    "WHERE username = :u AND active"
                ),
                {"u": name},
            )
            .mappings()
            .first()
        )
        user_id = row["id"] if row else None
        if until is not None:
            audit.record(
                conn, user_id=user_id, username=name, action="login_failed",
                detail={"locked_until": until.isoformat()},
            )  # fmt: skip
            ok = False
        else:
            ok = passwords.verify(row["password_hash"] if row else None, password)
        if until is None and not ok:
            conn.execute(text("INSERT INTO sign_in_failure (username) VALUES (:u)"), {"u": name})
            audit.record(conn, user_id=user_id, username=name, action="login_failed")
            # The failure just recorded is stamped now(): add it, no need to read them again.
            until = locked_until([*failures, now], now, rule)
            if until is not None:
                audit.record(
                    conn, user_id=user_id, username=name, action="lockout",
                    detail={"until": until.isoformat(), "attempts": rule.attempts},
                )  # fmt: skip
        if ok and row is not None:
            conn.execute(text("DELETE FROM sign_in_failure WHERE username = :u"), {"u": name})
            if passwords.needs_rehash(row["password_hash"]):
                conn.execute(
                    text("UPDATE app_user SET password_hash = :h WHERE id = :id"),
                    {"h": passwords.hash_password(password), "id": row["id"]},
                )
            conn.execute(
                text("UPDATE app_user SET last_login_at = now() WHERE id = :id"), {"id": row["id"]}
            )
            audit.record(conn, user_id=row["id"], username=name, action="login")
    if until is not None:
        raise LockedOutError(until)
    if not ok or row is None:
        raise AuthenticationError()
    user = users.current(bind, row["id"])
    assert user is not None  # signed in just now, in the transaction above
    return SignedIn(user, bool(row["must_change_password"]))


def single_sign_on(bind: Bind, *, email: str | None, verified: bool, issuer: str) -> User:
    """The active person whose email the identity provider ``issuer`` verified. An identity
    with no email, an unverified one, or one that matches no active person is refused with a
    message saying which, and audited."""
    address = (email or "").strip().lower()
    reason = None
    row = None
    with transaction(bind) as conn:
        if not address:
            reason = "The identity provider gave no email address for this account."
        elif not verified:
            reason = (
                f"The identity provider has not verified the email address {address}, so "
                "Sectormap cannot tell who you are."
            )
        else:
            row = (
                conn.execute(
                    text("SELECT id, active FROM app_user WHERE email = :e"), {"e": address}
                )
                .mappings()
                .first()
            )
            if row is None:
                reason = (
                    f"No Sectormap account has the email address {address}. Ask your "
                    "administrator to add you."
                )
            elif not row["active"]:
                reason = f"The Sectormap account with the email address {address} is deactivated."
        audit.record(
            conn,
            user_id=row["id"] if row else None,
            username=address[:64] or "(no email)",
            action="login_failed" if reason else "login",
            detail={
                "method": "single sign-on",
                "issuer": issuer,
                **({"reason": reason} if reason else {}),
            },
        )
        if reason is None and row is not None:
            conn.execute(
                text("UPDATE app_user SET last_login_at = now() WHERE id = :id"), {"id": row["id"]}
            )
    if reason is not None or row is None:
        raise SingleSignOnRefusedError(reason or "Single sign-on was refused.")
    user = users.current(bind, row["id"])
    assert user is not None
    return user


def change_own_password(bind: Bind, user: User, *, current: str, new: str) -> None:
    """Replace ``user``'s own password: the current one must be right, the new one must meet
    the policy and differ from it. Clears the one-time flag. Audited (never the password)."""
    if new == current:
        raise ValidationError("the new password is the same as the current one", column="password")
    passwords.check(new, username=user.username)
    with transaction(bind) as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM app_user WHERE id = :id AND active FOR UPDATE"),
            {"id": user.id},
        ).scalar()
        if not passwords.verify(stored, current):
            raise ValidationError("the current password is wrong", column="current password")
        conn.execute(
            text(
                "UPDATE app_user SET password_hash = :h, must_change_password = false, "
                "password_set_at = now() WHERE id = :id"
            ),
            {"h": passwords.hash_password(new), "id": user.id},
        )
        audit.by(
            conn, user, "password", object_type="app_user", object_id=user.id,
            detail={"username": user.username, "one_time": False},
        )  # fmt: skip


def idle_too_long(last_activity: dt.datetime, now: dt.datetime) -> bool:
    """Whether a session last active at ``last_activity`` has ended by ``now``."""
    return now - last_activity > dt.timedelta(minutes=get_settings().session_idle_minutes)
