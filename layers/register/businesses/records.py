"""Incoming business records: the standard fields every reader produces, and their validation.

Readers hand over chunks with the standard columns (``FIELDS``) plus ``row``, the row number a
person sees in a spreadsheet (the header is row 1). ``validate`` splits a chunk into records to
load, rows skipped because they are not of the sector or the area (counted, not errors), and rows
rejected with the column, the value and the reason. A record may lack a sector (no SIC code and no
sector column) as long as it matches a business already known; the import rejects it otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.core import fields, vocab
from layers.reference.postcodes import normalise_postcodes

#: The fields an import can fill, with what they mean.
FIELDS: dict[str, str] = {
    "name": "Registered or trading name (required)",
    "trading_name": "Trading name",
    "company_number": "Companies House number (8 characters)",
    "sic_codes": "SIC codes (5 digits; several separated by commas or semicolons)",
    "sector": "Sector code (13, 14, 15, 46.41, 46.42) when there are no SIC codes",
    "activity": "Activity code (cmt, knitting, dyeing_finishing, ...)",
    "address": "Address",
    "postcode": "Postcode (required unless lat/lon are given)",
    "lat": "Latitude (WGS84)",
    "lon": "Longitude (WGS84)",
    "employees_estimate": "Employees (estimate)",
    "employees_low": "Employees (low)",
    "employees_high": "Employees (high)",
    "status": "Status (active, dormant, ceased)",
    "first_seen": "Date first known (e.g. incorporation)",
}
REJECT_COLUMNS = ["row", "column", "value", "reason"]
_COMPANY_NUMBER = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")
_SIC = re.compile(r"\b(\d{5})\b")


@dataclass
class Checked:
    """One validated chunk."""

    good: pd.DataFrame
    rejects: pd.DataFrame
    skipped: int


def sector_of(sic: str) -> str | None:
    """The sector code of a SIC code, or None when it is outside the sector."""
    if sic.startswith(("4641",)):
        return "46.41"
    if sic.startswith(("4642",)):
        return "46.42"
    if sic[:2] in ("13", "14", "15"):
        return sic[:2]
    return None


#: Activity implied by a SIC code (first match of the longest prefix).
ACTIVITY_BY_SIC = {
    "13300": "dyeing_finishing",
    "1391": "knitting",
    "1431": "knitting",
    "1439": "knitting",
    "1393": "other",
    "13": "other",
    "14": "cmt",
    "15": "other",
    "4641": "wholesale",
    "4642": "wholesale",
}


def activity_of(sic: str) -> str:
    """The activity implied by a SIC code ('other' when nothing more specific is known)."""
    for length in (5, 4, 2):
        if sic[:length] in ACTIVITY_BY_SIC:
            return ACTIVITY_BY_SIC[sic[:length]]
    return "other"


def parse_sic_codes(*texts: object) -> list[str]:
    """Every 5-digit SIC code in the given texts, in order, without repeats.

    ``"14190 - Manufacture of other wearing apparel"`` gives ``["14190"]``; ``"None Supplied"``
    gives nothing.
    """
    codes: list[str] = []
    for value in texts:
        if isinstance(value, str):
            for code in _SIC.findall(value):
                if code not in codes:
                    codes.append(code)
    return codes


def normalise_company_numbers(values: pd.Series) -> pd.Series:
    """Upper-case, strip, and restore leading zeros a spreadsheet dropped (``'1234567'`` →
    ``'01234567'``); empty values become <NA>."""
    cleaned = values.astype("string").str.strip().str.upper().replace("", pd.NA)
    numeric = cleaned.str.fullmatch(r"\d{1,7}", na=False)
    return cleaned.where(~numeric, cleaned.str.zfill(8))


#: The longest a text field may be (a name of 3,000 characters is a mistake, and too long to
#: index).
LONGEST = {"name": 300, "trading_name": 300, "address": 500}
#: Most employees one business can plausibly have here.
MOST_EMPLOYEES = 100_000


def _read_each(
    values: pd.Series, reader: Callable[[object], object]
) -> tuple[pd.Series, pd.Series]:
    """``reader`` applied to every value: the values read (None where unreadable) and the
    reasons (<NA> where it read)."""
    read, reasons = [], []
    for value in values:
        try:
            read.append(reader(value))
            reasons.append(pd.NA)
        except ValueError as exc:
            read.append(None)
            reasons.append(str(exc))
    return (
        pd.Series(read, index=values.index, dtype=object),
        pd.Series(reasons, index=values.index, dtype="string"),
    )


def _reject(
    frame: pd.DataFrame, mask: pd.Series, column: str, values: pd.Series, reason: pd.Series | str
) -> pd.DataFrame:
    rows = frame.loc[mask, "row"]
    reasons = reason[mask] if isinstance(reason, pd.Series) else reason
    return pd.DataFrame(
        {"row": rows, "column": column, "value": values[mask].astype("string"), "reason": reasons}
    )


def validate(
    chunk: pd.DataFrame,
    *,
    sector_prefixes: tuple[str, ...],
    postcode_areas: tuple[str, ...],
    column_names: dict[str, str],
    region: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0),
    today: dt.date | None = None,
) -> Checked:
    """Check one chunk of standard records; see the module docstring for what comes out.

    ``column_names`` gives, for each standard field, the name of the column it came from, so a
    rejection names the column the person knows.
    """
    frame = chunk.copy()
    for field in FIELDS:
        if field not in frame:
            frame[field] = pd.NA
    problems: dict[str, tuple[pd.Series, pd.Series]] = {}
    for field, longest in LONGEST.items():
        read, reasons = _read_each(
            frame[field], lambda v, n=longest: fields.check_text(v, longest=n)
        )
        problems[field] = (frame[field].astype("string"), reasons)
        frame[field] = read.astype("string")
    frame["address"] = frame["address"].fillna("")
    for field in ("employees_estimate", "employees_low", "employees_high"):
        read, reasons = _read_each(
            frame[field], lambda v: fields.read_count(v, most=MOST_EMPLOYEES)
        )
        problems[field] = (frame[field].astype("string"), reasons)
        frame[field] = read.astype("Int64")
    read, reasons = _read_each(frame["first_seen"], lambda v: fields.read_date(v, today=today))
    problems["first_seen"] = (frame["first_seen"].astype("string"), reasons)
    frame["first_seen"] = read
    frame["company_number"] = normalise_company_numbers(frame["company_number"])
    frame["sic_codes"] = frame["sic_codes"].map(
        lambda v: v if isinstance(v, list) else parse_sic_codes(v)
    )
    in_set = frame["sic_codes"].map(
        lambda codes: [c for c in codes if c.startswith(sector_prefixes)]
    )
    given_sector = frame["sector"].astype("string").str.strip()
    has_sic = frame["sic_codes"].map(len) > 0
    frame["sector"] = (
        in_set.map(lambda codes: sector_of(codes[0]) if codes else None)
        .astype("string")
        .fillna(given_sector.where(~has_sic))
    )
    derived = in_set.map(lambda codes: activity_of(codes[0]) if codes else None)
    frame["activity"] = (
        frame["activity"]
        .astype("string")
        .str.strip()
        .replace("", pd.NA)
        .fillna(derived.astype("string"))
    )
    frame["sic_codes"] = in_set.where(in_set.map(len) > 0, frame["sic_codes"])
    raw_postcode = frame["postcode"].astype("string").str.strip()
    frame["postcode"] = normalise_postcodes(raw_postcode)
    for field in ("lat", "lon"):
        given = ~frame[field].map(fields.is_blank)
        number = pd.to_numeric(frame[field], errors="coerce")
        not_number = given & ~np.isfinite(number.astype(float))
        problems[field] = (
            frame[field].astype("string"),
            pd.Series(pd.NA, index=frame.index, dtype="string").mask(not_number, "not a number"),
        )
        frame[field] = number.where(~not_number)
    west, south, east, north = region
    given_point = frame["lat"].notna() & frame["lon"].notna()
    has_point = given_point & frame["lat"].between(south, north) & frame["lon"].between(west, east)
    located = frame["lon"].astype("string") + ", " + frame["lat"].astype("string")

    out_of_sector = frame["sector"].isna() & has_sic
    area = frame["postcode"].str.extract(r"^([A-Z]{1,2})", expand=False)
    out_of_area = frame["postcode"].notna() & ~area.isin(postcode_areas)
    # A company that moved out of the area is kept for the import to update, if the register
    # knows it (by its number); otherwise it is skipped there.
    moving = out_of_area & frame["company_number"].notna() & ~out_of_sector
    frame["moved_away"] = moving
    skipped = out_of_sector | (~out_of_sector & out_of_area & ~moving)
    frame, raw_postcode, given_sector = (
        frame[~skipped],
        raw_postcode[~skipped],
        given_sector[~skipped],
    )

    def name_of(field: str) -> str:
        return column_names.get(field, field)

    unreadable = [
        (field, reasons[frame.index].notna(), raw[frame.index], reasons[frame.index])
        for field, (raw, reasons) in problems.items()
    ]
    low, estimate, high = (
        frame["employees_low"], frame["employees_estimate"], frame["employees_high"]
    )  # fmt: skip
    ranges = (
        "low " + low.astype("string").fillna("—")
        + ", estimate " + estimate.astype("string").fillna("—")
        + ", high " + high.astype("string").fillna("—")
    )  # fmt: skip
    checks = [
        *unreadable,
        ("name", frame["name"].isna(), frame["name"], "the name is empty"),
        (
            "employees_low",
            (low > high) | (low > estimate) | (estimate > high),
            ranges,
            "the employee numbers are out of order: low ≤ estimate ≤ high",
        ),
        (
            "lon",
            given_point[frame.index] & ~has_point[frame.index],
            located[frame.index],
            "the coordinates are outside the region (Leicester and Leicestershire); "
            "is the file's coordinate reference system right?",
        ),
        (
            "postcode",
            frame["postcode"].isna() & raw_postcode.fillna("").eq("") & ~has_point[frame.index],
            raw_postcode,
            "the postcode is missing, and there are no coordinates",
        ),
        (
            "postcode",
            frame["postcode"].isna() & raw_postcode.fillna("").ne(""),
            raw_postcode,
            "not a well-formed UK postcode",
        ),
        (
            "company_number",
            frame["company_number"].notna()
            & ~frame["company_number"].str.fullmatch(_COMPANY_NUMBER.pattern, na=False),
            frame["company_number"],
            "a company number has 8 digits, or 2 letters and 6 digits",
        ),
        (
            "sector",
            frame["sector"].notna() & ~frame["sector"].isin(list(vocab.SECTORS)),
            frame["sector"],
            "unknown sector; use one of " + ", ".join(vocab.SECTORS),
        ),
        (
            "activity",
            frame["activity"].notna() & ~frame["activity"].isin(list(vocab.ACTIVITIES)),
            frame["activity"],
            "unknown activity; use one of " + ", ".join(vocab.ACTIVITIES),
        ),
    ]
    rejects, bad = [], pd.Series(False, index=frame.index)
    for field, mask, values, reason in checks:
        mask = mask.fillna(False) & ~bad  # one reason per row: the first that applies
        if mask.any():
            rejects.append(_reject(frame, mask, name_of(field), values, reason))
            bad |= mask
    good = frame[~bad]
    duplicated = good["company_number"].notna() & good["company_number"].duplicated()
    if duplicated.any():
        first_row = good.drop_duplicates("company_number").set_index("company_number")["row"]
        reason = good["company_number"].map(
            lambda n: f"company number {n} is already in row {first_row.get(n)}"
        )
        rejects.append(
            _reject(good, duplicated, name_of("company_number"), good["company_number"], reason)
        )
        good = good[~duplicated]
    good = good.assign(
        status=good["status"].map(_status).astype("string"),
        precision=np.where(has_point[good.index], "address", None),
    )
    rejected = (
        pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    )
    return Checked(good, rejected, int(skipped.sum()))


def _status(value: object) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if not text or text.startswith("active") or text in vocab.BUSINESS_STATUSES:
        return text if text in vocab.BUSINESS_STATUSES else "active"
    if "dormant" in text:
        return "dormant"
    return "ceased"
