"""``sectormap area …`` and ``sectormap route …``: focus areas and visit routes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from layers.areas import dashboard, focus_areas, shapes
from layers.core import outputs
from layers.core.errors import ValidationError
from layers.exports import attribution
from layers.people import identity, users
from layers.people.identity import User
from layers.routes import route_files, routing
from scripts import output
from scripts.ready import ready_engine

area_app = typer.Typer(help="Focus areas: add, list, and what is inside.", no_args_is_help=True)
route_app = typer.Typer(help="Visit routes through a focus area.", no_args_is_help=True)

AS_USER = typer.Option(
    "--as",
    help="Act as this app user (their role and intelligence access). Without it: the command "
    "line's own identity, which sees intelligence only as counts.",
)


class Priority(StrEnum):
    """Focus-area priorities."""

    high = "high"
    medium = "medium"
    low = "low"


class Mode(StrEnum):
    """How the route is travelled."""

    walk = "walk"
    drive = "drive"


def _user(engine: object, username: str | None, role: str = "viewer") -> User:
    return users.by_username(engine, username) if username else identity.command_line(role)  # type: ignore[arg-type]


@area_app.command("add")
def area_add(
    name: Annotated[str, typer.Argument(help="The focus area's name (unique).")],
    geojson: Annotated[
        Path,
        typer.Option(
            "--geojson",
            exists=True,
            dir_okay=False,
            help="A GeoJSON (or GeoPackage) file; all its polygons make the area.",
        ),
    ],
    purpose: Annotated[str, typer.Option(help="Why the partnership focuses here.")] = "",
    priority: Annotated[Priority, typer.Option(help="Priority.")] = Priority.medium,
    start: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="From.")] = None,
    end: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Until.")] = None,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Add a focus area from a file (a self-crossing outline is repaired; an area partly outside
    Leicester and Leicestershire is flagged)."""
    engine = ready_engine()
    outline = shapes.from_file(geojson)
    user = _user(engine, as_user, role="planner")
    saved = focus_areas.create(
        engine,
        user,
        focus_areas.AreaDetails(
            name=name,
            purpose=purpose,
            priority=priority.value,
            owner_id=user.id,
            period_start=start.date() if start else None,
            period_end=end.date() if end else None,
        ),
        outline,
    )
    typer.echo(f"Focus area {saved.id} {name!r} added: {saved.area_km2:,.3f} km².")
    for warning in saved.warnings:
        typer.echo(f"Note: {warning}")


@area_app.command("list")
def area_list(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """Every focus area: id, name, priority, period, size and businesses inside."""
    engine = ready_engine()
    areas = focus_areas.all_areas(engine)
    rows = [
        {
            "id": int(row.id),
            "name": row.name,
            "priority": row.priority,
            "period_start": _iso(row.period_start),
            "period_end": _iso(row.period_end),
            "area_km2": float(row.area_km2),
            "businesses": int(row.businesses),
            "owner": row.owner,
        }
        for row in areas.itertuples()
    ]
    if as_json:
        output.echo_json(rows)
        return
    for row in rows:
        period = f"{row['period_start'] or '…'} to {row['period_end'] or '…'}"
        typer.echo(
            f"{row['id']:>4}  {row['name']:<40} {row['priority']:<7} {period:<25} "
            f"{row['area_km2']:>8.2f} km²  {row['businesses']:>6,} businesses"
        )
    typer.echo(f"{len(rows):,} focus areas.")


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


@area_app.command("stats")
def area_stats_command(
    name: Annotated[str, typer.Argument(help="The focus area's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """What is inside a focus area: the same numbers as its dashboard in the app."""
    engine = ready_engine()
    user = _user(engine, as_user)
    found = dashboard.stats(engine, user, focus_areas.id_by_name(engine, name))
    if as_json:
        output.echo_json(found.as_json())
        return
    typer.echo(
        f"{found.name}: {found.area_km2:,.2f} km², {found.businesses:,} businesses, "
        f"{found.employees:,} employees (estimate; {found.employees_low:,} to "
        f"{found.employees_high:,}), {found.sites:,} multi-occupancy sites with "
        f"{found.units:,} units."
    )
    for row in found.by_sector.itertuples():
        typer.echo(
            f"  {row.sector:<50} {row.businesses:>6,} businesses {row.employees:>7,} employees"
        )
    window = f"{found.since or 'the start'} to {found.until or 'today'}"
    typer.echo(f"Visits from {window}: {int(found.visits['visits'].sum()):,}")
    for row in found.visits.itertuples():
        typer.echo(f"  {row.outcome:<40} {row.visits:>5,}")
    typer.echo(
        f"Open intelligence reports: {found.open_reports:,} "
        f"({found.restricted_reports:,} you may not read)."
    )
    typer.echo(
        f"Highest-risk places ({found.places.total:,} in all: "
        + ", ".join(f"{count:,} {band}" for band, count in found.places.by_band.items())
        + "):"
    )
    for row in found.places.top.head(10).itertuples():
        typer.echo(f"  {row.score:>5.1f} {row.band:<6} {row.name} — {'; '.join(row.top_factors)}")


@route_app.command("plan")
def route_plan(
    area: Annotated[str, typer.Option("--area", help="The focus area's name.")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The GPX file to write.")],
    top: Annotated[
        int, typer.Option(min=2, max=60, help="Visit the N places of highest risk.")
    ] = 10,
    mode: Annotated[Mode, typer.Option(help="Walking or driving.")] = Mode.walk,
    as_user: Annotated[str | None, AS_USER] = None,
) -> None:
    """Plan a short route through an area's places of highest risk and write it as GPX (a CSV
    of the legs is written beside it). Without a street network covering the places, the route
    is planned on straight lines, and the output says so."""
    outputs.check_writable(out, option="--out", suffixes=(".gpx",))
    engine = ready_engine()
    user = _user(engine, as_user)
    found = dashboard.stats(engine, user, focus_areas.id_by_name(engine, area))
    if found.places.total < 2:
        raise ValidationError(f"{found.name} has {found.places.total} place(s): nothing to route")
    chosen = found.places.top.head(top)
    plan = routing.plan(engine, chosen, mode.value)
    lines = attribution.for_database(engine, osm=plan.on_network)
    title = f"Visits in {found.name} ({len(chosen)} places of highest risk)"
    out.write_text(route_files.to_gpx(plan, title=title, attribution=lines), encoding="utf-8")
    legs = out.with_suffix(".csv")
    legs.write_bytes(route_files.to_csv(plan, attribution=lines))
    for stop in plan.stops.itertuples():
        typer.echo(f"{stop.stop:>3}. {stop.name} ({stop.postcode})")
    typer.echo(plan.summary())
    typer.echo(f"Written: {out} and {legs}.")
