"""The Admin page's people, agencies and clearances: lists with filters and the forms that
change them. Every change goes through ``layers.people``, which checks the admin's rights and
audits it; this module only lays out widgets."""

from __future__ import annotations

import streamlit as st

from app.parts import ui
from layers.core import vocab
from layers.core.errors import SectormapError
from layers.people import agencies, clearances, users


def _done(message: str) -> None:
    """Confirm a change after the rerun; ``message`` is shown as plain text."""
    ui.data_changed()
    st.session_state["flash"] = ui.plain(message)
    st.rerun()


def _one_time_password(username: str, password: str) -> None:
    """Show a one-time password once, with what to do with it."""
    st.session_state["one_time_password"] = (username, password)


def _show_one_time_password() -> None:
    shown = st.session_state.pop("one_time_password", None)
    if shown:
        username, password = shown
        st.success(
            f"One-time password for {ui.plain(username)}: give it to them in person or by "
            "phone. It is shown only now; they must choose their own when they first sign in.",
            icon=":material/key:",
        )
        st.code(password, language=None)


def people() -> None:
    """List and filter people; add one; change, deactivate, reactivate, reset a password."""
    engine, admin = ui.engine(), ui.current_user()
    _show_one_time_password()
    names = ui.agency_names()
    search_col, role_col, agency_col, state_col = st.columns(4)
    search = search_col.text_input("Search people", placeholder="Username, name or email")
    role = role_col.selectbox(
        "Filter by role",
        [None, *vocab.ROLES],
        format_func=lambda r: "Any role" if r is None else vocab.ROLES[r],
    )
    agency = agency_col.selectbox(
        "Filter by agency",
        [None, *names],
        format_func=lambda a: "Any agency" if a is None else names[a],
    )
    state = state_col.selectbox(
        "Show", [True, False, None],
        format_func={True: "Active", False: "Deactivated", None: "Everyone"}.get,
    )  # fmt: skip
    listed = users.listing(engine, search=search, role=role, agency_code=agency, active=state)
    st.markdown(f"**{len(listed):,} people**")
    ui.table(
        listed.assign(role=listed["role"].map(vocab.ROLES)).drop(columns=["id", "agency_code"])
    )

    with (
        st.expander("Add a person", icon=":material/person_add:"),
        st.form("add_person", clear_on_submit=False),
    ):
        left, right = st.columns(2)
        username = left.text_input(
            "New person's username", help="2 to 64 letters, digits, dots, dashes or _"
        )
        full_name = right.text_input("New person's full name")
        email = left.text_input("New person's work email", help="How single sign-on finds them.")
        new_role = right.selectbox(
            "New person's role", list(vocab.ROLES), index=list(vocab.ROLES).index("officer"),
            format_func=vocab.ROLES.get,
        )  # fmt: skip
        new_agency = left.selectbox("New person's agency", list(names), format_func=names.get)
        if st.form_submit_button("Add the person", type="primary"):
            try:
                person = users.Person(username, full_name, new_role, new_agency, email)
                password = users.add(engine, admin, person)
            except SectormapError as exc:
                st.error(str(exc))
            else:
                _one_time_password(users.normalise_username(username), password)
                _done(f"{users.normalise_username(username)} added.")

    everyone = users.listing(engine)
    chosen = st.selectbox(
        "Change a person", [None, *everyone["username"]],
        format_func=lambda u: "(choose someone)" if u is None else u,
    )  # fmt: skip
    if chosen is None:
        return
    person = everyone.set_index("username").loc[chosen]
    with st.form(f"change_{chosen}"):
        left, right = st.columns(2)
        full_name = left.text_input("Full name", value=person["full_name"])
        email = right.text_input("Work email", value=ui.text_of(person["email"]))
        roles = list(vocab.ROLES)
        changed_role = left.selectbox(
            "Role", roles, index=roles.index(person["role"]), format_func=vocab.ROLES.get
        )
        codes = list(names) if person["agency_code"] in names else [person["agency_code"], *names]
        changed_agency = right.selectbox(
            "Agency", codes, index=codes.index(person["agency_code"]),
            format_func=lambda c: names.get(c, c),
        )  # fmt: skip
        if st.form_submit_button("Save the changes", type="primary"):
            try:
                users.change(
                    engine, admin, chosen, role=changed_role, agency_code=changed_agency,
                    full_name=full_name, email=email,
                )  # fmt: skip
            except SectormapError as exc:
                st.error(str(exc))
            else:
                _done(f"{chosen} saved.")
    first, second = st.columns(2)
    try:
        if person["active"] and first.button(f"Deactivate {chosen}", icon=":material/block:"):
            users.deactivate(engine, admin, chosen)
            _done(f"{chosen} is deactivated: they lose access at their next click.")
        if not person["active"] and first.button(f"Reactivate {chosen}"):
            users.reactivate(engine, admin, chosen)
            _done(f"{chosen} is active again.")
        if second.button(f"Reset the password of {chosen}", icon=":material/lock_reset:"):
            _one_time_password(chosen, users.reset_password(engine, admin, chosen))
            _done(f"{chosen} must choose a new password at their next sign-in.")
    except SectormapError as exc:
        st.error(str(exc))


def _agency_form(key: str, current: dict[str, object] | None) -> agencies.AgencyDetails | None:
    """The fields of an organisation; the details when the form is submitted."""
    current = current or {}
    kinds = list(vocab.AGENCY_KINDS)
    sources = list(vocab.REPORT_SOURCE_TYPES)
    with st.form(key):
        left, right = st.columns(2)
        code = (
            left.text_input("Code", help="2 to 16 capital letters, digits or _")
            if not current
            else str(current["code"])
        )
        name = right.text_input("Name", value=str(current.get("name", "")))
        kind = left.selectbox(
            "Kind", kinds, index=kinds.index(str(current.get("kind", "enforcement"))),
            format_func=vocab.AGENCY_KINDS.get,
        )  # fmt: skip
        reports_as = right.selectbox(
            "Its people's reports count as", sources,
            index=sources.index(str(current.get("reports_as", "agency"))),
            format_func=vocab.REPORT_SOURCE_TYPES.get,
        )  # fmt: skip
        remit = st.text_area("Remit", value=str(current.get("remit", "")), height=80)
        powers = st.text_area("Powers", value=str(current.get("powers", "")), height=80)
        contact = st.text_input("Referral contact", value=str(current.get("referral_contact", "")))
        if st.form_submit_button("Save the organisation", type="primary"):
            return agencies.AgencyDetails(
                code=code, name=name, kind=kind, remit=remit, powers=powers,
                referral_contact=contact, reports_as=reports_as,
            )  # fmt: skip
    return None


def agencies_tab() -> None:
    """The organisations of the partnership: add, edit, retire, reinstate."""
    engine, admin = ui.engine(), ui.current_user()
    frame = agencies.listing(engine)
    ui.table(
        frame.assign(
            kind=frame["kind"].map(vocab.AGENCY_KINDS),
            reports_as=frame["reports_as"].map(vocab.REPORT_SOURCE_TYPES),
        )
    )
    with st.expander("Add an organisation", icon=":material/add_business:"):
        details = _agency_form("add_agency", None)
        if details is not None:
            try:
                agencies.add(engine, admin, details)
            except SectormapError as exc:
                st.error(str(exc))
            else:
                _done(f"{details.code.strip().upper()} added.")
    chosen = st.selectbox(
        "Change an organisation", [None, *frame["code"]],
        format_func=lambda c: "(choose one)" if c is None else c,
    )  # fmt: skip
    if chosen is None:
        return
    row = frame.set_index("code").loc[chosen].to_dict() | {"code": chosen}
    details = _agency_form(f"edit_agency_{chosen}", row)
    try:
        if details is not None:
            agencies.update(engine, admin, details)
            _done(f"{chosen} saved.")
        retired = ui.text_of(row["retired_at"]) != ""
        if not retired and st.button(f"Retire {chosen}", icon=":material/archive:"):
            agencies.retire(engine, admin, chosen)
            _done(f"{chosen} is retired.")
        if retired and st.button(f"Reinstate {chosen}"):
            agencies.reinstate(engine, admin, chosen)
            _done(f"{chosen} is reinstated.")
    except SectormapError as exc:
        st.error(str(exc))


def clearances_tab() -> None:
    """Who is cleared for restricted intelligence beyond their agency's; grant and revoke."""
    engine, admin = ui.engine(), ui.current_user()
    st.caption(
        "A clearance lets a person read restricted (handling code C) intelligence owned by "
        "other agencies: all of it, or one report. It stops working on its expiry date."
    )
    ended = st.toggle("Show revoked and expired clearances too")
    frame = clearances.listing(engine, include_ended=ended)
    ui.table(frame)
    staff = users.listing(engine, active=True)
    staff = staff[~staff["role"].isin(["viewer", "partner"])]
    with st.form("grant_clearance"):
        left, right = st.columns(2)
        username = left.selectbox("Person", list(staff["username"]))
        scope = right.radio(
            "Cleared for", ["all", "one"], horizontal=True,
            format_func={"all": "All restricted intelligence", "one": "One report"}.get,
        )  # fmt: skip
        report_id = right.number_input("Report number (for one report)", min_value=1, step=1)
        reason = left.text_input("Reason", placeholder="e.g. Operation name, case reference")
        expires = right.date_input("Expires on (optional)", value=None, format="DD/MM/YYYY")
        if st.form_submit_button("Grant the clearance", type="primary"):
            try:
                clearances.grant(
                    engine, admin, username, reason=reason, expires_on=expires,
                    report_id=int(report_id) if scope == "one" else None,
                )  # fmt: skip
            except SectormapError as exc:
                st.error(str(exc))
            else:
                _done(f"Clearance granted to {username}.")
    in_force = frame[frame["in_force"].astype(bool)] if len(frame) else frame
    if len(in_force):
        labels = dict(
            zip(in_force["id"], in_force["username"] + ": " + in_force["scope"], strict=True)
        )
        chosen = st.selectbox("Revoke a clearance", list(labels), format_func=labels.get)
        if st.button("Revoke it", icon=":material/remove_moderator:"):
            try:
                clearances.revoke(engine, admin, int(chosen))
            except SectormapError as exc:
                st.error(str(exc))
            else:
                _done("Clearance revoked.")
