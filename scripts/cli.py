"""The ``sectormap`` command line: database, reference data, demo data."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
import traceback
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from layers.casework import reports, review
from layers.core import backups, migrate, outputs
from layers.core.db import check_postgis, database_url, explained, get_engine
from layers.core.errors import SectormapError
from layers.core.settings import get_settings
from layers.demo import populate
from layers.exports import attribution
from layers.people import audit, identity, rights, users
from layers.reference import boundaries, economy, osm, pack, postcodes
from layers.register import multi_occupancy, risk
from layers.register.businesses import importing as business_import
from layers.register.businesses import readers
from scripts import output, pgcluster
from scripts.area_commands import area_app, route_app
from scripts.network_commands import (
    connections_command,
    import_osh_command,
    import_psc_command,
    osh_app,
    phoenix_command,
)
from scripts.people_commands import agency_app, user_app
from scripts.progress import TqdmProgress
from scripts.ready import ready_engine
from scripts.sizing_commands import (
    export_command,
    hidden_sector_command,
    report_command,
    sizing_command,
)

#: Who imports from the server's command line: audited as ``cli:<login>``, in the analyst
#: role (the role the Import page asks for).
IMPORTER = identity.command_line("analyst")


app = typer.Typer(
    help="Sectormap: the textile and garment sector of Leicester and Leicestershire.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="The database: embedded PostGIS cluster and migrations.", no_args_is_help=True
)
import_app = typer.Typer(help="Import reference data.", no_args_is_help=True)
demo_app = typer.Typer(help="The fictional demo data.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
reports_app = typer.Typer(help="Intelligence reports: what a user may read, and reviews due.")
risk_app = typer.Typer(help="Stored risk scores.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")
app.add_typer(reports_app, name="reports")
app.add_typer(area_app, name="area")
app.add_typer(route_app, name="route")
app.add_typer(user_app, name="user")
app.add_typer(agency_app, name="agency")
app.add_typer(risk_app, name="risk")
app.add_typer(osh_app, name="osh")
import_app.command("psc")(import_psc_command)
import_app.command("osh")(import_osh_command)
app.command("connections")(connections_command)
app.command("phoenix")(phoenix_command)
app.command("sizing")(sizing_command)
app.command("export")(export_command)
app.command("report")(report_command)
app.command("hidden-sector")(hidden_sector_command)


class BoundaryKind(StrEnum):
    """Kinds of boundary the import accepts."""

    district = "district"
    ward = "ward"
    msoa = "msoa"
    lsoa = "lsoa"


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)


@db_app.command("up")
def db_up() -> None:
    """Install (if needed), create and start the embedded PostGIS, then migrate to head."""
    engine = ready_engine()
    typer.echo(
        f"Database ready at {engine.url.render_as_string(hide_password=True)} "
        f"(schema {migrate.current_revision(engine)})."
    )


@db_app.command("down")
def db_down() -> None:
    """Stop the embedded PostgreSQL server."""
    stopped = pgcluster.stop()
    typer.echo("Stopped the embedded PostgreSQL." if stopped else "It was not running.")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded server is installed, created and running."""
    settings = get_settings()
    if not settings.embedded:
        engine = get_engine(database_url(settings))
        typer.echo(
            f"External database (DATABASE_URL), PostGIS {check_postgis(engine)}, "
            f"schema {migrate.current_revision(engine)}."
        )
        return
    state = pgcluster.status(settings)
    typer.echo(
        f"installed: {'yes' if state.installed else 'no'}\n"
        f"cluster:   {state.directory} ({'created' if state.initialised else 'not created'})\n"
        f"running:   {'yes, PID ' + str(state.pid) if state.running else 'no'} "
        f"(port {state.port})"
    )


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: all data is lost.")] = False,
) -> None:
    """Empty the database: every table dropped and migrated again from nothing."""
    if not yes:
        raise SectormapError("db reset deletes all data; run it again with --yes to confirm.")
    engine = ready_engine()
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)
    typer.echo("Database emptied and migrated to head.")


def _bindir() -> Path:
    return pgcluster.find_bindir() or backups.pg_bindir()


@db_app.command("backup")
def db_backup(
    file: Annotated[
        Path | None,
        typer.Argument(help="Where to write it; default a new file in the backup folder."),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", help="Then keep only the newest N backups of the backup folder."),
    ] = None,
) -> None:
    """A consistent dump of the whole database (pg_dump, custom format) with its manifest."""
    settings = get_settings()
    target = file or backups.default_target(settings.backups)
    if keep is not None and keep < 1:
        raise SectormapError(f"--keep must be at least 1, not {keep}")
    engine = ready_engine()
    manifest = backups.backup(engine, target, bindir=_bindir())
    typer.echo(
        f"Backed up {sum(manifest.tables.values()):,} rows in {len(manifest.tables)} tables "
        f"(schema {manifest.schema_revision}) to {target} ({manifest.bytes / 1e6:,.1f} MB); "
        f"manifest {backups.manifest_path(target).name}."
    )
    if keep is not None:
        for deleted in backups.rotate(settings.backups, keep):
            typer.echo(f"Removed the older backup {deleted.name}.")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A backup made by 'sectormap db backup'.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the database is replaced by the backup.")
    ] = False,
) -> None:
    """Replace the database with a backup: refused for a newer schema, migrated from an older
    one, row counts checked against its manifest before anything is replaced."""
    if not yes:
        raise SectormapError(
            "db restore replaces every row of the database; run it again with --yes to confirm."
        )
    engine = ready_engine()
    report = backups.restore(engine, file, bindir=_bindir())
    migrated = (
        f", migrated from schema {report.backup_revision} to {report.revision}"
        if report.backup_revision != report.revision
        else f" (schema {report.revision})"
    )
    typer.echo(
        f"Restored {file.name}: {report.rows:,} rows in {report.tables} tables, every table's "
        f"row count matching its manifest{migrated}."
    )


@db_app.command("url")
def db_url() -> None:
    """Print the connection URL, e.g. for psql "$(sectormap db url)"."""
    typer.echo(database_url().replace("postgresql+psycopg://", "postgresql://"))


@db_app.command("migrate")
def db_migrate(revision: str = "head") -> None:
    """Migrate the schema up to a revision (default: head)."""
    engine = get_engine(database_url())
    check_postgis(engine)
    migrate.upgrade(engine, revision)
    typer.echo(f"Schema at {migrate.current_revision(engine)}.")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Migrate the schema down to a revision ('base' drops every table)."""
    engine = get_engine(database_url())
    migrate.downgrade(engine, revision)
    typer.echo(f"Schema at {migrate.current_revision(engine)}.")


@import_app.command("boundaries")
def import_boundaries(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    kind: Annotated[BoundaryKind, typer.Option(help="What the areas are.")],
    code_column: Annotated[str | None, typer.Option(help="Column of area codes.")] = None,
    name_column: Annotated[str | None, typer.Option(help="Column of area names.")] = None,
) -> None:
    """Load boundaries from GeoJSON or GeoPackage (loading the same file twice changes nothing)."""
    engine = ready_engine()
    result = boundaries.import_boundaries(
        engine,
        IMPORTER,
        file,
        kind=kind.value,
        code_column=code_column,
        name_column=name_column,
    )
    typer.echo(
        f"{result.loaded:,} {kind.value} boundaries loaded from {file.name} "
        f"(code column {result.code_column!r}, name column {result.name_column!r})."
    )


@import_app.command("postcodes")
def import_postcodes(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    release: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="The file's release date (default: its metadata.txt, else today).",
        ),
    ] = None,
) -> None:
    """Load postcodes: OS Code-Point Open CSV (British National Grid) or the ONS postcode
    directory. Postcodes an older release listed and this newer one does not are kept,
    flagged as terminated."""
    engine = ready_engine()
    with TqdmProgress("postcodes") as progress:
        result = postcodes.import_postcodes(
            engine, IMPORTER, file, release=release.date() if release else None,
            progress=progress,
        )  # fmt: skip
    typer.echo(
        f"{result.loaded:,} postcodes loaded from {file.name} ({result.format}, released "
        f"{result.release:%d %B %Y}); {result.wards_assigned:,} placed in a current ward; "
        f"{result.terminated:,} of their areas terminated since an older release."
    )


@import_app.command("gva")
def import_gva(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    release: Annotated[
        str | None,
        typer.Option(help="The ONS release (e.g. 2024); by default the year in the file's name."),
    ] = None,
) -> None:
    """Load an ONS regional GVA by industry table (ITL2 or ITL3, current prices, CSV)."""
    engine = ready_engine()
    with TqdmProgress("GVA") as progress:
        result = economy.import_gva(engine, IMPORTER, file, release=release, progress=progress)
    typer.echo(
        f"{result.values:,} GVA values for {result.regions:,} regions, {result.years[0]} to "
        f"{result.years[1]}, loaded from {file.name} ({result.release} release)."
    )


class BusinessFormat(StrEnum):
    """Formats of business files."""

    auto = "auto"
    companies_house = "companies-house"
    csv = "csv"
    xlsx = "xlsx"
    geojson = "geojson"
    gpkg = "gpkg"


@import_app.command("businesses")
def import_businesses(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    format: Annotated[BusinessFormat, typer.Option(help="File format.")] = BusinessFormat.auto,
    mapping: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help='JSON column mapping, e.g. {"name": "Trader", "postcode": "PC"}.',
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would happen; change nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object of counts.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write the rejected rows (CSV).")
    ] = None,
    full_snapshot: Annotated[
        bool,
        typer.Option(
            "--full-snapshot",
            help="The file is the whole monthly Companies House product: mark the register's "
            "Companies House companies absent from it as gone (dissolved or struck off).",
        ),
    ] = False,
) -> None:
    """Import businesses (Companies House data product, CSV/Excel with a mapping, GeoJSON,
    GeoPackage); importing the same file twice inserts nothing the second time. The report of
    rejected rows is written before the import commits: if it cannot be, nothing is imported."""
    target = rejects or get_settings().data_dir / "imports" / (
        f"{file.stem}-rejects-{dt.datetime.now():%Y%m%d-%H%M%S}.csv"
    )
    outputs.check_writable(target, option="--rejects", suffixes=(".csv",))
    engine = ready_engine()
    with TqdmProgress(file.name) as progress:
        result = business_import.import_businesses(
            engine,
            IMPORTER,
            file,
            format=format.value,
            mapping=readers.load_mapping(mapping) if mapping else None,
            dry_run=dry_run,
            progress=progress,
            rejects_to=target,
            full_snapshot=full_snapshot,
        )
    summary = result.summary()
    if result.rejected:
        summary["rejects_file"] = str(target)
    if as_json:
        output.echo_json(summary)
        return
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"{file.name} ({result.format}): {result.read:,} rows read; {result.inserted:,} "
        f"businesses {verb} added, {result.updated:,} updated, {result.unchanged:,} unchanged; "
        f"{result.skipped:,} skipped (not of the sector or the area); "
        f"{result.rejected:,} rejected."
        + (f" {result.moved_away:,} moved out of the area." if result.moved_away else "")
        + (f" {result.gone:,} gone from the register." if full_snapshot else "")
    )
    if result.rejected:
        typer.echo(f"Rejected rows, with their reasons: {summary['rejects_file']}")


@import_app.command("osm")
def import_osm(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Load the buildings (storeys, names, addresses) and the street network of an
    OpenStreetMap extract as published: .osm.pbf, .osm.bz2 or .osm, streamed, within the
    region."""
    engine = ready_engine()
    with TqdmProgress("OpenStreetMap") as progress:
        result = osm.import_osm(engine, IMPORTER, file, progress)
    typer.echo(
        f"{file.name}: {result.buildings:,} building footprints, "
        f"{result.street_edges:,} street segments between {result.street_nodes:,} "
        "junctions."
    )


@import_app.command("buildings")
def import_buildings(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    name_column: Annotated[str | None, typer.Option(help="Column of building names.")] = None,
) -> None:
    """Load building footprints from a polygon layer (GeoJSON or GeoPackage)."""
    engine = ready_engine()
    count = osm.import_polygons(engine, IMPORTER, file, name_column=name_column)
    typer.echo(f"{count:,} building footprints loaded from {file.name}.")


@risk_app.command("refresh")
def risk_refresh() -> None:
    """Recompute every business's stored risk: the factors that move with time alone (the age
    of the last visit, the windows of outcomes, ratings and tenancies). Run it daily (a timer)."""
    engine = ready_engine()
    started = time.perf_counter()
    with TqdmProgress("Risk") as progress:
        count = risk.refresh_all(engine, progress)
    took = time.perf_counter() - started
    typer.echo(f"Risk recomputed for {count:,} businesses in {took:.1f} s.")


@app.command("detect-sites")
def detect_sites(
    threshold: Annotated[
        int, typer.Option(min=2, help="Businesses that make a building multi-occupancy.")
    ] = 3,
) -> None:
    """Look for multi-occupancy buildings and propose them for officers to decide."""
    engine = ready_engine()
    added = multi_occupancy.detect(engine, identity.command_line("officer"), threshold=threshold)
    typer.echo(f"{added:,} new proposals; officers decide them on the Businesses & sites page.")


@import_app.command("reference")
def import_reference() -> None:
    """Load every boundary, postcode and GVA file of the reference-data directory."""
    engine = ready_engine()
    with TqdmProgress("reference data") as progress:
        loaded = pack.load_reference_data(engine, IMPORTER, progress=progress)
    typer.echo(
        ", ".join(f"{n:,} {what}" for what, n in loaded.items())
        or "No reference-data directory: set SECTORMAP_REFERENCE_DIR."
    )


@demo_app.command("load")
def demo_load(
    reset: Annotated[bool, typer.Option("--reset", help="Delete existing data first.")] = False,
    scale: Annotated[
        float, typer.Option(min=0.01, max=1000, help="Multiplies the business count (1 = 1,200).")
    ] = 1.0,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same rows).")] = None,
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Do nothing when the database already has businesses."),
    ] = False,
) -> None:
    """Load reference data (when available) and the fictional demo data set."""
    engine = ready_engine()
    settings = get_settings()
    if if_empty and populate.has_data(engine):
        typer.echo(
            "The database already has businesses; the demo was not loaded "
            "(use --reset to replace everything with it)."
        )
        return
    with TqdmProgress("demo data") as progress:
        counts = populate.load(
            engine,
            seed=settings.demo_seed if seed is None else seed,
            scale=scale,
            reset=reset,
            progress=progress,
        )
    typer.echo(", ".join(f"{count:,} {what.replace('_', ' ')}" for what, count in counts.items()))
    typer.echo(
        f"Demo data loaded (fictional). Sign in as admin, officer, glaa_officer, "
        f"hmrc_officer, planner, analyst, viewer or partner with password: "
        f"{settings.demo_password}"
    )


@reports_app.callback(invoke_without_command=True)
def list_reports(
    ctx: typer.Context,
    as_user: Annotated[
        str | None, typer.Option("--as", help="List what this user may read (their access rules).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the reports are listed (operation, case reference)."),
    ] = None,
    recipient: Annotated[
        str, typer.Option("--recipient", help="Who receives the list, when it leaves the system.")
    ] = "",
) -> None:
    """The intelligence reports a user may read; restricted ones they may not read are only
    counted. Needs --reason; written to the audit log as an export, with the reports' numbers."""
    if ctx.invoked_subcommand is not None:
        return
    if as_user is None:
        raise SectormapError(
            "give --as USERNAME: the reports listed are those that person may read"
        )
    engine = ready_engine()
    user = users.by_username(engine, as_user)
    rights.require_staff(engine, user, "list intelligence reports", object_type="report")
    justification = audit.justified(
        audit.Justification(reason or "", recipient), "listing intelligence reports (--reason)"
    )
    readable = reports.readable(engine, user, limit=None, justification=justification)
    hidden = reports.restricted_count(engine, user)
    audit.export(
        engine,
        user,
        object_type="report",
        detail={
            "format": "cli",
            "rows": len(readable),
            "reports": [int(i) for i in readable["id"]],
            **justification.as_detail(),
        },
    )
    if as_json:
        output.echo_json(
            {
                "user": user.username,
                "reports": output.records(readable),
                "restricted_not_shown": hidden,
            }
        )
        return
    for row in readable.itertuples():
        typer.echo(
            f"{row.id:>6}  {row.received_date}  {row.category:<32} {row.status:<9} "
            f"{row.grading:<9} {row.handling_code}  {row.owning_agency:<8} {row.subject}"
        )
    typer.echo(
        f"{len(readable):,} reports readable by {user.username}; {hidden:,} restricted reports "
        "exist that they may not read."
    )


@reports_app.command("review-due")
def reports_review_due(
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="The reviewer: only reports they may read are listed."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout.")] = False,
) -> None:
    """The reports whose review date has come, oldest first (the Review tab's list). Without
    --as, the command line reads no intelligence, so nothing is listed."""
    engine = ready_engine()
    user = users.by_username(engine, as_user) if as_user else identity.command_line()
    due = review.due(engine, user)
    if as_json:
        output.echo_json(output.records(due))
        return
    for row in due.itertuples():
        typer.echo(
            f"{row.id:>6}  review {row.review_date}  received {row.received_date}  "
            f"{row.category:<32} {row.handling_code}  {row.owning_agency:<8} {row.subject}"
        )
    typer.echo(f"{len(due):,} reports due for review that {user.username} may read.")


@app.command("disclose")
def disclose(
    as_user: Annotated[str, typer.Option("--as", help="The administrator preparing it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: the request, its reference.")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The zip file to write.")],
    business: Annotated[
        str | None, typer.Option("--business", help="The business: company number or id.")
    ] = None,
    site: Annotated[int | None, typer.Option("--site", help="Or a building: its id.")] = None,
    recipient: Annotated[str, typer.Option("--recipient", help="Who receives it.")] = "",
) -> None:
    """Everything held on one business or building, as far as USERNAME may read it, in a zip
    of CSV and JSON with a PDF summary (administrators only; audited with the reason)."""
    # Loaded when asked for: matplotlib takes half a second every other command would pay.
    from layers.exports import disclosure

    if (business is None) == (site is None):
        raise SectormapError("give --business COMPANY_NUMBER|ID or --site ID (one of them)")
    # Checked before any work, so nothing is audited as disclosed that cannot be written.
    outputs.check_writable(out, option="--out", suffixes=(".zip",))
    engine = ready_engine()
    admin = users.by_username(engine, as_user)
    subject = (
        disclosure.find_business(engine, business)
        if business is not None
        else disclosure.find(engine, "site", int(site))  # type: ignore[arg-type]
    )
    data, _ = disclosure.bundle(
        engine,
        admin,
        subject,
        justification=audit.Justification(reason, recipient),
        attribution=attribution.for_database(engine),
    )
    out.write_bytes(data)
    typer.echo(
        f"Written {out} ({len(data) / 1024:,.0f} KB): everything held on {subject.name} "
        f"({subject.kind} {subject.id}), prepared by {admin.username}."
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; name the first entry that does not match (exit
    status 1), which means the log was changed after it was written."""
    check = audit.verify_chain(ready_engine())
    if check.broken_at is None:
        typer.echo(f"The audit log's chain holds: {check.entries:,} entries checked.")
        return
    typer.echo(
        f"The audit log's chain is broken at entry {check.broken_at} (place {check.broken_chain} "
        f"in the chain): {check.reason}.",
        err=True,
    )
    raise SystemExit(1)


def main() -> None:
    """Entry point: usage errors are reported by the command parser (exit 2); domain errors become
    one clear line on stderr and exit status 1, never a stack trace."""
    try:
        app()
    except SectormapError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except OSError as exc:  # a file that cannot be read or written: say which, in one line
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"Error:{where}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None
    except Exception as exc:
        known = explained(exc)
        if known is not None:
            typer.echo(f"Error: {known}", err=True)
            raise SystemExit(1) from None
        if isinstance(exc, SQLAlchemyError):  # the database refused: what it said, one line
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            typer.echo(f"Error: the database refused: {reason}", err=True)
            raise SystemExit(1) from None
        reference = uuid.uuid4().hex[:8]
        _log_unexpected(reference)
        typer.echo(
            f"Error: something unexpected went wrong (reference {reference}, logged in "
            f"{get_settings().data_dir / 'logs' / 'cli.log'}); please report it.",
            err=True,
        )
        raise SystemExit(1) from None


def _log_unexpected(reference: str) -> None:
    """Write the traceback of the error being handled to data/logs/cli.log, with its
    reference."""
    folder = get_settings().data_dir / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "cli.log").open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now(dt.UTC).isoformat()} reference {reference}\n")
            handle.write(traceback.format_exc())
    except OSError:
        pass  # the message on stderr still gives the reference
