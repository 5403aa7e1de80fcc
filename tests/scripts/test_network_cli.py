"""The network commands scripts depend on: their names, options and JSON fields."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tests import network_files as nf
from tests.network.helpers import LAT, LON, business
from tests.scripts.test_cli import run
from tests.support import fresh_database, worker


@pytest.fixture(scope="module")
def scratch() -> Iterator[Engine]:
    """A database of its own, with five businesses in it."""
    engine = create_engine(fresh_database(f"sectormap_network_{worker()}"))
    assert run(engine, "db", "up").returncode == 0
    with engine.begin() as conn:
        business(conn, "Zarven Knits Ltd", "91300001")
        business(conn, "Quillow Garments Ltd", "91300002", postcode="LE5 9ZZ", address="3 Lane")
        business(conn, "Holm Cutting Ltd", "91300003", address="9 Far Road", postcode="LE2 2AA")
        business(
            conn,
            "Ivy Stitch Ltd",
            "91300004",
            status="dissolved",
            first_seen=dt.date(2016, 1, 1),
            last_seen=dt.date(2025, 1, 31),
            address="5 Mill Lane",
            postcode="LE4 4AA",
        )
        business(
            conn,
            "Ivy Stitch (Leicester) Ltd",
            "91300005",
            first_seen=dt.date(2025, 3, 2),
            address="5 Mill Lane",
            postcode="LE4 4AA",
        )
    yield engine
    engine.dispose()


def test_psc_then_connections_and_phoenix(scratch: Engine, tmp_path: Path) -> None:
    snapshot = nf.write_snapshot(
        tmp_path / "psc.txt",
        [
            nf.individual("91300001", "a", "Nia Brook", 2, 1979),
            nf.individual("91300003", "b", "Ms Nia Brook", 2, 1979),
            nf.individual("91300004", "c", "Oren Vale", 5, 1966),
            nf.individual("91300005", "d", "OREN VALE", 5, 1966),
            "not json at all",
            nf.totals(4, 0),
        ],
    )
    problems = tmp_path / "problems.csv"
    done = run(scratch, "import", "psc", str(snapshot), "--problems", str(problems))
    assert done.returncode == 0, done.stderr
    assert "4 controls" in done.stdout
    assert "psc.txt, line 5:" in done.stderr
    assert problems.read_text().splitlines()[1].startswith("psc.txt,5,")

    done = run(scratch, "connections", "91300001", "--depth", "2", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) == {"business", "brands", "links"}
    assert found["business"]["company_number"] == "91300001"
    [link] = found["links"]
    assert {k: link[k] for k in ("company_number", "name", "reasons", "via")} == {
        "company_number": "91300003",
        "name": "Holm Cutting Ltd",
        "reasons": ["shared_psc"],
        "via": "91300001",
    }
    assert isinstance(link["business_id"], int)

    done = run(scratch, "phoenix", "--json")
    assert done.returncode == 0, done.stderr
    [pair] = json.loads(done.stdout)["pairs"]
    assert (pair["predecessor_number"], pair["successor_number"], pair["gap_days"]) == (
        "91300004",
        "91300005",
        30,
    )
    assert set(pair["shares"]) == {"controller Oren Vale", "near-identical name"}


def test_osh_import_proposals_accept_and_reject(scratch: Engine, tmp_path: Path) -> None:
    download = nf.write_download(
        tmp_path / "osh.csv",
        [
            nf.facility(
                "GB1", "Zarven Knits", "1 East Park Road, LE5 4QD", LAT, LON, "Noval Apparel"
            ),
            nf.facility(
                "GB2",
                "Quillow Garment Works",
                "East Park Rd LE5 5AA",
                LAT + 0.0005,
                LON,
                "Noval Apparel|A Brand / Retailer",
            ),
            nf.facility("BD1", "Far Knits", "Dhaka", 23.8, 90.4, "Noval Apparel", country="BD"),
        ],
    )
    done = run(scratch, "import", "osh", str(download), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "read": 3,
        "matched": 1,
        "proposed": 1,
        "unmatched": 0,
        "outside_region": 1,
        "closed": 0,
    }
    done = run(scratch, "osh", "proposals", "--json")
    [proposal] = json.loads(done.stdout)["proposals"]
    assert set(proposal) == {"os_id", "name", "company_number", "business_id", "score"}
    assert (proposal["os_id"], proposal["company_number"]) == ("GB2", "91300002")
    assert run(scratch, "osh", "accept", "GB2", "91300002").returncode == 0
    assert json.loads(run(scratch, "osh", "proposals", "--json").stdout)["proposals"] == []
    done = run(scratch, "connections", "91300001", "--json")
    assert json.loads(done.stdout)["brands"] == ["Noval Apparel"]
    reasons = {link["company_number"]: link["reasons"] for link in json.loads(done.stdout)["links"]}
    assert "shared_brand" in reasons["91300002"]
    done = run(scratch, "osh", "reject", "GB9")
    assert done.returncode == 1
    assert "no Open Supply Hub facility 'GB9'" in done.stderr and "Traceback" not in done.stderr
    assert run(scratch, "osh", "reject", "GB2").returncode == 0
