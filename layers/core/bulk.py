"""Bulk loading with PostgreSQL COPY, inside the caller's transaction."""

from __future__ import annotations

import io
import re

import geopandas as gpd
import pandas as pd
import shapely
from psycopg import sql
from sqlalchemy import Connection

from layers.core.db import Bind, reading

#: A ``:name`` parameter (not a ``::type`` cast), as SQLAlchemy's text() writes them.
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
#: Rows per COPY block: big enough to be fast, small enough to keep memory bounded.
BLOCK_ROWS = 50_000


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY every row of ``frame`` into ``table`` (columns named as the frame's); return the count.

    Geometry columns must hold hex EWKB (``shapely.to_wkb(..., hex=True, include_srid=True)``);
    list columns are written as PostgreSQL array literals by the caller. Runs on the caller's
    connection, so it commits or rolls back with the rest of the caller's transaction.
    """
    if frame.empty:
        return 0
    raw = conn.connection.driver_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, NULL '\\N')").format(
        sql.Identifier(*table.split(".")),
        sql.SQL(", ").join(sql.Identifier(column) for column in frame.columns),
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(frame), BLOCK_ROWS):
            buffer = io.StringIO()
            frame.iloc[start : start + BLOCK_ROWS].to_csv(
                buffer, header=False, index=False, na_rep="\\N"
            )
            copy.write(buffer.getvalue())
    return len(frame)


def analyze(conn: Connection, *tables: str) -> None:
    """Refresh the planner's statistics of ``tables`` after a bulk load, on the caller's
    connection. ANALYZE is transactional: it must run in the transaction that commits the load
    (or after it), never in one that is rolled back, or the new statistics are thrown away and
    the planner keeps estimating from an empty table."""
    statement = sql.SQL("ANALYZE {}").format(
        sql.SQL(", ").join(sql.Identifier(*table.split(".")) for table in tables)
    )
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(statement)


def pg_array(values: list[str] | tuple[str, ...]) -> str:
    """A PostgreSQL text-array literal for COPY, e.g. ``{"13","14"}``."""
    escaped = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(escaped) + "}"


def copy_out(bind: Bind, query: str, params: dict[str, object] | None = None) -> io.BytesIO:
    """The rows of ``query`` (with ``:name`` parameters, as elsewhere) as CSV with a header,
    streamed out with COPY in the caller's transaction: many times faster than fetching rows
    one Python object at a time."""
    buffer = io.BytesIO()
    with reading(bind) as conn:
        raw = conn.connection.driver_connection
        statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(
            sql.SQL(_NAMED.sub(r"%(\1)s", query.replace("%", "%%")))  # type: ignore[arg-type]
        )
        with raw.cursor() as cursor, cursor.copy(statement, params) as copy:
            for chunk in copy:
                buffer.write(chunk)
    buffer.seek(0)
    return buffer


def read_copy(
    bind: Bind, query: str, params: dict[str, object] | None = None, *, geometry: str = "geom"
) -> gpd.GeoDataFrame:
    """The rows of ``query`` through ``copy_out``: values as text (dates in ISO form),
    integers as nullable integers, and the ``geometry`` column (hex EWKB) as WGS84
    geometries."""
    buffer = copy_out(bind, query, params)
    frame = pd.read_csv(buffer, dtype_backend="numpy_nullable", keep_default_na=False,
                        na_values=[""], dtype={geometry: str})  # fmt: skip
    shapes = shapely.from_wkb(frame.pop(geometry).fillna("").replace("", None).to_numpy())
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=4326), crs=4326)
