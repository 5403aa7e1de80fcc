"""Two imports of one file without company numbers, started together on separate connections:
the register's import lock makes the second wait and then match the first's businesses, so no
business is inserted twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from layers.core import migrate
from layers.register.businesses.importing import ImportResult, import_businesses
from tests.support import IMPORTER, fresh_database, worker

ROWS = 2_000


@pytest.fixture
def committed() -> Iterator[Engine]:
    """A database of its own: both imports really commit."""
    engine = create_engine(fresh_database(f"sectormap_concurrent_{worker()}"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO postcode (postcode, geom) VALUES "
                "('LE5 4GD', ST_SetSRID(ST_MakePoint(-1.0992, 52.6362), 4326))"
            )
        )
    yield engine
    engine.dispose()


def test_two_imports_at_once_insert_each_business_once(committed: Engine, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "name,postcode,sector\n"
        + "".join(f"Fictional Survey Firm {n},LE5 4GD,14\n" for n in range(ROWS)),
        encoding="utf-8",
    )
    results: list[ImportResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(import_businesses(committed, IMPORTER, path))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert sorted(r.inserted for r in results) == [0, ROWS]
    assert sorted(r.unchanged for r in results) == [0, ROWS]
    with committed.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM business")).scalar_one() == ROWS
        assert (
            conn.execute(
                text("SELECT count(*) FROM (SELECT name FROM business GROUP BY name "
                     "HAVING count(*) > 1) AS twice")
            ).scalar_one()
            == 0
        )  # fmt: skip
