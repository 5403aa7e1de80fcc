"""Benchmark: `sectormap db backup` and `db restore` of a database with 100,000 demo businesses,
seconds and bytes, beside a plain `pg_dump -Fc` / `pg_restore` of the same database in the same
run (the baseline: no consistent-snapshot counts, no manifest, no checks, no swap).

    python -m bench.backup_restore [--businesses 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from layers.core import backups, migrate
from layers.core.settings import get_settings
from layers.demo import generator, populate
from scripts import pgcluster
from tests.support import fresh_database


def _seconds(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    args = parser.parse_args()
    bindir = pgcluster.find_bindir() or backups.pg_bindir()
    name = f"{get_settings().db_name}_bench_backup"
    engine = create_engine(fresh_database(name))
    migrate.upgrade(engine)
    populate.load(engine, seed=1, scale=args.businesses / generator.BASE_BUSINESSES)
    env = backups.libpq_env(engine.url)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        ours = folder / "sectormap.dump"
        plain = folder / "plain.dump"
        backup_s = _seconds(lambda: backups.backup(engine, ours, bindir=bindir))
        dump_s = _seconds(
            lambda: subprocess.run(
                [str(bindir / "pg_dump"), "--format=custom", f"--file={plain}"],
                env=env,
                check=True,
            )
        )
        restore_s = _seconds(lambda: backups.restore(engine, ours, bindir=bindir))
        plain_url = fresh_database(f"{name}_plain")
        plain_env = backups.libpq_env(create_engine(plain_url).url)
        pg_restore_s = _seconds(
            lambda: subprocess.run(
                [
                    str(bindir / "pg_restore"),
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={plain_env['PGDATABASE']}",
                    str(plain),
                ],
                env=plain_env,
                check=True,
                capture_output=True,
            )
        )
        rows = sum(backups.read_manifest(ours).tables.values())
        print(f"database: {args.businesses:,} businesses, {rows:,} rows in all")
        print(
            f"sectormap db backup: {backup_s:.2f} s, {ours.stat().st_size / 1e6:,.1f} MB "
            f"(+ manifest {backups.manifest_path(ours).stat().st_size:,} bytes)"
        )
        print(f"  baseline pg_dump -Fc: {dump_s:.2f} s, {plain.stat().st_size / 1e6:,.1f} MB")
        print(f"sectormap db restore (new database, counts checked, migrated, swapped): "
              f"{restore_s:.2f} s")  # fmt: skip
        print(f"  baseline pg_restore into an empty database: {pg_restore_s:.2f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
