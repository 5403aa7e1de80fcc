"""Benchmark: a password sign-in with the lockout checks (advisory lock on the username, its
recent failures read and judged, the audit entry, the hash-parameter check), against the
baseline of the Argon2id verification alone, measured in the same run.

Also times a refused sign-in of a locked username (no hash is verified then) and a wrong
password that records a failure, with 10,000 other failures in the table.

    python -m bench.sign_in [--rounds 30]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable

from sqlalchemy import create_engine, text

from layers.core import migrate
from layers.core.errors import AuthenticationError
from layers.core.settings import get_settings
from layers.people import passwords, sign_in, users
from tests.support import fresh_database

PASSWORD = "Plum-kettle-Harbour-19"  # noqa: S105 - the benchmark's own account


def _median_ms(action: Callable[[int], object], rounds: int) -> float:
    times = []
    for round_number in range(rounds):
        started = time.perf_counter()
        with contextlib.suppress(AuthenticationError):
            action(round_number)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench_sign_in"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        users.upsert_user(
            conn, username="bench", full_name="Bench", role="officer", agency_code="COUNCIL",
            password=PASSWORD,
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO sign_in_failure (username, at) SELECT 'guess' || (n % 2000), "
                "now() - n * interval '1 second' FROM generate_series(1, 10000) AS n"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sign_in_failure (username) SELECT 'locked' FROM generate_series(1, 5)"
            )
        )
        stored = conn.execute(
            text("SELECT password_hash FROM app_user WHERE username = 'bench'")
        ).scalar_one()
    engine.dispose()
    engine = create_engine(engine.url)
    baseline = _median_ms(lambda _: passwords.verify(stored, PASSWORD), rounds)
    full = _median_ms(lambda _: sign_in.authenticate(engine, "bench", PASSWORD), rounds)
    locked = _median_ms(lambda _: sign_in.authenticate(engine, "locked", PASSWORD), rounds)
    # A fresh username each round, among the 10,000 recorded failures, so none is locked.
    wrong = _median_ms(lambda n: sign_in.authenticate(engine, f"guess{n}", "wrong"), rounds)
    print(f"sign-in with lockout checks: median {full:.1f} ms over {rounds} rounds")
    print(f"  baseline, Argon2id verify alone: median {baseline:.1f} ms")
    print(f"  overhead of the checks, audit and transaction: {full - baseline:.1f} ms")
    print(f"refused while locked (no hash verified): median {locked:.1f} ms")
    print(f"wrong password (dummy hash verified), failure recorded: median {wrong:.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
