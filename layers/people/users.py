"""People who sign in: password hashing (argon2), login, and the audit trail of logins."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text

from layers.core import vocab
from layers.core.db import Bind, reading, transaction
from layers.core.errors import AuthenticationError, ValidationError
from layers.people import audit
from layers.people.identity import User

_HASHER = PasswordHasher()
# Verifying against this when the username is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _HASHER.hash("not-a-password")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters", column="password")
    return _HASHER.hash(password)


def upsert_user(
    conn: Connection,
    *,
    username: str,
    full_name: str,
    role: str,
    agency_code: str,
    password: str,
    cleared_restricted: bool = False,
) -> int:
    """Create the user, or update it when the username exists; return its id."""
    if role not in vocab.ROLES:
        raise ValidationError(
            f"unknown role {role!r}; use one of {', '.join(vocab.ROLES)}", column="role"
        )
    return int(
        conn.execute(
            text(
                "INSERT INTO app_user (username, full_name, role, agency_code, password_hash, "
                "cleared_restricted) "
                "VALUES (:username, :full_name, :role, :agency, :hash, :cleared) "
                "ON CONFLICT (username) DO UPDATE SET full_name = EXCLUDED.full_name, "
                "role = EXCLUDED.role, agency_code = EXCLUDED.agency_code, "
                "password_hash = EXCLUDED.password_hash, "
                "cleared_restricted = EXCLUDED.cleared_restricted"
                " RETURNING id"
            ),
            {
                "username": username,
                "full_name": full_name,
                "role": role,
                "agency": agency_code,
                "hash": hash_password(password),
                "cleared": cleared_restricted,
            },
        ).scalar_one()
    )


def authenticate(bind: Bind, username: str, password: str) -> User:
    """Check a username and password; every attempt is written to the audit log.

    Raises ``AuthenticationError`` (which never says whether the username or the password was
    wrong) when they do not match an active user.
    """
    username = username.strip().lower()
    with transaction(bind) as conn:
        row = (
            conn.execute(
                text(
                    "SELECT id, username, full_name, role, agency_code, cleared_restricted, "
                    "password_hash FROM app_user WHERE username = :u AND active"
                ),
                {"u": username},
            )
            .mappings()
            .first()
        )
        try:
            _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None:
            audit.record(
                conn,
                user_id=row["id"] if row else None,
                username=username[:64],
                action="login_failed",
            )
            failed = True
        else:
            conn.execute(
                text("UPDATE app_user SET last_login_at = now() WHERE id = :id"), {"id": row["id"]}
            )
            audit.record(conn, user_id=row["id"], username=row["username"], action="login")
            failed = False
    if failed or row is None:
        raise AuthenticationError()
    return User(
        row["id"],
        row["username"],
        row["full_name"],
        row["role"],
        row["agency_code"],
        row["cleared_restricted"],
    )


def list_users(bind: Bind) -> list[dict[str, object]]:
    """Every user with role, agency and last login (no password hashes)."""
    with reading(bind) as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT u.id, u.username, u.full_name, u.role, a.name AS agency, "
                    "u.cleared_restricted, u.active, u.last_login_at "
                    "FROM app_user u JOIN agency a ON a.code = u.agency_code "
                    "ORDER BY u.username"
                )
            ).mappings()
        ]


def by_username(bind: Bind, username: str) -> User:
    """The active user ``username``, for commands run on someone's behalf (``--as``); raises
    ``ValidationError`` when there is none."""
    with reading(bind) as conn:
        row = (
            conn.execute(
                text(
                    "SELECT id, username, full_name, role, agency_code, cleared_restricted "
                    "FROM app_user WHERE username = :u AND active"
                ),
                {"u": username.strip().lower()},
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ValidationError(f"there is no active user {username!r}", column="--as")
    return User(**row)
