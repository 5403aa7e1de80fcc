"""Database engine, connection URL and the PostGIS check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from layers.core.errors import (
    DatabaseUnavailableError,
    SectormapError,
    TooLongError,
    ValidationError,
)
from layers.core.settings import Settings, get_settings


def database_url(settings: Settings | None = None) -> str:
    """The URL of the database in use: ``DATABASE_URL`` when set, else the embedded cluster."""
    settings = settings or get_settings()
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    password = settings.password_file.read_text().strip() if settings.password_file.exists() else ""
    return (
        f"postgresql+psycopg://{settings.db_superuser}:{password}"
        f"@{settings.db_host}:{settings.db_port}/{settings.db_name}"
    )


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (pooled); every statement on it is stopped after the
    ``statement_timeout_s`` setting, so no page or command can run away with the server."""
    timeout_ms = get_settings().statement_timeout_s * 1000
    return create_engine(
        url or database_url(),
        pool_pre_ping=True,
        pool_size=5,
        connect_args={"options": f"-c statement_timeout={timeout_ms}"},
    )


def check_postgis(engine: Engine) -> str:
    """Return the PostGIS version; raise a clear error when the database or PostGIS is missing."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT postgis_lib_version()")).scalar_one())
    except OperationalError as exc:
        raise DatabaseUnavailableError(
            f"Cannot reach the database at {where}: {str(exc.orig).strip().splitlines()[0]}. "
            "Start the embedded one with 'sectormap db up', or fix DATABASE_URL."
        ) from exc
    except ProgrammingError as exc:
        raise DatabaseUnavailableError(
            f"The database at {where} has no PostGIS. Run 'CREATE EXTENSION postgis;' in it "
            "as a superuser (and pg_trgm, btree_gist), then try again."
        ) from exc


#: What every page says, in one line, while the database cannot be reached.
UNAVAILABLE = (
    "The database cannot be reached just now, so Sectormap cannot show this. Nothing you saved "
    "is lost; it works again by itself once the database is back: try again in a minute."
)


def unavailable(error: BaseException) -> DatabaseUnavailableError | None:
    """The calm error to show for ``error`` when it means the database is down or the
    connection was lost (server stopped, restarted, unreachable); None for any other error."""
    if isinstance(error, DatabaseUnavailableError):
        return error
    lost = isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )
    return DatabaseUnavailableError(UNAVAILABLE) if lost else None


def explained(error: BaseException) -> SectormapError | None:
    """A database error turned into what a person can act on: work stopped by the statement
    timeout, the database unreachable, a value it cannot hold (a NUL character, a number too
    large); None for a bug."""
    if isinstance(getattr(error, "orig", None), psycopg.errors.QueryCanceled):
        return TooLongError(
            f"This took longer than the {get_settings().statement_timeout_s:,} s allowed "
            "(SECTORMAP_STATEMENT_TIMEOUT_S) and was stopped; nothing was changed. Try a "
            "smaller area or file."
        )
    down = unavailable(error)
    if down is not None:
        return down
    if isinstance(error, DataError):
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        if "NUL" in reason or "0x00" in reason:
            return ValidationError(
                "a value contains a NUL character (\\x00), which cannot be stored: remove it"
            )
        return ValidationError(f"the database cannot hold a value given: {reason}")
    return None


#: What layer functions take: an Engine (they open their own transaction) or a Connection
#: (they join the caller's transaction, inside a savepoint, and never commit behind its back).
Bind = Engine | Connection


#: Work every transaction does last, before it commits (see ``before_commit``).
_BEFORE_COMMIT: list[Callable[[Connection], object]] = []


def before_commit(hook: Callable[[Connection], object]) -> None:
    """Have ``hook(conn)`` run at the end of every ``transaction`` block that succeeds, in that
    transaction (stored risk registers its refresh here)."""
    _BEFORE_COMMIT.append(hook)


@contextmanager
def transaction(bind: Bind) -> Iterator[Connection]:
    """A connection in a transaction: committed at the end for an Engine; a savepoint within the
    caller's transaction for a Connection (rolled back alone if the block fails). The
    ``before_commit`` hooks run last, inside it."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
            for hook in _BEFORE_COMMIT:
                hook(conn)
    else:
        with bind.begin_nested():
            yield bind
            for hook in _BEFORE_COMMIT:
                hook(bind)


@contextmanager
def reading(bind: Bind) -> Iterator[Connection]:
    """A connection to read with (the caller's, when given one)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


@contextmanager
def planned(bind: Bind, **settings: str) -> Iterator[Connection]:
    """A connection to read with whose planner ``settings`` (``jit="off"``, say) hold for what
    runs inside the block; the caller's own settings come back after it.

    Switching a kind of plan node off (``enable_nestloop="off"``, say) switches JIT off with
    it, unless ``jit`` is given: PostgreSQL adds a penalty of 10^10 to the estimated cost of a
    plan that still uses such a node, far past ``jit_above_cost``, and compiling took 0.4 s of
    an area's visit counts that run in 0.05 s."""
    if any(name.startswith("enable_") and value == "off" for name, value in settings.items()):
        settings = {"jit": "off", **settings}
    with reading(bind) as conn:
        before = {
            name: conn.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar_one()
            for name in settings
        }
        for name, value in settings.items():
            conn.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
        yield conn
        for name, value in before.items():
            conn.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})


def side_by_side(bind: Bind, *reads: Callable[[Bind], Any]) -> list[Any]:
    """The results of independent ``reads`` (each a function of a bind), in their order.

    On an Engine each runs on a connection of its own, all at once: the database works on each
    in a process of its own, so on a server of two cores three reads of a dashboard take about
    as long as the longest. On a Connection they run in turn, in its transaction (which a test's
    or a caller's uncommitted rows live in)."""
    if isinstance(bind, Connection):
        return [read(bind) for read in reads]
    with ThreadPoolExecutor(max_workers=len(reads), thread_name_prefix="read") as pool:
        return list(pool.map(lambda read: read(bind), reads))


def read_frame(bind: Bind, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run a read-only query (values bound as parameters) and return its rows as a data frame."""
    with reading(bind) as conn:
        return pd.read_sql(text(sql), conn, params=params or {})
