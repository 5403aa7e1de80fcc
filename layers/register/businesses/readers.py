"""Readers of business files: each yields chunks of standard records (``records.FIELDS`` plus
``row``), so even a file of millions of rows is read with bounded memory.

Formats: the Companies House free company data product (CSV exactly as published), any CSV or
Excel file with a column mapping, and GeoJSON / GeoPackage points.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from pyarrow import csv as pa_csv

from layers.core import fields
from layers.core.errors import ValidationError
from layers.core.spatial_files import read_wgs84
from layers.register.businesses.records import FIELDS, parse_sic_codes

CHUNK_ROWS = 100_000
#: Bytes the CSV parser takes at a time: small blocks keep its read-ahead (and memory) small;
#: they are gathered into chunks of CHUNK_ROWS rows.
CSV_BLOCK_BYTES = 1 << 20
FORMATS = ("companies-house", "csv", "xlsx", "geojson", "gpkg")

#: Companies House column (header stripped of its stray spaces) → standard field.
COMPANIES_HOUSE_COLUMNS = {
    "CompanyName": "name",
    "CompanyNumber": "company_number",
    "RegAddress.CareOf": None,
    "RegAddress.POBox": None,
    "RegAddress.AddressLine1": "address",
    "RegAddress.AddressLine2": None,
    "RegAddress.PostTown": None,
    "RegAddress.PostCode": "postcode",
    "CompanyStatus": "status",
    "IncorporationDate": "first_seen",
    "SICCode.SicText_1": "sic_codes",
    "SICCode.SicText_2": None,
    "SICCode.SicText_3": None,
    "SICCode.SicText_4": None,
}
COMPANIES_HOUSE_REQUIRED = (
    "CompanyName",
    "CompanyNumber",
    "RegAddress.PostCode",
    "SICCode.SicText_1",
)


@dataclass
class Source:
    """A file to import, how to read it, and which of its columns fed each field."""

    path: Path
    format: str
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> dict[str, str]:
        """Field → the file's column name, for messages."""
        return self.mapping


def detect_format(path: Path) -> str:
    """The format of ``path`` from its extension and, for CSV, its header."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".gpkg":
        return "gpkg"
    header = {c.strip() for c in _csv_header(path)}
    if {"CompanyNumber", "SICCode.SicText_1"} <= header:
        return "companies-house"
    if {"CompanyName", "CompanyNumber"} <= header:
        missing = sorted(
            c for c in COMPANIES_HOUSE_COLUMNS if c not in header and c.startswith("SICCode")
        ) or sorted(c for c in COMPANIES_HOUSE_COLUMNS if c not in header)
        raise ValidationError(
            f"looks like the Companies House company data product but lacks its columns "
            f"{missing}: use the file as published",
            file=path.name,
            row=1,
        )
    return "csv"


def _check_text(path: Path) -> str:
    """Return the file's delimiter; refuse empty, non-UTF-8 and binary files clearly."""
    with path.open("rb") as handle:
        sample = handle.read(65_536)
    if not sample.strip():
        raise ValidationError("is empty", file=path.name)
    if b"\0" in sample:
        raise ValidationError("is not a text (CSV) file", file=path.name)
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not merely a character cut at the sample's end
            line = sample[: exc.start].count(b"\n") + 1
            raise ValidationError(
                "is not UTF-8 text; save it as 'CSV UTF-8' and import it again",
                file=path.name,
                row=line,
            ) from exc
        text = sample[: exc.start].decode("utf-8-sig")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _csv_layout(path: Path) -> tuple[str, list[str]]:
    """The file's delimiter and header, after the checks of ``_check_text``."""
    delimiter = _check_text(path)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return delimiter, next(csv.reader(handle, delimiter=delimiter), [])


def _csv_header(path: Path) -> list[str]:
    return _csv_layout(path)[1]


class _RaggedRows:
    """Collects the rows whose number of fields differs from the header's, as the CSV parser
    meets them (its ``invalid_row_handler``), so they are reported, never silently read."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, int, int, str]] = []  # (row, expected, found, text)
        self._reported = 0

    def __call__(self, row: pa_csv.InvalidRow) -> str:
        self.rows.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    def numbers(self) -> set[int]:
        """The row numbers met so far."""
        return {row for row, *_ in self.rows}

    def since_last(self) -> list[dict[str, object]]:
        """The rows met since the last call, as rejects (row, column, value, reason)."""
        fresh, self._reported = self.rows[self._reported :], len(self.rows)
        return [
            {
                "row": row,
                "column": "(whole row)",
                "value": text[:200],
                "reason": f"has {found} fields where the header has {expected}: a stray "
                "delimiter, a missing one, or a line break outside quotes",
            }
            for row, expected, found, text in fresh
        ]


def _row_numbers(first: int, count: int, ragged: set[int]) -> np.ndarray:
    """The file row numbers of ``count`` good rows read from row ``first`` on, passing over
    the ragged rows the parser skipped."""
    candidates = np.arange(first, first + count + len(ragged))
    if ragged:
        candidates = candidates[~np.isin(candidates, list(ragged))]
    return candidates[:count]


def _gathered(batches: pa_csv.CSVStreamingReader) -> Iterator[pa.Table]:
    """The parser's record batches regrouped into tables of CHUNK_ROWS rows (the last one
    shorter), so each chunk is worth its validation and COPY."""
    waiting: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        waiting.append(batch)
        rows += batch.num_rows
        while rows >= CHUNK_ROWS:
            table = pa.Table.from_batches(waiting)
            yield table.slice(0, CHUNK_ROWS)
            rest = table.slice(CHUNK_ROWS)
            waiting, rows = rest.to_batches(), rest.num_rows
    if rows or not waiting:
        yield pa.Table.from_batches(waiting, schema=batches.schema)


#: Which rows of a block to keep, as a boolean Arrow array (decided before pandas sees them).
RowFilter = Callable[[pa.Table], pa.ChunkedArray]


def _read_csv_chunks(
    path: Path,
    layout: tuple[str, list[str]],
    usecols: list[str] | None,
    keep: RowFilter | None = None,
) -> Iterator[pd.DataFrame]:
    """The file's rows as text, a block at a time, each row indexed by its row number in the
    file (the header is row 1). A row with too many or too few fields is not read: it comes
    back in the chunk's ``attrs["ragged"]`` as a reject record. With ``keep``, only the rows it
    keeps come back, and ``attrs["skipped"]`` says how many it left out. ``layout`` is the
    file's delimiter and header (``_csv_layout``)."""
    delimiter, named = layout
    # Columns without a name (the trailing commas a spreadsheet leaves) are not read.
    header = [c for c in named if c.strip()]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ValidationError(
            f"names the column(s) {repeated} more than once in its header", file=path.name, row=1
        )
    columns = usecols if usecols is not None else header
    ragged = _RaggedRows()
    try:
        reader = pa_csv.open_csv(
            path,
            # One thread, so the parser knows each row's number for the rejects report.
            read_options=pa_csv.ReadOptions(use_threads=False, block_size=CSV_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=ragged
            ),
            convert_options=pa_csv.ConvertOptions(
                include_columns=columns,
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        start = 2
        for table in _gathered(reader):
            numbers = _row_numbers(start, table.num_rows, ragged.numbers())
            start = int(numbers[-1]) + 1 if len(numbers) else start
            skipped = 0
            if keep is not None:
                kept = keep(table)
                table = table.filter(kept)
                numbers = numbers[kept.to_numpy(zero_copy_only=False)]
                skipped = len(kept) - table.num_rows
            chunk = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
            chunk.index = pd.Index(numbers)
            chunk.attrs = {"ragged": ragged.since_last(), "skipped": skipped}
            yield chunk
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise ValidationError(
                "is not UTF-8 text; save it as 'CSV UTF-8' and import it again", file=path.name
            ) from exc
        raise ValidationError(
            f"cannot be read as CSV ({str(exc).strip()})", file=path.name
        ) from exc


def companies_house_chunks(
    path: Path, sector_prefixes: tuple[str, ...], watch: frozenset[str] = frozenset()
) -> Iterator[pd.DataFrame]:
    """Standard records from the Companies House free company data product: only companies with
    a SIC code in the sector; how many others each chunk held is in ``attrs["skipped"]``, its
    rows with the wrong number of fields are in ``attrs["ragged"]``, and the company numbers of
    ``watch`` it holds, in any sector, are in ``attrs["seen"]``."""
    delimiter, header = layout = _csv_layout(path)
    if delimiter != ",":
        raise ValidationError(
            f"columns are separated by {delimiter!r}; the Companies House file is comma-separated",
            file=path.name,
            row=1,
        )
    stripped = {c.strip(): c for c in header}
    missing = [c for c in COMPANIES_HOUSE_REQUIRED if c not in stripped]
    if missing:
        raise ValidationError(
            f"is missing the Companies House columns {missing}", file=path.name, row=1
        )
    usecols = [stripped[c] for c in COMPANIES_HOUSE_COLUMNS if c in stripped]
    sic_columns = [c for c in usecols if c.strip().startswith("SICCode.SicText_")]
    # A SIC text starts with its five-digit code: "14190 - Manufacture of other wearing apparel".
    in_sector = (
        "^\\s*(?:"
        + "|".join(re.escape(p) + f"\\d{{{max(0, 5 - len(p))}}}" for p in sector_prefixes)
        + ")"
    )

    watched = pa.array(sorted(watch), type=pa.string())
    number_column = stripped["CompanyNumber"]
    seen: set[str] = set()

    def keep(table: pa.Table) -> pa.ChunkedArray:
        if len(watched):
            numbers = pc.utf8_upper(pc.utf8_trim_whitespace(table[number_column]))
            seen.update(pc.filter(numbers, pc.is_in(numbers, value_set=watched)).to_pylist())
        # Most of the register is outside the sector: it is dropped before pandas sees it.
        matches = [pc.match_substring_regex(table[c], in_sector) for c in sic_columns]
        return functools.reduce(pc.or_, matches)

    sic_fields = [c.strip() for c in sic_columns]
    for chunk in _read_csv_chunks(path, layout, usecols, keep):
        chunk.columns = [c.strip() for c in chunk.columns]
        records = pd.DataFrame(
            {
                "row": chunk.index,
                "name": chunk["CompanyName"],
                "company_number": chunk["CompanyNumber"],
                "sic_codes": chunk[sic_fields].apply(lambda texts: parse_sic_codes(*texts), axis=1)
                if len(chunk)
                else pd.Series(dtype=object),
                "address": _join_address(chunk),
                "postcode": chunk["RegAddress.PostCode"],
                "status": chunk.get("CompanyStatus"),
                # Read (and refused when unreadable) by records.validate, like every format's.
                "first_seen": chunk.get("IncorporationDate"),
            },
            index=chunk.index,
        )
        records.attrs = {**chunk.attrs, "seen": set(seen)}
        yield records


def _join_address(chunk: pd.DataFrame) -> pd.Series:
    """Care-of, PO box, address lines and post town, joined with commas, blanks left out."""
    joined = pd.Series("", index=chunk.index, dtype="string")
    for column in (
        "RegAddress.CareOf",
        "RegAddress.POBox",
        "RegAddress.AddressLine1",
        "RegAddress.AddressLine2",
        "RegAddress.PostTown",
    ):
        if column not in chunk:
            continue
        part = chunk[column].fillna("").str.strip()
        joined = joined.where(part.eq(""), joined.where(joined.eq(""), joined + ", ") + part)
    return joined


def load_mapping(path: Path) -> dict[str, str]:
    """A column mapping from a JSON file: ``{"name": "Business name", "postcode": "PC", ...}``."""
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"is not a JSON column mapping ({exc})", file=path.name) from exc
    check_mapping(mapping, source=path.name)
    return mapping


def check_mapping(mapping: object, *, source: str = "mapping") -> None:
    """Refuse a mapping that is not ``{field: column}`` over known fields."""
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationError("a mapping is an object of field → column name", file=source)
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ValidationError(
            f"unknown fields {unknown}; the fields are {list(FIELDS)}", file=source
        )


def default_mapping(columns: list[str]) -> dict[str, str]:
    """Map columns whose names are the field names (ignoring case, spaces and dashes)."""
    keys = {c.strip().lower().replace(" ", "_").replace("-", "_"): c for c in columns}
    return {f: keys[f] for f in FIELDS if f in keys}


def _mapped(frame: pd.DataFrame, mapping: dict[str, str], file: str) -> pd.DataFrame:
    missing = sorted({c for c in mapping.values() if c not in frame.columns})
    if missing:
        raise ValidationError(
            f"has no columns {missing} (the mapping names them); its columns "
            f"are {list(frame.columns)}",
            file=file,
            row=1,
        )
    if "name" not in mapping:
        columns = [str(c) for c in frame.columns if str(c) not in ("lat", "lon")]
        raise ValidationError(
            (
                f"has no column for the business name (its columns are {columns}); name it in "
                "the mapping (field 'name')"
            )
            if columns
            else "its features have no properties: a business list needs at least a name",
            file=file,
        )
    if "postcode" not in mapping and not {"lat", "lon"} <= set(mapping):
        raise ValidationError(
            "the mapping gives no postcode column and no lat/lon columns", file=file
        )
    out = pd.DataFrame(
        {
            f: frame[c] if f in _TYPED_FIELDS else frame[c].map(_cell_text)
            for f, c in mapping.items()
        },
        index=frame.index,
    )
    out = out.assign(row=frame.index)
    out.attrs = dict(frame.attrs)
    return out


#: Fields whose cells keep their type for records.validate (a real date cell stays a date, a
#: number a number); every other field is text.
_TYPED_FIELDS = frozenset({"first_seen", "employees_estimate", "employees_low", "employees_high",
                           "lat", "lon", "sic_codes"})  # fmt: skip


def _cell_text(value: object) -> object:
    """A spreadsheet cell as text: a whole number without '.0' (a company number typed as a
    number), a date as ISO; blanks stay missing."""
    if fields.is_blank(value):
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value)


def table_chunks(source: Source) -> Iterator[pd.DataFrame]:
    """Standard records from a CSV or Excel file through ``source.mapping``."""
    path = source.path
    if source.format == "xlsx":
        try:
            # Cells keep their types: a date cell is a date, not text read again day-first.
            frame = pd.read_excel(path, dtype=object, keep_default_na=False).replace("", None)
        except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ValidationError(
                f"is not a readable Excel workbook ({exc})", file=path.name
            ) from exc
        frame.index = range(2, len(frame) + 2)
        chunks: Iterator[pd.DataFrame] = (
            frame.iloc[i : i + CHUNK_ROWS] for i in range(0, max(len(frame), 1), CHUNK_ROWS)
        )
    else:
        chunks = _read_csv_chunks(path, _csv_layout(path), None)
    for chunk in chunks:
        mapping = source.mapping or default_mapping(list(chunk.columns))
        source.mapping = mapping
        yield _mapped(chunk, mapping, path.name)


def _point_of(geometry: shapely.Geometry | None) -> tuple[object, object] | None:
    """(lon, lat) of a feature: a point as it is, another shape's representative point (repaired
    first if invalid); ('NaN', 'NaN') when its coordinates are not numbers, for the row to be
    rejected as such."""
    if geometry is None or geometry.is_empty:
        return None
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        return ("NaN", "NaN")
    point = shapely.make_valid(geometry).representative_point()
    return (point.x, point.y)


def spatial_chunks(source: Source) -> Iterator[pd.DataFrame]:
    """Standard records from GeoJSON or GeoPackage features (points; other shapes give their
    representative point), in WGS84."""
    path = source.path
    frame = read_wgs84(path, whole_file=False)  # coordinates are checked row by row
    frame.index = range(2, len(frame) + 2)
    # An invalid shape (a self-crossing outline, say) is repaired before its point is taken.
    points = frame.geometry.map(_point_of)
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype("string")
    table["lat"] = points.map(lambda p: p[1] if p is not None else None)
    table["lon"] = points.map(lambda p: p[0] if p is not None else None)
    mapping = source.mapping or default_mapping(list(table.columns))
    mapping = {**mapping, "lat": "lat", "lon": "lon"}
    source.mapping = mapping
    yield _mapped(table, mapping, path.name)


def chunks(
    source: Source, *, sector_prefixes: tuple[str, ...], watch: frozenset[str] = frozenset()
) -> Iterator[pd.DataFrame]:
    """Standard records of any supported format (``watch``: company numbers to look out for
    in a Companies House file, see ``companies_house_chunks``)."""
    if not source.path.exists():
        raise ValidationError("does not exist", file=str(source.path))
    if source.format == "companies-house":
        source.mapping = {f: c for c, f in COMPANIES_HOUSE_COLUMNS.items() if f}
        return companies_house_chunks(source.path, sector_prefixes, watch)
    if source.format in ("geojson", "gpkg"):
        return spatial_chunks(source)
    if source.format in ("csv", "xlsx"):
        return table_chunks(source)
    raise ValidationError(f"unknown format {source.format!r}; use one of {', '.join(FORMATS)}")


def columns_of(source: Source) -> list[str]:
    """The column names of a file, for the mapping step (geometry excluded)."""
    if source.format in ("csv", "companies-house"):
        return [c.strip() for c in _csv_header(source.path)]
    if source.format == "xlsx":
        try:
            return [str(c) for c in pd.read_excel(source.path, nrows=0).columns]
        except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ValidationError(
                f"is not a readable Excel workbook ({exc})", file=source.path.name
            ) from exc
    try:
        info = pyogrio.read_info(source.path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ValidationError(
            f"not a readable GeoJSON or GeoPackage ({exc})", file=source.path.name
        ) from exc
    return [str(c) for c in info["fields"]]
