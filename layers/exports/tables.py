"""Table exports: the registers, visits, reports and the audit log as attributed CSV zips,
neutralised (``layers.core.cells``) and written to the audit log."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from layers.casework import reports
from layers.core.cells import neutralise_frame
from layers.core.db import Bind
from layers.people import audit, rights
from layers.people.identity import User
from layers.register import businesses


def _attributed_zip(
    bind: Bind,
    user: User,
    *,
    frame: pd.DataFrame,
    name: str,
    object_type: str,
    title: str,
    attribution: list[str],
    notes: tuple[str, ...] = (),
    filters: str = "none",
    detail: dict[str, object] | None = None,
) -> bytes:
    """``frame`` (neutralised) as ``name``.csv zipped with a metadata and attribution file;
    the export of ``object_type`` rows is written to the audit log (with ``detail``)."""
    rights.require_staff(bind, user, "export", object_type=object_type)
    frame = neutralise_frame(frame)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    metadata = "\n".join(
        [
            f"Sectormap export: {title} (CSV, UTF-8)",
            f"Exported by {user.username} ({user.agency_code}) at {when}",
            f"Rows: {len(frame):,}",
            f"Filters: {filters}",
            *notes,
            "",
            "Attribution and licences:",
            *attribution,
            "",
        ]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.csv", frame.to_csv(index=False))
        archive.writestr("ATTRIBUTION.txt", metadata)
    audit.export(
        bind,
        user,
        object_type=object_type,
        detail={"format": "csv", "rows": len(frame), **(detail or {})},
    )
    return buffer.getvalue()


def business_register_zip(bind: Bind, user: User, attribution: list[str]) -> bytes:
    """The business register as CSV, zipped with an attribution and metadata file; the export is
    written to the audit log."""
    return _attributed_zip(
        bind,
        user,
        frame=businesses.register(bind).drop(columns=["id"]),
        name="businesses",
        object_type="business",
        title="business register",
        attribution=attribution,
    )


def visits_zip(
    bind: Bind, user: User, frame: pd.DataFrame, *, filters: str, attribution: list[str]
) -> bytes:
    """A visits list (as the page filtered it) as CSV, zipped with metadata and attribution;
    audited."""
    return _attributed_zip(
        bind,
        user,
        frame=frame,
        name="visits",
        object_type="visit",
        title="visits",
        attribution=attribution,
        filters=filters,
    )


def reports_zip(
    bind: Bind,
    user: User,
    attribution: list[str],
    *,
    justification: audit.Justification | None = None,
) -> bytes:
    """The intelligence reports ``user`` may read (never the others: they are only counted) as
    CSV, zipped with metadata and attribution; audited with the ``justification`` (required:
    report content leaves the system) and the reports' numbers."""
    rights.require_staff(bind, user, "export", object_type="report")
    justification = audit.justified(justification, "exporting intelligence reports")
    readable = reports.readable(bind, user, limit=None, justification=justification)
    hidden = reports.restricted_count(bind, user)
    return _attributed_zip(
        bind,
        user,
        frame=readable,
        name="reports",
        object_type="report",
        title="intelligence reports",
        attribution=attribution,
        notes=(
            f"Restricted reports not included (not readable by {user.username}): {hidden:,}",
            "Handle each report according to its handling code and conditions.",
            f"Justification: {justification.reason}",
            f"Recipient: {justification.recipient or 'not given'}",
        ),
        detail={**justification.as_detail(), "reports": [int(i) for i in readable["id"]]},
    )


def audit_log_csv(bind: Bind, user: User, filters: audit.AuditFilters | None = None) -> str:
    """The audit log entries that pass ``filters`` (newest first) as neutralised CSV; the
    export is itself written to the audit log. Administrators only."""
    rights.require_admin(bind, user, "export the audit log", object_type="audit_log")
    filters = filters or audit.AuditFilters()
    frame = neutralise_frame(audit.recent(bind, filters, limit=None).drop(columns="matching"))
    audit.export(
        bind,
        user,
        object_type="audit_log",
        detail={"format": "csv", "rows": len(frame), "filters": filters.as_detail()},
    )
    return frame.to_csv(index=False)
