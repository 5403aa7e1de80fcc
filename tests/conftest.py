"""Test fixtures: the project's own PostGIS, a test database per worker, a rolled-back transaction
per test.

The session starts the embedded cluster (or uses the server of DATABASE_URL), creates a database of
its own (never the demo data's), checks that PostGIS is there, migrates it to head and loads the
reference data. Each test gets a connection inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine

from layers.core import migrate
from layers.core.settings import REPO_ROOT, get_settings
from layers.reference import pack
from tests.support import IMPORTER, fresh_database, worker

OPENDATA = REPO_ROOT.parent / "shared" / "opendata"


@pytest.fixture(scope="session")
def opendata() -> Path:
    """The shared open reference data (boundaries and postcodes)."""
    assert OPENDATA.is_dir(), f"the reference data pack is missing at {OPENDATA}"
    return OPENDATA


@pytest.fixture(scope="session")
def engine(opendata: Path) -> Iterator[Engine]:
    """An engine on this worker's own test database, migrated to head, with reference data."""
    url = fresh_database(f"{get_settings().db_name}_test_{worker()}")
    test_engine = create_engine(url)
    migrate.upgrade(test_engine)
    assert pack.reference_dir() == opendata
    pack.load_reference_data(test_engine, IMPORTER)
    yield test_engine
    test_engine.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()
