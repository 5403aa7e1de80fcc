"""``sectormap user …`` and ``sectormap agency …`` on a database of their own, and the command
line refusing a partner everything but what partners may do."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.scripts.test_cli import run
from tests.support import fresh_database, worker


@pytest.fixture(scope="module")
def people_engine() -> Iterator[Engine]:
    engine = create_engine(fresh_database(f"sectormap_people_cli_{worker()}"))
    assert run(engine, "db", "up").returncode == 0
    yield engine
    engine.dispose()


def _people(engine: Engine) -> dict[str, dict[str, object]]:
    done = run(engine, "user", "list", "--json")
    assert done.returncode == 0, done.stderr
    return {person["username"]: person for person in json.loads(done.stdout)}


def test_the_first_admin_and_a_persons_lifecycle(people_engine: Engine) -> None:
    added = run(
        people_engine, "user", "add", "First.Admin", "--name", "Fay First (fictional)",
        "--role", "admin", "--agency", "COUNCIL", "--email", "Fay@Council.example",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added first.admin (admin, COUNCIL)." in added.stdout
    assert "One-time password (to be changed at first sign-in): " in added.stdout
    person = _people(people_engine)["first.admin"]
    assert (person["role"], person["email"], person["must_change_password"]) == (
        "admin", "fay@council.example", True,
    )  # fmt: skip

    weak = run(
        people_engine, "user", "add", "weakling", "--name", "W", "--role", "officer",
        "--agency", "GLAA", "--password-stdin", stdin="password\n",
    )  # fmt: skip
    assert weak.returncode == 1 and "too easy to guess" in weak.stderr
    assert "Traceback" not in weak.stderr
    assert "weakling" not in _people(people_engine)

    given = run(
        people_engine, "user", "add", "officer.one", "--name", "Olly One (fictional)",
        "--role", "officer", "--agency", "GLAA", "--password-stdin",
        stdin="Plum-kettle-Harbour-19\n",
    )  # fmt: skip
    assert given.returncode == 0, given.stderr
    assert "One-time password" not in given.stdout  # the caller has it already
    assert run(people_engine, "user", "set", "officer.one", "--role", "analyst").returncode == 0
    assert run(people_engine, "user", "deactivate", "officer.one").returncode == 0
    assert _people(people_engine)["officer.one"]["active"] is False
    assert run(people_engine, "user", "reactivate", "officer.one").returncode == 0
    reset = run(people_engine, "user", "reset-password", "officer.one")
    assert reset.returncode == 0 and "One-time password: " in reset.stdout
    person = _people(people_engine)["officer.one"]
    assert (person["role"], person["active"], person["must_change_password"]) == (
        "analyst", True, True,
    )  # fmt: skip

    last = run(people_engine, "user", "deactivate", "first.admin")
    assert last.returncode == 1 and "last active administrator" in last.stderr
    unknown = run(people_engine, "user", "set", "nobody", "--name", "N")
    assert unknown.returncode == 1 and "there is no user 'nobody'" in unknown.stderr
    with people_engine.connect() as conn:
        audited = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE username LIKE 'cli:%' "
                "AND object_type = 'app_user' AND coalesce(detail->'after'->>'username', "
                "detail->>'username') IN ('first.admin', 'officer.one')"
            )
        ).scalar_one()
    assert audited == 6  # two added, one role change, off, on, one reset


def test_agencies_are_added_listed_and_retired(people_engine: Engine) -> None:
    added = run(
        people_engine, "agency", "add", "fic_trust", "--name", "Fictional Garment Workers Trust",
        "--kind", "partner", "--remit", "Advice for garment workers",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    partner = run(
        people_engine, "user", "add", "pat.partner", "--name", "Pat (fictional)", "--role",
        "partner", "--agency", "FIC_TRUST",
    )  # fmt: skip
    assert partner.returncode == 0, partner.stderr
    assert run(people_engine, "agency", "retire", "FIC_TRUST").returncode == 0
    listed = {
        a["code"]: a for a in json.loads(run(people_engine, "agency", "list", "--json").stdout)
    }
    assert listed["FIC_TRUST"]["retired_at"] is not None
    assert (listed["FIC_TRUST"]["kind"], listed["FIC_TRUST"]["people"]) == ("partner", 1)
    refused = run(
        people_engine, "user", "add", "late.joiner", "--name", "L", "--role", "partner",
        "--agency", "FIC_TRUST",
    )  # fmt: skip
    assert refused.returncode == 1 and "FIC_TRUST is retired" in refused.stderr
    bad_kind = run(people_engine, "agency", "add", "XY", "--name", "X", "--kind", "army")
    assert bad_kind.returncode == 2


def test_the_command_line_refuses_a_partner(people_engine: Engine, tmp_path: Path) -> None:
    added = run(
        people_engine, "user", "add", "cli.partner", "--name", "C (fictional)", "--role",
        "partner", "--agency", "VCS",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    for args in (
        ("reports", "--as", "cli.partner"),
        ("export", "businesses", "--format", "csv", "--as", "cli.partner",
         "--out", str(tmp_path / "p.zip")),
    ):  # fmt: skip
        done = run(people_engine, *args)
        assert done.returncode == 1, args
        assert "a partner cannot" in done.stderr and "Traceback" not in done.stderr


def test_disclose_writes_a_bundle_for_an_administrator_only(
    people_engine: Engine, tmp_path: Path
) -> None:
    with people_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, company_number, geom) VALUES "
                "('Fictional Bundle Ltd', '14', 'cmt', '99000042', "
                "ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326))"
            )
        )
    for username, role in (("disc.admin", "admin"), ("disc.officer", "officer")):
        added = run(
            people_engine, "user", "add", username, "--name", "D (fictional)", "--role", role,
            "--agency", "COUNCIL",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    out = tmp_path / "bundle.zip"
    base = ("disclose", "--business", "99000042", "--reason", "SAR 2026/3", "--out", str(out))
    done = run(people_engine, *base, "--as", "disc.admin")
    assert done.returncode == 0, done.stderr
    assert "everything held on Fictional Bundle Ltd" in done.stdout
    assert "summary.pdf" in zipfile.ZipFile(out).namelist()
    refused = run(people_engine, *base, "--as", "disc.officer")
    assert refused.returncode == 1 and "cannot prepare disclosure bundles" in refused.stderr
    nowhere = run(
        people_engine, "disclose", "--business", "99000042", "--reason", "r", "--as",
        "disc.admin", "--out", "/proc/no/such/place.zip",
    )  # fmt: skip
    assert nowhere.returncode == 1 and "--out" in nowhere.stderr
    with people_engine.connect() as conn:
        disclosed = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'disclose'")
        ).scalar_one()
    assert disclosed == 1  # the refused and the unwritable ones disclosed nothing
