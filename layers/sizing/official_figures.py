"""Published figures about the sector (source, year, geography, measure, value), kept in a
small editable table and shown beside what the register counts."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from layers.core import vocab
from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.people import access, audit
from layers.people.identity import User

#: What a figure may measure, and how the register counts the same thing.
MEASURES = {"businesses": "Businesses", "employees": "Employees"}
REGION = "Leicester and Leicestershire"
_COLUMNS = ["source", "year", "geography", "measure", "value", "notes"]


def listing(bind: Bind) -> pd.DataFrame:
    """Every figure, newest first: id, source, year, geography, measure, value, notes."""
    return read_frame(
        bind,
        "SELECT id, source, year, geography, measure, value::float AS value, notes "
        "FROM official_figure ORDER BY year DESC, geography, measure, id",
    )


def _checked(rows: pd.DataFrame) -> list[dict[str, object]]:
    out = []
    for number, row in enumerate(rows[_COLUMNS].to_dict("records"), start=1):
        if not str(row["source"] or "").strip():
            raise ValidationError("a figure needs its source", row=number, column="source")
        if row["measure"] not in MEASURES:
            raise ValidationError(
                f"measure must be one of {', '.join(MEASURES)}", row=number, column="measure"
            )
        try:
            year, value = int(row["year"]), float(row["value"])
        except (TypeError, ValueError):
            raise ValidationError(
                "year and value must be numbers", row=number, column="year/value"
            ) from None
        if not 1900 <= year <= 2100 or value < 0:
            raise ValidationError("the year or value is out of range", row=number, column="year")
        out.append(
            {
                **row,
                "year": year,
                "value": value,
                "geography": str(row["geography"] or REGION).strip(),
                "notes": str(row["notes"] or ""),
            }
        )
    return out


def replace(bind: Bind, user: User, rows: pd.DataFrame) -> int:
    """Replace the whole table with ``rows`` (as edited in the page), checked first, in one
    transaction, audited with before and after. Returns the number of figures."""
    if not access.can_edit(user.role) or user.role == "officer":
        audit.refuse(
            bind,
            user,
            f"a {vocab.ROLES[user.role].lower()} cannot edit official figures",
            object_type="official_figure",
        )
    checked = _checked(rows)
    with transaction(bind) as conn:
        before = listing(conn).drop(columns="id").to_dict("records")
        conn.execute(text("DELETE FROM official_figure"))
        if checked:
            conn.execute(
                text(
                    "INSERT INTO official_figure (source, year, geography, measure, value, notes) "
                    "VALUES (:source, :year, :geography, :measure, :value, :notes)"
                ),
                checked,
            )
        audit.edit(
            conn,
            user,
            object_type="official_figure",
            object_id="all",
            before={"rows": before},
            after={"rows": checked},
        )
    return len(checked)


def beside_register(bind: Bind, register: dict[str, float]) -> pd.DataFrame:
    """Each figure for the whole region beside the register's count of the same measure
    (``register``: businesses, employees), with the difference and the ratio."""
    figures = listing(bind)
    figures = figures[figures["geography"].str.lower() == REGION.lower()]
    counted = figures["measure"].map(register).astype(float)
    return pd.DataFrame(
        {
            "source": figures["source"],
            "year": figures["year"],
            "measure": figures["measure"].map(MEASURES),
            "published": figures["value"],
            "register": counted,
            "difference": counted - figures["value"],
            "register share": (counted / figures["value"]).round(2),
        }
    ).reset_index(drop=True)
