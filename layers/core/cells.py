"""Cells that leave the database for a spreadsheet: formula injection neutralised, and the
control characters no spreadsheet format can hold removed.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) are neutralised by a leading apostrophe, as OWASP recommends for CSV injection. Control
characters other than tab, line feed and carriage return (which Excel's XML cannot hold, and
which only ever arrive by mistake) are dropped.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UNHOLDABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: object) -> object:
    """``'=cmd()'`` → ``"'=cmd()"``; control characters a spreadsheet cannot hold are dropped;
    anything else unchanged."""
    if not isinstance(value, str):
        return value
    value = _UNHOLDABLE.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def annotated_csv(frame: pd.DataFrame, notes: list[str]) -> bytes:
    """``frame`` as neutralised UTF-8 CSV, followed by ``notes`` (method, sources, licences)
    as ``#`` comment lines."""
    text = neutralise_frame(frame).to_csv(index=False)
    return (text + "".join(f"# {line}\n" for line in notes)).encode("utf-8")
