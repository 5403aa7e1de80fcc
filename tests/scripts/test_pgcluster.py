"""The embedded PostGIS cluster: `db up` twice changes nothing; a stale postmaster.pid is survived.

These tests make a cluster of their own under data/ on a free port, so the shared one is untouched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from layers.core import migrate
from layers.core.settings import REPO_ROOT, Settings
from scripts import pgcluster

pytestmark = pytest.mark.xdist_group("cluster")
SECTORMAP = str(Path(sys.executable).with_name("sectormap"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_cluster() -> Iterator[Settings]:
    data_dir = REPO_ROOT / "data" / "test-clusters" / uuid.uuid4().hex[:8]
    settings = Settings(data_dir=data_dir, db_port=_free_port())
    yield settings
    pgcluster.stop(settings)
    shutil.rmtree(data_dir, ignore_errors=True)


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SECTORMAP_DATA_DIR": str(settings.data_dir),
        "SECTORMAP_DB_PORT": str(settings.db_port),
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run([SECTORMAP, *args], env=env, capture_output=True, text=True, timeout=180)


def test_db_up_twice_changes_nothing(own_cluster: Settings) -> None:
    first = _cli(own_cluster, "db", "up")
    assert first.returncode == 0, first.stderr
    head = migrate.head_revision(create_engine("postgresql+psycopg://"))
    assert f"(schema {head})" in first.stdout
    pid = pgcluster.status(own_cluster).pid
    assert pid is not None
    second = _cli(own_cluster, "db", "up")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert "creating" not in second.stderr and "starting" not in second.stderr
    assert pgcluster.status(own_cluster).pid == pid
    status = _cli(own_cluster, "db", "status")
    assert f"yes, PID {pid}" in status.stdout
    assert _cli(own_cluster, "db", "down").returncode == 0
    assert not pgcluster.status(own_cluster).running


def _wait_for_exit(directory: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [
            p
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _cmdline_mentions(p, str(directory))
        ]
        if not alive:
            return
        time.sleep(0.2)
    raise AssertionError("the killed server's processes did not exit")


def _cmdline_mentions(proc: Path, text: str) -> bool:
    try:
        return text in (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def test_start_survives_a_server_killed_with_its_pid_file_left(own_cluster: Settings) -> None:
    pgcluster.start(own_cluster)
    pid = pgcluster.status(own_cluster).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    _wait_for_exit(own_cluster.cluster_dir)
    assert (own_cluster.cluster_dir / "postmaster.pid").exists()
    pgcluster.start(own_cluster)
    state = pgcluster.status(own_cluster)
    assert state.running and state.pid != pid


def test_start_survives_a_pid_file_naming_another_live_process(own_cluster: Settings) -> None:
    pgcluster.start(own_cluster)
    assert pgcluster.stop(own_cluster)
    pid_file = own_cluster.cluster_dir / "postmaster.pid"
    # As after a reboot: the recorded PID now belongs to some other program (here, this test).
    pid_file.write_text(f"{os.getpid()}\n{own_cluster.cluster_dir}\n")
    pgcluster.start(own_cluster)
    assert pgcluster.status(own_cluster).running
