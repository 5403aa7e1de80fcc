"""The database a command works on, made ready for it."""

from __future__ import annotations

from sqlalchemy import Engine

from layers.core import migrate
from layers.core.db import check_postgis, database_url, get_engine
from layers.core.settings import get_settings
from scripts import pgcluster


def ready_engine() -> Engine:
    """Start the embedded cluster when it is in use, check PostGIS, migrate to head."""
    settings = get_settings()
    if settings.embedded:
        pgcluster.start(settings)
        pgcluster.create_database(settings.db_name, settings)
    engine = get_engine(database_url(settings))
    check_postgis(engine)
    migrate.upgrade(engine)
    return engine
