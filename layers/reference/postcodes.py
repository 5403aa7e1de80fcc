"""Postcodes for geocoding: import OS Code-Point Open or the ONS postcode directory (ONSPD).

Code-Point Open has no header row, coordinates in British National Grid (EPSG:27700) and the ward
codes of its release; points are transformed to WGS84 with pyproj, and each postcode's current ward
is found by point-in-polygon against the ward boundaries loaded (``assign_wards``).

Code-Point Open lists only the live postcodes of its areas at its release (the date in the
``metadata.txt`` it ships with). A postcode that an older release listed and a newer one of its
area does not has been terminated: it is kept, flagged, so old addresses still geocode, and live
postcodes are preferred wherever a choice is made. A newer release is never overwritten by an
older one loaded after it. The ONS postcode directory lists terminated postcodes itself
(``doterm``).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
from pyproj import Transformer
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame
from layers.core.db import Bind, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.people import audit, rights
from layers.people.identity import User

log = logging.getLogger(__name__)

CODEPOINT_COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_CHUNK_ROWS = 200_000
_BNG_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


@dataclass(frozen=True)
class PostcodeImport:
    """What one postcode import did."""

    format: str
    loaded: int
    without_coordinates: int
    wards_assigned: int
    release: dt.date
    terminated: int


def normalise_postcode(value: str | None) -> str | None:
    """``'le1  1aa'`` → ``'LE1 1AA'``; None when it is not a well-formed UK postcode."""
    if value is None:
        return None
    compact = re.sub(r"\s+", "", str(value)).upper()
    match = _POSTCODE.match(compact[:-3] + " " + compact[-3:]) if len(compact) >= 5 else None
    return f"{match.group(1)} {match.group(2)}" if match else None


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Vectorised ``normalise_postcode``: malformed values become <NA>."""
    compact = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    spaced = compact.str[:-3] + " " + compact.str[-3:]
    return spaced.where(spaced.str.fullmatch(_POSTCODE.pattern, na=False))


def detect_format(path: Path) -> str:
    """``codepoint`` or ``onspd``, from the first line of the file."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = next(csv.reader(handle), None)
    if not first:
        raise ValidationError("is empty", file=path.name)
    lowered = [c.strip().lower() for c in first]
    if "pcds" in lowered or "pcd" in lowered:
        return "onspd"
    if len(first) == len(CODEPOINT_COLUMNS) and normalise_postcode(first[0]):
        return "codepoint"
    raise ValidationError(
        "is neither OS Code-Point Open (no header, 10 columns, a postcode first) nor the ONS "
        f"postcode directory (a header with pcds); its first line has {len(first)} columns",
        file=path.name,
        row=1,
    )


_RELEASE_LINE = re.compile(r"^RM UPDATE DATE:\s*(\d{8})\s*$", re.MULTILINE)


def release_of(path: Path) -> dt.date | None:
    """The release date of a Code-Point Open file: the Royal Mail update date in the
    ``metadata.txt`` the product ships beside it (in the same folder, or its ``Doc`` folder);
    None when there is none."""
    for folder in (path.parent, path.parent.parent / "Doc", path.parent.parent / "doc"):
        metadata = folder / "metadata.txt"
        if metadata.is_file():
            found = _RELEASE_LINE.search(metadata.read_text(encoding="latin-1"))
            if found:
                return dt.datetime.strptime(found.group(1), "%Y%m%d").date()
    return None


def _codepoint_chunks(handle: IO[bytes]) -> Iterator[pd.DataFrame]:
    reader = pd.read_csv(
        handle,
        header=None,
        names=CODEPOINT_COLUMNS,
        dtype="string",
        chunksize=_CHUNK_ROWS,
        encoding="latin-1",
    )
    for chunk in reader:
        eastings = pd.to_numeric(chunk["EA"], errors="coerce")
        northings = pd.to_numeric(chunk["NO"], errors="coerce")
        lon, lat = _BNG_TO_WGS84.transform(eastings.to_numpy(float), northings.to_numpy(float))
        has_point = ((eastings > 0) & (northings > 0)).to_numpy()
        frame = pd.DataFrame(
            {
                "postcode": normalise_postcodes(chunk["PC"]),
                "lon": lon,
                "lat": lat,
                "positional_quality_raw": chunk["PQ"].replace("", pd.NA),
                "district_code": chunk["DC"].replace("", pd.NA),
                "ward_code_source": chunk["WC"].replace("", pd.NA),
                "terminated": False,
            }
        )[has_point]
        # Code-Point Open has no header: row i of the file is line i + 1.
        yield _checked(frame, Path(handle.name).name, frame.index + 1)


def _onspd_chunks(handle: IO[bytes]) -> Iterator[pd.DataFrame]:
    reader = pd.read_csv(handle, dtype="string", chunksize=_CHUNK_ROWS, encoding="utf-8-sig")
    for chunk in reader:
        chunk.columns = [c.strip().lower() for c in chunk.columns]
        missing = {"lat", "long"} - set(chunk.columns)
        if missing:
            raise ValidationError(
                f"the ONS postcode directory has no {sorted(missing)} column",
                file=Path(handle.name).name,
                row=1,
            )
        postcode_col = "pcds" if "pcds" in chunk.columns else "pcd"
        lat = pd.to_numeric(chunk["lat"], errors="coerce")
        lon = pd.to_numeric(chunk["long"], errors="coerce")
        has_point = (lat.between(49, 61) & lon.between(-9, 3)).to_numpy()
        terminated = chunk["doterm"].notna() if "doterm" in chunk.columns else False
        blank = pd.Series(pd.NA, index=chunk.index, dtype="string")
        frame = pd.DataFrame(
            {
                "postcode": normalise_postcodes(chunk[postcode_col]),
                "lon": lon,
                "lat": lat,
                "positional_quality_raw": chunk.get("osgrdind", blank),
                "district_code": chunk.get("oslaua", blank),
                "ward_code_source": chunk.get("osward", blank),
                "terminated": terminated,
            }
        )[has_point]
        # The header is line 1: row i of the data is line i + 2.
        yield _checked(frame, Path(handle.name).name, frame.index + 2)


#: A district or ward code of the ONS (E06000016, E05010458) or blank.
_AREA_CODE = r"[EWSN]\d{8}"
#: Code-Point Open's positional quality indicator, and the ONS directory's grid indicator.
_QUALITY = (0, 100)


def _checked(chunk: pd.DataFrame, file: str, lines: pd.Index) -> pd.DataFrame:
    """Refuse (naming the line) a quality indicator out of range or a district or ward code
    that is not an ONS code: the file is loaded whole or not at all."""
    quality = chunk["positional_quality_raw"]
    number = pd.to_numeric(quality, errors="coerce")
    bad = quality.notna() & (number.isna() | ~number.between(*_QUALITY))
    problems = [("positional quality", bad, quality)]
    for column in ("district_code", "ward_code_source"):
        codes = chunk[column]
        problems.append(
            (column.replace("_source", "").replace("_", " "),
             codes.notna() & ~codes.astype("string").str.fullmatch(_AREA_CODE, na=False), codes)
        )  # fmt: skip
    for label, mask, values in problems:
        if mask.any():
            at = int(mask.to_numpy().nonzero()[0][0])
            raise ValidationError(
                f"the {label} {str(values.iloc[at])[:20]!r} is not valid",
                file=file,
                row=int(lines[at]),
            )
    return chunk.assign(positional_quality=number.astype("Int16")).drop(
        columns="positional_quality_raw"
    )


def _unreadable(error: Exception, file: str) -> ValidationError:
    """A malformed line of a postcode file, as a person reads it: which line, what was wrong."""
    message = str(error).strip().splitlines()[-1]
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        expected, line, saw = found.groups()
        return ValidationError(
            f"the line has {saw} fields where {expected} were expected", file=file, row=int(line)
        )
    return ValidationError(f"is not a readable postcode file ({message})", file=file)


_UPSERT = """
INSERT INTO postcode (postcode, geom, positional_quality, district_code, ward_code_source, source,
    released, terminated)
SELECT DISTINCT ON (postcode) postcode, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
    positional_quality, district_code, ward_code_source, :source, :release, terminated
FROM postcode_load ORDER BY postcode
ON CONFLICT (postcode) DO UPDATE SET geom = EXCLUDED.geom,
    positional_quality = EXCLUDED.positional_quality, district_code = EXCLUDED.district_code,
    ward_code_source = EXCLUDED.ward_code_source, source = EXCLUDED.source,
    released = EXCLUDED.released,
    -- terminated by a newer release than the one given again (the same) stays terminated
    terminated = EXCLUDED.terminated
        OR (postcode.terminated AND postcode.released = EXCLUDED.released)
WHERE postcode.released IS NULL OR postcode.released <= EXCLUDED.released
"""
#: The postcode area (the leading letters) of ``postcode``.
_AREA = "substring(postcode from '^[A-Z]+')"


def import_postcodes(
    bind: Bind,
    user: User,
    path: Path,
    *,
    release: dt.date | None = None,
    progress: Progress = no_progress,
) -> PostcodeImport:
    """Load a postcode file (format detected); a postcode loaded before is updated, never
    duplicated, unless what holds it is from a newer release. ``release`` is the file's date
    (default: its ``metadata.txt``, else today). A Code-Point Open file lists every live
    postcode of its areas, so the postcodes of those areas that only older releases list are
    flagged terminated. All or nothing: one transaction. Returns the counts."""
    rights.require_importer(bind, user, "import postcodes", object_type="postcode")
    fmt = detect_format(path)
    release = release or release_of(path) or dt.date.today()
    read_chunks = _codepoint_chunks if fmt == "codepoint" else _onspd_chunks
    total_bytes = max(path.stat().st_size, 1)
    loaded = skipped = 0
    with transaction(bind) as conn, path.open("rb") as handle:
        conn.execute(
            text(
                "CREATE TEMP TABLE postcode_load (postcode text, lon float8, lat float8, "
                "positional_quality smallint, district_code text, ward_code_source text, "
                "terminated boolean)"
            )
        )
        try:
            for chunk in read_chunks(handle):
                good = chunk.dropna(subset=["postcode"]).drop_duplicates("postcode", keep="last")
                skipped += len(chunk) - len(good)
                loaded += copy_frame(conn, "postcode_load", good)
                progress(min(handle.tell(), total_bytes), total_bytes, f"{loaded:,} postcodes")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise _unreadable(exc, path.name) from None
        conn.execute(text(_UPSERT), {"source": source_name(path), "release": release})
        areas = [
            str(area)
            for area in conn.execute(
                text(f"SELECT DISTINCT {_AREA} FROM postcode_load")  # noqa: S608 - constant
            ).scalars()
        ]
        if fmt == "codepoint":
            conn.execute(
                text(
                    "UPDATE postcode SET terminated = true WHERE NOT terminated "  # noqa: S608
                    f"AND (released IS NULL OR released < :release) AND {_AREA} = ANY(:areas)"
                ),
                {"release": release, "areas": areas},
            )
        terminated = int(
            conn.execute(
                text(f"SELECT count(*) FROM postcode WHERE terminated AND {_AREA} = ANY(:areas)"),  # noqa: S608
                {"areas": areas},
            ).scalar_one()
        )
        conn.execute(text("DROP TABLE postcode_load"))
        wards = assign_wards(conn)
        audit.imported(
            conn, user, object_type="postcode", file=path.name,
            detail={"loaded": loaded, "skipped": skipped, "release": release.isoformat(),
                    "terminated": terminated},
        )  # fmt: skip
        analyze(conn, "postcode")
    progress(total_bytes, total_bytes, f"{loaded:,} postcodes")
    log.info(
        "%s postcodes loaded from %s (%s format); %s without coordinates or malformed",
        f"{loaded:,}",
        path.name,
        fmt,
        f"{skipped:,}",
    )
    return PostcodeImport(fmt, loaded, skipped, wards, release, terminated)


def source_name(path: Path) -> str:
    """How a postcode file is named in the table: its folder and name (two releases of
    Code-Point Open both call their file ``le.csv``)."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def assign_wards(conn: Connection) -> int:
    """Set every postcode's current ward by point-in-polygon against the ward boundaries loaded;
    returns how many postcodes lie in a ward."""
    conn.execute(
        text(
            "UPDATE postcode p SET ward_code = NULL WHERE ward_code IS NOT NULL AND NOT EXISTS ("
            "SELECT 1 FROM boundary w WHERE w.kind = 'ward' AND w.code = p.ward_code "
            "AND ST_Intersects(w.geom, p.geom))"
        )
    )
    conn.execute(
        text(
            "UPDATE postcode p SET ward_code = w.code FROM boundary w "
            "WHERE w.kind = 'ward' AND ST_Intersects(w.geom, p.geom) "
            "AND p.ward_code IS DISTINCT FROM w.code"
        )
    )
    return int(
        conn.execute(text("SELECT count(*) FROM postcode WHERE ward_code IS NOT NULL")).scalar_one()
    )


def postcode_count(bind: Bind) -> int:
    """How many postcodes are loaded."""
    with reading(bind) as conn:
        return int(conn.execute(text("SELECT count(*) FROM postcode")).scalar_one())


def release_years(bind: Bind) -> set[int]:
    """The years of the Code-Point Open releases the loaded postcodes come from (2014 for
    postcodes loaded before releases were kept)."""
    with reading(bind) as conn:
        return {
            int(year)
            for year in conn.execute(
                text(
                    "SELECT DISTINCT coalesce(extract(year FROM released)::int, 2014) FROM postcode"
                )
            ).scalars()
        }
