"""Benchmark: importing a persons with significant control snapshot of 5,000,000 lines (generated,
in the published layout: individual and corporate controllers, statements and the totals line)
for a register of 50,000 companies, with ``sectormap``'s streamed import (``psc.import_psc``,
into PostGIS), against the baseline of reading the same file with pandas
``read_json(lines=True)`` (in chunks of 100,000 lines: the whole file at once would need many
times its 3 GB of memory) and keeping the register's rows. Each runs in a child process of its
own, so its peak memory (maximum resident set) is its own.

    python -m bench.psc_import [--lines 5000000] [--register 50000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: One published line of an individual controller, with the values to fill in.
INDIVIDUAL = (
    '{{"company_number":"{number}","data":{{"address":{{"address_line_1":"{n} High Street",'
    '"country":"England","locality":"Leicester","postal_code":"LE1 1AA","premises":"{n}"}},'
    '"country_of_residence":"England","date_of_birth":{{"month":{month},"year":{year}}},'
    '"etag":"{etag}","kind":"individual-person-with-significant-control","links":{{"self":'
    '"/company/{number}/persons-with-significant-control/individual/{etag}"}},"name":"Mr '
    'Person {person} Surname","name_elements":{{"forename":"Person","middle_name":"{person}",'
    '"surname":"Surname","title":"Mr"}},"nationality":"British","natures_of_control":'
    '["ownership-of-shares-75-to-100-percent","voting-rights-75-to-100-percent"],'
    '"notified_on":"2016-04-06"}}}}\n'
)
STATEMENT = (
    '{{"company_number":"{number}","data":{{"etag":"{etag}","kind":"persons-with-significant-'
    'control-statement","links":{{"self":"/company/{number}/persons-with-significant-control-'
    'statements/{etag}"}},"notified_on":"2017-01-01","statement":"no-individual-or-entity-with-'
    'signficant-control"}}}}\n'
)


def generate(path: Path, lines: int, register: int) -> None:
    """``lines`` lines, one company per line mostly; the register's companies among them."""
    rng = np.random.default_rng(1)
    # Company numbers: 90000000 + i for the register's, others spread over the rest.
    numbers = rng.integers(10_000_000, 89_999_999, lines)
    numbers[rng.choice(lines, register, replace=False)] = 90_000_000 + np.arange(register)
    people = rng.integers(0, lines // 2, lines)
    with path.open("w", encoding="ascii") as out:
        for i in range(lines - 1):
            number = f"{numbers[i]:08d}"
            if i % 20 == 19:
                out.write(STATEMENT.format(number=number, etag=f"s{i:x}"))
            else:
                out.write(
                    INDIVIDUAL.format(
                        number=number,
                        n=i % 300,
                        month=1 + i % 12,
                        year=1950 + i % 50,
                        etag=f"e{i:x}",
                        person=people[i],
                    )
                )
        out.write(
            '{"data":{"kind":"totals#persons-of-significant-control-snapshot",'
            f'"persons_of_significant_control_count":{lines - 1},"statements_count":0,'
            '"exemptions_count":0,"generated_at":"2026-11-30T06:00:00Z"}}\n'
        )


def _child(kind: str, path: str, register: int) -> None:
    started = time.perf_counter()
    if kind == "sectormap":
        from sqlalchemy import create_engine, text

        from layers.core import migrate
        from layers.network import psc
        from tests.support import IMPORTER, fresh_database

        engine = create_engine(fresh_database("sectormap_bench_psc"))
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO business (name, sector, company_number, geom) "
                    "SELECT 'Bench ' || i, '14', (90000000 + i)::text, "
                    "ST_SetSRID(ST_MakePoint(-1.13, 52.63), 4326) "
                    "FROM generate_series(0, :n - 1) i"
                ),
                {"n": register},
            )
            conn.execute(text("DELETE FROM risk_pending"))
        started = time.perf_counter()
        result = psc.import_psc(engine, IMPORTER, Path(path))
        kept, lines = result.controls + result.statements, result.lines
    else:
        import pandas as pd

        wanted = {f"{90_000_000 + i:08d}" for i in range(register)}
        kept = lines = 0
        frames = []
        for chunk in pd.read_json(
            path, lines=True, chunksize=100_000, dtype={"company_number": str}
        ):
            lines += len(chunk)
            mine = chunk[chunk["company_number"].isin(wanted)]
            frames.append(mine)
            kept += len(mine)
        pd.concat(frames)
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": took, "peak_mib": peak, "kept": kept, "lines": lines}))


def _measure(kind: str, path: Path, register: int) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.psc_import",
            "--child",
            kind,
            str(path),
            "--register",
            str(register),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate the snapshot, import it both ways and print speed and peak memory of each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--register", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child, args.register)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "persons-with-significant-control-snapshot.txt"
        started = time.perf_counter()
        generate(path, args.lines, args.register)
        print(
            f"generated {args.lines:,} lines ({path.stat().st_size / 2**30:.2f} GiB) in "
            f"{time.perf_counter() - started:.0f} s; {args.register:,} register companies"
        )
        ours = _measure("sectormap", path, args.register)
        print(
            f"sectormap import psc (streamed, stored in PostGIS): {ours['seconds']:.1f} s = "
            f"{ours['lines'] / ours['seconds']:,.0f} lines/s, peak {ours['peak_mib']:,.0f} MiB, "
            f"{ours['kept']:,} records kept"
        )
        base = _measure("pandas", path, args.register)
        print(
            f"baseline pandas read_json(lines=True, chunksize=100000): {base['seconds']:.1f} s = "
            f"{base['lines'] / base['seconds']:,.0f} lines/s, peak {base['peak_mib']:,.0f} MiB, "
            f"{base['kept']:,} kept; sectormap is {base['seconds'] / ours['seconds']:.1f}x faster"
        )


if __name__ == "__main__":
    main()
