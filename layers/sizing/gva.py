"""The sector's economic contribution from official figures.

The ONS publishes the gross value added of manufacturing SIC 13-15 (textiles, wearing apparel and
leather) for the ITL3 areas: Leicester (TLF21) and Leicestershire CC and Rutland (TLF22). For an
ITL3 area that is the figure; for a smaller area (a district within TLF22, a ward, an MSOA, a
hexagon, a focus area) the ITL3 figure is shared out by the area's part of the register's
employees in SIC 13-15 within that ITL3 area: an apportionment, which assumes every job in
the sector adds the same value within an ITL3 area. Wholesale (SIC 46.41, 46.42) is outside
SIC 13-15, so its businesses get no share. GVA per job is a derived figure: official GVA divided
by the register's employees in SIC 13-15.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.core.db import Bind
from layers.reference import economy

#: The ITL3 areas of Leicester and Leicestershire, with their ONS names.
ITL3_AREAS = {"TLF21": "Leicester", "TLF22": "Leicestershire CC and Rutland"}
#: The ITL3 area of each district (ONS codes): Leicester is an ITL3 area of its own; the seven
#: districts of Leicestershire are in TLF22 with Rutland.
ITL3_OF_DISTRICT = {
    "E06000016": "TLF21",
    **{f"E07000{n}": "TLF22" for n in range(129, 136)},
}
#: Sectors inside SIC 13-15 (the register's sector codes).
MANUFACTURING = ("13", "14", "15")
METHOD = (
    "Apportioned: the ONS GVA of SIC 13-15 for the ITL3 area, shared out by the area's part of "
    "the register's employees in SIC 13-15 within that ITL3 area (every job assumed to add the "
    "same value). Wholesale (SIC 46.41, 46.42) is outside SIC 13-15 and gets no share."
)
ASSUMPTIONS = (
    "TLF22 includes Rutland, which the register's districts do not cover: its share stays with "
    "the seven Leicestershire districts.",
    "Employees are the register's estimates; businesses without one get no share.",
)


@dataclass(frozen=True)
class OfficialGva:
    """The newest official GVA of the sector per ITL3 area and the register employees it is
    shared among."""

    year: int | None
    source: str
    gbp_by_itl3: Mapping[str, float]
    employees_by_itl3: Mapping[str, int]
    series: pd.DataFrame

    @property
    def loaded(self) -> bool:
        """True when the ONS figures are in the published-figures store."""
        return self.year is not None

    def per_job(self, itl3: str) -> float | None:
        """Derived GVA per job (£) in ``itl3``: official GVA ÷ register employees in SIC 13-15;
        None without figures or employees."""
        employees = self.employees_by_itl3.get(itl3, 0)
        gbp = self.gbp_by_itl3.get(itl3)
        return gbp / employees if gbp is not None and employees > 0 else None

    def caption(self) -> str:
        """The figures, year and source, to show beside every apportioned number."""
        if not self.loaded:
            return (
                "No official GVA is loaded (sectormap import reference loads the ONS regional "
                "GVA tables), so no economic contribution is shown."
            )
        figures = "; ".join(
            f"{ITL3_AREAS[code]} ({code}) £{gbp / 1e6:,.0f}m"
            + (f", £{self.per_job(code):,.0f} per register job (derived)"
               if self.per_job(code) else "")
            for code, gbp in self.gbp_by_itl3.items()
        )  # fmt: skip
        return f"GVA of SIC 13-15 in {self.year}: {figures}. {METHOD} Source: {self.source}."


def official(bind: Bind, employees_by_district: Mapping[str, int]) -> OfficialGva:
    """The newest official GVA of SIC 13-15 for the ITL3 areas, with the register's employees in
    SIC 13-15 per ITL3 area (from ``employees_by_district``, by district code)."""
    series = economy.series(bind, list(ITL3_AREAS))
    employees = itl3_employees(employees_by_district)
    if series.empty:
        return OfficialGva(None, economy.SOURCE, {}, employees, series)
    year = int(series["year"].max())
    latest = series[series["year"] == year]
    return OfficialGva(
        year=year,
        source=f"{latest['source'].iloc[0]}. {economy.ATTRIBUTION}",
        gbp_by_itl3={
            code: float(value) * 1e6
            for code, value in zip(latest["region_code"], latest["gbp_million"], strict=True)
        },
        employees_by_itl3=employees,
        series=series,
    )


def itl3_employees(employees_by_district: Mapping[str, int]) -> dict[str, int]:
    """Employees per ITL3 area from employees per district (districts outside the two ITL3
    areas count for neither)."""
    out = dict.fromkeys(ITL3_AREAS, 0)
    for district, employees in employees_by_district.items():
        itl3 = ITL3_OF_DISTRICT.get(district)
        if itl3 is not None:
            out[itl3] += int(employees)
    return out


def apportion(detail: pd.DataFrame, figures: OfficialGva) -> pd.Series:
    """GVA (£) per area ``code``: each SIC 13-15 row of ``detail`` (code, sector, district,
    employees) gets its employees times the derived GVA per job of its district's ITL3 area; rows
    of wholesale or outside the ITL3 areas get nothing. NaN for every area when no official
    figures are loaded."""
    codes = pd.Index(detail["code"].unique(), name="code")
    if not figures.loaded:
        return pd.Series(np.nan, index=codes, dtype=float)
    per_job = {
        district: figures.per_job(itl3) or 0.0 for district, itl3 in ITL3_OF_DISTRICT.items()
    }
    rate = detail["district"].map(per_job).fillna(0.0)
    share = detail["employees"].to_numpy(float) * rate.to_numpy(float)
    share = np.where(detail["sector"].isin(MANUFACTURING), share, 0.0)
    return pd.Series(share, index=detail.index).groupby(detail["code"]).sum().reindex(codes)
