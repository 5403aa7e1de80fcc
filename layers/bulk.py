"""Bulk loading with PostgreSQL COPY, inside the caller's transaction."""

from __future__ import annotations

import io

import pandas as pd
from psycopg import sql
from sqlalchemy import Connection

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


def pg_array(values: list[str] | tuple[str, ...]) -> str:
    """A PostgreSQL text-array literal for COPY, e.g. ``{"13","14"}``."""
    escaped = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(escaped) + "}"
