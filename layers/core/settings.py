"""The one place Sectormap reads its settings from: the environment (prefix ``SECTORMAP_``).

``DATABASE_URL`` (no prefix) wins over the embedded cluster when it is set.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_reference_dir() -> Path | None:
    candidate = REPO_ROOT.parent / "shared" / "opendata"
    return candidate if candidate.is_dir() else None


class Settings(BaseSettings):
    """Every setting of the application, with its default."""

    model_config = SettingsConfigDict(
        env_prefix="SECTORMAP_", env_file=REPO_ROOT / ".env", extra="ignore"
    )

    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="An external PostGIS; when unset the embedded cluster under data/ is used.",
    )
    data_dir: Path = Field(default=REPO_ROOT / "data")
    db_host: str = "127.0.0.1"
    db_port: int = Field(default=5433, ge=1024, le=65535)
    db_name: str = "sectormap"
    db_superuser: str = "sectormap"
    db_system_user: str = Field(
        default="sectormap",
        description="Unprivileged system account that owns the cluster when run as root.",
    )
    reference_dir: Path | None = Field(default_factory=_default_reference_dir)
    demo_seed: int = 2020
    demo_password: str = "sectormap-demo"  # noqa: S105 - the published demo password
    region_bounds: tuple[float, float, float, float] = Field(
        default=(-1.62, 52.38, -0.65, 52.99),
        description="Leicester and Leicestershire, (west, south, east, north) in WGS84.",
    )
    map_center: tuple[float, float] = (52.636, -1.125)
    sector_sic_prefixes: tuple[str, ...] = Field(
        default=("13", "14", "15", "46410", "46420"),
        description="SIC codes (or their leading digits) that make a company part of the sector.",
    )
    postcode_areas: tuple[str, ...] = Field(
        default=("LE",), description="Postcode areas (leading letters) imports keep."
    )
    app_port: int = Field(default=8501, ge=1024, le=65535)
    walk_kmh: float = Field(default=4.8, gt=0, description="Walking speed for route times.")
    drive_kmh: float = Field(
        default=24.0, gt=0, description="Average urban driving speed (junctions included)."
    )
    route_snap_m: float = Field(
        default=400.0,
        gt=0,
        description="A stop further than this from the street network is not covered by it.",
    )
    backup_dir: Path | None = Field(
        default=None, description="Where backups go; default <data_dir>/backups."
    )
    statement_timeout_s: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="A database statement of the app or a command is stopped after this long.",
    )
    accessibility_contact: str = Field(
        default="your organisation's Sectormap administrator",
        description="Who to tell about an accessibility problem (the statement names them).",
    )
    rating_reply_days: int = Field(
        default=21,
        ge=1,
        le=365,
        description="Days a business has to reply to an inspection rating; after them a "
        "pending rating stands (as the food hygiene rating scheme's right to reply).",
    )
    phoenix_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="A company incorporated within this many months of another ceasing at the "
        "same address, sharing a controller or a near-identical name, is a phoenix pattern.",
    )
    osh_near_metres: float = Field(
        default=250.0,
        gt=0,
        description="An Open Supply Hub facility this close to a business of a similar name "
        "is proposed as a match.",
    )
    retention_years: int = Field(
        default=6, ge=1, le=100, description="Years a report is kept before its review."
    )
    retention_years_by_category: dict[str, int] = Field(
        default_factory=dict,
        description='Retention per report category, e.g. {"modern_slavery": 10}.',
    )
    lockout_attempts: int = Field(
        default=5, ge=1, le=100, description="Failed sign-ins that lock a username."
    )
    lockout_window_minutes: int = Field(
        default=15, ge=1, le=1440, description="The window in which those failures count."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=1440, description="How long a locked username is refused."
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=1440, description="A session ends after this long without activity."
    )
    password_min_length: int = Field(default=12, ge=8, le=128)
    password_min_strength: int = Field(
        default=3, ge=0, le=4, description="Lowest zxcvbn score (0-4) a new password may have."
    )
    partner_reports_agency: str = Field(
        default="COUNCIL",
        description="The agency that owns (and triages) reports submitted by partners.",
    )
    overpass: bool = Field(
        default=False,
        description="Fetch street networks from Overpass when none is loaded (needs internet; "
        "cached under data/osmnx-cache).",
    )

    @property
    def cluster_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster keeps its files."""
        return self.data_dir / "pg"

    @property
    def socket_dir(self) -> Path:
        """Directory of the embedded cluster's Unix socket and lock files."""
        return self.data_dir / "run"

    @property
    def password_file(self) -> Path:
        """The generated password of the embedded cluster's superuser."""
        return self.data_dir / "db.password"

    @property
    def backups(self) -> Path:
        """The backup folder."""
        return self.backup_dir or self.data_dir / "backups"

    @property
    def embedded(self) -> bool:
        """True when the app runs on the project's own cluster rather than DATABASE_URL."""
        return not self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
