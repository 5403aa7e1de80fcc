"""The fictional demo data set, generated deterministically (same seed and inputs, same rows).

Businesses are placed around the real clusters of the trade (North Evington and East Park Road,
Spinney Hills, Highfields, Belgrave, the city centre, outlying estates), at real LE postcodes when
the postcode table is loaded. Their names are invented from nonsense syllables and their company
numbers start with 9 (a range Companies House has not issued), so no real company is described.

They are drawn from a larger fictional population: each member is seen by each independent list
(companies register, rates, business support, visits, reports) with a probability that shares a
per-member "visibility", so the lists are positively dependent, as real lists are. Only members seen
by at least one list become businesses; the population size is kept as the demo's ground truth.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, box

from layers.casework import rating

BASE_BUSINESSES = 1_200
BASE_SITES = 25
BASE_VISITS = 430  # 2019 to 2021, the operation's included
OPERATION_VISITS = 170
#: Routine visits since 2022 (on top of BASE_VISITS), so the demo has recent outcomes and
#: follow-ups that are not yet due, as a live register would.
RECENT_VISITS = 140
RECENT_VISITS_END = dt.date(2026, 10, 31)
BASE_REPORTS = 270
OPERATION_NAME = "Operation Fabric (fictional)"

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


@dataclass(frozen=True)
class Cluster:
    """A real area where the trade clusters: centre (WGS84), radius in metres, share of firms."""

    key: str
    name: str
    lat: float
    lon: float
    radius_m: float
    weight: float
    city: bool


CLUSTERS = (
    Cluster(
        "north_evington", "North Evington and East Park Road", 52.6375, -1.0995, 650, 0.22, True
    ),
    Cluster("spinney_hills", "Spinney Hills", 52.6318, -1.1095, 550, 0.15, True),
    Cluster("highfields", "Highfields", 52.6290, -1.1205, 450, 0.12, True),
    Cluster("belgrave", "Belgrave", 52.6540, -1.1235, 650, 0.17, True),
    Cluster("city_centre", "City centre", 52.6352, -1.1330, 450, 0.10, True),
    Cluster("thurmaston", "Thurmaston industrial estates", 52.6725, -1.0955, 900, 0.07, False),
    Cluster("hinckley", "Hinckley", 52.5395, -1.3725, 1100, 0.06, False),
    Cluster("loughborough", "Loughborough", 52.7705, -1.2050, 1100, 0.05, False),
    Cluster("wigston", "Wigston", 52.5830, -1.1050, 900, 0.03, False),
    Cluster("syston", "Syston", 52.6955, -1.0760, 800, 0.03, False),
)

#: The emblem: one old factory on East Park Road, dozens of small firms on several floors.
IMPERIAL = {
    "name": "Imperial Typewriter Building",
    "lat": 52.6362,
    "lon": -1.0992,
    "length_m": 150.0,
    "width_m": 48.0,
    "angle": 12.0,
    "floors": 5,
    "units_per_floor": 10,
    "address": "East Park Road, Leicester",
}

SECTOR_P = {"14": 0.55, "13": 0.20, "46.42": 0.11, "46.41": 0.05, "15": 0.09}
ACTIVITY_BY_SECTOR = {
    "14": ({"cmt": 0.62, "embroidery": 0.1, "printing": 0.1, "other": 0.18}),
    "13": ({"knitting": 0.4, "dyeing_finishing": 0.3, "printing": 0.15, "other": 0.15}),
    "15": ({"cmt": 0.4, "other": 0.6}),
    "46.41": ({"wholesale": 1.0}),
    "46.42": ({"wholesale": 1.0}),
}
SIC_BY_SECTOR = {
    "14": ("14130", "14190", "14140", "14390", "14120"),
    "13": ("13300", "13910", "13990", "13200", "13921"),
    "15": ("15120", "15200"),
    "46.41": ("46410",),
    "46.42": ("46420",),
}
SUFFIX_BY_ACTIVITY = {
    "cmt": ("Fashions", "Garments", "Clothing", "Apparel", "Manufacturing"),
    "knitting": ("Knitwear", "Knitting", "Hosiery"),
    "dyeing_finishing": ("Dyers", "Finishing", "Dyeworks"),
    "printing": ("Prints", "Textile Printing"),
    "embroidery": ("Embroidery", "Stitch"),
    "wholesale": ("Wholesale", "Trading", "Distribution"),
    "other": ("Textiles", "Designs", "Accessories"),
}
SYLLABLES = (
    "ar",
    "bel",
    "cor",
    "dan",
    "el",
    "fen",
    "gar",
    "hal",
    "ir",
    "jor",
    "kel",
    "lan",
    "mor",
    "nev",
    "or",
    "pel",
    "quin",
    "ros",
    "sel",
    "tor",
    "ul",
    "vel",
    "wyn",
    "yar",
    "zel",
    "bri",
    "dro",
    "fla",
    "gli",
    "plo",
    "tru",
    "vos",
)
STREETS = (
    "Mill Lane",
    "Canal Street",
    "Weaver Road",
    "Hosiery Street",
    "Bobbin Way",
    "Loom Street",
    "Spindle Road",
    "Dyers Lane",
    "Factory Street",
    "Yarn Close",
    "Shuttle Street",
    "Needle Lane",
    "Tailor Road",
    "Button Row",
    "Thread Street",
)
SITE_WORDS = (
    "Ashby",
    "Bramley",
    "Carrow",
    "Denholm",
    "Elmore",
    "Farrow",
    "Glenby",
    "Harwood",
    "Ivyfield",
    "Kelby",
    "Larkin",
    "Marlow",
    "Northcote",
    "Orwell",
    "Pelham",
    "Quarry",
    "Redfern",
    "Stanway",
    "Thornby",
    "Upton",
    "Vernon",
    "Westby",
    "Yardley",
    "Alder",
)
SITE_KINDS = ("Mill", "Works", "House", "Buildings", "Factory", "Court", "Business Centre")

LISTS = ("companies_register", "rates", "business_support", "visits", "reports")
#: Base probability that each list sees a member of the population (before visibility).
LIST_BASE_P = {
    "companies_register": 0.62,
    "rates": 0.5,
    "business_support": 0.15,
    "visits": 0.2,
    "reports": 0.14,
}

OUTCOME_P = {
    "no_issues": 0.36,
    "advice": 0.24,
    "referral": 0.14,
    "enforcement": 0.09,
    "exploitation_indicators": 0.08,
    "no_access": 0.09,
}
CATEGORY_P = {
    "minimum_wage": 0.34,
    "holiday_pay": 0.12,
    "health_safety": 0.16,
    "modern_slavery": 0.08,
    "illegal_working": 0.1,
    "tax_fraud": 0.12,
    "accommodation": 0.04,
    "other": 0.04,
}
SOURCE_TYPE_P = {
    "anonymous_line": 0.3,
    "charity": 0.15,
    "advice_service": 0.15,
    "retailer_audit": 0.12,
    "agency": 0.2,
    "public": 0.08,
}
OWNER_P = {"GLAA": 0.3, "HMRC": 0.25, "COUNCIL": 0.2, "POLICE": 0.1, "HSE": 0.1, "VCS": 0.05}

FINDINGS = {
    "no_issues": "Records seen; pay and hours consistent with records. No concerns.",
    "advice": "Advice given on holiday pay records and fire exits.",
    "referral": "Pay below the minimum wage reported by workers; referred to the agency with "
    "the remit.",
    "enforcement": "Blocked fire exit and unguarded machinery; notice served.",
    "exploitation_indicators": "Workers unable to show contracts; signs of debt bondage; "
    "safeguarding referral made.",
    "no_access": "Premises locked during visit hours; neighbours report night working.",
}
NARRATIVES = {
    "minimum_wage": "Caller says machinists at {name} are paid about £{pay} an hour in cash.",
    "holiday_pay": "Former worker at {name} says no holiday pay has ever been paid.",
    "health_safety": "Fire exits at {name} are kept locked while people are working.",
    "modern_slavery": "Workers at {name} are said to be driven in and out and to hand over "
    "their wages.",
    "illegal_working": "People without the right to work are said to be employed at {name}.",
    "tax_fraud": "{name} is said to run two sets of books and pay staff off the books.",
    "accommodation": "Workers of {name} are said to be housed above the premises.",
    "other": "Concern raised about working conditions at {name}.",
}

DEMO_USERS = (
    ("admin", "Alex Admin (demo)", "admin", "COUNCIL"),
    ("viewer", "Val Viewer (demo)", "viewer", "COUNCIL"),
    ("analyst", "Ana Analyst (demo)", "analyst", "COUNCIL"),
    ("planner", "Pat Planner (demo)", "planner", "COUNCIL"),
    ("officer", "Olu Officer (demo)", "officer", "COUNCIL"),
    ("glaa_officer", "Gita GLAA Officer (demo)", "officer", "GLAA"),
    ("hmrc_officer", "Harri HMRC Officer (demo)", "officer", "HMRC"),
    ("partner", "Pia Partner (demo)", "partner", "VCS"),
)


@dataclass
class DemoData:
    """Every table of the demo, as frames with explicit ids; geometries as shapely objects."""

    sites: pd.DataFrame
    units: pd.DataFrame
    businesses: pd.DataFrame
    business_sources: pd.DataFrame
    tenancies: pd.DataFrame
    visits: pd.DataFrame
    reports: pd.DataFrame
    report_visits: pd.DataFrame
    focus_areas: pd.DataFrame
    population_size: int
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def hidden_share(self) -> float:
        """Share of the fictional population that no list has seen."""
        return 1 - len(self.businesses) / self.population_size


def _choice(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(table))
    p = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _offset(
    lon: np.ndarray, lat: np.ndarray, dx: np.ndarray, dy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move WGS84 points by metres east (dx) and north (dy), through British National Grid."""
    x, y = TO_BNG.transform(lon, lat)
    return TO_WGS84.transform(np.asarray(x) + dx, np.asarray(y) + dy)


def _footprint(lon: float, lat: float, length: float, width: float, angle: float) -> MultiPolygon:
    x, y = TO_BNG.transform(lon, lat)
    rect = affinity.rotate(
        box(x - length / 2, y - width / 2, x + length / 2, y + width / 2), angle, origin="center"
    )
    return MultiPolygon([shapely.transform(rect, TO_WGS84.transform, interleaved=False)])


def _names(rng: np.random.Generator, activities: np.ndarray, limited: np.ndarray) -> np.ndarray:
    syl = np.array(SYLLABLES)
    first = np.char.add(
        syl[rng.integers(0, len(syl), len(activities))],
        syl[rng.integers(0, len(syl), len(activities))],
    )
    third = np.where(
        rng.random(len(activities)) < 0.4, syl[rng.integers(0, len(syl), len(activities))], ""
    )
    stem = np.char.capitalize(np.char.add(first, third))
    suffix = np.array(
        [
            SUFFIX_BY_ACTIVITY[a][i % len(SUFFIX_BY_ACTIVITY[a])]
            for a, i in zip(activities, rng.integers(0, 60, len(activities)), strict=True)
        ]
    )
    names = np.char.add(np.char.add(stem, " "), suffix)
    return np.where(limited, np.char.add(names, " Ltd"), names)


def _population(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, int]:
    """Draw members until ``n`` have been seen by some list; return their list memberships and
    the population size at that point."""
    seen_parts, drawn, seen = [], 0, 0
    logit_base = {k: math.log(p / (1 - p)) for k, p in LIST_BASE_P.items()}
    while seen < n:
        batch = max(1024, int((n - seen) * 1.6))
        visibility = rng.normal(0, 0.9, batch)
        caught = pd.DataFrame(
            {
                k: rng.random(batch) < 1 / (1 + np.exp(-(b + visibility)))
                for k, b in logit_base.items()
            }
        )
        any_list = caught.any(axis=1).to_numpy()
        order = np.flatnonzero(any_list)
        needed = n - seen
        if len(order) > needed:
            cut = order[needed - 1] + 1  # population drawn up to the n-th seen member
            caught, any_list = caught.iloc[:cut], any_list[:cut]
        drawn += len(caught)
        seen_parts.append(caught[any_list])
        seen += int(any_list.sum())
    return pd.concat(seen_parts, ignore_index=True), drawn


def _dates(rng: np.random.Generator, start: dt.date, end: dt.date, size: int) -> np.ndarray:
    span = (end - start).days
    return np.datetime64(start) + rng.integers(0, span + 1, size).astype("timedelta64[D]")


def generate(
    seed: int,
    scale: float,
    postcodes: dict[str, pd.DataFrame],
    officer_ids: dict[str, int],
    planner_id: int | None,
) -> DemoData:
    """Generate the demo data set.

    Parameters
    ----------
    seed, scale
        Same seed, scale and postcodes give the same rows. ``scale`` multiplies the counts of
        businesses, visits and reports (1 = 1,200 businesses).
    postcodes
        For each cluster key, real postcodes near its centre (columns postcode, lon, lat), sorted;
        empty frames when no postcode table is loaded (points are then placed around the centre).
    officer_ids
        User id by agency code, for the officers who make visits and submit reports.
    planner_id
        Owner of the focus areas.
    """
    rng = np.random.default_rng(seed)
    n = max(50, round(BASE_BUSINESSES * scale))
    sites, units = _sites(rng, max(BASE_SITES, round(BASE_SITES * min(scale, 40))), postcodes)
    memberships, population = _population(rng, n)
    businesses, tenancies = _businesses(rng, n, memberships, sites, units, postcodes)
    sources = _business_sources(memberships, businesses)
    visits = _visits(rng, scale, businesses, memberships, officer_ids)
    reports, report_visits = _reports(rng, scale, businesses, memberships, visits, officer_ids)
    # Drawn last, so the scores leave every other generated row as it was.
    visits = _inspection_scores(rng, visits)
    return DemoData(
        sites,
        units,
        businesses,
        sources,
        tenancies,
        visits,
        reports,
        report_visits,
        _focus_areas(planner_id),
        population,
    )


def _cluster_points(
    rng: np.random.Generator, cluster_idx: np.ndarray, postcodes: dict[str, pd.DataFrame]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points, postcodes and location precision for members of each cluster."""
    size = len(cluster_idx)
    lon, lat = np.zeros(size), np.zeros(size)
    codes = np.full(size, None, dtype=object)
    precision = np.full(size, "postcode", dtype=object)
    for i, cluster in enumerate(CLUSTERS):
        mask = cluster_idx == i
        count = int(mask.sum())
        if count == 0:
            continue
        table = postcodes.get(cluster.key)
        if table is not None and len(table):
            pick = rng.integers(0, len(table), count)
            codes[mask] = table["postcode"].to_numpy()[pick]
            base_lon, base_lat = table["lon"].to_numpy()[pick], table["lat"].to_numpy()[pick]
            spread = 12.0
        else:
            base_lon, base_lat = np.full(count, cluster.lon), np.full(count, cluster.lat)
            precision[mask] = "approximate"
            spread = cluster.radius_m / 2
        lon[mask], lat[mask] = _offset(
            base_lon, base_lat, rng.normal(0, spread, count), rng.normal(0, spread, count)
        )
    return lon, lat, codes, precision


def _nearest_postcode(lon: float, lat: float, table: pd.DataFrame) -> str | None:
    """The postcode of ``table`` (columns postcode, lon, lat) nearest a point, None if empty."""
    if table.empty:
        return None
    # Degrees of longitude are ~0.6 of a degree of latitude here; good enough to pick the nearest.
    distance = (table["lon"].to_numpy() - lon) ** 2 + ((table["lat"].to_numpy() - lat) / 0.6) ** 2
    return str(table["postcode"].iloc[int(np.argmin(distance))])


def _sites(
    rng: np.random.Generator, count: int, postcodes: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    city = [i for i, c in enumerate(CLUSTERS) if c.city]
    weights = np.array([CLUSTERS[i].weight for i in city])
    known = pd.concat(
        [f for f in postcodes.values() if len(f)]
        or [pd.DataFrame({"postcode": [], "lon": [], "lat": []})],
        ignore_index=True,
    )
    rows = [
        {
            "id": 1,
            "name": IMPERIAL["name"],
            "address": IMPERIAL["address"],
            "postcode": _nearest_postcode(IMPERIAL["lon"], IMPERIAL["lat"], known),
            "geom": _footprint(
                IMPERIAL["lon"],
                IMPERIAL["lat"],
                IMPERIAL["length_m"],
                IMPERIAL["width_m"],
                IMPERIAL["angle"],
            ),
            "floors": IMPERIAL["floors"],
            "units_per_floor": IMPERIAL["units_per_floor"],
            "landlord": "Fictional Estates Ltd (demo)",
        }
    ]
    for site_id in range(2, count + 1):
        cluster = CLUSTERS[city[rng.choice(len(city), p=weights / weights.sum())]]
        lon, lat = _offset(
            np.array([cluster.lon]),
            np.array([cluster.lat]),
            rng.normal(0, cluster.radius_m / 2, 1),
            rng.normal(0, cluster.radius_m / 2, 1),
        )
        word = SITE_WORDS[(site_id * 7) % len(SITE_WORDS)]
        kind = SITE_KINDS[int(rng.integers(0, len(SITE_KINDS)))]
        street = STREETS[int(rng.integers(0, len(STREETS)))]
        rows.append(
            {
                "id": site_id,
                "name": f"{word} {kind}" + (f" {site_id}" if site_id > 24 else ""),
                "address": f"{int(rng.integers(1, 200))} {street}, Leicester",
                "postcode": _nearest_postcode(float(lon[0]), float(lat[0]), known),
                "geom": _footprint(
                    float(lon[0]),
                    float(lat[0]),
                    float(rng.uniform(35, 95)),
                    float(rng.uniform(16, 36)),
                    float(rng.uniform(0, 180)),
                ),
                "floors": int(rng.integers(2, 6)),
                "units_per_floor": int(rng.integers(2, 7)),
                "landlord": None,
            }
        )
    sites = pd.DataFrame(rows)
    unit_rows = []
    for site in sites.itertuples():
        for floor in range(site.floors):
            for k in range(1, site.units_per_floor + 1):
                label = f"{'G' if floor == 0 else floor}.{k:02d}"
                unit_rows.append(
                    {
                        "id": len(unit_rows) + 1,
                        "site_id": site.id,
                        "label": label,
                        "floor": floor,
                        "floor_area_m2": round(float(rng.uniform(40, 260)), 1),
                    }
                )
    return sites.drop(columns="units_per_floor"), pd.DataFrame(unit_rows)


def _businesses(
    rng: np.random.Generator,
    n: int,
    memberships: pd.DataFrame,
    sites: pd.DataFrame,
    units: pd.DataFrame,
    postcodes: dict[str, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    weights = np.array([c.weight for c in CLUSTERS])
    cluster_idx = rng.choice(len(CLUSTERS), size=n, p=weights / weights.sum())
    lon, lat, codes, precision = _cluster_points(rng, cluster_idx, postcodes)
    sector = _choice(rng, SECTOR_P, n)
    activity = np.empty(n, dtype=object)
    sic = np.empty(n, dtype=object)
    for key, table in ACTIVITY_BY_SECTOR.items():
        mask = sector == key
        activity[mask] = _choice(rng, table, int(mask.sum()))
        options = SIC_BY_SECTOR[key]
        sic[mask] = [options[i] for i in rng.integers(0, len(options), int(mask.sum()))]
    limited = memberships["companies_register"].to_numpy()
    ids = np.arange(1, n + 1)
    company = np.where(
        limited, np.char.add("9", np.char.zfill((rng.permutation(n) + 1000).astype(str), 7)), None
    )
    names = _names(rng, activity.astype(str), limited)
    estimate = np.clip(np.round(rng.lognormal(math.log(8), 0.9, n)), 1, 400).astype(int)
    status = _choice(rng, {"active": 0.9, "dormant": 0.05, "ceased": 0.05}, n)
    first_seen = _dates(rng, dt.date(2008, 1, 1), dt.date(2025, 6, 30), n)
    last_seen = first_seen + rng.integers(30, 2200, n).astype("timedelta64[D]")
    last_seen = np.minimum(last_seen, np.datetime64("2026-10-31"))
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), n)]
    numbers = rng.integers(1, 240, n).astype(str)
    town = np.where(
        np.array([CLUSTERS[i].city for i in cluster_idx]),
        "Leicester",
        np.array([CLUSTERS[i].name.split()[0] for i in cluster_idx]),
    )
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": names,
            "trading_name": None,
            "company_number": company,
            "sic_codes": [[s] for s in sic],
            "sector": sector,
            "activity": activity,
            "address": [
                f"{num} {st}, {tw}" for num, st, tw in zip(numbers, streets, town, strict=True)
            ],
            "postcode": codes,
            "lon": lon,
            "lat": lat,
            "location_precision": precision,
            "site_id": pd.array([pd.NA] * n, dtype="Int64"),
            "unit_id": pd.array([pd.NA] * n, dtype="Int64"),
            "employees_estimate": estimate,
            "employees_low": np.floor(estimate * 0.7).astype(int),
            "employees_high": np.ceil(estimate * 1.4).astype(int),
            "employees_source": _choice(
                rng,
                {"Visit count": 0.3, "Companies register band": 0.4, "Officer estimate": 0.3},
                n,
            ),
            "status": status,
            "accreditations": [
                ["Ethical audit programme"] if r < 0.08 else [] for r in rng.random(n)
            ],
            "first_seen": first_seen,
            "last_seen": last_seen,
            "cluster": cluster_idx,
        }
    )
    trading = rng.random(n) < 0.15
    frame.loc[trading, "trading_name"] = [
        f"{nm.split()[0]} Collections" for nm in frame.loc[trading, "name"]
    ]
    tenancies = _place_in_sites(rng, frame, sites, units)
    frame = frame.astype({"site_id": "Int64", "unit_id": "Int64"})
    return frame, tenancies


def _place_in_sites(
    rng: np.random.Generator, frame: pd.DataFrame, sites: pd.DataFrame, units: pd.DataFrame
) -> pd.DataFrame:
    """Put current tenants in most units (all city businesses first) and give every unit a
    tenancy history of earlier tenants."""
    city_active = frame.index[
        (frame["status"] == "active")
        & frame["cluster"].isin([i for i, c in enumerate(CLUSTERS) if c.city])
    ]
    pool = list(rng.permutation(city_active.to_numpy()))
    # Former tenants: businesses no longer trading first, then firms that moved on.
    inactive = frame["status"] != "active"
    former_pool = list(
        np.concatenate(
            [
                rng.permutation(frame.index[~inactive].to_numpy()),
                rng.permutation(frame.index[inactive].to_numpy()),
            ]
        )
    )
    footprints = dict(zip(sites["id"], sites["geom"], strict=True))
    site_address = dict(zip(sites["id"], sites["name"] + ", " + sites["address"], strict=True))
    site_postcode = dict(zip(sites["id"], sites["postcode"], strict=True))
    ids = frame["id"].to_numpy()
    today = np.datetime64("2026-11-01")
    rows, placed = [], []
    for unit in units.itertuples():
        occupied = rng.random() < (0.94 if unit.site_id == 1 else 0.8)
        start = np.datetime64("2012-01-01") + int(rng.integers(0, 900))
        history = int(rng.integers(1, 4))
        for _ in range(history):
            end = start + int(rng.integers(200, 1100))
            if end >= today - 60 or not former_pool:
                break
            rows.append((unit.id, int(ids[former_pool.pop()]), start, end))
            start = end + int(rng.integers(0, 90))
        if occupied and pool and start < today:
            idx = int(pool.pop())
            rows.append((unit.id, int(ids[idx]), start, None))
            point = _point_inside(rng, footprints[unit.site_id])
            placed.append(
                (
                    idx,
                    unit.site_id,
                    unit.id,
                    point.x,
                    point.y,
                    f"Unit {unit.label}, {site_address[unit.site_id]}",
                    site_postcode[unit.site_id],
                )
            )
    if placed:
        index, site_ids, unit_ids, lon, lat, address, postcode = map(
            list, zip(*placed, strict=True)
        )
        frame.loc[index, "site_id"] = site_ids
        frame.loc[index, "unit_id"] = unit_ids
        frame.loc[index, "lon"] = lon
        frame.loc[index, "lat"] = lat
        frame.loc[index, "address"] = address
        frame.loc[index, "postcode"] = postcode
        frame.loc[index, "location_precision"] = "address"
    tenancies = pd.DataFrame(rows, columns=["unit_id", "business_id", "start_date", "end_date"])
    tenancies.insert(0, "id", np.arange(1, len(tenancies) + 1))
    return tenancies


def _point_inside(rng: np.random.Generator, polygon: MultiPolygon) -> Point:
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(point):
            return point


def _business_sources(memberships: pd.DataFrame, businesses: pd.DataFrame) -> pd.DataFrame:
    long = memberships.assign(business_id=businesses["id"].to_numpy()).melt(
        id_vars="business_id", var_name="source", value_name="seen"
    )
    long = long[long["seen"]].drop(columns="seen")
    return (
        long.merge(
            businesses[["id", "first_seen", "company_number"]], left_on="business_id", right_on="id"
        )
        .assign(
            reference=lambda f: np.where(
                f["source"] == "companies_register", f["company_number"], None
            )
        )[["business_id", "source", "reference", "first_seen"]]
        .sort_values(["business_id", "source"], ignore_index=True)
    )


def _visits(
    rng: np.random.Generator,
    scale: float,
    businesses: pd.DataFrame,
    memberships: pd.DataFrame,
    officer_ids: dict[str, int],
) -> pd.DataFrame:
    visited = businesses[memberships["visits"].to_numpy()]
    total = max(OPERATION_VISITS + 100, round(BASE_VISITS * scale))
    operation = min(round(OPERATION_VISITS * scale), total - 50)
    op_subjects = visited[visited["site_id"].notna() | (visited["cluster"] < 5)]
    op_pick = op_subjects.sample(
        n=operation, replace=len(op_subjects) < operation, random_state=rng
    )
    # Every business on the visits list gets at least one visit; the rest are repeat visits.
    others = pd.concat(
        [
            visited,
            visited.sample(
                n=max(0, total - operation - len(visited)), replace=True, random_state=rng
            ),
        ]
    )
    others = others.iloc[: max(0, total - operation)]
    recent = visited.sample(n=round(RECENT_VISITS * scale), replace=True, random_state=rng)
    chosen = pd.concat([op_pick, others, recent], ignore_index=True)
    count = len(chosen)
    position = np.arange(count)
    in_op = position < operation
    dates = np.select(
        [in_op, position < total],
        [
            _dates(rng, dt.date(2020, 7, 1), dt.date(2020, 11, 30), count),
            _dates(rng, dt.date(2019, 1, 1), dt.date(2021, 12, 31), count),
        ],
        _dates(rng, dt.date(2022, 1, 1), RECENT_VISITS_END, count),
    )
    outcome = _choice(rng, OUTCOME_P, count)
    follow = np.isin(outcome, ["referral", "enforcement", "exploitation_indicators", "no_access"])
    agencies_op = ["COUNCIL", "GLAA", "HMRC", "HSE", "POLICE", "IE"]
    agencies = [
        sorted({"COUNCIL", "GLAA", *(a for a in agencies_op if rng.random() < 0.45)})
        if op
        else sorted({str(rng.choice(["COUNCIL", "GLAA", "HMRC", "HSE"]))})
        for op in in_op
    ]
    visit_type = np.where(
        in_op,
        "joint_inspection",
        _choice(
            rng,
            {
                "compliance_check": 0.4,
                "business_support": 0.35,
                "follow_up": 0.15,
                "intelligence_gathering": 0.1,
            },
            count,
        ),
    )
    officers = np.array(
        [
            officer_ids.get(a[1] if len(a) > 1 else a[0], officer_ids.get("COUNCIL"))
            for a in agencies
        ],
        dtype=object,
    )
    frame = pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "visit_date": dates,
            "business_id": chosen["id"].to_numpy(),
            "site_id": chosen["site_id"].array,
            "agencies": agencies,
            "operation_name": np.where(in_op, OPERATION_NAME, None),
            "visit_type": visit_type,
            "workers_present": np.maximum(
                0, np.round(chosen["employees_estimate"].to_numpy() * rng.uniform(0.5, 1.3, count))
            ).astype(int),
            "outcome": outcome,
            "findings": [FINDINGS[o] for o in outcome],
            "follow_up_date": np.where(
                follow,
                dates + rng.integers(14, 90, count).astype("timedelta64[D]"),
                np.datetime64("NaT"),
            ),
            "officer_id": officers,
        }
    )
    return frame.sort_values(["visit_date", "id"], ignore_index=True).assign(
        id=lambda f: np.arange(1, len(f) + 1)
    )


#: Typical component score (0 very good … 25 very poor) by visit outcome, for the demo.
_OUTCOME_SEVERITY = {
    "no_issues": 0.5,
    "advice": 1.5,
    "no_access": 2.0,
    "referral": 2.5,
    "enforcement": 3.5,
    "exploitation_indicators": 4.5,
}


def _inspection_scores(rng: np.random.Generator, visits: pd.DataFrame) -> pd.DataFrame:
    """Component scores and the combined rating for the joint inspections that got in (no
    access means no scores); every other visit is left unscored."""
    scored = (visits["visit_type"] == "joint_inspection") & (visits["outcome"] != "no_access")
    count = int(scored.sum())
    severity = visits.loc[scored, "outcome"].map(_OUTCOME_SEVERITY).to_numpy()
    out = visits.copy()
    for name, (_, highest) in rating.COMPONENTS.items():
        steps = np.clip(np.round(rng.normal(severity, 1.0, count)), 0, highest // 5)
        out[name] = pd.array([None] * len(out), dtype="Int64")
        out.loc[scored, name] = (steps * 5).astype(int)
    columns = [out.loc[scored, name].astype(int).tolist() for name in rating.COMPONENTS]
    out["rating"] = pd.array([None] * len(out), dtype="Int64")
    out.loc[scored, "rating"] = [
        rating.combine(dict(zip(rating.COMPONENTS, row, strict=True))).rating
        for row in zip(*columns, strict=True)
    ]
    out["rating_pending"] = False
    return out


def _reports(
    rng: np.random.Generator,
    scale: float,
    businesses: pd.DataFrame,
    memberships: pd.DataFrame,
    visits: pd.DataFrame,
    officer_ids: dict[str, int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    reported = businesses[memberships["reports"].to_numpy()]
    total = max(260, round(BASE_REPORTS * scale))
    chosen = pd.concat(
        [reported, reported.sample(n=max(0, total - len(reported)), replace=True, random_state=rng)]
    ).iloc[:total]
    count = len(chosen)
    category = _choice(rng, CATEGORY_P, count)
    owner = _choice(rng, OWNER_P, count)
    status = _choice(rng, {"new": 0.12, "triaged": 0.3, "actioned": 0.3, "closed": 0.28}, count)
    handling = np.where(rng.random(count) < 0.3, "C", "P")
    location_only = rng.random(count) < 0.1
    lon, lat = _offset(
        chosen["lon"].to_numpy(),
        chosen["lat"].to_numpy(),
        np.where(location_only, rng.normal(0, 80, count), 0),
        np.where(location_only, rng.normal(0, 80, count), 0),
    )
    pay = np.round(rng.uniform(3.0, 6.5, count), 2)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "received_date": _dates(rng, dt.date(2019, 1, 1), dt.date(2026, 10, 31), count),
            "source_type": _choice(rng, SOURCE_TYPE_P, count),
            "category": category,
            "narrative": [
                NARRATIVES[c].format(name=nm, pay=f"{p:.2f}") + " (fictional demo report)"
                for c, nm, p in zip(category, chosen["name"], pay, strict=True)
            ],
            "business_id": np.where(location_only, None, chosen["id"].to_numpy()),
            "site_id": np.where(
                location_only,
                None,
                chosen["site_id"].astype(object).where(chosen["site_id"].notna(), None).to_numpy(),
            ),
            "lon": lon,
            "lat": lat,
            "location_precision": np.where(location_only, "approximate", "address"),
            "source_evaluation": np.where(
                status == "new", None, _choice(rng, {"1": 0.3, "2": 0.55, "3": 0.15}, count)
            ),
            "intelligence_assessment": np.where(
                status == "new",
                None,
                _choice(rng, {"A": 0.15, "B": 0.3, "C": 0.35, "D": 0.15, "E": 0.05}, count),
            ),
            "handling_code": handling,
            "handling_conditions": np.where(
                handling == "C",
                np.char.add(
                    np.char.add("Not to be shared outside ", owner.astype(str)),
                    " without the originator's consent.",
                ),
                "",
            ),
            "owning_agency": owner,
            "status": status,
            "submitted_by": [officer_ids.get(o, officer_ids.get("COUNCIL")) for o in owner],
            "submitting_agency": owner,
        }
    )
    frame = frame.sort_values(["received_date", "id"], ignore_index=True).assign(
        id=lambda f: np.arange(1, len(f) + 1)
    )
    links = frame[["id", "business_id", "received_date", "status"]].merge(
        visits[["id", "business_id", "visit_date"]], on="business_id", suffixes=("", "_visit")
    )
    links = links[
        (links["visit_date"] >= links["received_date"])
        & links["status"].isin(["actioned", "closed"])
    ]
    links = links.sort_values("visit_date").drop_duplicates("id")
    report_visits = links.rename(columns={"id": "report_id", "id_visit": "visit_id"})[
        ["report_id", "visit_id"]
    ].reset_index(drop=True)
    return frame, report_visits


def _focus_areas(planner_id: int | None) -> pd.DataFrame:
    def buffer(lon: float, lat: float, metres: float) -> MultiPolygon:
        x, y = TO_BNG.transform(lon, lat)
        return MultiPolygon(
            [
                shapely.transform(
                    Point(x, y).buffer(metres, 32), TO_WGS84.transform, interleaved=False
                )
            ]
        )

    road = shapely.LineString(
        [
            TO_BNG.transform(-1.1300, 52.6430),
            TO_BNG.transform(-1.1262, 52.6530),
            TO_BNG.transform(-1.1215, 52.6625),
        ]
    )
    belgrave = MultiPolygon(
        [shapely.transform(road.buffer(260), TO_WGS84.transform, interleaved=False)]
    )
    rows = [
        (
            "North Evington and East Park Road",
            buffer(-1.0995, 52.6375, 850),
            "Multi-occupancy factories around the Imperial Typewriter Building",
            "high",
        ),
        (
            "Belgrave Road corridor",
            belgrave,
            "Wholesale and small workshops along Belgrave Road",
            "medium",
        ),
        (
            "Spinney Hills and Highfields",
            buffer(-1.1150, 52.6300, 800),
            "Terraced workshops and converted houses",
            "medium",
        ),
    ]
    return pd.DataFrame(
        [
            {
                "id": i,
                "name": name,
                "geom": geom,
                "purpose": purpose,
                "priority": priority,
                "owner_id": planner_id,
                # The plan that led to the demo's Operation Fabric (July-November 2020).
                "period_start": dt.date(2020, 1, 1),
                "period_end": dt.date(2021, 6, 30),
                "notes": "Demo focus area (fictional plan).",
            }
            for i, (name, geom, purpose, priority) in enumerate(rows, start=1)
        ]
    )
