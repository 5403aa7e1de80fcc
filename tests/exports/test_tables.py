"""Exports: neutralised, attributed, audited."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.core.errors import AccessDeniedError
from layers.exports import tables
from layers.people import audit, identity
from tests.support import make_user


def _user(conn: Connection) -> identity.User:
    return make_user(conn, "t_analyst", "analyst")


def test_the_business_register_export(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom, postcode) VALUES "
            "('=HYPERLINK(\"http://x\")', '14', 'cmt', "
            "ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), 'LE5 4QD'), "
            "('Korvel Knitwear', '13', 'knitting', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), "
            "'LE5 4QD')"
        )
    )
    user = _user(conn)
    archive = zipfile.ZipFile(
        io.BytesIO(
            tables.business_register_zip(conn, user, ["Fictional demo data", "Contains OS data"])
        )
    )
    assert set(archive.namelist()) == {"businesses.csv", "ATTRIBUTION.txt"}
    frame = pd.read_csv(archive.open("businesses.csv"))
    assert len(frame) == 2
    assert '\'=HYPERLINK("http://x")' in frame["name"].tolist()
    assert "Wearing apparel (SIC 14)" in frame["sector"].tolist()
    notes = archive.read("ATTRIBUTION.txt").decode()
    assert "Exported by t_analyst (COUNCIL)" in notes and "Contains OS data" in notes
    audited = conn.execute(
        text(
            "SELECT object_type, detail->>'rows' FROM audit_log "
            "WHERE username = 't_analyst' AND action = 'export'"
        )
    ).all()
    assert audited == [("business", "2")]


def test_the_audit_log_export_is_itself_audited(conn: Connection) -> None:
    with pytest.raises(AccessDeniedError):
        tables.audit_log_csv(conn, _user(conn))  # administrators only
    user = make_user(conn, "t_admin", "admin")
    conn.execute(
        text(
            "INSERT INTO audit_log (username, action, object_id) "
            "VALUES ('-attacker', 'login_failed', '@SUM(1)')"
        )
    )
    conn.execute(
        text(
            "INSERT INTO audit_log (username, action) "
            "SELECT 'guesser' || n, 'login_failed' FROM generate_series(1, 600) AS n"
        )
    )
    csv = tables.audit_log_csv(conn, user, audit.AuditFilters(action="login_failed"))
    frame = pd.read_csv(io.StringIO(csv))
    assert len(frame) >= 601  # the whole log, not the page's newest 500
    assert "matching" not in frame.columns
    assert "'-attacker" in frame["username"].tolist()
    assert "'@SUM(1)" in frame["object_id"].tolist()
    assert set(frame["action"]) == {"login_failed"}
    assert (
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE username = 't_analyst' "
                "AND object_type = 'audit_log'"
            )
        ).scalar_one()
        == 1
    )
