"""The open reference data pack (boundaries, postcodes and the ONS GVA tables) in the configured
directory."""

from __future__ import annotations

from pathlib import Path

from layers.core.db import Bind
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings
from layers.people import rights
from layers.people.identity import User
from layers.reference import boundaries, economy, postcodes

#: (relative path, boundary kind, source description) of the boundary files in the pack.
BOUNDARY_FILES = (
    (
        "boundaries/lad_leicestershire.geojson",
        "district",
        "ONS Local Authority Districts 2019, generalised",
    ),
    ("boundaries/wards_leicester.geojson", "ward", "ONS Wards 2019, generalised"),
    ("boundaries/msoa_leicester.geojson", "msoa", "ONS MSOA December 2011, generalised clipped"),
    ("boundaries/lsoa_leicester.geojson", "lsoa", "ONS LSOA December 2011, generalised clipped"),
)
#: Code-Point Open releases of the pack, oldest first: the newest gives the live postcodes and
#: current ward codes; the older keeps the postcodes terminated since, for old addresses.
POSTCODE_FILES = ("postcodes/le.csv", "postcodes_2025/le.csv")
#: The ONS regional GVA tables (ITL3 and ITL2, current prices) of the pack.
GVA_FILES = ("economy/gva_itl3_current_prices_2024.csv", "economy/gva_itl2_current_prices_2024.csv")


def reference_dir() -> Path | None:
    """The reference-data directory when it exists, else None (the app runs without it)."""
    directory = get_settings().reference_dir
    return directory if directory is not None and directory.is_dir() else None


def load_reference_data(
    bind: Bind, user: User, *, progress: Progress = no_progress
) -> dict[str, int]:
    """Load every boundary and postcode file the pack has (twice is the same as once).

    Wards come before postcodes so that each postcode gets its current ward.
    """
    rights.require_importer(bind, user, "load the reference data", object_type="reference")
    directory = reference_dir()
    if directory is None:
        return {}
    steps = [(path, kind, src) for path, kind, src in BOUNDARY_FILES if (directory / path).exists()]
    tables = [path for path in GVA_FILES if (directory / path).exists()]
    postcode_files = [path for path in POSTCODE_FILES if (directory / path).exists()]
    total = len(steps) + len(postcode_files) + len(tables)
    loaded: dict[str, int] = {}
    for done, (path, kind, source) in enumerate(steps):
        progress(done, total, f"{kind} boundaries")
        result = boundaries.import_boundaries(
            bind, user, directory / path, kind=kind, source=source
        )
        loaded[f"{kind} boundaries"] = result.loaded
    for done, path in enumerate(postcode_files, start=len(steps)):
        progress(done, total, "postcodes")
        result = postcodes.import_postcodes(bind, user, directory / path)
        loaded[f"postcodes ({result.release:%B %Y})"] = result.loaded
    for done, path in enumerate(tables, start=len(steps) + len(postcode_files)):
        progress(done, total, "official GVA")
        loaded[f"GVA values ({Path(path).stem})"] = economy.import_gva(
            bind, user, directory / path
        ).values
    progress(total, total, "reference data loaded")
    return loaded
