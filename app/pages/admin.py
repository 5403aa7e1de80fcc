"""Admin: people, agencies, clearances, and the audit log (read-only: it cannot be edited)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app.parts import people_admin, subject_picker, ui
from layers.core import backups, vocab
from layers.core.errors import SectormapError
from layers.core.settings import get_settings
from layers.exports import disclosure, tables
from layers.people import audit, sign_in


@st.cache_data(ttl=30, show_spinner=False)
def _logged(column: str) -> list[str]:
    """The filter's choices, read from the log at most every 30 s, not on each filter change."""
    return audit.logged_values(ui.engine(), column)


def _audit_log() -> None:
    st.caption(
        "Every login (and failed login), restricted read, refusal, export and edit. "
        "Entries cannot be changed or deleted, by anyone."
    )
    first, second, third = st.columns(3)
    action = first.selectbox(
        "Action",
        [None, *vocab.AUDIT_ACTIONS],
        format_func=lambda a: "All actions" if a is None else vocab.AUDIT_ACTIONS[a],
    )
    username = second.selectbox(
        "User",
        [None, *_logged("username")],
        format_func=lambda u: "Everyone" if u is None else u,
    )
    object_type = third.selectbox(
        "About",
        [None, *_logged("object_type")],
        format_func=lambda o: "Anything" if o is None else o.replace("_", " "),
    )
    since = first.date_input("From", value=None, format="DD/MM/YYYY")
    until = second.date_input("To", value=None, format="DD/MM/YYYY")
    object_id = third.text_input("Object number", placeholder="e.g. a report number")
    filters = audit.AuditFilters(
        action=action,
        username=username,
        object_type=object_type,
        object_id=object_id.strip() or None,
        since=since,
        until=until,
    )
    log = audit.recent(ui.engine(), filters)
    matching = int(log["matching"].iloc[0]) if len(log) else 0
    shown = f" (the newest {len(log):,} shown)" if matching > len(log) else " (newest first)"
    st.markdown(f"**{matching:,} entries**{shown}")
    ui.table(
        log.drop(columns="matching").assign(action=log["action"].map(vocab.AUDIT_ACTIONS)),
        height=480,
    )
    if st.button("Prepare a CSV of these entries"):
        st.session_state["audit_csv"] = tables.audit_log_csv(
            ui.engine(), ui.current_user(), filters
        )
    if "audit_csv" in st.session_state:
        st.download_button(
            "Download sectormap-audit-log.csv",
            st.session_state["audit_csv"],
            file_name="sectormap-audit-log.csv",
            mime="text/csv",
        )


def _backups() -> None:
    settings = get_settings()
    st.caption(
        f"Backups in {ui.plain(settings.backups)}, made with `sectormap db backup` (schedule it: "
        "see the README). Restore one with `sectormap db restore FILE --yes` on the server."
    )
    if not backups_found:
        return
    rows = [
        {
            "file": manifest.file,
            "taken": manifest.created,
            "schema": manifest.schema_revision,
            "rows": sum(manifest.tables.values()),
            "MB": round(manifest.bytes / 1e6, 1),
        }
        for _, manifest in backups_found
    ]
    ui.table(pd.DataFrame(rows))


def _disclosure() -> None:
    st.caption(
        "Everything Sectormap holds on one business or building (the register record and its "
        "edit history, units and tenancies, visits and ratings, referrals, and the intelligence "
        "reports you may read; the others are listed by number and handling code only), as a "
        "zip of CSV and JSON with a printable PDF summary. Written to the audit log with your "
        "reason."
    )
    business_id, site_id = subject_picker.pick(key="disclosure_subject")
    reason, recipient = ui.justification_inputs("disclosure")
    chosen = business_id is not None or site_id is not None
    if st.button("Prepare the disclosure bundle", type="primary", disabled=not chosen):
        engine = ui.engine()
        subject = (
            disclosure.find(engine, "business", business_id)
            if business_id is not None
            else disclosure.find(engine, "site", int(site_id))  # type: ignore[arg-type]
        )
        try:
            st.session_state["disclosure"] = disclosure.bundle(
                engine,
                ui.current_user(),
                subject,
                justification=audit.Justification(reason, recipient),
                attribution=ui.attribution_lines(),
            )
        except SectormapError as exc:
            st.error(str(exc))
    if "disclosure" in st.session_state:
        data, name = st.session_state["disclosure"]
        st.download_button(
            f"Download {name}", data, file_name=name, mime="application/zip", on_click="ignore"
        )


st.title("Admin")
#: The backup folder, read once per run (the warning below and the Backups tab use it).
backups_found = backups.backups_in(get_settings().backups)
newest = backups_found[0][1] if backups_found else None
warning = backups.age_warning(newest, dt.datetime.now(dt.UTC))
if warning:
    st.warning(f"{warning} Back up daily with `sectormap db backup`.", icon=":material/backup:")
elif newest is not None:
    taken = newest.created.astimezone(sign_in.UK_TIME)
    st.caption(f"Latest backup: {ui.plain(newest.file)}, taken {taken:%d/%m/%Y %H:%M}.")
ui.flash()
ui.lazy_tabs(
    {
        "People": people_admin.people,
        "Agencies": people_admin.agencies_tab,
        "Clearances": people_admin.clearances_tab,
        "Audit log": _audit_log,
        "Disclosure": _disclosure,
        "Backups": _backups,
    },
    key="admin_tab",
)
