"""Writes files in the Companies House free company data product format, for tests and benchmarks.

The header is the product's own, stray spaces included; every value is quoted; dates dd/mm/yyyy.
Company names are invented; numbers start with 9 (a range Companies House has not issued).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np

HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, "
    "RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,Returns.LastMadeUpDate,"
    "Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,"
    "Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,"
    "SICCode.SicText_4,LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, "
    "PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE, "
    "PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, "
    "PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate, "
    "ConfStmtLastMadeUpDate"
)
COLUMNS = [c.strip() for c in HEADER.split(",")]


def company(
    name: str,
    number: str,
    postcode: str,
    *sic: str,
    status: str = "Active",
    incorporated: str = "29/06/2011",
    line1: str = "1 Mill Lane",
    town: str = "LEICESTER",
) -> dict[str, str]:
    """One company row (only the columns that matter are not blank)."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        {
            "CompanyName": name,
            "CompanyNumber": number,
            "RegAddress.AddressLine1": line1,
            "RegAddress.PostTown": town,
            "RegAddress.PostCode": postcode,
            "CompanyCategory": "Private Limited Company",
            "CompanyStatus": status,
            "CountryOfOrigin": "United Kingdom",
            "IncorporationDate": incorporated,
            "URI": f"http://business.data.gov.uk/id/company/{number}",
        }
    )
    for i, text in enumerate(sic, start=1):
        row[f"SICCode.SicText_{i}"] = text
    return row


def write(
    path: Path,
    rows: Iterable[dict[str, str]],
    *,
    newline: str = "\n",
    encoding: str = "utf-8",
    header: str = HEADER,
) -> Path:
    """Write ``rows`` as the product does: the header line, then every value quoted."""
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(header + newline)
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator=newline)
        for row in rows:
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return path


SIC_TEXTS = {
    "14190": "14190 - Manufacture of other wearing apparel and accessories",
    "14390": "14390 - Manufacture of other knitted and crocheted apparel",
    "13300": "13300 - Finishing of textiles",
    "46420": "46420 - Wholesale of clothing and footwear",
    "70229": "70229 - Management consultancy activities other than financial management",
    "56101": "56101 - Licensed restaurants",
    "99999": "99999 - Dormant Company",
}


def write_large(
    path: Path, rows: int, postcodes: list[str], *, seed: int = 1, sector_share: float = 0.02
) -> Path:
    """A big file like the national register: most companies outside the sector and the area."""
    rng = np.random.default_rng(seed)
    in_sector = ["14190", "14390", "13300", "46420"]
    others = ["70229", "56101", "99999"]
    far = ["LS10 2RU", "RG26 5AT", "M1 1AE", "B1 1AA", "NG1 5FS"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        sector = rng.random(rows) < sector_share
        local = rng.random(rows) < 0.5
        sic_pick = rng.integers(0, 4, rows)
        pc_pick = rng.integers(0, len(postcodes), rows)
        for i in range(rows):
            sic = in_sector[sic_pick[i]] if sector[i] else others[sic_pick[i] % 3]
            postcode = postcodes[pc_pick[i]] if local[i] else far[i % len(far)]
            row = company(f"GENERATED COMPANY {i} LIMITED", f"9{i:07d}", postcode, SIC_TEXTS[sic])
            writer.writerow([row[c] for c in COLUMNS])
    return path
