"""Cells that leave the database for a spreadsheet: formula injection neutralised.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) are neutralised by a leading apostrophe, as OWASP recommends for CSV injection.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``'=cmd()'`` → ``"'=cmd()"``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
