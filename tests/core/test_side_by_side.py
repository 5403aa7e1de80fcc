"""Independent reads side by side (``layers.core.db.side_by_side``), against PostGIS: on an
Engine at the same time on connections of their own, on a Connection in turn inside its
transaction."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Connection, Engine, text

from layers.core.db import Bind, side_by_side


def _backend(bind: Bind) -> int:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return int(bind.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_on_an_engine_the_reads_run_at_once_on_connections_of_their_own(engine: Engine) -> None:
    # Each read waits at the barrier until all three have started: run in turn, the first
    # would wait alone and the barrier would break.
    together = threading.Barrier(3, timeout=30)

    def read(number: int):  # type: ignore[no-untyped-def]
        def run(bind: Bind) -> tuple[int, int]:
            assert isinstance(bind, Engine)
            with bind.connect() as conn:
                backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
                together.wait()
                return number, backend

        return run

    found = side_by_side(engine, read(1), read(2), read(3))
    assert [number for number, _ in found] == [1, 2, 3]  # in the order asked
    assert len({backend for _, backend in found}) == 3


def test_on_a_connection_the_reads_run_in_turn_inside_its_transaction(conn: Connection) -> None:
    conn.execute(text("CREATE TEMP TABLE uncommitted (n int) ON COMMIT DROP"))
    conn.execute(text("INSERT INTO uncommitted VALUES (1), (2)"))

    def count(bind: Bind) -> int:
        assert bind is conn
        return int(bind.execute(text("SELECT count(*) FROM uncommitted")).scalar_one())

    assert side_by_side(conn, count, count, _backend) == [2, 2, _backend(conn)]


def test_an_error_in_one_read_reaches_the_caller(engine: Engine) -> None:
    def fails(bind: Bind) -> None:
        raise ValueError("no such area: 9999")

    with pytest.raises(ValueError, match="no such area: 9999"):
        side_by_side(engine, _backend, fails)
