"""An analyst's own lists for the hidden-sector estimate: a CSV table with one 0/1 column per
list and a final ``count`` column, one row per capture history seen (the layout of the
published data sets and of the R packages that carry them)."""

from __future__ import annotations

import csv
from pathlib import Path

from layers.core.errors import ValidationError
from layers.sizing.loglinear import CaptureTable

#: Lists beyond this make a table of more than 4,095 histories: no published analysis has more.
MOST_LISTS = 12


def read_capture_table(path: Path) -> CaptureTable:
    """The capture table in ``path``; a ValidationError names the file, row and column of the
    first thing wrong (rows are counted as lines, the header being row 1)."""
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise ValidationError("is not UTF-8 text (save it as CSV UTF-8)", file=name) from None
    except csv.Error as exc:
        raise ValidationError(f"is not a readable CSV table ({exc})", file=name) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationError("is empty: it needs a header of list names and count", file=name)
    header = [cell.strip() for cell in rows[0]]
    lists = _list_names(header, name)
    seen: dict[tuple[int, ...], int] = {}
    first_row: dict[tuple[int, ...], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValidationError(
                f"has {len(row)} values where the header has {len(header)}", file=name, row=number
            )
        history = tuple(_flag(row[i], name, number, lists[i]) for i in range(len(lists)))
        count = _count(row[-1], name, number, header[-1])
        if not any(history):
            raise ValidationError(
                "is on no list: the cases no list has seen are what is being estimated, so "
                "they cannot be counted",
                file=name,
                row=number,
            )
        if history in first_row:
            raise ValidationError(
                f"repeats the capture history of row {first_row[history]}; give each once",
                file=name,
                row=number,
            )
        first_row[history] = number
        seen[history] = count
    table = CaptureTable.from_counts(lists, seen)
    if table.observed == 0:
        raise ValidationError("counts no case", file=name)
    for index, list_name in enumerate(lists):
        if not any(count for history, count in seen.items() if history[index]):
            raise ValidationError(
                "holds no case: leave the list out or check its column", file=name, column=list_name
            )
    return table


def _list_names(header: list[str], name: str) -> list[str]:
    if header[-1].lower() != "count":
        raise ValidationError(
            f"its last column must be 'count' (found {header[-1]!r})", file=name, row=1
        )
    lists = header[:-1]
    if len(lists) < 2:
        raise ValidationError("needs at least two list columns before count", file=name, row=1)
    if len(lists) > MOST_LISTS:
        raise ValidationError(
            f"has {len(lists)} lists; at most {MOST_LISTS} can be estimated", file=name, row=1
        )
    for index, list_name in enumerate(lists):
        if not list_name:
            raise ValidationError(f"column {index + 1} has no list name", file=name, row=1)
        if list_name in lists[:index]:
            raise ValidationError("names a list twice", file=name, row=1, column=list_name)
    return lists


def _flag(value: str, name: str, row: int, column: str) -> int:
    text = value.strip().removesuffix(".0")  # R and spreadsheets may write 1.0
    if text not in ("0", "1"):
        raise ValidationError(f"must be 0 or 1, not {text!r}", file=name, row=row, column=column)
    return int(text)


def _count(value: str, name: str, row: int, column: str) -> int:
    text = value.strip().replace(",", "").removesuffix(".0")
    try:
        count = int(text)
    except ValueError:
        raise ValidationError(
            f"must be a whole number of cases, not {value.strip()!r}", file=name, row=row,
            column=column,
        ) from None  # fmt: skip
    if count < 0:
        raise ValidationError(
            f"cannot be negative ({count})", file=name, row=row, column=column
        )  # fmt: skip
    return count
