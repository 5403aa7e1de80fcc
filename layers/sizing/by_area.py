"""Sector sizing: current businesses (active or dormant), employees (the sum of estimates, with
low and high), density and economic contribution, by district, ward, MSOA, H3 hexagon or focus
area. H3 hexagons need no boundary data.

A business is counted once per boundary geography (in the first area, by code, whose outline
holds it: a point exactly on a shared edge would otherwise count twice), and in every focus
area that holds it (focus areas may overlap).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from h3ronpy.vector import coordinates_to_cells
from pyproj import Transformer
from sqlalchemy import text

from layers.core import hexagons, vocab
from layers.core.bulk import copy_out
from layers.core.db import Bind, read_frame, reading
from layers.core.errors import ValidationError
from layers.core.fragments import CURRENT_BUSINESS
from layers.sizing import gva as official_gva

GEOGRAPHIES = {
    "district": "Districts",
    "ward": "Wards",
    "msoa": "MSOAs",
    "h3": "H3 hexagons",
    "area": "Focus areas",
}
H3_RESOLUTIONS = range(7, 10)


def _stream(bind: Bind, select: str, params: dict[str, object] | None = None) -> pd.DataFrame:
    """The rows of ``select`` through ``bulk.copy_out``, parsed by Arrow."""
    return pd.read_csv(
        copy_out(bind, select, params),
        engine="pyarrow",
        dtype={"sector": str, "activity": str, "district": str},
    ).fillna({"district": ""})


#: The district holding business ``b``, as ``d.district`` (the first by code, as sizing by
#: district counts it; none outside the districts loaded).
_DISTRICT_OF_BUSINESS = (
    "LEFT JOIN LATERAL (SELECT code AS district FROM boundary "
    "WHERE kind = 'district' AND ST_Intersects(geom, b.geom) ORDER BY code LIMIT 1) d ON true"
)
#: Current businesses as sector, activity, employees (0 when unknown), low, high, lat, lon and
#: district.
_POINTS = (
    "SELECT b.sector, b.activity, coalesce(b.employees_estimate, 0) AS employees, "  # noqa: S608 - constant
    "coalesce(b.employees_low, b.employees_estimate, 0) AS employees_low, "
    "coalesce(b.employees_high, b.employees_estimate, 0) AS employees_high, "
    "ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon, coalesce(d.district, '') AS district "
    f"FROM business b {_DISTRICT_OF_BUSINESS} WHERE {CURRENT_BUSINESS} AND b.geom IS NOT NULL"
)
_GRID = 25.0  # metres: the cells of business_grid_summary (migration 0004)
_TO_LONLAT = Transformer.from_crs(27700, 4326, always_xy=True)


def _tally(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.groupby(keys, as_index=False).agg(
        businesses=("employees", "size"),
        employees=("employees", "sum"),
        employees_low=("employees_low", "sum"),
        employees_high=("employees_high", "sum"),
    )


def _whole_cells(cells: pd.DataFrame, resolution: int) -> np.ndarray:
    """For each 25 m grid cell (grid_i, grid_j), the H3 cell holding all of it, or 0 when it
    straddles H3 cells. A square whose four corners share a hexagon lies inside it (both are
    convex; 25 m is far too small for the curvature to tell)."""
    x0 = cells["grid_i"].to_numpy(dtype=float) * _GRID
    y0 = cells["grid_j"].to_numpy(dtype=float) * _GRID
    corners = []
    for dx, dy in ((0, 0), (_GRID, 0), (0, _GRID), (_GRID, _GRID)):
        lon, lat = _TO_LONLAT.transform(x0 + dx, y0 + dy)
        corners.append(
            np.asarray(coordinates_to_cells(np.asarray(lat), np.asarray(lon), resolution))
        )
    first = corners[0]
    same = np.logical_and.reduce([c == first for c in corners[1:]])
    return np.where(same, first, 0)


def _district_cells(bind: Bind, cells: pd.DataFrame) -> np.ndarray:
    """For each 25 m grid cell (grid_i, grid_j), the district holding all of it (with a metre
    to spare, so a business on the edge is never placed by the cell), or '' when it touches a
    district's edge or lies outside every district."""
    with reading(bind) as conn:
        districts = gpd.read_postgis(
            text("SELECT code, geom FROM boundary WHERE kind = 'district' ORDER BY code"),
            conn,
            geom_col="geom",
        ).to_crs(27700)
    x0 = cells["grid_i"].to_numpy(dtype=float) * _GRID
    y0 = cells["grid_j"].to_numpy(dtype=float) * _GRID
    boxes = shapely.box(x0 - 1, y0 - 1, x0 + _GRID + 1, y0 + _GRID + 1)
    out = np.full(len(cells), "", dtype=object)
    for code, outline in zip(districts["code"], districts.geometry, strict=True):
        shapely.prepare(outline)
        out[shapely.contains_properly(outline, boxes) & (out == "")] = code
    return out


def _located(bind: Bind, resolution: int | None) -> pd.DataFrame:
    """Current businesses tallied by district, sector and activity (and by H3 ``cell`` at
    ``resolution``), exactly: grid cells that lie wholly inside one district (and one hexagon)
    are counted from their summaries; only the businesses of the other cells are placed one by
    one."""
    summary = _stream(
        bind,
        "SELECT grid_i, grid_j, sector, activity, businesses, employees, employees_low, "
        "employees_high FROM business_grid_summary",
    )
    cells = summary[["grid_i", "grid_j"]].drop_duplicates(ignore_index=True)
    cells["district"] = _district_cells(bind, cells) if len(cells) else []
    whole = cells["district"] != ""
    keys = ["district", "sector", "activity"]
    if resolution is not None:
        cells["cell"] = _whole_cells(cells, resolution) if len(cells) else []
        whole &= cells["cell"] != 0
        keys = ["cell", *keys]
    summary = summary.merge(cells[whole], on=["grid_i", "grid_j"])
    split = cells[~whole]
    points = _stream(
        bind,
        f"{_POINTS} AND (b.grid_i, b.grid_j) IN "  # noqa: S608 - constant fragment
        "(SELECT * FROM unnest(CAST(:i AS int[]), CAST(:j AS int[])))",
        {"i": split["grid_i"].tolist(), "j": split["grid_j"].tolist()},
    )
    if resolution is not None:
        points["cell"] = (
            np.asarray(
                coordinates_to_cells(points["lat"].to_numpy(), points["lon"].to_numpy(), resolution)
            )
            if len(points)
            else np.zeros(0, dtype=np.uint64)
        )
    counted = ["businesses", "employees", "employees_low", "employees_high"]
    return _tally_detail(
        pd.concat([summary[[*keys, *counted]], _tally(points, keys)], ignore_index=True), keys
    )


def _by_h3(bind: Bind, resolution: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Current businesses per H3 cell, exactly (``_located``)."""
    if resolution not in H3_RESOLUTIONS:
        raise ValidationError(f"H3 resolution {resolution} is not offered; use 7, 8 or 9")
    detail = _located(bind, resolution)
    detail["code"] = [f"{c:x}" for c in detail.pop("cell")]
    totals = _tally_detail(detail, ["code"])
    shaped = hexagons.outlines(totals.rename(columns={"code": "cell"})).rename(
        columns={"cell": "code"}
    )
    shaped.insert(1, "name", shaped["code"])
    return shaped, detail


def _manufacturing_by_district(detail: pd.DataFrame) -> dict[str, int]:
    """The employees in SIC 13-15 of ``detail`` (tallies with a district) per district code."""
    making = detail[detail["sector"].isin(official_gva.MANUFACTURING) & (detail["district"] != "")]
    return {str(k): int(v) for k, v in making.groupby("district")["employees"].sum().items()}


_BOUNDARY_COUNTS = """
SELECT a.code, a.name, b.sector, b.activity, {district_column} AS district,
    count(b.*) AS businesses,
    coalesce(sum(coalesce(b.employees_estimate, 0)), 0) AS employees,
    coalesce(sum(coalesce(b.employees_low, b.employees_estimate, 0)), 0) AS employees_low,
    coalesce(sum(coalesce(b.employees_high, b.employees_estimate, 0)), 0) AS employees_high
FROM business b
CROSS JOIN LATERAL (
    SELECT code, name FROM boundary
    WHERE kind = :kind AND ST_Intersects(geom, b.geom) ORDER BY code LIMIT 1) a
{district}
WHERE {current}
GROUP BY a.code, a.name, b.sector, b.activity, 5
"""

_AREA_COUNTS = """
SELECT f.id::text AS code, f.name, b.sector, b.activity, coalesce(d.district, '') AS district,
    count(*) AS businesses,
    coalesce(sum(coalesce(b.employees_estimate, 0)), 0) AS employees,
    coalesce(sum(coalesce(b.employees_low, b.employees_estimate, 0)), 0) AS employees_low,
    coalesce(sum(coalesce(b.employees_high, b.employees_estimate, 0)), 0) AS employees_high
FROM focus_area f JOIN business b ON ST_Intersects(f.geom, b.geom)
{district}
WHERE {current}
GROUP BY f.id, f.name, b.sector, b.activity, d.district
"""


def _outlines(bind: Bind, by: str) -> gpd.GeoDataFrame:
    sql = (
        "SELECT id::text AS code, name, geom FROM focus_area"
        if by == "area"
        else "SELECT code, name, geom FROM boundary WHERE kind = :kind"
    )
    with reading(bind) as conn:
        return gpd.read_postgis(text(sql), conn, geom_col="geom", params={"kind": by})


def _by_outline(bind: Bind, by: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    # Sized by district, each business's district is the area itself: no second look-up.
    sql = (_AREA_COUNTS if by == "area" else _BOUNDARY_COUNTS).format(
        current=CURRENT_BUSINESS,
        district="" if by == "district" else _DISTRICT_OF_BUSINESS,
        district_column="a.code" if by == "district" else "coalesce(d.district, '')",
    )
    with reading(bind) as conn:
        detail = pd.read_sql(text(sql), conn, params={"kind": by})
    outlines = _outlines(bind, by)
    if outlines.empty:
        raise ValidationError(
            "no focus areas yet"
            if by == "area"
            else f"no {by} boundaries are loaded (sectormap import reference)"
        )
    totals = _tally_detail(detail, ["code"])
    shaped = outlines.merge(totals, on="code", how="left").fillna(
        {c: 0 for c in ("businesses", "employees", "employees_low", "employees_high")}
    )
    return shaped.rename_geometry("geometry"), detail.drop(columns="name")


def _tally_detail(detail: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return detail.groupby(keys, as_index=False)[
        ["businesses", "employees", "employees_low", "employees_high"]
    ].sum()


@dataclass(frozen=True)
class Sizing:
    """The sector by one geography: one row per area, and the same by sector and activity."""

    by: str
    areas: gpd.GeoDataFrame
    detail: pd.DataFrame
    gva: official_gva.OfficialGva

    @property
    def totals(self) -> dict[str, float]:
        """Businesses, employees (low, high) and GVA over every area (for boundary geographies,
        the businesses inside the loaded boundaries)."""
        return {
            column: float(self.areas[column].sum(min_count=1))
            for column in ("businesses", "employees", "employees_low", "employees_high", "gva_gbp")
        }

    def breakdown(self, column: str) -> pd.DataFrame:
        """Businesses and employees per area and ``column`` ('sector' or 'activity', as
        labels), for charts."""
        words = {"sector": vocab.SECTORS, "activity": vocab.ACTIVITIES}[column]
        table = _tally_detail(self.detail, ["code", column])
        names = self.areas.set_index("code")["name"]
        return table.assign(name=table["code"].map(names), **{column: table[column].map(words)})

    def as_records(self) -> list[dict[str, object]]:
        """One plain object per area: code, name, businesses, employees, low, high, km², per
        km², and the apportioned official GVA (£, None when no figures are loaded) with its
        year, source and method."""
        columns = ["code", "name", "businesses", "employees", "employees_low", "employees_high",
                   "area_km2", "per_km2", "gva_gbp"]  # fmt: skip
        frame = pd.DataFrame(self.areas[columns])
        for column in ("businesses", "employees", "employees_low", "employees_high"):
            frame[column] = frame[column].astype(int)
        records = frame.to_dict("records")
        for record in records:
            value = record["gva_gbp"]
            record["gva_gbp"] = None if pd.isna(value) else round(float(value))
            record["gva_year"] = self.gva.year
            record["gva_source"] = self.gva.source if self.gva.loaded else None
            record["gva_method"] = official_gva.METHOD if self.gva.loaded else None
        return records


def size(bind: Bind, by: str, *, resolution: int = 8) -> Sizing:
    """The sector by ``by`` (district, ward, msoa, h3 or area); ``resolution`` for hexagons."""
    if by not in GEOGRAPHIES:
        raise ValidationError(f"cannot size by {by!r}: use {', '.join(GEOGRAPHIES)}")
    areas, detail = _by_h3(bind, resolution) if by == "h3" else _by_outline(bind, by)
    km2 = areas.to_crs(27700).area.to_numpy() / 1e6 if len(areas) else np.zeros(0)
    # Districts and hexagons count every business once, so they hold the ITL3 totals already.
    by_district = (
        _manufacturing_by_district(detail)
        if by in ("district", "h3")
        else _manufacturing_by_district(_located(bind, None))
    )
    money = official_gva.official(bind, by_district)
    shares = official_gva.apportion(detail, money)
    areas = areas.assign(
        area_km2=np.round(km2, 3),
        per_km2=np.round(
            np.divide(areas["businesses"], km2, where=km2 > 0, out=np.zeros(len(areas))), 2
        ),
        gva_gbp=areas["code"].map(shares).fillna(0.0 if money.loaded else np.nan).round(0),
    )
    areas = areas.sort_values(["businesses", "code"], ascending=[False, True], ignore_index=True)
    return Sizing(by, areas, detail, money)


def trend(bind: Bind) -> pd.DataFrame:
    """Businesses trading in each year by sector (labels): a business counts from the year it
    was first seen to the year it was last seen (to this year when it has no last-seen date)."""
    frame = read_frame(
        bind,
        "SELECT y.year, b.sector, count(*) AS businesses FROM business b "
        "CROSS JOIN LATERAL generate_series(extract(year FROM b.first_seen)::int, "
        "extract(year FROM coalesce(b.last_seen, current_date))::int) AS y(year) "
        "WHERE b.status <> 'archived' AND b.first_seen IS NOT NULL "
        "GROUP BY y.year, b.sector ORDER BY y.year, b.sector",
    )
    return frame.assign(sector=frame["sector"].map(vocab.SECTORS))
