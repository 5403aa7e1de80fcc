"""Files in the published formats the network imports read: Companies House's PSC snapshot
(JSON Lines) and Open Supply Hub facility downloads (CSV, both layouts)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

SNAPSHOT_DATE = "2026-11-30"

#: The 17 columns of older Open Supply Hub downloads.
OSH_OLD = [
    "os_id",
    "contribution_date",
    "name",
    "address",
    "country_code",
    "country_name",
    "lat",
    "lng",
    "sector",
    "contributor (list)",
    "number_of_workers",
    "parent_company",
    "processing_type_facility_type_raw",
    "facility_type",
    "processing_type",
    "product_type",
    "is_closed",
]
#: Newer downloads: claim, partner and wage columns between and after.
OSH_NEW = (
    OSH_OLD[:16]
    + [
        "is_claimed",
        "claimed_name",
        "claimed_address",
        "claimed_sector",
        "opening_date",
        "closing_date",
        "estimated_annual_throughput",
        "actual_annual_energy_consumption",
    ]
    + ["is_closed"]
    + [f"partner_field_{n}" for n in range(1, 34)]
)


def individual(
    company: str,
    psc: str,
    name: str,
    month: int,
    year: int,
    *,
    elements: dict[str, str] | None = None,
    ceased_on: str | None = None,
    notified_on: str = "2019-04-06",
) -> dict[str, Any]:
    """An individual person with significant control, as one snapshot record."""
    data: dict[str, Any] = {
        "kind": "individual-person-with-significant-control",
        "name": name,
        "date_of_birth": {"month": month, "year": year},
        "nationality": "British",
        "country_of_residence": "England",
        "address": {
            "premises": "1",
            "address_line_1": "High Street",
            "locality": "Leicester",
            "postal_code": "LE1 1AA",
        },
        "natures_of_control": ["ownership-of-shares-75-to-100-percent"],
        "notified_on": notified_on,
        "etag": f"etag-{psc}",
        "links": {"self": f"/company/{company}/persons-with-significant-control/individual/{psc}"},
    }
    if elements:
        data["name_elements"] = elements
    if ceased_on:
        data["ceased_on"] = ceased_on
    return {"company_number": company, "data": data}


def corporate(company: str, psc: str, name: str, number: str) -> dict[str, Any]:
    """A corporate entity with significant control, identified by its registration number."""
    return {
        "company_number": company,
        "data": {
            "kind": "corporate-entity-person-with-significant-control",
            "name": name,
            "identification": {
                "registration_number": number,
                "legal_authority": "Companies Act 2006",
                "legal_form": "Private Limited Company",
                "country_registered": "England",
            },
            "natures_of_control": ["voting-rights-75-to-100-percent"],
            "notified_on": "2020-01-01",
            "links": {
                "self": f"/company/{company}/persons-with-significant-control/"
                f"corporate-entity/{psc}"
            },
        },
    }


def statement(company: str) -> dict[str, Any]:
    """A statement that the company knows of no registrable person."""
    return {
        "company_number": company,
        "data": {
            "kind": "persons-with-significant-control-statement",
            "statement": "no-individual-or-entity-with-signficant-control",
            "notified_on": "2021-02-01",
            "links": {"self": f"/company/{company}/persons-with-significant-control-statements/s1"},
        },
    }


def totals(persons: int, statements: int) -> dict[str, Any]:
    """The final line of a snapshot."""
    return {
        "data": {
            "kind": "totals#persons-of-significant-control-snapshot",
            "persons_of_significant_control_count": persons,
            "statements_count": statements,
            "exemptions_count": 0,
            "generated_at": f"{SNAPSHOT_DATE}T06:00:00Z",
        }
    }


def write_snapshot(path: Path, records: list[dict[str, Any] | str]) -> Path:
    """A snapshot file: each record as one compact JSON line (a string is written as it is,
    for a malformed line)."""
    lines = [r if isinstance(r, str) else json.dumps(r, separators=(",", ":")) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def facility(
    os_id: str,
    name: str,
    address: str,
    lat: float,
    lng: float,
    contributors: str,
    *,
    closed: bool = False,
    country: str = "GB",
    workers: str = "11-50",
) -> dict[str, str]:
    """One facility row of a download."""
    return {
        "os_id": os_id,
        "contribution_date": "2026-10-01",
        "name": name,
        "address": address,
        "country_code": country,
        "country_name": "United Kingdom",
        "lat": str(lat),
        "lng": str(lng),
        "sector": "Apparel",
        "contributor (list)": contributors,
        "number_of_workers": workers,
        "parent_company": "",
        "facility_type": "Final Product Assembly",
        "processing_type": "Cut & Sew",
        "product_type": "Garments",
        "processing_type_facility_type_raw": "",
        "is_closed": "True" if closed else "False",
    }


def write_download(path: Path, rows: list[dict[str, str]], *, layout: list[str] = OSH_OLD) -> Path:
    """An Open Supply Hub download with the given columns (missing ones left empty)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=layout, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in layout})
    return path
