"""Crash safety, done for real on a PostgreSQL cluster of the test's own: an import killed with
SIGKILL part-way, and the server stopped with ``pg_ctl stop -m immediate`` during an import,
leave every table as it was; after a restart, a rerun completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from layers.core.db import database_url
from layers.core.settings import Settings
from scripts import pgcluster
from tests import companies_house_file as ch
from tests.support import own_cluster

SECTORMAP = str(Path(sys.executable).with_name("sectormap"))
ROWS = 150_000
#: Tables an interrupted import must leave exactly as they were.
WATCHED = ("business", "business_source", "business_grid_summary", "import_run", "audit_log")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Settings]:
    """A cluster of this module's own (it is crashed on purpose), with a migrated database."""
    with own_cluster("crash-cluster") as settings:
        yield settings


@pytest.fixture(scope="module")
def big_file(cluster: Settings) -> Path:
    """A Companies House file whose sector rows sit at postcodes of this database."""
    codes = [f"LE{d} {n}{a}{b}" for d in (2, 4, 5) for n in range(10) for a in "ABD" for b in "EFG"]
    engine = create_engine(database_url(cluster))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO postcode (postcode, geom) SELECT code, "
                "ST_SetSRID(ST_MakePoint(-1.13 + i / 1e4, 52.63), 4326) "
                "FROM unnest(CAST(:codes AS text[])) WITH ORDINALITY AS c(code, i)"
            ),
            {"codes": codes},
        )
    engine.dispose()
    path = cluster.data_dir / "BasicCompanyData-crash.csv"
    return ch.write_large(path, ROWS, codes, sector_share=0.5)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - constant names
            for table in WATCHED
        }


def _start_import(cluster: Settings, path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url(cluster)}
    return subprocess.Popen(
        [SECTORMAP, "import", "businesses", str(path), "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_until_importing(engine: Engine, process: subprocess.Popen[str]) -> None:
    """Until the import's transaction is writing its staging table (so it is part-way)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be interrupted"
        with engine.connect() as conn:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                    "AND query ILIKE '%business_import%'"
                )
            ).scalar_one()
        if busy:
            time.sleep(0.5)  # well inside it
            assert process.poll() is None
            return
        time.sleep(0.05)
    raise AssertionError("the import never began writing")


def _rerun_completes(cluster: Settings, path: Path, engine: Engine) -> None:
    done = subprocess.run(
        [SECTORMAP, "import", "businesses", str(path), "--json"],
        env={**os.environ, "DATABASE_URL": database_url(cluster)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    inserted = json.loads(done.stdout)["inserted"]
    assert inserted > 0
    assert _counts(engine)["business"] == inserted


def _clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE business, business_source, import_run CASCADE"))


def test_an_import_killed_part_way_leaves_the_tables_as_they_were(
    cluster: Settings, big_file: Path
) -> None:
    engine = create_engine(database_url(cluster))
    _clean(engine)
    before = _counts(engine)
    process = _start_import(cluster, big_file)
    _wait_until_importing(engine, process)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    time.sleep(0.5)  # the server notices the lost connection and rolls back
    assert _counts(engine) == before
    _rerun_completes(cluster, big_file, engine)
    engine.dispose()


def test_the_server_stopped_immediately_during_an_import_keeps_nothing_partial(
    cluster: Settings, big_file: Path
) -> None:
    engine = create_engine(database_url(cluster), pool_pre_ping=True)
    _clean(engine)
    before = _counts(engine)
    process = _start_import(cluster, big_file)
    _wait_until_importing(engine, process)
    assert pgcluster.stop(cluster, immediate=True)
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    pgcluster.start(cluster)  # crash recovery
    engine.dispose()
    assert _counts(engine) == before
    _rerun_completes(cluster, big_file, engine)
    engine.dispose()
