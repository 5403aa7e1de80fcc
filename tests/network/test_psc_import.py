"""The PSC snapshot imported as published: people resolved, companies outside the register
skipped, statements and totals understood, a malformed line reported, newer snapshots ending
controls."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import AccessDeniedError, ValidationError
from layers.network import psc
from tests import network_files as nf
from tests.network.helpers import business
from tests.support import IMPORTER, make_user

JOHN = {"title": "Mr", "forename": "John", "middle_name": "Paul", "surname": "Okafor"}


def _snapshot(tmp_path: Path) -> Path:
    return nf.write_snapshot(
        tmp_path / "persons-with-significant-control-snapshot.txt",
        [
            nf.individual("91000001", "a1", "Mr John Paul Okafor", 3, 1970, elements=JOHN),
            nf.individual("91000002", "b1", "JOHN PAUL OKAFOR", 3, 1970),
            nf.individual("91000002", "b2", "Ms Ada Lin", 7, 1985, ceased_on="2023-05-01"),
            nf.individual("91000003", "c1", "John Okafor", 3, 1970),  # no middle name: another
            nf.corporate("91000003", "c2", "Fictional Holdings Ltd", "91000001"),
            nf.statement("91000004"),
            nf.individual("08888888", "z1", "Someone Elsewhere", 1, 1960),  # not in the register
            '{"company_number":"91000001","data":{"kind": "individual-person',  # cut short
            nf.totals(6, 1),
        ],
    )


@pytest.fixture
def register(conn: Connection) -> dict[str, int]:
    numbers = ["91000001", "91000002", "91000003", "91000004"]
    return {n: business(conn, f"T psc {n}", n) for n in numbers}


def test_a_snapshot_loads_people_controls_statements_and_reports_a_bad_line(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    result = psc.import_psc(conn, IMPORTER, _snapshot(tmp_path))
    assert (result.lines, result.controls, result.ceased, result.statements) == (9, 5, 1, 1)
    assert result.skipped == 1
    assert [p.line for p in result.problems] == [8]
    assert "line 8" not in result.problems[0].problem and result.problems[0].problem
    assert result.totals and result.totals["persons_of_significant_control_count"] == 6
    assert list(result.problems_frame().columns) == ["file", "line", "problem"]
    people = conn.execute(
        text(
            "SELECT p.person_key, array_agg(b.company_number ORDER BY b.company_number) "
            "FROM person p JOIN psc_control c ON c.person_id = p.id "
            "JOIN business b ON b.id = c.business_id GROUP BY p.person_key ORDER BY 1"
        )
    ).all()
    assert people == [
        ("corporate:91000001", ["91000003"]),
        ("individual:ada lin:1985-07", ["91000002"]),
        ("individual:john okafor:1970-03", ["91000003"]),
        ("individual:john paul okafor:1970-03", ["91000001", "91000002"]),
    ]
    corporate = conn.execute(
        text("SELECT business_id FROM person WHERE kind = 'corporate'")
    ).scalar_one()
    assert corporate == register["91000001"]
    assert (
        conn.execute(
            text("SELECT statement FROM psc_statement WHERE business_id = :b"),
            {"b": register["91000004"]},
        ).scalar_one()
        == "no-individual-or-entity-with-signficant-control"
    )


def test_a_newer_snapshot_updates_and_ends_controls(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    psc.import_psc(conn, IMPORTER, _snapshot(tmp_path))
    newer = dict(nf.totals(1, 0))
    newer["data"] = {**newer["data"], "generated_at": "2026-12-31T06:00:00Z"}
    path = nf.write_snapshot(tmp_path / "newer.txt.gz", [])
    lines = [
        nf.individual(
            "91000001", "a1", "Mr John Paul Okafor", 3, 1970, elements=JOHN, ceased_on="2026-12-15"
        ),
        nf.individual("91000002", "b2", "Ms Ada Lin", 7, 1985, ceased_on="2023-05-01"),
        newer,
    ]
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(json.dumps(r) for r in lines) + "\n")
    result = psc.import_psc(conn, IMPORTER, path)
    assert result.controls == 2
    assert result.ended == 1  # b1: no longer listed for 91000002, which the snapshot lists
    ceased = dict(
        conn.execute(
            text("SELECT split_part(psc_id, '/', 6), ceased_on::text FROM psc_control")
        ).all()
    )
    assert ceased["a1"] == "2026-12-15"
    assert ceased["b1"] == "2026-12-31"
    assert ceased["c1"] is None  # 91000003 is not in the newer file: nothing is said of it


def test_a_file_that_is_not_a_snapshot_is_refused(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    path.write_text("CompanyName,CompanyNumber\nA,1\n")
    with pytest.raises(ValidationError, match=r"companies\.csv.*no persons with significant"):
        psc.import_psc(conn, IMPORTER, path)


def test_a_viewer_cannot_import(conn: Connection, tmp_path: Path) -> None:
    viewer = make_user(conn, "t_psc_viewer", "viewer")
    with pytest.raises(AccessDeniedError):
        psc.import_psc(conn, viewer, _snapshot(tmp_path))


def test_the_published_zip_is_read_as_it_is(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    text_file = _snapshot(tmp_path)
    archive = tmp_path / "psc-snapshot-2026-11-30_1of1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(text_file, text_file.name)
    result = psc.import_psc(conn, IMPORTER, archive)
    assert (result.lines, result.controls, result.skipped, len(result.problems)) == (9, 5, 1, 1)
