"""The `sectormap` command line against the test database (DATABASE_URL points at it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import gpxpy
import pyogrio
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, create_engine, text

from layers.people import users
from tests import companies_house_file as ch
from tests import osm_file
from tests.support import fresh_database, worker

SECTORMAP = str(Path(sys.executable).with_name("sectormap"))


def run(engine: Engine, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    return subprocess.run(
        [SECTORMAP, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


def test_db_url_prints_a_libpq_url(engine: Engine) -> None:
    done = run(engine, "db", "url")
    assert done.returncode == 0
    assert done.stdout.strip() == engine.url.render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://"
    )


def test_import_boundaries_twice_loads_once(engine: Engine, opendata: Path) -> None:
    path = str(opendata / "boundaries" / "wards_leicester.geojson")
    for _ in range(2):
        done = run(engine, "import", "boundaries", path, "--kind", "ward")
        assert done.returncode == 0, done.stderr
        assert "21 ward boundaries loaded" in done.stdout
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM boundary WHERE kind = 'ward'")).scalar_one()
            == 21
        )


def test_a_bad_file_gives_one_clear_line_and_exit_1(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    done = run(engine, "import", "boundaries", str(bad), "--kind", "ward")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: file broken.geojson: not a readable GeoJSON")
    assert "Traceback" not in done.stderr


def test_import_gva_twice_keeps_one_copy_and_a_bad_table_is_one_line(
    engine: Engine, opendata: Path, tmp_path: Path
) -> None:
    path = str(opendata / "economy" / "gva_itl3_current_prices_2024.csv")
    for _ in range(2):
        done = run(engine, "import", "gva", path)
        assert done.returncode == 0, done.stderr
        assert "(2024 release)" in done.stdout and "1998 to 2022" in done.stdout
    with engine.connect() as conn:
        copies = conn.execute(
            text(
                "SELECT count(*) FROM official_gva WHERE region_code = 'TLF21' "
                "AND industry_code = 'CB (13-15)' AND year = 2022"
            )
        ).scalar_one()
    assert copies == 1
    bad = tmp_path / "gva_itl3_2024.csv"
    bad.write_text("ITL region code,Region name\nTLF21,Leicester\n")
    done = run(engine, "import", "gva", str(bad))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert errors == [
        "Error: file gva_itl3_2024.csv, row 1: has no 'ITL code', 'SIC07 code', 'SIC07 "
        "description' column; an ONS regional GVA table has ITL code, Region name, SIC07 code, "
        "SIC07 description and a column per year (found: ITL region code, Region name)"
    ]
    assert "Traceback" not in done.stderr


def test_an_unknown_kind_is_a_usage_error(engine: Engine, opendata: Path) -> None:
    path = str(opendata / "boundaries" / "wards_leicester.geojson")
    done = run(engine, "import", "boundaries", path, "--kind", "county")
    assert done.returncode == 2
    assert "county" in done.stderr and "Traceback" not in done.stderr


def test_reset_needs_confirmation(engine: Engine) -> None:
    done = run(engine, "db", "reset")
    assert done.returncode == 1
    assert "--yes" in done.stderr


def test_reset_empties_a_database_and_migrates_it_again() -> None:
    scratch = create_engine(fresh_database(f"sectormap_reset_{worker()}"))
    assert run(scratch, "db", "up").returncode == 0
    with scratch.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO focus_area (name, geom) VALUES ('Doomed', "
                "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-1.1, 52.6), 4326), 0.01)))"
            )
        )
    done = run(scratch, "db", "reset", "--yes")
    assert done.returncode == 0, done.stderr
    with scratch.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM focus_area")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM agency")).scalar_one() == 10
    scratch.dispose()


@pytest.mark.parametrize("unreachable", ["postgresql://nobody:x@127.0.0.1:9/none"])
def test_an_unreachable_database_url_is_explained(unreachable: str) -> None:
    env = {**os.environ, "DATABASE_URL": unreachable}
    done = subprocess.run(
        [SECTORMAP, "db", "up"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert (
        "Cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:9/none"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_import_businesses_json_twice(engine: Engine, tmp_path: Path) -> None:
    path = ch.write(
        tmp_path / "register.csv",
        [
            ch.company("CLIVEL FASHIONS LIMITED", "90000101", "LE5 4GD", ch.SIC_TEXTS["14190"]),
            ch.company("NO CODE LTD", "90000102", "LE1 ZZZ", ch.SIC_TEXTS["14190"]),
        ],
    )
    rejects = tmp_path / "rejects.csv"
    first = run(engine, "import", "businesses", str(path), "--json", "--rejects", str(rejects))
    assert first.returncode == 0, first.stderr
    counts = json.loads(first.stdout)
    assert {
        k: counts[k] for k in ("read", "inserted", "updated", "unchanged", "skipped", "rejected")
    } == {"read": 2, "inserted": 1, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 1}
    assert "3,RegAddress.PostCode,LE1 ZZZ,not a well-formed UK postcode" in rejects.read_text()
    second = json.loads(
        run(engine, "import", "businesses", str(path), "--json", "--rejects", str(rejects)).stdout
    )
    assert (second["inserted"], second["unchanged"]) == (0, 1)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM business_source WHERE reference = '90000101'"))
        conn.execute(text("DELETE FROM business WHERE company_number = '90000101'"))


def test_import_osm_and_detect_sites(engine: Engine, tmp_path: Path) -> None:
    path = osm_file.write(tmp_path / "extract.osm", streets=3)
    done = run(engine, "import", "osm", str(path))
    assert done.returncode == 0, done.stderr
    assert "2 building footprints" in done.stdout and "street segments between" in done.stdout
    detected = run(engine, "detect-sites", "--threshold", "2")
    assert detected.returncode == 0, detected.stderr
    assert "new proposals" in detected.stdout


def test_demo_if_empty_leaves_a_database_with_businesses_alone(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, company_number) VALUES "
                "('Real Data Ltd', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), "
                "'90000777')"
            )
        )
    count = text("SELECT count(*) FROM business")
    try:
        with engine.connect() as conn:
            before = conn.execute(count).scalar_one()
        done = run(engine, "demo", "load", "--if-empty")
        assert done.returncode == 0, done.stderr
        assert "already has businesses" in done.stdout
        with engine.connect() as conn:
            assert conn.execute(count).scalar_one() == before >= 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM business WHERE company_number = '90000777'"))


def test_reports_as_a_user_lists_only_what_they_may_read(engine: Engine) -> None:
    """Committed rows (the command runs in its own process), removed afterwards; the users and
    the audit entries stay, as the audit log is append-only."""
    with engine.begin() as conn:
        for username, agency in (("cli_council", "COUNCIL"), ("cli_hmrc", "HMRC")):
            users.upsert_user(
                conn,
                username=username,
                full_name=username,
                role="officer",
                agency_code=agency,
                password="long enough",
            )
        ids = [
            conn.execute(
                text(
                    "INSERT INTO report (received_date, source_type, category, narrative, geom, "
                    "owning_agency, handling_code, handling_conditions) VALUES ('2026-10-01', "
                    "'charity', 'minimum_wage', :n, ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), "
                    "'HMRC', :c, :cond) RETURNING id"
                ),
                {
                    "n": f"cli narrative {code}",
                    "c": code,
                    "cond": "HMRC only" if code == "C" else "",
                },
            ).scalar_one()
            for code in ("P", "C")
        ]
    try:
        why = ("--reason", "Operation CLI", "--recipient", "case file 12")
        council = run(engine, "reports", "--as", "cli_council", "--json", *why)
        hmrc = run(engine, "reports", "--as", "cli_hmrc", "--json", *why)
        table = run(engine, "reports", "--as", "cli_council", *why)
        nobody = run(engine, "reports", "--as", "nobody_at_all", *why)
        unjustified = run(engine, "reports", "--as", "cli_council")
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM report WHERE id = ANY(:ids)"), {"ids": ids})
    assert council.returncode == 0, council.stderr
    seen = json.loads(council.stdout)
    narratives = {r["narrative"] for r in seen["reports"]}
    assert "cli narrative P" in narratives and "cli narrative C" not in narratives
    assert seen["restricted_not_shown"] >= 1
    assert {"cli narrative P", "cli narrative C"} <= {
        r["narrative"] for r in json.loads(hmrc.stdout)["reports"]
    }
    listed = {line.split()[0] for line in table.stdout.splitlines()[:-1]}
    assert str(ids[0]) in listed and str(ids[1]) not in listed
    assert "restricted reports exist that they may not read" in table.stdout
    assert nobody.returncode == 1 and "no active user 'nobody_at_all'" in nobody.stderr
    assert unjustified.returncode == 1 and "--reason" in unjustified.stderr
    assert unjustified.stdout == ""
    with engine.connect() as conn:
        exported = (
            conn.execute(
                text(
                    "SELECT detail FROM audit_log WHERE action = 'export' "
                    "AND object_type = 'report' AND username IN ('cli_council', 'cli_hmrc') "
                    "AND detail ? 'justification'"
                )
            )
            .scalars()
            .all()
        )
    assert len(exported) >= 3
    assert {(d["justification"], d["recipient"]) for d in exported} == {
        ("Operation CLI", "case file 12")
    }
    assert ids[0] in exported[0]["reports"]


def test_area_commands_add_list_and_stats_and_plan_a_route(engine: Engine, tmp_path: Path) -> None:
    """Committed rows in a corner of the county no other test uses, removed afterwards."""
    outline = box(-1.2010, 52.7000, -1.1950, 52.7040)
    (tmp_path / "area.geojson").write_text(
        gpd.GeoDataFrame({"name": ["x"]}, geometry=[outline], crs=4326).to_json()
    )
    places = [(52.7010, -1.2000, 12), (52.7020, -1.1990, 5), (52.7030, -1.1960, None)]
    with engine.begin() as conn:
        for i, (lat, lon, employees) in enumerate([*places, (52.7100, -1.1900, 40)]):
            conn.execute(
                text(
                    "INSERT INTO business (name, sector, activity, geom, employees_estimate) "
                    "VALUES (:n, '14', 'cmt', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :e)"
                ),
                {"n": f"CLI area business {i}", "lat": lat, "lon": lon, "e": employees},
            )
    try:
        added = run(
            engine, "area", "add", "CLI test area", "--geojson", str(tmp_path / "area.geojson")
        )
        listed = run(engine, "area", "list", "--json")
        stats = run(engine, "area", "stats", "CLI test area", "--json")
        route = run(
            engine, "route", "plan", "--area", "CLI test area", "--top", "3",
            "--out", str(tmp_path / "route.gpx"),
        )  # fmt: skip
        missing = run(engine, "area", "stats", "No such area", "--json")
        with engine.connect() as conn:
            rows = gpd.read_postgis(
                "SELECT employees_estimate, geom FROM business WHERE name LIKE 'CLI area%%' "
                "AND status IN ('active', 'dormant')",
                conn,
                geom_col="geom",
            )
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM business WHERE name LIKE 'CLI area business%'"))
            conn.execute(text("DELETE FROM focus_area WHERE name = 'CLI test area'"))
    assert added.returncode == 0, added.stderr
    assert "Focus area" in added.stdout and "'CLI test area' added" in added.stdout
    assert any(
        a["name"] == "CLI test area" and a["businesses"] == 3 for a in json.loads(listed.stdout)
    )
    found = json.loads(stats.stdout)
    inside = rows[rows.intersects(outline)]
    assert found["businesses"] == len(inside) == 3
    assert found["employees"] == int(inside["employees_estimate"].fillna(0).sum()) == 17
    assert found["open_reports"]["restricted"] == found["open_reports"]["total"]
    assert found["places"]["total"] == 3 == sum(found["places"]["by_band"].values())
    assert len(found["top_places"]) == 3
    assert route.returncode == 0, route.stderr
    assert "straight lines" in route.stdout and "3 stops" in route.stdout
    gpx = gpxpy.parse((tmp_path / "route.gpx").read_text(encoding="utf-8"))
    assert len(gpx.waypoints) == 3 and "straight lines" in gpx.description
    assert (tmp_path / "route.csv").read_text(encoding="utf-8").startswith("stop,")
    assert missing.returncode == 1
    assert "there is no focus area called 'No such area'" in missing.stderr


def test_sizing_export_and_report_commands(engine: Engine, tmp_path: Path) -> None:
    """Committed rows, removed afterwards; the export runs as the user named with --as."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, employees_estimate, notes) "
                "VALUES ('CLI sizing one', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.13, 52.635), "
                "4326), 12, 'secret note'), ('CLI sizing two', '13', 'knitting', "
                "ST_SetSRID(ST_MakePoint(-1.131, 52.636), 4326), 3, '')"
            )
        )
        users.upsert_user(
            conn, username="cli_viewer", full_name="v", role="viewer", agency_code="COUNCIL",
            password="long enough",
        )  # fmt: skip
    try:
        sized = run(engine, "sizing", "--by", "district", "--json")
        hexes = run(engine, "sizing", "--by", "h3", "--resolution", "9", "--json")
        exported = run(
            engine, "export", "businesses,reports", "--format", "csv", "--as", "cli_viewer",
            "--out", str(tmp_path / "v.zip"),
        )  # fmt: skip
        allowed = run(
            engine, "export", "businesses", "--format", "gpkg", "--as", "cli_viewer",
            "--boundary", "E06000016", "--out", str(tmp_path / "v.zip"),
        )  # fmt: skip
        report = run(engine, "report", "--out", str(tmp_path / "report.pdf"))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM business WHERE name LIKE 'CLI sizing%'"))
    rows = json.loads(sized.stdout)
    leicester = next(r for r in rows if r["name"] == "Leicester")
    assert (leicester["businesses"], leicester["employees"]) == (2, 15)
    # Leicester is a whole ITL3 area (TLF21): its share is the ONS figure for the latest year.
    assert (leicester["gva_gbp"], leicester["gva_year"]) == (467_000_000, 2022)
    assert "Office for National Statistics" in leicester["gva_source"]
    assert "Apportioned" in leicester["gva_method"]
    assert {"code", "name", "businesses", "employees"} <= set(rows[0])
    assert sum(r["businesses"] for r in json.loads(hexes.stdout)) == 2
    assert (
        exported.returncode == 1 and "a viewer exports no intelligence reports" in exported.stderr
    )
    assert allowed.returncode == 0, allowed.stderr
    with zipfile.ZipFile(tmp_path / "v.zip") as archive:
        archive.extractall(tmp_path / "v")
    frame = pyogrio.read_dataframe(tmp_path / "v" / "sectormap.gpkg", layer="businesses")
    assert set(frame["name"]) == {"CLI sizing one", "CLI sizing two"}
    assert "notes" not in frame.columns and frame.crs.to_epsg() == 4326
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_hidden_sector_from_an_analysts_lists(engine: Engine, tmp_path: Path) -> None:
    from tests.sizing.published_tables import TABLES

    names, rows = TABLES["Korea"]
    lists = tmp_path / "korea.csv"
    lists.write_text(
        ",".join([*names, "count"]) + "\n" + "\n".join(",".join(map(str, r)) for r in rows)
    )
    done = run(engine, "hidden-sector", "--lists", str(lists), "--json", "--replicates", "200")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) >= {"estimate", "low", "high", "observed", "lists", "model"}
    assert round(found["estimate"]) == 157 and found["observed"] == 123
    assert found["lists"] == ["b", "c", "d"] and found["model"] == ["b:c", "c:d"]
    assert found["low"] < found["estimate"] < found["high"]
    lists.write_text("b,c,d,count\n1,0,0,5\n1,0,2,3\n")
    done = run(engine, "hidden-sector", "--lists", str(lists))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Error: file korea.csv, row 3, column 'd': must be 0 or 1, not '2'" in done.stderr


def test_hidden_sector_from_the_databases_own_lists() -> None:
    scratch = create_engine(fresh_database(f"sectormap_hidden_{worker()}"))
    assert run(scratch, "db", "up").returncode == 0
    done = run(scratch, "hidden-sector")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Error: at least two lists must each know a business" in done.stderr
    with scratch.begin() as conn:
        for number, sources in enumerate([("visits",)] * 30 + [("reports",)] * 20
                                         + [("visits", "reports")] * 10):  # fmt: skip
            business = conn.execute(
                text(
                    "INSERT INTO business (name, sector, activity, geom, first_seen) VALUES "
                    "(:name, '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.13, 52.63), 4326), "
                    "'2024-01-01') RETURNING id"
                ),
                {"name": f"T listed {number}"},
            ).scalar_one()
            for source in sources:
                conn.execute(
                    text("INSERT INTO business_source (business_id, source) VALUES (:b, :s)"),
                    {"b": business, "s": source},
                )
    done = run(scratch, "hidden-sector", "--json")
    scratch.dispose()
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["lists"] == ["Visits", "Intelligence reports"] and found["observed"] == 60
    assert found["estimate"] == pytest.approx(41 * 31 / 11 - 1, abs=0.1)  # Chapman


def test_risk_refresh_recomputes_every_business(engine: Engine) -> None:
    done = run(engine, "risk", "refresh")
    assert done.returncode == 0, done.stderr
    with engine.connect() as conn:
        businesses = conn.execute(text("SELECT count(*) FROM business")).scalar_one()
        stored = conn.execute(
            text(
                "SELECT count(*) FROM business_risk r JOIN business b ON b.id = r.business_id "
                "WHERE b.status <> 'archived'"
            )
        ).scalar_one()
        archived = conn.execute(
            text("SELECT count(*) FROM business WHERE status = 'archived'")
        ).scalar_one()
    assert done.stdout.startswith(f"Risk recomputed for {businesses:,} businesses in ")
    assert stored == businesses - archived


def test_export_refuses_an_out_name_that_does_not_say_zip(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "businesses.gpkg"
    done = run(
        engine, "export", "businesses", "--format", "gpkg", "--as", "nobody", "--out", str(target)
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "businesses.gpkg should end in .zip" in done.stderr
    assert not target.exists()
