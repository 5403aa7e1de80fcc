"""Register businesses for the network tests."""

from __future__ import annotations

from sqlalchemy import Connection, text

#: East Park Road, Leicester (inside the districts the tests load).
LAT, LON = 52.6395, -1.1010


def business(conn: Connection, name: str, number: str | None = None, **values: object) -> int:
    """A business in the register, at East Park Road unless told otherwise."""
    lat, lon = values.pop("lat", LAT), values.pop("lon", LON)
    columns = {
        "name": name,
        "sector": "14",
        "activity": "cmt",
        "company_number": number,
        "address": "1 East Park Road",
        "postcode": "LE5 4QD",
        **values,
    }
    return int(
        conn.execute(
            text(
                f"INSERT INTO business ({', '.join(columns)}, geom) VALUES "  # noqa: S608 - test
                f"({', '.join(':' + c for c in columns)}, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) RETURNING id"
            ),
            {**columns, "lat": lat, "lon": lon},
        ).scalar_one()
    )
