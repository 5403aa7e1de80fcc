"""``sectormap user …`` and ``sectormap agency …``: people and organisations, for scripts and
for the first administrator of a deployment without demo data.

The person at the server's command line acts as an administrator (they can reach the database
anyway), audited as ``cli:<login>``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer

from layers.core.errors import ValidationError
from layers.people import agencies, identity, users
from scripts import output
from scripts.ready import ready_engine

user_app = typer.Typer(
    help="People: add, change, deactivate, reset passwords.", no_args_is_help=True
)
agency_app = typer.Typer(
    help="Organisations of the partnership: add, retire, list.", no_args_is_help=True
)

#: Who manages people from the server's command line.
ADMINISTRATOR = identity.command_line("admin")


class Role(StrEnum):
    """Roles a person may have."""

    viewer = "viewer"
    partner = "partner"
    officer = "officer"
    analyst = "analyst"
    planner = "planner"
    admin = "admin"


class Kind(StrEnum):
    """Kinds of organisation."""

    enforcement = "enforcement"
    council = "council"
    partner = "partner"


PASSWORD_STDIN = typer.Option(
    "--password-stdin",
    help="Read the one-time password from the first line of standard input instead of "
    "generating one.",
)


def _password_from_stdin(wanted: bool) -> str | None:
    if not wanted:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ValidationError("no password was given on standard input", column="--password-stdin")
    return line


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Sign-in name: letters, digits, . - _")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[Role, typer.Option("--role")],
    agency: Annotated[str, typer.Option("--agency", help="The agency's code, e.g. COUNCIL.")],
    email: Annotated[
        str | None, typer.Option("--email", help="Work email: how single sign-on finds them.")
    ] = None,
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
) -> None:
    """Add a person. They must choose their own password at their first sign-in; without
    --password-stdin a one-time password is generated and printed."""
    engine = ready_engine()
    person = users.Person(username, name, role.value, agency, email)
    one_time = users.add(
        engine, ADMINISTRATOR, person, password=_password_from_stdin(password_stdin)
    )
    typer.echo(f"Added {users.normalise_username(username)} ({role.value}, {agency.upper()}).")
    if not password_stdin:
        typer.echo(f"One-time password (to be changed at first sign-in): {one_time}")


@user_app.command("set")
def user_set(
    username: Annotated[str, typer.Argument()],
    role: Annotated[Role | None, typer.Option("--role")] = None,
    agency: Annotated[str | None, typer.Option("--agency")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="A new email; an empty one removes it.")
    ] = None,
) -> None:
    """Change a person's role, agency, name or email."""
    engine = ready_engine()
    after = users.change(
        engine,
        ADMINISTRATOR,
        username,
        role=None if role is None else role.value,
        agency_code=agency,
        full_name=name,
        email=email,
    )
    typer.echo(
        f"{after['username']}: {after['full_name']}, {after['role']}, {after['agency_code']}"
        + (f", {after['email']}" if after["email"] else "")
    )


@user_app.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument()]) -> None:
    """Switch a person off: no sign-in, and an open session loses access at its next click."""
    users.deactivate(ready_engine(), ADMINISTRATOR, username)
    typer.echo(f"{users.normalise_username(username)} is deactivated.")


@user_app.command("reactivate")
def user_reactivate(username: Annotated[str, typer.Argument()]) -> None:
    """Switch a person back on."""
    users.reactivate(ready_engine(), ADMINISTRATOR, username)
    typer.echo(f"{users.normalise_username(username)} is active again.")


@user_app.command("reset-password")
def user_reset_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
) -> None:
    """Give a person a new one-time password (printed unless read from standard input)."""
    one_time = users.reset_password(
        ready_engine(), ADMINISTRATOR, username, password=_password_from_stdin(password_stdin)
    )
    typer.echo(f"{users.normalise_username(username)} must choose a new password at next sign-in.")
    if not password_stdin:
        typer.echo(f"One-time password: {one_time}")


@user_app.command("list")
def user_list(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """Everyone, with role, agency, email, state and last sign-in."""
    people = users.listing(ready_engine())
    if as_json:
        output.echo_json(output.records(people))
        return
    for row in people.itertuples():
        state = "active" if row.active else "deactivated"
        typer.echo(
            f"{row.username:<24} {row.role:<8} {row.agency_code:<10} {state:<11} "
            f"{row.email if pd.notna(row.email) else '':<32} {row.full_name}"
        )
    typer.echo(f"{len(people):,} people")


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="Short code in capitals, e.g. UNSEEN.")],
    name: Annotated[str, typer.Option("--name")],
    kind: Annotated[Kind, typer.Option("--kind")],
    remit: Annotated[str, typer.Option("--remit", help="What it covers.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Where referrals go.")] = "",
) -> None:
    """Add an organisation of the partnership."""
    added = agencies.add(
        ready_engine(),
        ADMINISTRATOR,
        agencies.AgencyDetails(
            code=code, name=name, kind=kind.value, remit=remit, referral_contact=contact
        ),
    )
    typer.echo(f"Added {added} ({kind.value}).")


@agency_app.command("retire")
def agency_retire(code: Annotated[str, typer.Argument()]) -> None:
    """Retire an organisation: its history stays; no one joins it, nothing is referred to it."""
    agencies.retire(ready_engine(), ADMINISTRATOR, code)
    typer.echo(f"{code.upper()} is retired.")


@agency_app.command("list")
def agency_list(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """Every organisation, retired ones included."""
    frame = agencies.listing(ready_engine())
    if as_json:
        output.echo_json(output.records(frame))
        return
    for row in frame.itertuples():
        state = "retired" if pd.notna(row.retired_at) else "current"
        typer.echo(f"{row.code:<10} {row.kind:<12} {state:<8} {row.people:>4} people  {row.name}")
