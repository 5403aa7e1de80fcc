"""The demo's networks, fictional like the rest: people with significant control (a few shared
across companies, each named from nonsense syllables), fictional brands sourcing from some
workshops through Open Supply Hub style facilities (with one proposed and a few unmatched), and
one phoenix pair in the Imperial Typewriter Building. Written after the register's rows, in the
demo's transaction, from what is stored (so it follows whatever the generator made)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from layers.core.bulk import copy_frame, pg_array
from layers.demo.generator import IMPERIAL, SYLLABLES
from layers.network import names

#: Fictional brands: invented words, no real company's name.
BRANDS = (
    "Vorlane Apparel",
    "Quendra Mode",
    "Tessivo",
    "Brightwick Clothing Co",
    "Halloran & Pike (fictional)",
    "Ostrel Basics",
)
#: Share of companies whose controller also controls another company.
SHARED_SHARE = 0.08
#: Share of workshops (CMT, knitting) disclosed by a brand.
DISCLOSED_SHARE = 0.12
#: The demo's facility downloads are "seen" on this day.
SEEN = dt.date(2026, 10, 1)


def _person_names(rng: np.random.Generator, size: int) -> list[str]:
    syllables = np.array(SYLLABLES)

    def word() -> np.ndarray:
        return np.char.capitalize(
            np.char.add(
                syllables[rng.integers(0, len(syllables), size)],
                syllables[rng.integers(0, len(syllables), size)],
            )
        )

    return list(np.char.add(np.char.add(word(), " "), np.char.upper(word())))


def _people(rng: np.random.Generator, size: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``size`` fictional people, and the one controlling each of ``size`` companies: mostly
    their own, but some control a second or third company."""
    people = pd.DataFrame(
        {
            "name": _person_names(rng, size),
            "birth_year": rng.integers(1955, 1998, size),
            "birth_month": rng.integers(1, 13, size),
        }
    )
    people["person_key"] = [
        names.individual_key(name, None, int(year), int(month))
        for name, year, month in zip(
            people["name"], people["birth_year"], people["birth_month"], strict=True
        )
    ]
    owners = np.arange(size)
    shared = rng.random(size) < SHARED_SHARE
    owners[shared] = rng.integers(0, size, int(shared.sum()))
    return people, owners


def _phoenix(conn: Connection) -> tuple[int, int] | None:
    """A tenant of the Imperial Typewriter Building gets a dissolved predecessor in its unit,
    under a near-identical name; returns (predecessor, successor), None without the
    building."""
    tenant = conn.execute(
        text(
            "SELECT b.id, b.name, b.unit_id, t.start_date, (SELECT max(o.end_date) FROM "
            "tenancy o WHERE o.unit_id = t.unit_id AND o.id <> t.id) AS free_from "
            "FROM business b JOIN site s ON s.id = b.site_id "
            "JOIN tenancy t ON t.business_id = b.id AND t.end_date IS NULL "
            "WHERE s.name = :name AND b.company_number IS NOT NULL AND b.status = 'active' "
            "AND t.start_date > DATE '2016-01-01' ORDER BY coalesce(t.start_date - (SELECT "
            "max(o.end_date) FROM tenancy o WHERE o.unit_id = t.unit_id AND o.id <> t.id), "
            "9999) DESC, t.start_date DESC, b.id LIMIT 1"
        ),
        {"name": IMPERIAL["name"]},
    ).one_or_none()
    if tenant is None:
        return None
    moved_in = tenant.free_from or tenant.start_date - dt.timedelta(days=1900)
    if (tenant.start_date - moved_in).days < 60:
        return None  # no room in the unit's history for a predecessor
    ceased = tenant.start_date - dt.timedelta(
        days=min(47, (tenant.start_date - moved_in).days // 3)
    )
    number = conn.execute(
        text(
            "SELECT lpad((max(company_number::bigint) + 1)::text, 8, '0') FROM business "
            "WHERE company_number ~ '^9[0-9]{7}$'"
        )
    ).scalar_one()
    stem = tenant.name.removesuffix(" Ltd")
    predecessor = conn.execute(
        text(
            "INSERT INTO business (name, company_number, sector, activity, address, postcode, "
            "geom, location_precision, site_id, unit_id, status, first_seen, last_seen, "
            "left_register_on, is_demo) SELECT :name, :number, sector, activity, address, "
            "postcode, geom, location_precision, site_id, unit_id, 'dissolved', :first, "
            ":ceased, :ceased, true FROM business WHERE id = :tenant RETURNING id"
        ),
        {
            "name": f"{stem}s Ltd",
            "number": number,
            "first": moved_in,
            "ceased": ceased,
            "tenant": tenant.id,
        },
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO tenancy (unit_id, business_id, start_date, end_date) "
            "VALUES (:u, :b, :start, :end)"
        ),
        {
            "u": tenant.unit_id,
            "b": predecessor,
            "start": moved_in,
            "end": ceased,
        },
    )
    conn.execute(
        text(
            "UPDATE business SET first_seen = :day, last_seen = greatest(last_seen, :day) "
            "WHERE id = :b"
        ),
        {"day": tenant.start_date - dt.timedelta(days=20), "b": tenant.id},
    )
    return int(predecessor), int(tenant.id)


def populate(conn: Connection, rng: np.random.Generator) -> dict[str, int]:
    """Write the demo's controllers, brands, facilities and its phoenix pair; returns counts."""
    phoenix_pair = _phoenix(conn)
    companies = pd.read_sql_query(
        text(
            "SELECT id AS business_id, company_number, name AS company, activity, postcode, "
            "address, ST_Y(geom) AS lat, ST_X(geom) AS lon, first_seen FROM business "
            "WHERE company_number IS NOT NULL ORDER BY id"
        ),
        conn,
    )
    people, owners = _people(rng, len(companies))
    if phoenix_pair is not None:
        # The successor has the predecessor's controller.
        index = pd.Index(companies["business_id"])
        owners[index.get_loc(phoenix_pair[1])] = owners[index.get_loc(phoenix_pair[0])]
    people = people.drop_duplicates("person_key")
    controls = companies.assign(person_key=people["person_key"].reindex(owners).to_numpy())
    controls = controls.dropna(subset=["person_key"])
    used = people[people["person_key"].isin(controls["person_key"])]
    copy_frame(
        conn,
        "person",
        used[["person_key", "name", "birth_year", "birth_month"]].assign(
            kind="individual",
            nationality="British",
            country_of_residence="England",
            is_demo=True,
        ),
    )
    notified = pd.to_datetime(controls["first_seen"]).fillna(pd.Timestamp("2016-04-06"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE demo_controls (psc_id text, business_id int, "
            "person_key text, natures text[], notified_on date) ON COMMIT DROP"
        )
    )
    copy_frame(
        conn,
        "demo_controls",
        pd.DataFrame(
            {
                "psc_id": "/company/"
                + controls["company_number"]
                + "/persons-with-significant-control/individual/demo"
                + controls["business_id"].astype(str),
                "business_id": controls["business_id"],
                "person_key": controls["person_key"],
                "natures": pg_array(["ownership-of-shares-75-to-100-percent"]),
                "notified_on": notified.clip(lower=pd.Timestamp("2016-04-06")).dt.date,
            }
        ),
    )
    conn.execute(
        text(
            "INSERT INTO psc_control (psc_id, business_id, person_id, natures, notified_on, "
            "ceased_on, seen_on) SELECT d.psc_id, d.business_id, p.id, d.natures, "
            "d.notified_on, CASE WHEN b.status IN ('ceased', 'dissolved') THEN "
            "greatest(d.notified_on, coalesce(b.left_register_on, b.last_seen)) END, :seen "
            "FROM demo_controls d JOIN person p ON p.person_key = d.person_key "
            "JOIN business b ON b.id = d.business_id"
        ),
        {"seen": SEEN},
    )
    conn.execute(text("DROP TABLE demo_controls"))  # the caller's transaction goes on
    facilities = _facilities(conn, rng, companies)
    return {
        "persons": len(used),
        "controls": len(controls),
        "facilities": facilities,
        "predecessors": 0 if phoenix_pair is None else 1,
    }


def _facilities(conn: Connection, rng: np.random.Generator, companies: pd.DataFrame) -> int:
    """Facilities disclosed by the fictional brands: matched workshops, one near match for an
    officer to decide, and a few that are in no register list."""
    workshops = companies[companies["activity"].isin(["cmt", "knitting"])]
    chosen = workshops[rng.random(len(workshops)) < DISCLOSED_SHARE]
    rows = [
        {
            "os_id": f"GB2026DEMO{i:05d}",
            "name": r.company.removesuffix(" Ltd").upper(),
            "address": f"{r.address}, Leicester, {r.postcode}",
            "postcode": r.postcode,
            "lat": r.lat,
            "lon": r.lon,
            "match": "certain",
            "business_id": r.business_id,
            "proposed_business_id": None,
            "score": 1.0,
        }
        for i, r in enumerate(chosen.itertuples())
    ]
    if len(workshops) > len(chosen):
        near = workshops[~workshops.index.isin(chosen.index)].iloc[0]
        rows.append(
            {
                "os_id": "GB2026DEMO90001",
                "name": near["company"].replace(" Ltd", "") + " Works",
                "address": f"{near['address']}, Leicester",
                "postcode": None,
                "lat": near["lat"] + 0.0003,
                "lon": near["lon"],
                "match": "proposed",
                "business_id": None,
                "proposed_business_id": near["business_id"],
                "score": 0.62,
            }
        )
    for i in range(3):
        rows.append(
            {
                "os_id": f"GB2026DEMO9100{i}",
                "name": f"Unlisted Workshop {i + 1} (fictional)",
                "address": "Leicester",
                "postcode": None,
                "lat": 52.64 + 0.004 * i,
                "lon": -1.12 + 0.003 * i,
                "match": "unmatched",
                "business_id": None,
                "proposed_business_id": None,
                "score": None,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return 0
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE demo_facilities (os_id text, name text, "
            "address text, postcode text, lat float8, lon float8, match text, "
            "business_id int, proposed_business_id int, score real) ON COMMIT DROP"
        )
    )
    copy_frame(
        conn,
        "demo_facilities",
        frame.astype({"business_id": "Int64", "proposed_business_id": "Int64"}),
    )
    conn.execute(
        text(
            "INSERT INTO osh_facility (os_id, name, address, postcode, country_code, geom, sector, "
            "workers, facility_type, processing_type, in_region, match, business_id, "
            "proposed_business_id, score, first_seen, last_seen, is_demo) SELECT os_id, name, "
            "address, postcode, 'GB', ST_SetSRID(ST_MakePoint(lon, lat), 4326), 'Apparel', "
            "'11-50', 'Final Product Assembly', 'Cut & Sew', true, match, business_id, "
            "proposed_business_id, score, :seen, :seen, true FROM demo_facilities"
        ),
        {"seen": SEEN},
    )
    conn.execute(text("DROP TABLE demo_facilities"))
    copy_frame(
        conn,
        "brand",
        pd.DataFrame(
            {"name": BRANDS, "brand_key": [names.brand_key(b) for b in BRANDS], "is_demo": True}
        ),
    )
    brand_ids = conn.execute(text("SELECT id FROM brand WHERE is_demo ORDER BY id")).scalars().all()
    pairs = {
        (os_id, int(brand_ids[b]))
        for os_id in frame["os_id"]
        # Popular brands source more: each facility has one to three of them.
        for b in rng.choice(
            len(brand_ids),
            rng.integers(1, 4),
            replace=False,
            p=np.array([0.3, 0.25, 0.15, 0.12, 0.1, 0.08]),
        )
    }
    copy_frame(
        conn,
        "facility_brand",
        pd.DataFrame(
            [
                {
                    "os_id": o,
                    "brand_id": b,
                    "first_seen": SEEN - dt.timedelta(days=400),
                    "last_seen": SEEN,
                }
                for o, b in sorted(pairs)
            ]
        ),
    )
    return len(frame)
