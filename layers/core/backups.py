"""Backups of the whole database with PostgreSQL's own ``pg_dump`` (custom format), each with a
manifest beside it (schema revision, rows per table, time, app version), and restores with
``pg_restore`` that never leave a half-restored database.

A backup is consistent: its row counts are taken in the very snapshot ``pg_dump`` copies. It is
written under a temporary name and renamed when whole. A restore goes into a new database first;
its row counts are checked against the manifest, it is migrated to the newest schema, and only
then does it replace the database in use (by renaming), so a failure at any step changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import URL, Engine, create_engine, text

from layers.core import migrate, outputs
from layers.core.errors import SectormapError, ValidationError

#: Backups written by ``backup`` into the backup folder are named like this (and only those are
#: rotated by ``keep``).
NAME = re.compile(r"sectormap-\d{8}-\d{6}(-\d+)?\.dump")


class BackupError(SectormapError, RuntimeError):
    """A backup or restore that could not be done; nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside it as JSON."""

    file: str
    created_at: str
    schema_revision: str | None
    app_version: str
    database: str
    tables: dict[str, int]
    bytes: int = 0

    @property
    def created(self) -> dt.datetime:
        """When the backup was taken (UTC)."""
        return dt.datetime.fromisoformat(self.created_at)


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did: the backup's schema, the schema it was migrated to, and the tables
    and rows restored (each table's rows matched the manifest, or nothing was restored)."""

    backup_revision: str | None
    revision: str | None
    tables: int
    rows: int


def manifest_path(dump: Path) -> Path:
    """Where the manifest of backup ``dump`` lives: beside it, ``….dump.json``."""
    return dump.with_name(dump.name + ".json")


def read_manifest(dump: Path) -> Manifest:
    """The manifest beside backup ``dump``; ``BackupError`` when it is missing or unreadable."""
    path = manifest_path(dump)
    try:
        return Manifest(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise BackupError(f"{dump.name} has no manifest beside it ({path.name})") from None
    except (ValueError, TypeError) as exc:
        raise BackupError(f"the manifest {path.name} is not readable: {exc}") from None


def libpq_env(url: URL) -> dict[str, str]:
    """The environment that points ``pg_dump``/``pg_restore`` at ``url`` (password never on the
    command line, where other users could see it)."""
    values = {
        "PGHOST": url.host or "",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def row_counts(conn: object) -> dict[str, int]:
    """Exact row count of every table of the public schema (PostGIS's own excluded)."""
    tables = conn.execute(  # type: ignore[attr-defined]
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
        )
    ).scalars()
    return {
        table: int(
            conn.execute(  # type: ignore[attr-defined]
                text(f'SELECT count(*) FROM public."{table}"')  # noqa: S608 - catalogue names, quoted
            ).scalar_one()
        )
        for table in list(tables)
    }


def _run(command: list[str], env: dict[str, str], doing: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{doing} failed: {reason}")


def default_target(folder: Path, now: dt.datetime | None = None) -> Path:
    """A new backup's file in ``folder``, named after the time (UTC)."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    target = folder / f"sectormap-{stamp}.dump"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"sectormap-{stamp}-{counter}.dump"
    return target


def backup(engine: Engine, target: Path, *, bindir: Path) -> Manifest:
    """Dump the whole database behind ``engine`` to ``target`` (custom format) and write its
    manifest beside it; returns the manifest."""
    outputs.check_writable(target, option="FILE")
    partial = target.with_name(target.name + ".partial")
    with engine.connect() as conn:
        # One snapshot for the counts and for pg_dump, held open while it copies.
        conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        tables = row_counts(conn)
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        created = dt.datetime.now(dt.UTC)
        try:
            _run(
                [str(bindir / "pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                 "--no-password", f"--file={partial}"],
                libpq_env(engine.url),
                "pg_dump",
            )  # fmt: skip
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            conn.exec_driver_sql("COMMIT")
    partial.replace(target)
    manifest = Manifest(
        file=target.name,
        created_at=created.isoformat(),
        schema_revision=revision,
        app_version=metadata.version("sectormap"),
        database=engine.url.database or "",
        tables=tables,
        bytes=target.stat().st_size,
    )
    written = manifest_path(target).with_suffix(".partial")
    written.write_text(json.dumps(asdict(manifest), indent=2))
    written.replace(manifest_path(target))
    return manifest


def backups_in(folder: Path) -> list[tuple[Path, Manifest]]:
    """The backups in ``folder`` that have a readable manifest, newest first."""
    found = []
    for dump in folder.glob("*.dump") if folder.is_dir() else []:
        try:
            found.append((dump, read_manifest(dump)))
        except BackupError:
            continue
    return sorted(found, key=lambda pair: pair[1].created_at, reverse=True)


def age_warning(latest: Manifest | None, now: dt.datetime) -> str | None:
    """What to warn about the newest backup: none at all, or one older than a day."""
    if latest is None:
        return "There is no backup in the backup folder."
    age = now - latest.created
    if age <= dt.timedelta(days=1):
        return None
    days = age.days
    return f"The latest backup is {days} day{'s' if days != 1 else ''} old."


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups that ``backup`` named in ``folder`` (with
    their manifests); returns what was deleted."""
    if keep < 1:
        raise ValidationError(f"--keep must be at least 1, not {keep}", column="--keep")
    ours = [(dump, m) for dump, m in backups_in(folder) if NAME.fullmatch(dump.name)]
    deleted = []
    for dump, _ in ours[keep:]:
        dump.unlink()
        manifest_path(dump).unlink(missing_ok=True)
        deleted.append(dump)
    return deleted


def _known_revisions(engine: Engine) -> set[str]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return {script.revision for script in scripts.walk_revisions()}


def _admin_connection(url: URL) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname="postgres", autocommit=True,
    )  # fmt: skip


def restore(engine: Engine, dump: Path, *, bindir: Path) -> RestoreReport:
    """Replace the database behind ``engine`` with backup ``dump``.

    Refuses a backup of a newer schema than this code knows, and one whose restored rows differ
    from its manifest; migrates an older one to the newest schema. The database in use is
    replaced only once all of that has succeeded.
    """
    if not dump.is_file():
        raise ValidationError(f"there is no backup file {dump}", column="FILE")
    manifest = read_manifest(dump)
    if manifest.schema_revision is not None and manifest.schema_revision not in _known_revisions(
        engine
    ):
        raise BackupError(
            f"{dump.name} was made by a newer schema ({manifest.schema_revision}) than this "
            f"version of Sectormap knows (newest {migrate.head_revision(engine)}): upgrade "
            "Sectormap first"
        )
    url = engine.url
    target = url.database or ""
    scratch = f"{target}_restoring"
    try:
        with _admin_connection(url) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        raise BackupError(
            f"cannot create the database to restore into ({reason}); the restoring role needs "
            "CREATEDB and a connection to the 'postgres' database. Nothing was changed"
        ) from None
    scratch_url = url.set(database=scratch)
    try:
        _run(
            [str(bindir / "pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
             "--no-password", f"--dbname={scratch}", str(dump)],
            libpq_env(scratch_url),
            "pg_restore",
        )  # fmt: skip
        restored = create_engine(scratch_url)
        try:
            with restored.connect() as conn:
                counts = row_counts(conn)
            differences = {
                table: (manifest.tables.get(table, 0), counts.get(table, 0))
                for table in sorted(set(manifest.tables) | set(counts))
                if manifest.tables.get(table, 0) != counts.get(table, 0)
            }
            if differences:
                raise BackupError(
                    f"{dump.name} does not match its manifest ("
                    + ", ".join(
                        f"{t}: {a:,} listed, {b:,} restored" for t, (a, b) in differences.items()
                    )
                    + "); the database in use was not touched"
                )
            migrate.upgrade(restored)
            revision = migrate.current_revision(restored)
        finally:
            restored.dispose()
    except BaseException:
        with _admin_connection(url) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
        raise
    engine.dispose()
    replaced = f"{target}_replaced"
    with _admin_connection(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(replaced))
        )
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(target))
        )
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (target,),
        )
        admin.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(target), sql.Identifier(replaced)
            )
        )
        admin.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(scratch), sql.Identifier(target)
            )
        )
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(replaced)))
    return RestoreReport(
        backup_revision=manifest.schema_revision,
        revision=revision,
        tables=len(counts),
        rows=sum(counts.values()),
    )


def pg_bindir() -> Path:
    """The directory of ``pg_dump`` and ``pg_restore`` on the PATH; ``BackupError`` without."""
    found = shutil.which("pg_dump")
    if found is None:
        raise BackupError(
            "pg_dump is not installed: run 'sectormap db up' (or install postgresql-client)"
        )
    return Path(found).parent
