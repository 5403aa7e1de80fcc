"""The people who use Sectormap: adding them, changing their role, agency, name and email,
deactivating and reactivating them, resetting passwords, and the list an admin filters.

Every change is made by an administrator (checked here: anyone else is refused and audited) and
audited with the values before and after. A password set by anyone but its owner is one-time:
the owner must choose their own at the next sign-in. Usernames are kept in lower case, so they
are unique regardless of case. An admin cannot deactivate themself, and the last active admin
can be neither deactivated nor given another role.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from layers.core import vocab
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.people import access, audit, passwords, rights
from layers.people.identity import User

_USERNAME = re.compile(r"[a-z0-9_.-]{2,64}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: The columns of a ``User``, read with its current clearance for all restricted intelligence.
_USER_SQL = f"""
SELECT u.id, u.username, u.full_name, u.role, u.agency_code,
    EXISTS (SELECT 1 FROM clearance c WHERE c.user_id = u.id AND c.report_id IS NULL
            AND {access.CURRENT_CLEARANCE}) AS cleared_restricted
FROM app_user u
"""  # noqa: S608 - constant fragments


@dataclass(frozen=True)
class Person:
    """A person's details as an administrator sets them."""

    username: str
    full_name: str
    role: str
    agency_code: str
    email: str | None = None


def normalise_username(username: str) -> str:
    """``username`` as stored (trimmed, lower case); ``ValidationError`` when it cannot be one."""
    cleaned = username.strip().lower()
    if not _USERNAME.fullmatch(cleaned):
        raise ValidationError(
            f"the username {username[:70]!r} is not usable: use 2 to 64 letters, digits, "
            "dots, dashes or underscores",
            column="username",
        )
    return cleaned


def validate(person: Person) -> Person:
    """``person`` with its username and email normalised, or ``ValidationError`` naming the
    field that breaks a rule."""
    full_name = person.full_name.strip()
    if not full_name or len(full_name) > 200 or _CONTROL.search(full_name):
        raise ValidationError(
            "the full name must be 1 to 200 characters, with no control characters",
            column="full_name",
        )
    if person.role not in vocab.ROLES:
        raise ValidationError(
            f"unknown role {person.role!r}; use one of {', '.join(vocab.ROLES)}", column="role"
        )
    email = (person.email or "").strip().lower() or None
    if email is not None and (not _EMAIL.fullmatch(email) or len(email) > 254):
        raise ValidationError(f"{person.email!r} is not an email address", column="email")
    return replace(
        person,
        username=normalise_username(person.username),
        full_name=full_name,
        agency_code=person.agency_code.strip().upper(),
        email=email,
    )


def _check_agency(conn: Connection, role: str, agency_code: str) -> None:
    """The agency exists, is not retired, and fits the role: people of a partner organisation
    are partners, and partners belong to a partner organisation."""
    row = (
        conn.execute(
            text("SELECT kind, retired_at FROM agency WHERE code = :code"), {"code": agency_code}
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError(f"there is no agency {agency_code!r}", column="agency")
    if row["retired_at"] is not None:
        raise ValidationError(f"the agency {agency_code} is retired", column="agency")
    if (role == "partner") != (row["kind"] == "partner"):
        raise ValidationError(
            f"people of a partner organisation have the partner role, and only they do: "
            f"{agency_code} is {vocab.AGENCY_KINDS[row['kind']].lower()} and the role is "
            f"{vocab.ROLES[role].lower()}",
            column="role",
        )


def _check_email_free(conn: Connection, email: str | None, user_id: int | None) -> None:
    if email is None:
        return
    taken = conn.execute(
        text("SELECT username FROM app_user WHERE email = :email AND id IS DISTINCT FROM :id"),
        {"email": email, "id": user_id},
    ).scalar()
    if taken:
        raise ValidationError(f"the email {email} already belongs to {taken}", column="email")


def _snapshot(conn: Connection, username: str, *, lock: bool = False) -> dict[str, Any]:
    """The person's audited fields (never the password hash), locked for update with ``lock``."""
    row = (
        conn.execute(
            text(
                "SELECT id, username, full_name, email, role, agency_code, active, "  # noqa: S608 - constant
                "must_change_password FROM app_user WHERE username = :u"
                + (" FOR UPDATE" if lock else "")
            ),
            {"u": normalise_username(username)},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError(f"there is no user {username!r}", column="username")
    return dict(row)


def _guard_last_admin(conn: Connection, before: dict[str, Any], doing: str) -> None:
    """Refuse to leave the app with no active administrator."""
    if before["role"] != "admin" or not before["active"]:
        return
    others = conn.execute(
        text(
            "SELECT count(*) FROM (SELECT id FROM app_user WHERE role = 'admin' AND active "
            "AND id <> :id FOR UPDATE) AS admins"
        ),
        {"id": before["id"]},
    ).scalar_one()
    if others == 0:
        raise ValidationError(
            f"{before['username']} is the last active administrator and cannot {doing}: "
            "make someone else an administrator first",
            column="username",
        )


def _audited_update(
    conn: Connection, admin: User, before: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` (column → value, names from this module) and audit before and after."""
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(
        text(f"UPDATE app_user SET {assignments} WHERE id = :id"),  # noqa: S608 - columns are this module's constants
        {**changes, "id": before["id"]},
    )
    after = _snapshot(conn, before["username"])
    audit.edit(
        conn, admin, object_type="app_user", object_id=before["id"], before=before, after=after
    )
    return after


def add(bind: Bind, admin: User, person: Person, *, password: str | None = None) -> str:
    """Add ``person`` (by an administrator) and return their one-time password: ``password``
    when given (it must meet the policy), else a generated one. Audited."""
    rights.require_admin(bind, admin, "add people", object_type="app_user")
    person = validate(person)
    one_time = password if password is not None else passwords.one_time()
    passwords.check(one_time, username=person.username)
    with transaction(bind) as conn:
        if conn.execute(
            text("SELECT 1 FROM app_user WHERE username = :u"), {"u": person.username}
        ).first():
            raise ValidationError(f"the username {person.username} is taken", column="username")
        _check_agency(conn, person.role, person.agency_code)
        _check_email_free(conn, person.email, None)
        user_id = conn.execute(
            text(
                "INSERT INTO app_user (username, full_name, email, role, agency_code, "
                "password_hash, must_change_password, password_set_at) VALUES (:username, "
                ":full_name, :email, :role, :agency_code, :hash, true, now()) RETURNING id"
            ),
            {**asdict(person), "hash": passwords.hash_password(one_time)},
        ).scalar_one()
        audit.edit(
            conn,
            admin,
            object_type="app_user",
            object_id=user_id,
            before=None,
            after=_snapshot(conn, person.username),
        )
    return one_time


def change(
    bind: Bind,
    admin: User,
    username: str,
    *,
    role: str | None = None,
    agency_code: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """Change a person's role, agency, name or email (None leaves one as it is; an empty email
    removes it). Returns the person as they now are. Audited with before and after."""
    rights.require_admin(bind, admin, "change people", object_type="app_user")
    with transaction(bind) as conn:
        before = _snapshot(conn, username, lock=True)
        wanted = validate(
            Person(
                username=before["username"],
                full_name=before["full_name"] if full_name is None else full_name,
                role=before["role"] if role is None else role,
                agency_code=before["agency_code"] if agency_code is None else agency_code,
                email=before["email"] if email is None else email,
            )
        )
        if wanted.role != "admin":
            _guard_last_admin(conn, before, "stop being one")
        _check_agency(conn, wanted.role, wanted.agency_code)
        _check_email_free(conn, wanted.email, before["id"])
        changes = {
            column: getattr(wanted, column)
            for column in ("full_name", "email", "role", "agency_code")
            if getattr(wanted, column) != before[column]
        }
        if not changes:
            return before
        return _audited_update(conn, admin, before, changes)


def deactivate(bind: Bind, admin: User, username: str) -> None:
    """Switch a person off: they cannot sign in, and an open session loses access at its next
    click. Refused for oneself and for the last active administrator. Audited."""
    rights.require_admin(bind, admin, "deactivate people", object_type="app_user")
    with transaction(bind) as conn:
        before = _snapshot(conn, username, lock=True)
        if before["id"] == admin.id:
            raise ValidationError("you cannot deactivate yourself", column="username")
        _guard_last_admin(conn, before, "be deactivated")
        if before["active"]:
            _audited_update(conn, admin, before, {"active": False})


def reactivate(bind: Bind, admin: User, username: str) -> None:
    """Switch a person back on (their agency must still be current). Audited."""
    rights.require_admin(bind, admin, "reactivate people", object_type="app_user")
    with transaction(bind) as conn:
        before = _snapshot(conn, username, lock=True)
        _check_agency(conn, before["role"], before["agency_code"])
        if not before["active"]:
            _audited_update(conn, admin, before, {"active": True})


def reset_password(bind: Bind, admin: User, username: str, *, password: str | None = None) -> str:
    """Give a person a new one-time password (``password``, or a generated one) and return it;
    they must choose their own at their next sign-in, and a lock on their username is lifted.
    Audited (never the password)."""
    rights.require_admin(bind, admin, "reset passwords", object_type="app_user")
    with transaction(bind) as conn:
        before = _snapshot(conn, username, lock=True)
        one_time = password if password is not None else passwords.one_time()
        passwords.check(one_time, username=before["username"])
        conn.execute(
            text(
                "UPDATE app_user SET password_hash = :hash, must_change_password = true, "
                "password_set_at = now() WHERE id = :id"
            ),
            {"hash": passwords.hash_password(one_time), "id": before["id"]},
        )
        # A reset is how a locked-out person gets back in: their failed sign-ins are forgotten.
        conn.execute(
            text("DELETE FROM sign_in_failure WHERE username = :u"), {"u": before["username"]}
        )
        audit.by(
            conn,
            admin,
            "password",
            object_type="app_user",
            object_id=before["id"],
            detail={"username": before["username"], "one_time": True},
        )
    return one_time


def listing(
    bind: Bind,
    *,
    search: str = "",
    role: str | None = None,
    agency_code: str | None = None,
    active: bool | None = None,
) -> pd.DataFrame:
    """People (id, username, name, email, role, agency, state, clearance, last sign-in; never
    a password hash), filtered by text (username, name or email), role, agency and state."""
    pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", r"\%") + "%"
    return read_frame(
        bind,
        "SELECT u.id, u.username, u.full_name, u.email, u.role, u.agency_code, a.name AS agency, "  # noqa: S608 - constant fragment, values bound
        "u.active, u.must_change_password, EXISTS (SELECT 1 FROM clearance c WHERE "
        f"c.user_id = u.id AND c.report_id IS NULL AND {access.CURRENT_CLEARANCE}) "
        "AS cleared_restricted, u.last_login_at "
        "FROM app_user u JOIN agency a ON a.code = u.agency_code "
        "WHERE (lower(u.username) LIKE :p OR lower(u.full_name) LIKE :p "
        "OR coalesce(u.email, '') LIKE :p) "
        "AND (CAST(:role AS text) IS NULL OR u.role = :role) "
        "AND (CAST(:agency AS text) IS NULL OR u.agency_code = :agency) "
        "AND (CAST(:active AS boolean) IS NULL OR u.active = :active) "
        "ORDER BY u.username",
        {"p": pattern, "role": role, "agency": agency_code, "active": active},
    )


def _user(conn: Connection, condition: str, params: dict[str, object]) -> User | None:
    row = conn.execute(text(f"{_USER_SQL} WHERE {condition}"), params).mappings().first()
    return None if row is None else User(**row)


def by_username(bind: Bind, username: str) -> User:
    """The active user ``username``, for commands run on someone's behalf (``--as``); raises
    ``ValidationError`` when there is none."""
    with reading(bind) as conn:
        user = _user(conn, "u.username = :u AND u.active", {"u": username.strip().lower()})
    if user is None:
        raise ValidationError(f"there is no active user {username!r}", column="--as")
    return user


def current(bind: Bind, user_id: int) -> User | None:
    """User ``user_id`` with the role, agency and clearance they have now, or None when they
    are deactivated (or gone): read on every run of a page, so changes take effect at once."""
    with reading(bind) as conn:
        return _user(conn, "u.id = :id AND u.active", {"id": user_id})


def upsert_user(
    conn: Connection,
    *,
    username: str,
    full_name: str,
    role: str,
    agency_code: str,
    password: str,
) -> int:
    """Create the user, or update it when the username exists, with a password of its own (not
    one-time, no policy): for the demo's published accounts and for tests. Returns its id."""
    if role not in vocab.ROLES:
        raise ValidationError(
            f"unknown role {role!r}; use one of {', '.join(vocab.ROLES)}", column="role"
        )
    return int(
        conn.execute(
            text(
                "INSERT INTO app_user (username, full_name, role, agency_code, password_hash, "
                "password_set_at) VALUES (:username, :full_name, :role, :agency, :hash, now()) "
                "ON CONFLICT (username) DO UPDATE SET full_name = EXCLUDED.full_name, "
                "role = EXCLUDED.role, agency_code = EXCLUDED.agency_code, "
                "password_hash = EXCLUDED.password_hash, must_change_password = false"
                " RETURNING id"
            ),
            {
                "username": normalise_username(username),
                "full_name": full_name,
                "role": role,
                "agency": agency_code,
                "hash": passwords.hash_password(password),
            },
        ).scalar_one()
    )
