"""Admin: users and the audit log (read-only here: the log cannot be edited)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from layers import audit, exports, users, vocab

st.title("Admin")
users_tab, audit_tab = st.tabs(["Users", "Audit log"])
with users_tab:
    frame = pd.DataFrame(users.list_users(ui.engine()))
    frame["role"] = frame["role"].map(vocab.ROLES)
    st.dataframe(frame, hide_index=True, width="stretch")
with audit_tab:
    action = st.selectbox(
        "Action",
        [None, *vocab.AUDIT_ACTIONS],
        format_func=lambda a: "All actions" if a is None else vocab.AUDIT_ACTIONS[a],
    )
    log = audit.recent(ui.engine(), action=action)
    st.dataframe(log, hide_index=True, width="stretch", height=480)
    if st.button("Prepare a CSV of these entries"):
        st.session_state["audit_csv"] = exports.audit_log_csv(
            ui.engine(), ui.current_user(), action=action
        )
    if "audit_csv" in st.session_state:
        st.download_button(
            "Download sectormap-audit-log.csv",
            st.session_state["audit_csv"],
            file_name="sectormap-audit-log.csv",
            mime="text/csv",
        )
