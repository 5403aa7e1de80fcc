"""Companies House's persons with significant control (PSC) snapshot, imported as published.

The snapshot is JSON Lines: one record per line, ``{"company_number": …, "data": {…}}``, whose
``data.kind`` says what it is — a person (individual, corporate entity, legal person, or a
"super-secure" one whose details are withheld), a statement the company made instead, its
exemptions, and one final ``totals#…`` line. The whole file covers every UK company (millions of
lines), so it is streamed line by line (also from inside the published ``.zip`` or a ``.gz``) and
a line's company number is read from its first bytes: lines of companies outside the register
are counted as skipped without being parsed. A line that cannot be read is reported by its line
number and skipped; the rest still load, in one transaction.

People are resolved (``layers.network.names``): a person is stored once, and each of their
controls points to them. A control is keyed by its Companies House link, so a newer snapshot
updates it (and ends it when ``ceased_on`` appears); a control no longer listed for a company the
newer snapshot does list is ended on the snapshot's date.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame, pg_array
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.network import names, phoenix
from layers.people import audit, rights
from layers.people.identity import User

log = logging.getLogger(__name__)

ATTRIBUTION = "Persons with significant control: Companies House, Open Government Licence v3.0."
#: Kinds of person record → the kind of controller stored.
PERSON_KINDS = {
    "individual-person-with-significant-control": "individual",
    "individual-beneficial-owner": "individual",
    "corporate-entity-person-with-significant-control": "corporate",
    "corporate-entity-beneficial-owner": "corporate",
    "legal-person-person-with-significant-control": "legal",
    "legal-person-beneficial-owner": "legal",
    "super-secure-person-with-significant-control": "protected",
    "super-secure-beneficial-owner": "protected",
}
STATEMENT_KIND = "persons-with-significant-control-statement"
EXEMPTIONS_KIND = "exemptions"
TOTALS_KIND = "totals#persons-of-significant-control-snapshot"
#: The published line starts with these bytes, then the company number.
_PREFIX = b'{"company_number":"'
#: Lines between progress reports.
_PROGRESS_EVERY = 250_000


@dataclass(frozen=True)
class LineProblem:
    """A line that could not be read, and why."""

    line: int
    problem: str


@dataclass
class PscImport:
    """What an import read, kept and skipped."""

    file: str
    lines: int = 0
    controls: int = 0
    ceased: int = 0
    statements: int = 0
    skipped: int = 0
    persons: int = 0
    ended: int = 0
    totals: dict[str, Any] | None = None
    problems: list[LineProblem] = field(default_factory=list)

    def problems_frame(self) -> pd.DataFrame:
        """The lines that could not be read, as a table (file, line, problem) to download."""
        return pd.DataFrame(
            [{"file": self.file, "line": p.line, "problem": p.problem} for p in self.problems],
            columns=["file", "line", "problem"],
        )


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes, from a plain, ``.gz`` or ``.zip`` (every member) file."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if not member.is_dir():
                    with archive.open(member) as stream:
                        yield from io.BufferedReader(stream, 1 << 20)
        return
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        with gzip.open(path, "rb") as stream:
            yield from stream
    else:
        with path.open("rb", buffering=1 << 20) as stream:
            yield from stream


def _company_number(line: bytes) -> str | None:
    """The company number at the start of a published line, without parsing the JSON."""
    if line.startswith(_PREFIX):
        end = line.find(b'"', len(_PREFIX))
        if 0 < end <= len(_PREFIX) + 10:
            return line[len(_PREFIX) : end].decode("ascii", "replace")
    return None


def _date(value: object, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from exc


def _address(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    parts = (
        "care_of",
        "po_box",
        "premises",
        "address_line_1",
        "address_line_2",
        "locality",
        "region",
        "postal_code",
        "country",
    )
    line = ", ".join(str(value[p]).strip() for p in parts if value.get(p))
    return line or None


def _birth(data: dict[str, Any]) -> tuple[int | None, int | None]:
    born = data.get("date_of_birth")
    if not isinstance(born, dict):
        return None, None
    year, month = born.get("year"), born.get("month")
    if year is None or month is None:
        return None, None
    year, month = int(year), int(month)
    if not (1850 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"date_of_birth {born!r} is not a month and year of birth")
    return year, month


def _person(kind: str, data: dict[str, Any], psc_id: str) -> dict[str, Any]:
    """The person a record names, with their key (``layers.network.names``)."""
    identification = data.get("identification") or {}
    number = None
    if kind == "individual":
        year, month = _birth(data)
        key = names.individual_key(data.get("name"), data.get("name_elements"), year, month)
    elif kind == "protected":
        # Details withheld by Companies House: the person cannot be linked to anyone else.
        year = month = None
        key = f"protected:{psc_id}"
    else:
        year = month = None
        number = names.registration_number(identification.get("registration_number"))
        key = names.corporate_key(number, data.get("name"))
    if key is None:
        raise ValueError("the person has no name")
    return {
        "person_key": key,
        "kind": kind,
        "name": str(data.get("name") or "(details withheld)").strip(),
        "birth_year": year,
        "birth_month": month,
        "nationality": data.get("nationality"),
        "country_of_residence": data.get("country_of_residence"),
        "registration_number": number,
    }


class _Reader:
    """Reads the kept lines into rows of controls and statements."""

    def __init__(self, register: dict[str, int], result: PscImport) -> None:
        self.register = register
        self.result = result
        self.controls: list[dict[str, Any]] = []
        self.statements: list[dict[str, Any]] = []
        self.companies: set[int] = set()

    def read(self, number: int, line: bytes) -> None:
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
                raise ValueError('the line is not a record with "data"')
            self._record(record)
        except (ValueError, TypeError) as exc:
            self.result.problems.append(LineProblem(number, str(exc)))

    def _record(self, record: dict[str, Any]) -> None:
        data = record["data"]
        kind = data.get("kind")
        if kind == TOTALS_KIND:
            self.result.totals = {k: v for k, v in data.items() if k != "kind"}
            return
        company = record.get("company_number")
        if not company:
            raise ValueError(f"a {kind or 'record'} line has no company_number")
        business_id = self.register.get(str(company).upper())
        if business_id is None:
            self.result.skipped += 1
            return
        psc_id = (data.get("links") or {}).get("self") or data.get("etag")
        if kind in PERSON_KINDS:
            if not psc_id:
                raise ValueError("the person has no links.self to know them by")
            person = _person(PERSON_KINDS[kind], data, str(psc_id))
            natures = data.get("natures_of_control") or []
            self.controls.append(
                {
                    **person,
                    "psc_id": str(psc_id),
                    "business_id": business_id,
                    "natures": pg_array([str(n) for n in natures]),
                    "notified_on": _date(data.get("notified_on"), "notified_on"),
                    "ceased_on": _date(data.get("ceased_on"), "ceased_on"),
                    "address": _address(data.get("address")),
                }
            )
        elif kind in (STATEMENT_KIND, EXEMPTIONS_KIND):
            statement = data.get("statement") or "exempt: " + ", ".join(
                sorted((data.get("exemptions") or {}).keys())
            )
            self.statements.append(
                {
                    "psc_id": str(psc_id or f"{company}:{statement}"),
                    "business_id": business_id,
                    "statement": str(statement),
                    "notified_on": _date(data.get("notified_on"), "notified_on"),
                    "ceased_on": _date(data.get("ceased_on"), "ceased_on"),
                }
            )
        else:
            raise ValueError(f"unknown kind {kind!r}")
        self.companies.add(business_id)


def _register(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        text("SELECT company_number, id FROM business WHERE company_number IS NOT NULL")
    )
    return {number: business_id for number, business_id in rows}


def read_snapshot(
    path: Path, register: dict[str, int], progress: Progress = no_progress
) -> tuple[PscImport, list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    """Stream the snapshot: what it says about the companies in ``register`` (company number →
    business id), and the businesses it lists."""
    result = PscImport(file=path.name)
    reader = _Reader(register, result)
    total = path.stat().st_size
    number = 0
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        company = _company_number(line)
        if company is not None and company.upper() not in register:
            result.skipped += 1
        else:
            reader.read(number, line)
        if number % _PROGRESS_EVERY == 0:
            progress(number, max(number, total // 700), f"{number:,} lines read")
    result.lines = number
    return result, reader.controls, reader.statements, reader.companies


_UPSERT_PERSONS = """
INSERT INTO person (person_key, kind, name, birth_year, birth_month, nationality,
    country_of_residence, registration_number)
SELECT DISTINCT ON (person_key) person_key, kind, name, birth_year, birth_month, nationality,
    country_of_residence, registration_number
FROM psc_load ORDER BY person_key, notified_on DESC NULLS LAST
ON CONFLICT (person_key) DO UPDATE SET name = EXCLUDED.name,
    nationality = coalesce(EXCLUDED.nationality, person.nationality),
    country_of_residence = coalesce(EXCLUDED.country_of_residence, person.country_of_residence)
"""
_LINK_CORPORATE = """
UPDATE person p SET business_id = b.id FROM business b
WHERE p.kind = 'corporate' AND p.registration_number = b.company_number
    AND p.business_id IS DISTINCT FROM b.id
"""
_UPSERT_CONTROLS = """
INSERT INTO psc_control (psc_id, business_id, person_id, natures, notified_on, ceased_on,
    address, seen_on)
SELECT l.psc_id, l.business_id, p.id, l.natures, l.notified_on, l.ceased_on, l.address, :seen
FROM psc_load l JOIN person p ON p.person_key = l.person_key
ON CONFLICT (psc_id) DO UPDATE SET business_id = EXCLUDED.business_id,
    person_id = EXCLUDED.person_id, natures = EXCLUDED.natures,
    notified_on = EXCLUDED.notified_on, ceased_on = EXCLUDED.ceased_on,
    address = EXCLUDED.address, seen_on = EXCLUDED.seen_on
"""
_END_UNLISTED = """
UPDATE psc_control SET ceased_on = greatest(:seen, notified_on)
WHERE ceased_on IS NULL AND business_id = ANY(:companies) AND seen_on < :seen
"""
_UPSERT_STATEMENTS = """
INSERT INTO psc_statement (psc_id, business_id, statement, notified_on, ceased_on)
SELECT psc_id, business_id, statement, notified_on, ceased_on FROM psc_statement_load
ON CONFLICT (psc_id) DO UPDATE SET statement = EXCLUDED.statement,
    notified_on = EXCLUDED.notified_on, ceased_on = EXCLUDED.ceased_on
"""


def _snapshot_date(result: PscImport) -> dt.date:
    generated = (result.totals or {}).get("generated_at")
    try:
        return dt.date.fromisoformat(str(generated)[:10]) if generated else dt.date.today()
    except ValueError:
        return dt.date.today()


def import_psc(bind: Bind, user: User, path: Path, progress: Progress = no_progress) -> PscImport:
    """Import a PSC snapshot for the companies in the register (see the module's docstring);
    the lines that could not be read are in the result's ``problems``."""
    rights.require_importer(
        bind, user, "import persons with significant control", object_type="psc_control"
    )
    if not path.is_file():
        raise ValidationError("does not exist", file=str(path))
    with reading(bind) as conn:
        register = _register(conn)
    try:
        result, controls, statements, companies = read_snapshot(path, register, progress)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ValidationError(f"cannot be read ({exc})", file=path.name) from exc
    if result.lines and not controls and not statements and result.skipped == 0:
        raise ValidationError(
            "has no persons with significant control (is it Companies House's PSC snapshot?); "
            + "; ".join(f"line {p.line}: {p.problem}" for p in result.problems[:3]),
            file=path.name,
        )
    seen = _snapshot_date(result)
    progress(1, 2, f"storing {len(controls):,} controls")
    with transaction(bind) as conn:
        _store(conn, controls, statements, seen)
        result.ended = conn.execute(
            text(_END_UNLISTED), {"seen": seen, "companies": sorted(companies)}
        ).rowcount
        phoenix.detect(conn)
        result.controls = len(controls)
        result.ceased = sum(1 for c in controls if c["ceased_on"] is not None)
        result.statements = len(statements)
        result.persons = len({c["person_key"] for c in controls})
        audit.imported(
            conn,
            user,
            object_type="psc_control",
            file=path.name,
            detail={
                "lines": result.lines,
                "controls": result.controls,
                "skipped": result.skipped,
                "problems": len(result.problems),
            },
        )
        analyze(conn, "person", "psc_control", "psc_statement")
    progress(2, 2, "done")
    log.info(
        "%s: %s lines, %s controls, %s skipped, %s unreadable",
        path.name,
        f"{result.lines:,}",
        f"{result.controls:,}",
        f"{result.skipped:,}",
        len(result.problems),
    )
    return result


def _store(
    conn: Connection,
    controls: list[dict[str, Any]],
    statements: list[dict[str, Any]],
    seen: dt.date,
) -> None:
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE psc_load (person_key text, kind text, name text, "
            "birth_year smallint, birth_month smallint, nationality text, "
            "country_of_residence text, registration_number text, psc_id text, "
            "business_id integer, natures text[], notified_on date, ceased_on date, "
            "address text) ON COMMIT DROP"
        )
    )
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE psc_statement_load (psc_id text, business_id integer, "
            "statement text, notified_on date, ceased_on date) ON COMMIT DROP"
        )
    )
    frame = pd.DataFrame(controls)
    if not frame.empty:
        frame = frame.astype({"birth_year": "Int64", "birth_month": "Int64"})
    copy_frame(conn, "psc_load", frame)
    copy_frame(conn, "psc_statement_load", pd.DataFrame(statements))
    conn.execute(text(_UPSERT_PERSONS))
    conn.execute(text(_LINK_CORPORATE))
    conn.execute(text(_UPSERT_CONTROLS), {"seen": seen})
    conn.execute(text(_UPSERT_STATEMENTS))
    conn.execute(text("DROP TABLE psc_load, psc_statement_load"))


#: How a kind of controller is named on a profile.
KIND_LABELS = {
    "individual": "Individual",
    "corporate": "Corporate entity",
    "legal": "Legal person",
    "protected": "Details withheld (protected)",
}


def controllers(bind: Bind, business_id: int) -> pd.DataFrame:
    """The persons with significant control of a business, current first: name, kind, month
    and year of birth (as Companies House publishes them), natures of control, notified_on,
    ceased_on, how many other register businesses they control, and any statements made."""
    frame = read_frame(
        bind,
        """
        SELECT p.name, p.kind, CASE WHEN p.birth_year IS NOT NULL
                THEN lpad(p.birth_month::text, 2, '0') || '/' || p.birth_year END AS born,
            array_to_string(c.natures, ', ') AS natures, c.notified_on, c.ceased_on,
            (SELECT count(DISTINCT o.business_id) FROM psc_control o
             WHERE o.person_id = p.id AND o.business_id <> c.business_id) AS other_companies
        FROM psc_control c JOIN person p ON p.id = c.person_id
        WHERE c.business_id = :id
        UNION ALL
        SELECT 'Statement: ' || replace(s.statement, '-', ' '), 'statement', NULL, NULL,
            s.notified_on, s.ceased_on, NULL
        FROM psc_statement s WHERE s.business_id = :id
        ORDER BY ceased_on NULLS FIRST, notified_on DESC
        """,
        {"id": business_id},
    )
    frame["kind"] = frame["kind"].map(lambda k: KIND_LABELS.get(k, "Statement"))
    return frame


def has_controls(bind: Bind) -> bool:
    """True when any person with significant control is held (their attribution is due)."""
    with reading(bind) as conn:
        return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM psc_control)")).scalar())
