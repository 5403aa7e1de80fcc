"""``sectormap sizing``: the sector by area, as a table or JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from layers import sizing
from scripts.ready import ready_engine


class By(StrEnum):
    """Geographies to size by."""

    district = "district"
    ward = "ward"
    msoa = "msoa"
    h3 = "h3"
    area = "area"


def sizing_command(
    by: Annotated[By, typer.Option("--by", help="The areas to count in.")] = By.district,
    resolution: Annotated[
        int, typer.Option(min=7, max=9, help="H3 resolution, with --by h3 (7 to 9).")
    ] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """Current businesses, employees (estimate, low, high), density and economic contribution
    per area."""
    found = sizing.size(ready_engine(), by.value, resolution=resolution)
    if as_json:
        typer.echo(json.dumps(found.as_records()))
        return
    typer.echo(f"{'code':<17} {'name':<36} {'businesses':>10} {'employees':>10} {'per km²':>8}")
    for row in found.as_records():
        typer.echo(
            f"{row['code']:<17} {str(row['name'])[:36]:<36} {row['businesses']:>10,} "
            f"{row['employees']:>10,} {row['per_km2']:>8,.1f}"
        )
    totals = found.totals
    typer.echo(
        f"{int(totals['businesses']):,} businesses, {int(totals['employees']):,} employees "
        f"({int(totals['employees_low']):,} to {int(totals['employees_high']):,}); economic "
        f"contribution £{totals['gva_gbp'] / 1e6:,.1f} million. {found.gva.caption()}"
    )
