"""ONS regional gross value added by industry, kept in the published-figures store.

The ONS workbook "Regional gross value added (balanced) by industry: all ITL regions" gives, per
ITL region and SIC 2007 industry group, the GVA at current prices in £ million for each year
since 1998 (Table 3c for ITL3, 2c for ITL2). Its CSV exports have the columns ``ITL code``,
``Region name``, ``SIC07 code``, ``SIC07 description`` and one column per year; values carry
thousands separators (``"9,996"``). Spreadsheet software turned some codes into dates before
the export (``02-Mar`` for 02-03): codes are kept exactly as published and the sector's row is
found by its intact code ``CB (13-15)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from layers.core.bulk import analyze, copy_frame
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.people import audit, rights
from layers.people.identity import User

log = logging.getLogger(__name__)

SOURCE = "ONS, Regional gross value added (balanced) by industry: all ITL regions"
LICENCE = "Open Government Licence v3.0"
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0."
)
#: SIC 2007 group CB: manufacture of textiles, wearing apparel and leather (divisions 13-15).
SECTOR_INDUSTRY = "CB (13-15)"
TOTAL_INDUSTRY = "Total"
_HEADINGS = {
    "ITL code": "region_code",
    "Region name": "region_name",
    "SIC07 code": "industry_code",
    "SIC07 description": "industry",
}
_YEAR = re.compile(r"(19|20)\d\d")
#: How the ONS marks a value it does not publish (suppressed, not available, not applicable).
_NOT_PUBLISHED = {"", "..", "-", ":", "[c]", "[x]", "[z]", "[low]", "*"}
_REGION_CODE = re.compile(r"[A-Z0-9]{2,9}")


@dataclass(frozen=True)
class GvaImport:
    """What one GVA table import did."""

    release: str
    values: int
    regions: int
    years: tuple[int, int]


def release_of(path: Path) -> str:
    """The release a GVA file belongs to, from the last year in its name
    (``gva_itl3_current_prices_2024.csv`` → ``2024``)."""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.stem)
    if not years:
        raise ValidationError(
            "its name does not say which ONS release it is (a year such as 2024): give "
            "--release", file=path.name,
        )  # fmt: skip
    return years[-1]


def _refuse_first(
    rows: pd.DataFrame,
    bad: pd.Series,
    path: Path,
    say: Callable[[pd.Series], tuple[str, str]],
) -> None:
    """Refuse the file at the first of ``rows`` marked ``bad``, with the message and column
    ``say`` gives for it."""
    marked = rows[bad.reindex(rows.index)]
    if len(marked):
        at = marked.iloc[0]
        message, column = say(at)
        raise ValidationError(message, file=path.name, row=int(at["row"]), column=column)


def read_gva_table(path: Path) -> pd.DataFrame:
    """The values of an ONS regional GVA table (CSV) as one row per region, industry and year:
    region_code, region_name, industry_code, industry, year, gbp_million.

    Columns are found by their headings, so the ITL2 and ITL3 tables and later releases with
    more or fewer years read alike. Values the ONS does not publish (blank, ``..``, ``[c]``)
    are left out; anything else that is not a number is refused with its row and column
    (the header is row 1).
    """
    try:
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(
            f"is not a readable CSV table ({str(exc).strip().splitlines()[-1]})", file=path.name
        ) from None
    except pd.errors.EmptyDataError:
        raise ValidationError("is empty", file=path.name) from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [heading for heading in _HEADINGS if heading not in table.columns]
    if missing:
        raise ValidationError(
            f"has no {', '.join(repr(m) for m in missing)} column; an ONS regional GVA table "
            f"has {', '.join(_HEADINGS)} and a column per year (found: "
            f"{', '.join(table.columns[:8])})", file=path.name, row=1,
        )  # fmt: skip
    years = [c for c in table.columns if _YEAR.fullmatch(c)]
    if not years:
        raise ValidationError("has no year columns (1998, 1999, …)", file=path.name, row=1)
    table = table.rename(columns=_HEADINGS)
    keys = list(_HEADINGS.values())
    for column in keys:
        table[column] = table[column].str.strip()
    table["row"] = table.index + 2
    _refuse_first(
        table, ~table["region_code"].str.fullmatch(_REGION_CODE.pattern), path,
        lambda at: (f"the region code {at['region_code'][:20]!r} is not an ITL code", "ITL code"),
    )  # fmt: skip
    _refuse_first(
        table, table.duplicated(["region_code", "industry_code", "industry"]), path,
        lambda at: (f"{at['region_code']} {at['industry_code']} appears twice", "SIC07 code"),
    )  # fmt: skip
    values = table.melt(id_vars=[*keys, "row"], value_vars=years, var_name="year", value_name="raw")
    raw = values["raw"].str.strip()
    published = ~raw.isin(_NOT_PUBLISHED)
    number = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
    _refuse_first(
        values.sort_values("row", kind="stable"), (published & number.isna()), path,
        lambda at: (f"the value {at['raw'][:20]!r} is not a number of £ million", str(at["year"])),
    )  # fmt: skip
    out = values[published].assign(
        year=lambda f: f["year"].astype(int), gbp_million=number[published]
    )
    return out[[*keys, "year", "gbp_million"]].reset_index(drop=True)


def import_gva(
    bind: Bind,
    user: User,
    path: Path,
    *,
    release: str | None = None,
    progress: Progress = no_progress,
) -> GvaImport:
    """Load an ONS regional GVA table into the published-figures store, replacing what the
    same release said of the same regions (so a second load changes nothing, and the ITL2
    and ITL3 tables of one release sit side by side). All or nothing. Returns the counts."""
    rights.require_importer(bind, user, "import official GVA figures", object_type="official_gva")
    release = (release or release_of(path)).strip()
    if not release or len(release) > 40:
        raise ValidationError("the release must be a short name such as 2024", file=path.name)
    progress(0, 2, "reading the GVA table")
    frame = read_gva_table(path)
    if frame.empty:
        raise ValidationError("has no published values", file=path.name)
    regions = sorted(frame["region_code"].unique())
    progress(1, 2, f"{len(frame):,} values")
    with transaction(bind) as conn:
        conn.execute(
            text("DELETE FROM official_gva WHERE release = :release AND region_code = ANY(:codes)"),
            {"release": release, "codes": regions},
        )
        copy_frame(
            conn,
            "official_gva",
            frame.assign(release=release, source=f"{SOURCE}, {release} release", licence=LICENCE),
        )
        audit.imported(
            conn, user, object_type="official_gva", file=path.name,
            detail={"release": release, "values": len(frame), "regions": len(regions)},
        )  # fmt: skip
        analyze(conn, "official_gva")
    progress(2, 2, "GVA loaded")
    log.info("%s GVA values for %s regions loaded from %s", f"{len(frame):,}", len(regions),
             path.name)  # fmt: skip
    return GvaImport(
        release=release,
        values=len(frame),
        regions=len(regions),
        years=(int(frame["year"].min()), int(frame["year"].max())),
    )


def series(bind: Bind, regions: list[str], *, industry: str = SECTOR_INDUSTRY) -> pd.DataFrame:
    """The newest release's values of ``industry`` for ``regions``, by year: region_code,
    region_name, year, gbp_million, release, source, licence (empty when none is loaded)."""
    return read_frame(
        bind,
        "SELECT region_code, region_name, year, gbp_million::float AS gbp_million, release, "
        "source, licence FROM official_gva g "
        "WHERE industry_code = :industry AND region_code = ANY(:regions) "
        "AND release = (SELECT max(release) FROM official_gva "
        "WHERE industry_code = :industry AND region_code = ANY(:regions)) "
        "ORDER BY region_code, year",
        {"industry": industry, "regions": regions},
    )


def has_figures(bind: Bind) -> bool:
    """True when any ONS GVA table is loaded."""
    with reading(bind) as conn:
        return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM official_gva)")).scalar_one())
