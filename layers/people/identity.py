"""Who is acting: the ``User`` every layer function takes, kept apart from sign-in (``users``)
so that the audit log and the access rules can name a person without importing sign-in."""

from __future__ import annotations

import getpass
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """The signed-in user as the app holds it in session state (plain values only); ``id`` is
    None only for the person at the command line (see ``command_line``)."""

    id: int | None
    username: str
    full_name: str
    role: str
    agency_code: str
    cleared_restricted: bool


def command_line(role: str = "viewer") -> User:
    """The person at the server's command line, when a command names no app user with
    ``--as``: audited as ``cli:<login>``, with no agency and no clearance, so they read
    intelligence only as counts."""
    return User(
        id=None,
        username=f"cli:{getpass.getuser()}",
        full_name="Command line",
        role=role,
        agency_code="",
        cleared_restricted=False,
    )
