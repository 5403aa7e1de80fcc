"""The rules of single values, in one place for every importer and form: dates, counts and text.

Each reader returns the clean value or raises ``ValueError`` whose message is the reason a person
reads beside the row and column ("not a date: use DD/MM/YYYY or YYYY-MM-DD"). Nothing is ever
guessed into an empty value: a value that cannot be read is an error, never None.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd

#: Excel counts days from 30 December 1899 (its serial 1 is 1 January 1900; the phantom
#: 29 February 1900 is why the origin is the 30th).
_EXCEL_ORIGIN = dt.date(1899, 12, 30)
#: Serial numbers read as dates: 1 January 1900 to 31 December 2099.
_SERIALS = (1, 73_050)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_WORDS = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_MONTH_NAMES = (
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december",
)
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EARLIEST = dt.date(1850, 1, 1)


def is_blank(value: Any) -> bool:
    """True for None, NaN, NaT, <NA> and text that is only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    missing = pd.isna(value)
    return missing if isinstance(missing, bool) else False


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"no such date ({day:02d}/{month:02d}/{year})") from None


def read_date(value: Any, *, today: dt.date | None = None, future: bool = False) -> dt.date | None:
    """A date as a person or a spreadsheet wrote it: a real date cell, an Excel serial number,
    UK day-first text (04/03/2019, 4-3-2019, 04.03.19, 4 March 2019) or ISO (2019-03-04).
    None only for a blank; anything else unreadable raises ``ValueError`` saying why. Dates
    after ``today`` are refused unless ``future``, and so are dates before 1850."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found = _serial(float(value))
    else:
        found = _date_text(str(value).strip())
    if found < EARLIEST:
        raise ValueError(f"{found:%d/%m/%Y} is before 1850")
    if not future and found > (today or dt.date.today()):
        raise ValueError(f"{found:%d/%m/%Y} is in the future")
    return found


def _serial(number: float) -> dt.date:
    if not math.isfinite(number) or not number.is_integer() or not (
        _SERIALS[0] <= number <= _SERIALS[1]
    ):
        raise ValueError("not a date: a number that is not an Excel date serial")
    return _EXCEL_ORIGIN + dt.timedelta(days=int(number))


def _date_text(text: str) -> dt.date:
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        return _date(year, month, day)
    if match := _WORDS.fullmatch(text):
        month = _MONTHS.get(match.group(2).lower())
        if month is not None:
            return _date(int(match.group(3)), month, int(match.group(1)))
    if text.isdigit() and len(text) == 5:
        return _serial(float(text))
    raise ValueError("not a date: use DD/MM/YYYY or YYYY-MM-DD")


def read_count(value: Any, *, most: int = 100_000) -> int | None:
    """A whole number of people from 0 to ``most``: ``12``, ``12.0``, ``"1,200"``. None only
    for a blank; anything else raises ``ValueError`` saying why."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError("not a whole number") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise ValueError("not a whole number")
    if not math.isfinite(number) or not number.is_integer():
        raise ValueError("not a whole number")
    if number < 0:
        raise ValueError("cannot be negative")
    if number > most:
        raise ValueError(f"more than {most:,} is not plausible here")
    return int(number)


def check_text(value: Any, *, longest: int) -> str | None:
    """Text with its ends trimmed: None for a blank; ``ValueError`` for a control character
    (a NUL, say) or more than ``longest`` characters."""
    if is_blank(value):
        return None
    text = str(value).strip()
    if (found := _CONTROL.search(text)) is not None:
        raise ValueError(f"contains a control character (U+{ord(found.group()):04X})")
    if len(text) > longest:
        raise ValueError(f"{len(text):,} characters; at most {longest:,}")
    return text
