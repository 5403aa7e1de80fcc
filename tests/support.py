"""Helpers for tests that need a database of their own on the test server."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy import Connection, create_engine, make_url, text

from layers.core import migrate
from layers.core.db import database_url
from layers.core.settings import REPO_ROOT, Settings, get_settings
from layers.people import identity, users
from scripts import pgcluster

#: Who imports files in the tests: the person at the command line, in the analyst role.
IMPORTER = identity.command_line("analyst")


def make_user(
    conn: Connection,
    username: str,
    role: str = "officer",
    agency: str = "COUNCIL",
    *,
    cleared: bool = False,
) -> identity.User:
    """A user in the database (password "long enough"), as the app holds one; ``cleared``
    gives them a current clearance for all restricted intelligence."""
    user_id = users.upsert_user(
        conn,
        username=username,
        full_name=username,
        role=role,
        agency_code=agency,
        password="long enough",
    )
    if cleared:
        conn.execute(
            text("INSERT INTO clearance (user_id, reason) VALUES (:u, 'test clearance')"),
            {"u": user_id},
        )
    return identity.User(user_id, username, username, role, agency, cleared)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def own_cluster(name: str) -> Iterator[Settings]:
    """A PostgreSQL cluster of the caller's own (to be stopped or crashed on purpose), on a free
    port under data/, with its database created and migrated; removed afterwards."""
    settings = Settings(
        data_dir=REPO_ROOT / "data" / f"{name}-{worker()}", db_port=free_port(), database_url=None
    )
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    pgcluster.start(settings)
    try:
        pgcluster.create_database(settings.db_name, settings)
        engine = create_engine(database_url(settings))
        migrate.upgrade(engine)
        engine.dispose()
        yield settings
    finally:
        pgcluster.stop(settings)
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def worker() -> str:
    """This pytest-xdist worker's name ('main' without xdist)."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def server_url() -> str:
    """URL of the PostgreSQL server the tests use (database part to be replaced)."""
    settings = get_settings()
    if settings.embedded:
        pgcluster.start(settings)
    return database_url(settings)


def fresh_database(name: str) -> str:
    """Create (or re-create) database ``name`` with PostGIS on the test server; return its URL."""
    url = make_url(server_url())
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(test_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        assert conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    engine.dispose()
    return test_url
