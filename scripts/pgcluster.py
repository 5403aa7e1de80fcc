"""The embedded, project-owned PostgreSQL + PostGIS cluster under data/.

``up()`` installs the server from the system's packages when it is missing (Debian/Ubuntu, apt),
creates the cluster as an unprivileged system user when run as root, starts it on 127.0.0.1 at the
configured port and creates the database. Every step checks first, so running it twice changes
nothing. A ``postmaster.pid`` left by a killed server is recognised and removed before starting.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pwd
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from layers.core.errors import SetupError
from layers.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

_PG_ROOT = Path("/usr/lib/postgresql")
_EXTENSIONS = ("postgis", "pg_trgm", "btree_gist")


@dataclass(frozen=True)
class ClusterStatus:
    """What ``db status`` reports about the embedded cluster."""

    installed: bool
    initialised: bool
    running: bool
    pid: int | None
    port: int
    directory: Path


def find_bindir() -> Path | None:
    """The bin directory of the newest PostgreSQL with PostGIS available, or None."""
    for bindir in sorted(_PG_ROOT.glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        version = bindir.parent.name
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        library = bindir.parent / "lib" / "postgis-3.so"
        if (bindir / "initdb").exists() and control.exists() and library.exists():
            return bindir
    return None


def _apt_install(packages: list[str]) -> None:
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise SetupError(
                f"PostgreSQL with PostGIS is not installed. Install it with: "
                f"sudo apt-get install -y {' '.join(packages)}"
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        log.info("running %s", " ".join(command))
        done = subprocess.run([*prefix, *command], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SetupError(
                f"'{' '.join(command)}' failed ({done.stderr.strip()[-400:]}). "
                f"Install these packages yourself: {' '.join(packages)}"
            )


def ensure_installed() -> Path:
    """Return the server's bin directory, installing PostgreSQL and PostGIS with apt if needed."""
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    if shutil.which("apt-get") is None:
        raise SetupError(
            "PostgreSQL (15 or newer) with PostGIS 3 is not installed and this system has no "
            "apt-get. Install the PostgreSQL server and PostGIS with your package manager, or set "
            "DATABASE_URL to an existing PostGIS database."
        )
    versions = sorted(int(p.name) for p in _PG_ROOT.glob("*") if p.name.isdigit())
    if not versions:
        _apt_install(["postgresql", "postgresql-contrib"])
        versions = sorted(int(p.name) for p in _PG_ROOT.glob("*") if p.name.isdigit())
    _apt_install([f"postgresql-{versions[-1]}-postgis-3"])
    bindir = find_bindir()
    if bindir is None:
        raise SetupError(f"PostGIS for PostgreSQL {versions[-1]} did not install.")
    return bindir


def _system_user(settings: Settings) -> str | None:
    """The account that runs the server: a system user when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    name = settings.db_system_user
    try:
        pwd.getpwnam(name)
    except KeyError:
        log.info("creating system user %s to own the database cluster", name)
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
    return name


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


def _own(path: Path, owner: str | None, mode: int = 0o700) -> None:
    """Make ``path`` (a directory unless it already exists as a file) belong to ``owner``."""
    if not path.exists():
        path.mkdir(parents=True)
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(mode)


def superuser_password(settings: Settings | None = None) -> str:
    """The embedded cluster's superuser password (generated once, kept in data/)."""
    settings = settings or get_settings()
    if not settings.password_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.password_file.write_text(secrets.token_urlsafe(24))
        settings.password_file.chmod(0o600)
    return settings.password_file.read_text().strip()


def _initialise(bindir: Path, settings: Settings, owner: str | None) -> None:
    directory = settings.cluster_dir
    if (directory / "PG_VERSION").exists():
        return
    log.info("creating the PostgreSQL cluster in %s", directory)
    _own(directory, owner)
    pwfile = directory.parent / ".initdb-pw"
    pwfile.write_text(superuser_password(settings) + "\n")
    try:
        _own(pwfile, owner, 0o600)
        done = subprocess.run(
            _as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(directory),
                    "-U",
                    settings.db_superuser,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                owner,
            ),
            capture_output=True,
            text=True,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if done.returncode != 0:
        raise SetupError(f"initdb failed: {done.stderr.strip()[-600:]}")


def _lock_file_pid(lock_file: Path) -> int | None:
    """The PID recorded in a PostgreSQL lock file (-1 when unreadable), None when there is none."""
    if not lock_file.exists():
        return None
    try:
        return int(lock_file.read_text().splitlines()[0])
    except (ValueError, IndexError):
        return -1


def _pid_file_owner(directory: Path) -> int | None:
    return _lock_file_pid(directory / "postmaster.pid")


def _is_our_postmaster(pid: int, directory: Path) -> bool:
    """True when ``pid`` is alive and is a postgres server for this data directory."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    words = [w.decode(errors="replace") for w in cmdline if w]
    return bool(words) and "postgres" in Path(words[0]).name and str(directory) in words


def _remove_stale_locks(settings: Settings) -> None:
    """Remove lock files whose PID is not this cluster's running server.

    A killed server leaves postmaster.pid and its socket lock behind, and its PID may since have
    gone to another program or linger as a zombie; PostgreSQL would then refuse to start.
    """
    directory = settings.cluster_dir
    for lock_file in (
        directory / "postmaster.pid",
        settings.socket_dir / f".s.PGSQL.{settings.db_port}.lock",
    ):
        pid = _lock_file_pid(lock_file)
        if pid is None or (pid > 0 and _is_our_postmaster(pid, directory)):
            continue
        log.warning("removing stale %s (PID %s is not this cluster's server)", lock_file.name, pid)
        lock_file.unlink()


def _connect(settings: Settings, dbname: str, **options: object) -> psycopg.Connection:
    """A connection to ``dbname`` on the embedded cluster as its superuser."""
    return psycopg.connect(
        host=settings.db_host,
        port=settings.db_port,
        user=settings.db_superuser,
        password=superuser_password(settings),
        dbname=dbname,
        **options,
    )


def _accepting(settings: Settings) -> bool:
    try:
        with _connect(settings, "postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def start(settings: Settings | None = None) -> None:
    """Start the embedded server unless it already runs (idempotent, survives a stale pid)."""
    settings = settings or get_settings()
    if _accepting(settings):
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Two processes starting the cluster at once (parallel test workers, say) take turns.
    with (settings.data_dir / ".start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _accepting(settings):
            _start_locked(settings)


def _start_locked(settings: Settings) -> None:
    bindir = ensure_installed()
    owner = _system_user(settings)
    _initialise(bindir, settings, owner)
    _own(settings.socket_dir, owner)
    _own(settings.data_dir / "logs", owner)
    _remove_stale_locks(settings)
    options = (
        f"-p {settings.db_port} -k {settings.socket_dir} -c listen_addresses={settings.db_host}"
    )
    log.info("starting PostgreSQL on %s:%s", settings.db_host, settings.db_port)
    done = subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(settings.cluster_dir),
                "-l",
                str(settings.data_dir / "logs" / "postgres.log"),
                "-o",
                options,
            ],
            owner,
        ),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not _wait_until_accepting(settings):
        tail = _log_tail(settings)
        raise SetupError(
            f"PostgreSQL did not start on port {settings.db_port} "
            f"(is another program using it? set SECTORMAP_DB_PORT). Server log: {tail}"
        )


def _wait_until_accepting(settings: Settings, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _accepting(settings):
            return True
        time.sleep(0.3)
    return False


def _log_tail(settings: Settings) -> str:
    logfile = settings.data_dir / "logs" / "postgres.log"
    return logfile.read_text(errors="replace")[-600:] if logfile.exists() else "(no log)"


def stop(settings: Settings | None = None, *, immediate: bool = False) -> bool:
    """Stop the embedded server (``immediate``: at once, as a crash would, leaving recovery to
    the next start); False when it was not running."""
    settings = settings or get_settings()
    bindir = find_bindir()
    pid = _pid_file_owner(settings.cluster_dir)
    if bindir is None or pid is None or not _is_our_postmaster(pid, settings.cluster_dir):
        return False
    owner = _system_user(settings)
    mode = "immediate" if immediate else "fast"
    subprocess.run(
        _as_owner(
            [str(bindir / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(settings.cluster_dir)],
            owner,
        ),
        check=True,
        capture_output=True,
    )
    return True


def status(settings: Settings | None = None) -> ClusterStatus:
    """Describe the embedded cluster without changing anything."""
    settings = settings or get_settings()
    pid = _pid_file_owner(settings.cluster_dir)
    running = pid is not None and pid > 0 and _is_our_postmaster(pid, settings.cluster_dir)
    return ClusterStatus(
        installed=find_bindir() is not None,
        initialised=(settings.cluster_dir / "PG_VERSION").exists(),
        running=running and _accepting(settings),
        pid=pid if running else None,
        port=settings.db_port,
        directory=settings.cluster_dir,
    )


def create_database(name: str, settings: Settings | None = None) -> None:
    """Create database ``name`` on the embedded cluster, with its extensions, unless it exists."""
    settings = settings or get_settings()
    with _connect(settings, "postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            log.info("creating database %s", name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with _connect(settings, name, autocommit=True) as conn:
        for extension in _EXTENSIONS:
            try:
                conn.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension))
                )
            except psycopg.Error as exc:
                raise SetupError(
                    f"cannot create the {extension} extension in database {name} "
                    f"({str(exc).strip()}); install PostGIS for this PostgreSQL "
                    "(on Debian: postgresql-15-postgis-3) or run 'sectormap db up' as root"
                ) from exc
