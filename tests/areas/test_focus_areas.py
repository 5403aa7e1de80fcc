"""Focus areas against PostGIS: saving, editing and auditing them, their statistics (checked
against geopandas over the same rows), buffers, wards, and routes on a street network the test
writes itself."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import gpxpy
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box
from sqlalchemy import Connection, text

from layers.areas import dashboard, focus_areas
from layers.areas.focus_areas import AreaDetails
from layers.core.errors import AccessDeniedError, ConflictError, ValidationError
from layers.reference import osm
from layers.register import risk
from layers.routes import route_files, routing, visit_sheet
from tests import osm_file
from tests.support import IMPORTER, make_user

#: Around the Imperial Typewriter Building, North Evington (inside Leicester).
NEAR_EAST_PARK_ROAD = box(-1.106, 52.630, -1.094, 52.640)


@pytest.fixture
def planner(conn: Connection):  # type: ignore[no-untyped-def]
    return make_user(conn, "t_fa_planner", "planner")


def _business(
    conn: Connection,
    name: str,
    lat: float,
    lon: float,
    *,
    sector: str = "14",
    employees: int | None = 10,
    low: int | None = None,
    high: int | None = None,
    status: str = "active",
    site_id: int | None = None,
) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, employees_estimate, "
                "employees_low, employees_high, status, site_id, postcode) VALUES (:n, :s, 'cmt', "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :e, :lo, :hi, :st, :site, 'LE5 4GD') "
                "RETURNING id"
            ),
            {
                "n": name,
                "s": sector,
                "lat": lat,
                "lon": lon,
                "e": employees,
                "lo": low,
                "hi": high,
                "st": status,
                "site": site_id,
            },
        ).scalar_one()
    )


def _site(conn: Connection, name: str, lat: float, lon: float) -> int:
    """A multi-occupancy site about 30 m across around (lat, lon)."""
    return int(
        conn.execute(
            text(
                "INSERT INTO site (name, geom) VALUES (:n, ST_Multi(ST_Buffer(ST_SetSRID("
                "ST_MakePoint(:lon, :lat), 4326), 0.0003))) RETURNING id"
            ),
            {"n": name, "lat": lat, "lon": lon},
        ).scalar_one()
    )


def _area(conn: Connection, user, name: str = "T area", shape=NEAR_EAST_PARK_ROAD, **kw):  # type: ignore[no-untyped-def]
    return focus_areas.create(conn, user, AreaDetails(name=name, **kw), shape)


def test_an_area_is_saved_listed_edited_and_deleted_with_every_step_audited(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    for i, status in enumerate(("active", "dormant", "ceased")):
        _business(conn, f"Inside {i}", 52.635, -1.100 + i * 0.001, status=status)
    _business(conn, "Outside", 52.645, -1.100)
    saved = _area(conn, planner, purpose="Test", priority="high")
    assert saved.outside_share == pytest.approx(0.0, abs=1e-6) and saved.warnings == []
    listed = focus_areas.all_areas(conn).set_index("id").loc[saved.id]
    assert listed["name"] == "T area" and listed["priority"] == "high"
    # The listing's count comes from the grid summaries: it equals testing every business.
    assert listed["businesses"] >= 2
    assert (
        listed["businesses"]
        == conn.execute(
            text(
                "SELECT count(*) FROM business b JOIN focus_area f ON f.id = :id "
                "AND ST_Intersects(f.geom, b.geom) WHERE b.status IN ('active', 'dormant')"
            ),
            {"id": saved.id},
        ).scalar_one()
    )
    # Area in km² measured in the British National Grid: check against geopandas.
    expected = gpd.GeoSeries([NEAR_EAST_PARK_ROAD], crs=4326).to_crs(27700).area.iloc[0] / 1e6
    assert listed["area_km2"] == pytest.approx(expected, abs=0.01)

    version = int(listed["version"])
    focus_areas.update_details(
        conn, planner, saved.id, version, AreaDetails(name="T area renamed", priority="low")
    )
    with pytest.raises(ConflictError, match="Someone else saved this focus area"):
        focus_areas.update_details(conn, planner, saved.id, version, AreaDetails(name="Stale"))
    grown = NEAR_EAST_PARK_ROAD.buffer(0.001)
    focus_areas.update_shape(conn, planner, saved.id, version + 1, grown)
    focus_areas.delete(conn, planner, saved.id)
    assert saved.id not in set(focus_areas.all_areas(conn)["id"])
    actions = conn.execute(
        text(
            "SELECT action, detail FROM audit_log WHERE object_type = 'focus_area' "
            "AND object_id = :id ORDER BY id"
        ),
        {"id": str(saved.id)},
    ).all()
    assert [a for a, _ in actions] == ["create", "edit", "edit", "delete"]
    assert actions[1][1]["before"]["name"] == "T area"
    assert actions[1][1]["after"]["name"] == "T area renamed"
    assert actions[3][1]["before"]["name"] == "T area renamed"


def test_names_are_unique_and_details_are_checked(conn: Connection, planner) -> None:  # type: ignore[no-untyped-def]
    _area(conn, planner, name="Unique")
    with pytest.raises(ValidationError, match="already exists"):
        _area(conn, planner, name="  unique ")
    with pytest.raises(ValidationError, match="needs a name"):
        _area(conn, planner, name="  ")
    with pytest.raises(ValidationError, match="ends before it starts"):
        _area(
            conn,
            planner,
            name="Backwards",
            period_start=dt.date(2026, 5, 1),
            period_end=dt.date(2026, 4, 1),
        )
    viewer = make_user(conn, "t_fa_viewer", "viewer")
    with pytest.raises(AccessDeniedError):
        _area(conn, viewer, name="Viewer's")
    reason = conn.execute(
        text(
            "SELECT detail->>'reason' FROM audit_log WHERE action = 'denied' "
            "AND username = 't_fa_viewer' AND object_type = 'focus_area'"
        )
    ).scalar_one()
    assert reason.startswith("a viewer") and reason.endswith("cannot change focus areas")


def test_a_self_crossing_drawing_is_repaired_and_an_area_outside_the_region_is_flagged(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    bowtie = shapely.Polygon(
        [(-1.11, 52.63), (-1.09, 52.64), (-1.09, 52.63), (-1.11, 52.64), (-1.11, 52.63)]
    )
    saved = _area(conn, planner, name="Bowtie", shape=bowtie)
    assert "repaired into 2 parts" in saved.warnings[0]
    # Half in Leicestershire, half beyond its boundary: compare with the districts' union.
    districts = gpd.read_postgis(
        "SELECT geom FROM boundary WHERE kind = 'district'", conn, geom_col="geom"
    )
    region = districts.to_crs(27700).union_all()
    on_edge = districts.union_all().boundary.interpolate(0.3, normalized=True)
    straddling = on_edge.buffer(0.01, cap_style="square")
    shape = gpd.GeoSeries([straddling], crs=4326).to_crs(27700).iloc[0]
    expected = 1 - shape.intersection(region).area / shape.area
    flagged = _area(conn, planner, name="Straddling", shape=straddling)
    assert 0.2 < expected < 0.9
    assert flagged.outside_share == pytest.approx(expected, abs=0.005)
    assert "lies outside Leicester and Leicestershire" in flagged.warnings[-1]
    far = _area(conn, planner, name="London", shape=box(-0.13, 51.50, -0.12, 51.51))
    assert far.outside_share == pytest.approx(1.0)


def test_a_buffer_around_a_business_has_the_right_area_in_square_metres(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    business = _business(conn, "T buffered", 52.6355, -1.0990)
    shape = focus_areas.around_place(conn, "business", business, 300)
    saved = _area(conn, planner, name="Buffer", shape=shape)
    # A 16-segment quarter circle falls short of πr² by under 0.2%.
    assert saved.area_km2 * 1e6 == pytest.approx(math.pi * 300**2, rel=0.003)
    with pytest.raises(ValidationError, match="no location"):
        focus_areas.around_place(conn, "business", -1, 300)


def test_an_area_made_of_wards_is_their_union(conn: Connection) -> None:
    wards = gpd.read_postgis(
        "SELECT code, geom FROM boundary WHERE kind = 'ward' ORDER BY code LIMIT 2",
        conn,
        geom_col="geom",
    )
    shape = focus_areas.from_boundaries(conn, "ward", list(wards["code"]))
    assert shape.area == pytest.approx(wards.union_all().area, rel=1e-9)
    with pytest.raises(ValidationError, match="no ward with code X0"):
        focus_areas.from_boundaries(conn, "ward", ["X0"])


def test_area_stats_equal_a_geopandas_computation_over_the_same_rows(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    saved = _area(conn, planner, name="Stats area")
    _business(conn, "T in knit", 52.632, -1.100, sector="13", employees=7, low=5, high=9)
    _business(conn, "T in apparel", 52.636, -1.098, employees=None)
    _business(conn, "T in ceased", 52.634, -1.097, status="ceased", employees=50)
    _business(conn, "T outside", 52.650, -1.098, employees=99)
    rows = gpd.read_postgis(
        "SELECT id, sector, status, employees_estimate, employees_low, employees_high, geom "
        "FROM business",
        conn,
        geom_col="geom",
    )
    areas = gpd.read_postgis(
        "SELECT id, geom FROM focus_area WHERE id = %(id)s",
        conn,
        geom_col="geom",
        params={"id": saved.id},
    )
    current = rows[rows["status"].isin(["active", "dormant"])]
    inside = gpd.sjoin(current, areas, predicate="intersects")
    found = dashboard.stats(conn, planner, saved.id)
    assert found.businesses == len(inside) >= 2
    assert found.employees == int(inside["employees_estimate"].fillna(0).sum())
    low = inside["employees_low"].fillna(inside["employees_estimate"]).fillna(0).sum()
    assert found.employees_low == int(low)
    by_sector = inside.groupby("sector").size()
    assert found.by_sector.set_index("sector")["businesses"].sum() == by_sector.sum()
    assert found.as_json()["businesses"] == found.businesses
    assert dashboard.summary(conn, saved.id)["employees"] == found.employees


def test_visits_and_open_reports_inside_an_area_respect_the_period_and_need_to_know(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    saved = _area(
        conn,
        planner,
        name="Period area",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    business = _business(conn, "T visited", 52.633, -1.101)
    for day, outcome in [
        ("2025-03-01", "no_issues"),
        ("2025-06-01", "exploitation_indicators"),
        ("2024-06-01", "advice"),
    ]:
        conn.execute(
            text(
                "INSERT INTO visit (visit_date, business_id, outcome, visit_type, agencies) "
                "VALUES (:d, :b, :o, 'joint_inspection', ARRAY['COUNCIL'])"
            ),
            {"d": day, "b": business, "o": outcome},
        )
    for code, agency in [("P", "GLAA"), ("C", "HMRC"), ("C", "COUNCIL")]:
        conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, "
                "business_id, owning_agency, handling_code, handling_conditions) VALUES "
                "('2025-05-01', 'public', 'minimum_wage', 'secret pay', :b, :a, :c, :cond)"
            ),
            {"b": business, "a": agency, "c": code, "cond": "owner only" if code == "C" else ""},
        )
    council = make_user(conn, "t_fa_council", "officer", "COUNCIL")
    found = dashboard.stats(conn, council, saved.id)
    assert dict(zip(found.visits["outcome"], found.visits["visits"], strict=True)) == {
        "No issues": 1,
        "Indicators of exploitation found": 1,
    }
    assert found.open_reports >= 3
    assert found.restricted_reports >= 1  # the HMRC report: counted, not shown
    readable = int(found.readable_reports["reports"].sum())
    assert readable == found.open_reports - found.restricted_reports
    viewer = make_user(conn, "t_fa_viewer2", "viewer")
    seen = dashboard.stats(conn, viewer, saved.id)
    assert seen.readable_reports.empty and seen.restricted_reports == seen.open_reports
    anytime = dashboard.stats(conn, council, saved.id, use_period=False)
    assert int(anytime.visits["visits"].sum()) == 3


def test_visits_and_reports_are_placed_in_an_area_as_their_subject_or_location_puts_them(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    """The grid-run queries count what testing every visit's and report's place against the
    outline counts: a business's point first, else its building's; a report's own location
    before either."""
    saved = _area(conn, planner, name="Placed")
    inside, outside = (
        _business(conn, "P in", 52.635, -1.100),
        _business(conn, "P out", 52.645, -1.1),
    )
    site_in, site_out = (
        _site(conn, "P mill in", 52.6355, -1.097),
        _site(conn, "P mill out", 52.645, -1.09),
    )
    for business, site, outcome in [
        (inside, None, "no_issues"),
        (outside, None, "advice"),
        (None, site_in, "exploitation_indicators"),
        (None, site_out, "advice"),
        (inside, site_out, "no_issues"),  # the business's point decides
        (outside, site_in, "advice"),
    ]:
        conn.execute(
            text(
                "INSERT INTO visit (visit_date, business_id, site_id, outcome, visit_type, "
                "agencies) VALUES ('2025-03-01', :b, :s, :o, 'joint_inspection', "
                "ARRAY['COUNCIL'])"
            ),
            {"b": business, "s": site, "o": outcome},
        )
    for business, site, lon, lat in [
        (outside, None, -1.099, 52.636),  # located inside: counted
        (inside, None, -1.099, 52.645),  # located outside: not counted
        (inside, None, None, None),
        (None, site_in, None, None),
        (None, site_out, None, None),
    ]:
        conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, "
                "business_id, site_id, geom, owning_agency, handling_code, handling_conditions) "
                "VALUES ('2025-05-01', 'public', 'minimum_wage', 'x', :b, :s, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 'GLAA', 'P', '')"
            ),
            {"b": business, "s": site, "lon": lon, "lat": lat},
        )
    # The reference: every visit's and report's place tested against the outline.
    by_outline = dict(
        conn.execute(
            text(
                "SELECT v.outcome, count(*) FROM visit v "
                "LEFT JOIN business b ON b.id = v.business_id LEFT JOIN site s ON s.id = v.site_id "
                "JOIN focus_area f ON f.id = :a AND ST_Intersects(f.geom, "
                "coalesce(b.geom, ST_PointOnSurface(s.geom))) GROUP BY v.outcome"
            ),
            {"a": saved.id},
        ).all()
    )
    reports_by_outline = conn.execute(
        text(
            "SELECT count(*) FROM report r LEFT JOIN business b ON b.id = r.business_id "
            "LEFT JOIN site s ON s.id = r.site_id JOIN focus_area f ON f.id = :a "
            "AND ST_Intersects(f.geom, coalesce(r.geom, b.geom, ST_PointOnSurface(s.geom))) "
            "WHERE r.status <> 'closed'"
        ),
        {"a": saved.id},
    ).scalar_one()
    found = dashboard.stats(conn, planner, saved.id, use_period=False)
    counted = dict(zip(found.visits["outcome"], found.visits["visits"], strict=True))
    assert by_outline == {"no_issues": 2, "exploitation_indicators": 1}
    assert counted == {"No issues": 2, "Indicators of exploitation found": 1}
    assert found.open_reports == reports_by_outline == 3


def test_the_places_are_ranked_by_risk_with_a_site_standing_for_its_tenants(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    saved = _area(conn, planner, name="Ranked")
    site = _site(conn, "T mill", 52.636, -1.099)
    for name in ("T tenant one", "T tenant two"):
        _business(conn, name, 52.636, -1.099, site_id=site)
    places = dashboard.stats(conn, planner, saved.id).places.top
    mill = places[(places["kind"] == "site") & (places["place_id"] == site)]
    assert len(mill) == 1 and int(mill["businesses"].iloc[0]) == 2
    assert not ((places["kind"] == "business") & places["name"].str.startswith("T tenant")).any()
    assert list(places["score"]) == sorted(places["score"], reverse=True)
    assert all(len(f) <= risk.TOP_FACTORS for f in places["top_factors"])


def test_every_place_is_counted_by_band_and_the_first_shown_are_the_highest(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    saved = _area(conn, planner, name="Counted")
    site = _site(conn, "C mill", 52.635, -1.098)
    scores = {
        _business(conn, "C lone 40", 52.6352, -1.1012): 40.0,
        _business(conn, "C lone 20a", 52.6354, -1.1014): 20.0,
        _business(conn, "C lone 20b", 52.6356, -1.1016): 20.0,
        _business(conn, "C tenant 35", 52.635, -1.098, site_id=site): 35.0,
        _business(conn, "C tenant 10", 52.635, -1.098, site_id=site): 10.0,
    }
    risk.refresh_marked(conn)
    for business_id, score in scores.items():
        conn.execute(
            text("UPDATE business_risk SET score = :s WHERE business_id = :b"),
            {"s": score, "b": business_id},
        )
    ranked = dashboard.ranked_places(conn, saved.id, shown=3)
    # What every place scores, worked out here from the stored risk of each business inside.
    inside = pd.read_sql(
        text(
            "SELECT b.id, b.site_id, coalesce(k.score, 0) AS score FROM business b "
            "JOIN focus_area f ON f.id = :a AND ST_Intersects(f.geom, b.geom) "
            "LEFT JOIN business_risk k ON k.business_id = b.id "
            "WHERE b.status IN ('active', 'dormant')"
        ),
        conn,
        params={"a": saved.id},
    )
    place = inside["site_id"].map(lambda s: f"site {int(s)}" if pd.notna(s) else None)
    place = place.fillna("business " + inside["id"].astype(str))
    expected = inside.groupby(place)["score"].max()
    assert ranked.total == len(expected)
    assert ranked.by_band == {
        "high": int((expected >= 30).sum()),
        "medium": int(((expected >= 15) & (expected < 30)).sum()),
        "low": int((expected < 15).sum()),
    }
    assert list(ranked.top["score"]) == sorted(expected, reverse=True)[:3]
    assert list(ranked.top["name"][:2]) == ["C lone 40", "C mill"]
    mill = ranked.top.iloc[1]
    assert (mill["kind"], mill["businesses"], mill["band"]) == ("site", 2, "high")
    assert list(ranked.top["band"][:1]) == ["high"]
    empty = _area(conn, planner, name="Empty", shape=box(-1.302, 52.700, -1.300, 52.701))
    nothing = dashboard.ranked_places(conn, empty.id)
    assert (nothing.total, nothing.by_band, len(nothing.top)) == (
        0,
        {"high": 0, "medium": 0, "low": 0},
        0,
    )
    assert list(nothing.top.columns) == list(ranked.top.columns)


@pytest.fixture
def grid(conn: Connection, tmp_path: Path) -> Path:
    """A 6 x 6 street grid, 0.002 degrees apart, from (52.630, -1.110)."""
    path = osm_file.write(
        tmp_path / "grid.osm", buildings=[], streets=6, spacing=0.002, first_node=500_000
    )
    osm.import_osm(conn, IMPORTER, path)
    return path


def _stops(points: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"Stop {chr(65 + i)}" for i in range(len(points))],
            "lat": [p[0] for p in points],
            "lon": [p[1] for p in points],
        }
    )


def test_a_route_follows_the_streets_and_is_no_longer_than_the_chosen_order(
    conn: Connection, grid: Path
) -> None:
    # Grid corners and middles, chosen in a zig-zag order.
    points = [(52.630, -1.110), (52.640, -1.100), (52.630, -1.100), (52.640, -1.110),
              (52.634, -1.106), (52.636, -1.104)]  # fmt: skip
    plan = routing.plan(conn, _stops(points), "walk")
    assert plan.on_network and "follow the streets" in plan.note
    assert plan.total_m <= plan.unordered_m
    assert sorted(plan.stops["name"]) == sorted(_stops(points)["name"])
    # On a grid a leg is at least as long as the straight line, and no more than the
    # Manhattan distance between its ends.
    first, second = plan.stops.iloc[0], plan.stops.iloc[1]
    line = gpd.GeoSeries(
        [Point(first["lon"], first["lat"]), Point(second["lon"], second["lat"])], crs=4326
    ).to_crs(27700)
    straight = line.iloc[0].distance(line.iloc[1])
    manhattan = abs(line.iloc[0].x - line.iloc[1].x) + abs(line.iloc[0].y - line.iloc[1].y)
    assert straight - 1 <= plan.legs["metres"].iloc[0] <= manhattan + 1
    assert len(plan.paths) == len(plan.stops) - 1
    assert plan.legs["minutes"].iloc[0] == pytest.approx(
        plan.legs["metres"].iloc[0] / (4.8 * 1000 / 60), abs=0.1
    )
    drive = routing.plan(conn, _stops(points), "drive")
    assert drive.on_network and drive.minutes < plan.minutes


def test_without_a_street_network_the_route_is_straight_lines_and_says_so(
    conn: Connection,
) -> None:
    far = [(52.9, -1.5), (52.91, -1.49), (52.92, -1.51)]
    plan = routing.plan(conn, _stops(far), "walk")
    assert not plan.on_network
    assert "straight lines" in plan.note and "straight lines" in plan.summary()
    gpx = gpxpy.parse(route_files.to_gpx(plan, title="T", attribution=["© test"]))
    assert "straight lines" in gpx.description
    assert gpx.tracks[0].description == "Straight lines between stops"
    with pytest.raises(ValidationError, match="at least two places"):
        routing.plan(conn, _stops(far[:1]), "walk")
    with pytest.raises(ValidationError, match="unknown mode"):
        routing.plan(conn, _stops(far), "fly")


def test_route_files_carry_the_stops_in_order_and_hostile_names_come_out_inert(
    conn: Connection, grid: Path
) -> None:
    stops = _stops([(52.630, -1.110), (52.634, -1.106), (52.638, -1.102)])
    stops.loc[1, "name"] = '=HYPERLINK("http://x")'
    plan = routing.plan(conn, stops, "walk")
    gpx = gpxpy.parse(route_files.to_gpx(plan, title="T route", attribution=["© OSM"]))
    assert [w.name.split(". ", 1)[1] for w in gpx.waypoints] == list(plan.stops["name"])
    assert gpx.copyright_author == "© OSM"
    assert len(gpx.tracks[0].segments[0].points) > 3
    csv = route_files.to_csv(plan, attribution=["© OSM"]).decode()
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv and ',"=HYPERLINK' not in csv
    assert csv.rstrip().endswith("# © OSM")


def test_the_visit_sheet_escapes_text_and_shows_restricted_intelligence_only_when_cleared(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    business = _business(conn, "<script>alert(1)</script> Stitch", 52.633, -1.101)
    conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, business_id, "
            "owning_agency, handling_code, handling_conditions) VALUES ('2025-05-01', 'public', "
            "'modern_slavery', 'Workers sleep in the unit', :b, 'GLAA', 'C', 'GLAA only')"
        ),
        {"b": business},
    )
    stops = pd.DataFrame(
        {
            "stop": [1, 2],
            "kind": ["business", "business"],
            "place_id": [business, business],
            "name": ["<script>alert(1)</script> Stitch", "Other"],
            "address": ["", ""],
            "postcode": ["LE5 4GD", "LE5 4GD"],
            "lat": [52.633, 52.634],
            "lon": [-1.101, -1.100],
        }
    )
    plan = routing.plan(conn, stops.drop(columns="stop"), "walk")
    council = make_user(conn, "t_fa_sheet_council", "officer", "COUNCIL")
    glaa = make_user(conn, "t_fa_sheet_glaa", "officer", "GLAA")
    for user, sees in ((council, False), (glaa, True)):
        sheets = visit_sheet.gather(conn, user, plan.stops)
        page = visit_sheet.render(plan, sheets, title="T", user=user, attribution=["© OSM"])
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Stitch" in page
        # Readable or not, a printed sheet never carries a restricted narrative.
        assert "Workers sleep in the unit" not in page
        assert ("and say why to read it" in page) is sees
        assert ("more open report you are not cleared to read" in page) is not sees
        assert page.count('class="sheet"') == 2


def _geopandas_summary(conn: Connection, area_id: int) -> dict[str, int]:
    """The headline numbers computed independently: every business tested by geopandas."""
    rows = gpd.read_postgis(
        "SELECT status, employees_estimate AS e, employees_low AS lo, employees_high AS hi, geom "
        "FROM business WHERE geom IS NOT NULL",
        conn,
        geom_col="geom",
    )
    area = gpd.read_postgis(
        "SELECT geom FROM focus_area WHERE id = %(id)s",
        conn,
        geom_col="geom",
        params={"id": area_id},
    )
    inside = gpd.sjoin(
        rows[rows["status"].isin(["active", "dormant"])], area, predicate="intersects"
    )
    return {
        "businesses": len(inside),
        "employees": int(inside["e"].fillna(0).sum()),
        "employees_low": int(inside["lo"].fillna(inside["e"]).fillna(0).sum()),
        "employees_high": int(inside["hi"].fillna(inside["e"]).fillna(0).sum()),
    }


def test_the_grid_summaries_stay_exact_through_inserts_updates_deletes_and_new_outlines(
    conn: Connection, planner
) -> None:  # type: ignore[no-untyped-def]
    saved = _area(conn, planner, name="Grid area")
    rng = np.random.default_rng(11)
    west, south, east, north = NEAR_EAST_PARK_ROAD.bounds
    # Points scattered over and around the area, many within metres of its edge.
    lons = np.concatenate([rng.uniform(west - 0.003, east + 0.003, 300), np.full(40, west)])
    lats = np.concatenate(
        [rng.uniform(south - 0.003, north + 0.003, 300), np.linspace(south, north, 40)]
    )
    lons[300:320] += rng.normal(0, 0.00002, 20)  # a couple of metres either side of the edge
    ids = [
        _business(conn, f"T grid {i}", float(lat), float(lon), employees=int(rng.integers(0, 40)),
                  low=None, high=None, status=str(rng.choice(["active", "dormant", "ceased"])))
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True))
    ]  # fmt: skip
    assert dashboard.summary(conn, saved.id) == _geopandas_summary(conn, saved.id)
    conn.execute(
        text("UPDATE business SET status = 'ceased' WHERE id = ANY(:ids)"), {"ids": ids[:50]}
    )
    conn.execute(
        text(
            "UPDATE business SET geom = ST_Translate(geom, 0.002, 0), employees_estimate = 3 "
            "WHERE id = ANY(:ids)"
        ),
        {"ids": ids[50:120]},
    )
    conn.execute(text("DELETE FROM business WHERE id = ANY(:ids)"), {"ids": ids[120:160]})
    assert dashboard.summary(conn, saved.id) == _geopandas_summary(conn, saved.id)
    version = int(focus_areas.all_areas(conn).set_index("id").loc[saved.id, "version"])
    focus_areas.update_shape(conn, planner, saved.id, version, NEAR_EAST_PARK_ROAD.buffer(-0.002))
    assert dashboard.summary(conn, saved.id) == _geopandas_summary(conn, saved.id)
    summary_rows = conn.execute(
        text("SELECT count(*) FROM business_grid_summary WHERE businesses <= 0")
    ).scalar_one()
    assert summary_rows == 0
