"""Boundaries (districts, wards, MSOAs, LSOAs): import from GeoJSON/GeoPackage and queries."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import text

from layers.core import fields, vocab
from layers.core.bulk import analyze
from layers.core.db import Bind, reading, transaction
from layers.core.errors import ValidationError
from layers.core.spatial_files import polygonal, read_wgs84
from layers.people import audit, rights
from layers.people.identity import User
from layers.reference.postcodes import assign_wards

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoundaryImport:
    """What one boundary import did."""

    loaded: int
    repaired: int
    code_column: str
    name_column: str


def _detect(columns: list[str], given: str | None, exact: str, suffix: str, file: str) -> str:
    if given:
        if given not in columns:
            raise ValidationError(f"no column {given!r}; the columns are {columns}", file=file)
        return given
    if exact in columns:
        return exact
    candidates = [c for c in columns if re.fullmatch(rf"[A-Za-z]+\d{{2}}{suffix}", c, re.I)]
    if len(candidates) == 1:
        return candidates[0]
    option = "--code-column" if exact == "code" else "--name-column"
    raise ValidationError(
        f"cannot tell which column holds the area {exact}s (found {columns}); "
        f"name it with {option}",
        file=file,
    )


def read_boundaries(
    path: Path, *, code_column: str | None = None, name_column: str | None = None
) -> tuple[gpd.GeoDataFrame, int, str, str]:
    """Read and check a boundary file: WGS84 MultiPolygons with a code and a name per area.

    Returns the frame (columns code, name, geometry), how many geometries were repaired, and the
    code and name columns used. Raises ``ValidationError`` naming the file, row and column.
    """
    file = path.name
    frame = read_wgs84(path)
    if frame.empty:
        raise ValidationError("has no features", file=file)
    columns = [c for c in frame.columns if c != "geometry"]
    code_col = _detect(columns, code_column, "code", "CD", file)
    name_col = _detect(columns, name_column, "name", "NM", file)
    codes = frame[code_col].astype("string").str.strip()
    geometries, repaired = [], 0
    for row, (code, geometry) in enumerate(zip(codes, frame.geometry, strict=True), start=1):
        if code is None or code is gpd.pd.NA or not code:
            raise ValidationError("the area code is empty", file=file, row=row, column=code_col)
        if len(code) > 16 or not code.isprintable():
            raise ValidationError(
                f"the area code {code[:20]!r} is not a code (at most 16 printable characters)",
                file=file,
                row=row,
                column=code_col,
            )
        name = frame[name_col].iloc[row - 1]
        try:
            fields.check_text(name, longest=200)
        except ValueError as exc:
            raise ValidationError(
                f"the area name {str(name)[:30]!r}: {exc}", file=file, row=row, column=name_col
            ) from None
        if geometry is None or geometry.is_empty:
            raise ValidationError("the feature has no geometry", file=file, row=row)
        multi, fixed = polygonal(geometry)
        if multi is None:
            raise ValidationError(
                f"the geometry is a {geometry.geom_type}, not a polygon", file=file, row=row
            )
        repaired += fixed
        geometries.append(multi)
    duplicated = codes[codes.duplicated()]
    if not duplicated.empty:
        row = int(duplicated.index[0]) + 1
        raise ValidationError(
            f"area code {duplicated.iloc[0]!r} appears more than once",
            file=file,
            row=row,
            column=code_col,
        )
    result = gpd.GeoDataFrame(
        {"code": codes, "name": frame[name_col].astype("string").str.strip()},
        geometry=geometries,
        crs=4326,
    )
    return result, repaired, code_col, name_col


def import_boundaries(
    bind: Bind,
    user: User,
    path: Path,
    *,
    kind: str,
    code_column: str | None = None,
    name_column: str | None = None,
    source: str | None = None,
) -> BoundaryImport:
    """Load a boundary file as areas of ``kind``; an area already loaded (same kind and code) is
    replaced, so loading a file twice changes nothing. All or nothing: one transaction."""
    rights.require_importer(bind, user, "import boundaries", object_type="boundary")
    if kind not in vocab.BOUNDARY_KINDS:
        raise ValidationError(
            f"unknown boundary kind {kind!r}; use one of {', '.join(vocab.BOUNDARY_KINDS)}"
        )
    frame, repaired, code_col, name_col = read_boundaries(
        path, code_column=code_column, name_column=name_column
    )
    rows = [
        {
            "kind": kind,
            "code": code,
            "name": name,
            "wkb": shapely.to_wkb(geom, hex=True),
            "source": source or path.name,
        }
        for code, name, geom in zip(frame["code"], frame["name"], frame.geometry, strict=True)
    ]
    with transaction(bind) as conn:
        conn.execute(
            text(
                "INSERT INTO boundary (kind, code, name, geom, source) "
                "VALUES (:kind, :code, :name, "
                "ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4326),"
                " :source) "
                "ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom,"
                " source = EXCLUDED.source, loaded_at = now()"
            ),
            rows,
        )
        if kind == "ward":
            assign_wards(conn)
        audit.imported(
            conn, user, object_type="boundary", file=path.name,
            detail={"kind": kind, "boundaries": len(rows), "repaired": repaired},
        )  # fmt: skip
        analyze(conn, "boundary", *(("postcode",) if kind == "ward" else ()))
    log.info(
        "%s %s boundaries loaded from %s (%s repaired)", f"{len(rows):,}", kind, path.name, repaired
    )
    return BoundaryImport(len(rows), repaired, code_col, name_col)


def load_boundary_frame(bind: Bind, kind: str) -> gpd.GeoDataFrame:
    """All boundaries of one kind, as a GeoDataFrame in WGS84 (columns code, name, geometry)."""
    with reading(bind) as conn:
        return gpd.read_postgis(
            text("SELECT code, name, geom FROM boundary WHERE kind = :kind ORDER BY name"),
            conn,
            geom_col="geom",
            params={"kind": kind},
        ).rename_geometry("geometry")


def boundary_counts(bind: Bind) -> dict[str, int]:
    """How many boundaries of each kind are loaded."""
    with reading(bind) as conn:
        rows = conn.execute(text("SELECT kind, count(*) FROM boundary GROUP BY kind"))
        return {kind: int(n) for kind, n in rows}


def kind_of(bind: Bind, code: str) -> tuple[str, str]:
    """The (kind, code) of the loaded boundary with ``code``, or a clear refusal."""
    with reading(bind) as conn:
        kind = conn.execute(
            text("SELECT kind FROM boundary WHERE code = :code ORDER BY kind LIMIT 1"),
            {"code": code},
        ).scalar()
    if kind is None:
        raise ValidationError(f"no boundary with code {code!r} is loaded")
    return str(kind), code
