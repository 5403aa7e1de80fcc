"""``sectormap sizing`` and ``sectormap export``: the sector by area, and layers as files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from layers.areas import focus_areas
from layers.core import outputs
from layers.core.errors import ValidationError
from layers.exports import attribution, map_layers
from layers.people import audit, identity, users
from layers.reference import boundaries
from layers.sizing import by_area, capture_file, capture_recapture, hidden_sector
from scripts import output
from scripts.progress import TqdmProgress
from scripts.ready import ready_engine


class By(StrEnum):
    """Geographies to size by."""

    district = "district"
    ward = "ward"
    msoa = "msoa"
    h3 = "h3"
    area = "area"


Format = StrEnum("Format", {name: name for name in map_layers.FORMATS})  # type: ignore[misc]


def sizing_command(
    by: Annotated[By, typer.Option("--by", help="The areas to count in.")] = By.district,
    resolution: Annotated[
        int, typer.Option(min=7, max=9, help="H3 resolution, with --by h3 (7 to 9).")
    ] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """Current businesses, employees (estimate, low, high), density and economic contribution
    per area."""
    found = by_area.size(ready_engine(), by.value, resolution=resolution)
    if as_json:
        output.echo_json(found.as_records())
        return
    typer.echo(f"{'code':<17} {'name':<36} {'businesses':>10} {'employees':>10} {'per km²':>8}")
    for row in found.as_records():
        typer.echo(
            f"{row['code']:<17} {str(row['name'])[:36]:<36} {row['businesses']:>10,} "
            f"{row['employees']:>10,} {row['per_km2']:>8,.1f}"
        )
    totals = found.totals
    contribution = (
        f"; official GVA of SIC 13-15 £{totals['gva_gbp'] / 1e6:,.1f} million"
        if found.gva.loaded
        else ""
    )
    typer.echo(
        f"{int(totals['businesses']):,} businesses, {int(totals['employees']):,} employees "
        f"({int(totals['employees_low']):,} to {int(totals['employees_high']):,})"
        f"{contribution}. {found.gva.caption()}"
    )


def export_command(
    layers: Annotated[
        str, typer.Argument(help=f"Layers, comma-separated: {', '.join(map_layers.LAYERS)}.")
    ],
    fmt: Annotated[Format, typer.Option("--format", help="File format.")],
    as_user: Annotated[
        str, typer.Option("--as", help="Export as this app user: their role and access rules.")
    ],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The zip file to write.")],
    area: Annotated[str | None, typer.Option("--area", help="Clip to this focus area.")] = None,
    boundary: Annotated[
        str | None, typer.Option("--boundary", help="Clip to this boundary (its code).")
    ] = None,
    by: Annotated[By, typer.Option("--by", help="The areas of the sizing layer.")] = By.district,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why (needed with the reports layer): operation, case."),
    ] = None,
    recipient: Annotated[str, typer.Option("--recipient", help="Who receives the export.")] = "",
) -> None:
    """Export layers with USERNAME's permissions, in one zip with a METADATA.txt (audited; the
    reports layer needs --reason)."""
    if area and boundary:
        raise ValidationError("clip to a focus area or to a boundary, not both")
    outputs.check_writable(out, option="--out", suffixes=(".zip",))
    engine = ready_engine()
    user = users.by_username(engine, as_user)
    request = map_layers.ExportRequest(
        layers=tuple(name.strip() for name in layers.split(",") if name.strip()),
        fmt=fmt.value,
        clip_area=focus_areas.id_by_name(engine, area) if area else None,
        clip_boundary=boundaries.kind_of(engine, boundary) if boundary else None,
        sizing_by=by.value,
        justification=audit.Justification(reason or "", recipient) if reason else None,
    )
    with TqdmProgress("export") as progress:
        data, _ = map_layers.export(
            engine,
            user,
            request,
            attribution=attribution.for_database(engine),
            progress=progress,
        )
    out.write_bytes(data)
    typer.echo(f"Written {out} ({len(data) / 1024:,.0f} KB), exported as {user.username}.")


def report_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="FILE.html or FILE.pdf.")],
    area: Annotated[
        str | None, typer.Option("--area", help="A focus area (else the region).")
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Prepared as this app user.")] = None,
) -> None:
    """The printable sector report (maps, charts, sizing, hidden sector, published figures,
    method notes, attributions) as HTML or PDF."""
    outputs.check_writable(out, option="--out", suffixes=(".html", ".pdf"))
    engine = ready_engine()
    user = users.by_username(engine, as_user) if as_user else identity.command_line()
    # Loaded when asked for: matplotlib takes half a second every other command would pay.
    from layers.sizing import sector_report

    report = sector_report.build(
        engine,
        user,
        area_id=focus_areas.id_by_name(engine, area) if area else None,
        attribution=attribution.for_database(engine),
    )
    if out.suffix.lower() == ".pdf":
        out.write_bytes(sector_report.to_pdf(report))
    else:
        out.write_text(sector_report.to_html(report), encoding="utf-8")
    typer.echo(f"Written {out}: {report.title}.")


def hidden_sector_command(
    lists: Annotated[
        Path | None,
        typer.Option(
            "--lists",
            exists=True,
            dir_okay=False,
            help="A CSV with one 0/1 column per list and a final count column, one row per "
            "capture history seen; without it, the lists the database knows.",
        ),
    ] = None,
    replicates: Annotated[
        int, typer.Option(min=50, max=10000, help="Bootstrap samples for the interval.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap, for repeatable runs.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Estimate how many cases no list has seen (multiple systems estimation): the model chosen
    by BIC over every model for up to five lists, stepwise beyond; a BCa interval whose every
    bootstrap sample chooses its model again."""
    with TqdmProgress("Estimating") as progress:
        if lists is not None:
            table = capture_file.read_capture_table(lists)
            names = list(table.names)
            found = capture_recapture.estimate_table(
                table, replicates=replicates, seed=seed, progress=progress
            )
        else:
            hidden = hidden_sector.estimate(
                ready_engine(), replicates=replicates, seed=seed, progress=progress
            )
            names, found = hidden.lists, hidden.estimate
    record = {
        "estimate": round(found.total, 1),
        "low": round(found.low, 1),
        "high": round(found.high, 1),
        "observed": found.observed,
        "lists": names,
        "model": list(found.interactions),
        "method": found.method,
    }
    if as_json:
        output.echo_json(record)
        return
    typer.echo(
        f"Estimated {found.total:,.0f} (95% interval {found.low:,.0f} to {found.high:,.0f}); "
        f"{found.observed:,} seen by at least one of {len(names)} lists ({', '.join(names)}).\n"
        f"Model: {found.model or 'independent lists'}.\nMethod: {found.method}."
    )
