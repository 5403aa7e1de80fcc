"""Backups and restores against real PostgreSQL: what comes back is identical table by table,
a backup of a newer schema or one that does not match its manifest is refused without touching
the database, an older one is migrated to head, and rotation keeps the newest."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from layers.core import backups, migrate
from layers.core.errors import ValidationError
from scripts import pgcluster
from tests.support import fresh_database, worker

BINDIR = pgcluster.find_bindir() or backups.pg_bindir()


@pytest.fixture
def scratch() -> Iterator[Engine]:
    """A database of its own, at head, with a few rows (restores replace it)."""
    engine = create_engine(fresh_database(f"sectormap_backup_{worker()}"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, postcode, geom) SELECT "
                "'Fictional Firm ' || n, '14', 'cmt', 'LE5 4GD', "
                "ST_SetSRID(ST_MakePoint(-1.1 + n / 1e4, 52.63), 4326) "
                "FROM generate_series(1, 50) AS n"
            )
        )
        conn.execute(text("INSERT INTO audit_log (username, action) VALUES ('t_backup', 'login')"))
    yield engine
    engine.dispose()


def _checksums(engine: Engine) -> dict[str, str]:
    """An md5 of every table's rows in a fixed order."""
    with engine.connect() as conn:
        tables = list(backups.row_counts(conn))
        return {
            table: conn.execute(
                text(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608 - catalogue names
                    f'FROM public."{table}" t'
                )
            ).scalar_one()
            for table in tables
        }


def test_backup_changes_restore_gives_every_table_back(scratch: Engine, tmp_path: Path) -> None:
    before = _checksums(scratch)
    dump = tmp_path / "before.dump"
    manifest = backups.backup(scratch, dump, bindir=BINDIR)
    head = migrate.head_revision(scratch)
    assert manifest.tables["business"] == 50 and manifest.schema_revision == head
    assert json.loads(backups.manifest_path(dump).read_text())["tables"]["business"] == 50
    with scratch.begin() as conn:
        conn.execute(text("DELETE FROM business WHERE name LIKE '%1%'"))
        conn.execute(text("UPDATE business SET name = 'changed'"))
    assert _checksums(scratch) != before
    report = backups.restore(scratch, dump, bindir=BINDIR)
    assert (report.backup_revision, report.revision) == (head, head)
    assert _checksums(scratch) == before


def test_a_newer_schema_or_a_wrong_manifest_is_refused_and_nothing_changes(
    scratch: Engine, tmp_path: Path
) -> None:
    dump = tmp_path / "b.dump"
    backups.backup(scratch, dump, bindir=BINDIR)
    with scratch.begin() as conn:
        conn.execute(text("DELETE FROM business"))
    after_change = _checksums(scratch)
    manifest = json.loads(backups.manifest_path(dump).read_text())
    backups.manifest_path(dump).write_text(json.dumps({**manifest, "schema_revision": "9999"}))
    with pytest.raises(backups.BackupError, match="newer schema \\(9999\\)"):
        backups.restore(scratch, dump, bindir=BINDIR)
    tampered = {**manifest, "tables": {**manifest["tables"], "business": 49}}
    backups.manifest_path(dump).write_text(json.dumps(tampered))
    with pytest.raises(backups.BackupError, match="business: 49 listed, 50 restored"):
        backups.restore(scratch, dump, bindir=BINDIR)
    assert _checksums(scratch) == after_change
    backups.manifest_path(dump).unlink()
    with pytest.raises(backups.BackupError, match="no manifest"):
        backups.restore(scratch, dump, bindir=BINDIR)


def test_an_older_schema_is_migrated_to_head(scratch: Engine, tmp_path: Path) -> None:
    old = create_engine(fresh_database(f"sectormap_backup_old_{worker()}"))
    migrate.upgrade(old, "0005")
    dump = tmp_path / "old.dump"
    assert backups.backup(old, dump, bindir=BINDIR).schema_revision == "0005"
    old.dispose()
    report = backups.restore(scratch, dump, bindir=BINDIR)
    assert (report.backup_revision, report.revision) == ("0005", migrate.head_revision(scratch))
    with scratch.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM business")).scalar_one() == 0


def test_rotation_keeps_the_newest_of_its_own_backups(scratch: Engine, tmp_path: Path) -> None:
    made = []
    for hour in (1, 2, 3):
        target = backups.default_target(tmp_path, dt.datetime(2026, 12, 2, hour, tzinfo=dt.UTC))
        backups.backup(scratch, target, bindir=BINDIR)
        manifest = json.loads(backups.manifest_path(target).read_text())
        manifest["created_at"] = f"2026-12-02T0{hour}:00:00+00:00"
        backups.manifest_path(target).write_text(json.dumps(manifest))
        made.append(target)
    hand_made = tmp_path / "before-upgrade.dump"
    backups.backup(scratch, hand_made, bindir=BINDIR)
    assert backups.rotate(tmp_path, 2) == [made[0]]
    assert sorted(p.name for p in tmp_path.glob("*.dump")) == sorted(
        [made[1].name, made[2].name, hand_made.name]
    )
    assert not backups.manifest_path(made[0]).exists()
    with pytest.raises(ValidationError, match="at least 1"):
        backups.rotate(tmp_path, 0)


def test_a_backup_is_refused_before_any_work_when_it_cannot_be_written(
    scratch: Engine, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="is a folder"):
        backups.backup(scratch, tmp_path, bindir=BINDIR)
    assert not list(tmp_path.iterdir())


def test_the_age_of_the_latest_backup() -> None:
    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    fresh = backups.Manifest("a.dump", "2026-12-02T01:00:00+00:00", "0006", "0.1.0", "db", {})
    assert backups.age_warning(fresh, now) is None
    stale = backups.Manifest("b.dump", "2026-11-30T12:00:00+00:00", "0006", "0.1.0", "db", {})
    assert backups.age_warning(stale, now) == "The latest backup is 2 days old."
    assert backups.age_warning(None, now) == "There is no backup in the backup folder."
