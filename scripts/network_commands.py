"""Commands on who is behind the businesses: PSC and Open Supply Hub imports, match decisions,
connections and phoenix patterns (scripts depend on the names of these commands and of the
fields their ``--json`` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from layers.core.cells import neutralise_frame
from layers.network import connections, osh, phoenix, psc
from layers.people import identity
from scripts import output
from scripts.progress import TqdmProgress
from scripts.ready import ready_engine

#: Who works at the server's command line: audited as ``cli:<login>``, in the analyst role.
COMMAND_LINE = identity.command_line("analyst")
#: Problems printed before "… and N more" (all of them are in --problems).
SHOWN_PROBLEMS = 10

osh_app = typer.Typer(help="Open Supply Hub facilities: proposed matches and decisions.",
                      no_args_is_help=True)  # fmt: skip
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


def import_psc_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    problems: Annotated[
        Path | None, typer.Option(help="Write the unreadable lines (line, problem) to this CSV.")
    ] = None,
) -> None:
    """Import Companies House's persons with significant control snapshot (JSON Lines, also
    .zip or .gz as published), streamed, for the companies in the register."""
    engine = ready_engine()
    with TqdmProgress("PSC snapshot") as progress:
        result = psc.import_psc(engine, COMMAND_LINE, file, progress)
    typer.echo(
        f"{file.name}: {result.lines:,} lines; {result.controls:,} controls "
        f"({result.ceased:,} ceased) of {result.persons:,} people and {result.statements:,} "
        f"statements kept; {result.skipped:,} of companies outside the register skipped; "
        f"{result.ended:,} controls no longer listed ended."
    )
    for problem in result.problems[:SHOWN_PROBLEMS]:
        typer.echo(f"{file.name}, line {problem.line}: {problem.problem}", err=True)
    if len(result.problems) > SHOWN_PROBLEMS:
        typer.echo(f"… and {len(result.problems) - SHOWN_PROBLEMS:,} more unreadable lines.",
                   err=True)  # fmt: skip
    if problems is not None:
        neutralise_frame(result.problems_frame()).to_csv(problems, index=False)
        typer.echo(f"{len(result.problems):,} unreadable lines written to {problems}.")


def import_osh_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    as_json: JsonOption = False,
) -> None:
    """Import an Open Supply Hub facilities download (CSV) and match it to the register."""
    engine = ready_engine()
    with TqdmProgress("Open Supply Hub") as progress:
        result = osh.import_osh(engine, COMMAND_LINE, file, progress)
    if as_json:
        output.echo_json(result.as_dict())
        return
    typer.echo(
        f"{file.name}: {result.read:,} facilities read; {result.matched:,} matched, "
        f"{result.proposed:,} proposed for an officer, {result.unmatched:,} unmatched in the "
        f"region, {result.outside_region:,} outside it; {result.closed:,} closed."
    )
    typer.echo(osh.ATTRIBUTION)


@osh_app.command("proposals")
def osh_proposals(as_json: JsonOption = False) -> None:
    """The near matches waiting for a decision, best first."""
    found = osh.proposals(ready_engine(), COMMAND_LINE)
    fields = ["os_id", "name", "company_number", "business_id", "score"]
    if as_json:
        output.echo_json({"proposals": output.records(found[fields])})
        return
    for row in found.itertuples():
        typer.echo(f"{row.os_id:<16} {row.score:.2f}  {row.name}  →  {row.business} "
                   f"({row.company_number or 'id ' + str(row.business_id)})")  # fmt: skip
    typer.echo(f"{len(found):,} proposed matches.")


@osh_app.command("accept")
def osh_accept(
    os_id: str,
    business: Annotated[str, typer.Argument(metavar="COMPANY_NUMBER|ID")],
) -> None:
    """Record that facility OS_ID is this business (remembered for later downloads)."""
    engine = ready_engine()
    business_id = connections.find_business(engine, business)
    osh.accept(engine, COMMAND_LINE, os_id, business_id)
    typer.echo(f"{os_id} is business {business_id}.")


@osh_app.command("reject")
def osh_reject(os_id: str) -> None:
    """Record that facility OS_ID's proposed match is wrong (it is not proposed again)."""
    osh.reject(ready_engine(), COMMAND_LINE, os_id)
    typer.echo(f"{os_id}: proposed match rejected.")


def connections_command(
    business: Annotated[str, typer.Argument(metavar="COMPANY_NUMBER|ID")],
    depth: Annotated[int, typer.Option(min=1, max=connections.MAX_DEPTH)] = 1,
    as_json: JsonOption = False,
) -> None:
    """The businesses connected to one: shared controllers, corporate controllers, the same
    address or unit, shared brands and phoenix patterns, with each link's reasons."""
    engine = ready_engine()
    network = connections.connections(
        engine, COMMAND_LINE, connections.find_business(engine, business), depth
    )
    links = network.summary()
    start = network.business
    if as_json:
        output.echo_json(
            {
                "business": {
                    "company_number": start["company_number"],
                    "business_id": int(start["business_id"]),
                    "name": start["name"],
                },
                "brands": network.brands,
                "links": links,
            }
        )
        return
    typer.echo(f"{start['name']} ({start['company_number'] or 'id ' + str(start['business_id'])})")
    if network.brands:
        typer.echo(f"Brands sourcing from it: {', '.join(network.brands)}")
    for link in links:
        state = "" if link["current"] else " (former)"
        known_as = link["company_number"] or f"id {link['business_id']}"
        typer.echo(
            f"{'  ' * link['depth']}{link['name']} ({known_as})"
            f": {', '.join(connections.REASONS[r] for r in link['reasons'])}{state}"
        )
    typer.echo(f"{len(links):,} connected businesses within {depth} step(s).")


def phoenix_command(as_json: JsonOption = False) -> None:
    """Phoenix patterns: a business that ceased and another incorporated within the window at
    the same address or unit, sharing a controller or a near-identical name."""
    found = phoenix.pairs(ready_engine(), COMMAND_LINE)
    if as_json:
        output.echo_json({"pairs": output.records(found)})
        return
    for row in found.itertuples():
        typer.echo(
            f"{row.predecessor} ({row.predecessor_number}) ceased {row.ceased_on} → "
            f"{row.successor} ({row.successor_number}) incorporated {row.incorporated_on}, "
            f"{row.gap_days} days; {row.place.replace('_', ' ')}; {'; '.join(row.shares)}"
        )
    typer.echo(f"{len(found):,} phoenix patterns.")
