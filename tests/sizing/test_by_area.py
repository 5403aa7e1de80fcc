"""Sector sizing by every geography, checked against independent computations over the same
rows (h3 for hexagons, geopandas for boundaries and focus areas)."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pytest
from shapely.geometry import box
from sqlalchemy import Connection, text

from layers.areas import focus_areas
from layers.core.errors import ValidationError
from layers.sizing import by_area
from tests.support import make_user


@pytest.fixture
def scattered(conn: Connection) -> gpd.GeoDataFrame:
    """150 businesses over Leicester and around it (some ceased, some without an estimate); the
    current ones as geopandas reads them."""
    rng = np.random.default_rng(5)
    for i in range(150):
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, employees_estimate, "
                "employees_low, employees_high, status) VALUES (:n, :s, 'cmt', "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :e, :lo, :hi, :st)"
            ),
            {
                "n": f"T size {i}",
                "s": str(rng.choice(["13", "14", "15"])),
                "lon": float(rng.uniform(-1.22, -1.04)),
                "lat": float(rng.uniform(52.58, 52.70)),
                "e": None if i % 10 == 0 else int(rng.integers(1, 60)),
                "lo": None,
                "hi": None,
                "st": "ceased" if i % 7 == 0 else "active",
            },
        )
    frame = gpd.read_postgis(
        "SELECT id, sector, coalesce(employees_estimate, 0) AS employees, geom FROM business "
        "WHERE status IN ('active', 'dormant')",
        conn,
        geom_col="geom",
    )
    return frame


def test_hexagons_match_h3_computed_row_by_row(
    conn: Connection, scattered: gpd.GeoDataFrame
) -> None:
    found = by_area.size(conn, "h3", resolution=8)
    cells = [h3.latlng_to_cell(p.y, p.x, 8) for p in scattered.geometry]
    expected = scattered.assign(code=cells).groupby("code")["employees"].agg(["size", "sum"])
    table = found.areas.set_index("code")
    assert set(table.index) == set(expected.index)
    assert (table["businesses"] == expected["size"].reindex(table.index)).all()
    assert (table["employees"] == expected["sum"].reindex(table.index)).all()
    assert found.areas.crs.to_epsg() == 4326
    assert found.totals["businesses"] == len(scattered)


def test_wards_match_a_geopandas_join_counting_each_business_once(
    conn: Connection, scattered: gpd.GeoDataFrame
) -> None:
    wards = gpd.read_postgis(
        "SELECT code, geom AS ward FROM boundary WHERE kind = 'ward'", conn, geom_col="ward"
    )
    joined = gpd.sjoin(scattered, wards, predicate="intersects").sort_values("code")
    first = joined.drop_duplicates("id")  # the first ward by code, as sizing does
    expected = first.groupby("code")["employees"].agg(["size", "sum"])
    found = by_area.size(conn, "ward").areas.set_index("code")
    assert len(found) == len(wards)  # every ward, empty ones with zero
    assert found["businesses"].sum() == expected["size"].sum() < len(scattered)
    assert (found["businesses"].reindex(expected.index) == expected["size"]).all()
    assert (found["employees"].reindex(expected.index) == expected["sum"]).all()


def test_density_and_the_official_contribution_beside_every_area(
    conn: Connection, scattered: gpd.GeoDataFrame
) -> None:
    found = by_area.size(conn, "district")
    row = found.areas.iloc[0]
    assert row["per_km2"] == pytest.approx(row["businesses"] / row["area_km2"], abs=0.01)
    caption = found.gva.caption()
    assert "Office for National Statistics" in caption and str(found.gva.year) in caption
    record = found.as_records()[0]
    assert {"code", "name", "businesses", "employees", "gva_gbp", "gva_year", "gva_source",
            "gva_method"} <= set(record)  # fmt: skip


def test_focus_areas_count_every_business_inside_each(
    conn: Connection, scattered: gpd.GeoDataFrame
) -> None:
    planner = make_user(conn, "t_size_planner", "planner")
    shapes = {
        "T west": box(-1.20, 52.60, -1.12, 52.66),
        "T overlap": box(-1.14, 52.60, -1.06, 52.66),
    }
    for name, shape in shapes.items():
        focus_areas.create(conn, planner, focus_areas.AreaDetails(name=name), shape)
    found = by_area.size(conn, "area").areas.set_index("name")
    for name, shape in shapes.items():
        inside = scattered[scattered.intersects(shape)]
        assert found.loc[name, "businesses"] == len(inside)
        assert found.loc[name, "employees"] == inside["employees"].sum()


def test_unsupported_choices_are_refused(conn: Connection) -> None:
    with pytest.raises(ValidationError, match="resolution 12"):
        by_area.size(conn, "h3", resolution=12)
    with pytest.raises(ValidationError, match="cannot size by 'county'"):
        by_area.size(conn, "county")


def test_breakdowns_by_sector_and_activity_add_up_to_the_areas(
    conn: Connection, scattered: gpd.GeoDataFrame
) -> None:
    found = by_area.size(conn, "district")
    for column in ("sector", "activity"):
        table = found.breakdown(column)
        totals = table.groupby("code")["businesses"].sum()
        areas = found.areas.set_index("code")["businesses"]
        assert (totals == areas.reindex(totals.index)).all()
        assert table[column].notna().all()  # every code has its label
