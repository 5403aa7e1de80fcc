"""The signed-in session: the sign-in page (password or the organisation's single sign-on), the
one-time-password change, idle time-out, and rights read again from the database on every run.

Session state keeps plain values only: the user (as a dict), how they signed in, and when they
were last active.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from app.parts import statement, ui
from layers.core import vocab
from layers.core.errors import AuthenticationError, ValidationError
from layers.core.settings import get_settings
from layers.people import audit, sign_in, users
from layers.people.identity import User

#: Why the last session ended, shown on the sign-in page.
ENDED = "session_ended"


def single_sign_on_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures an OpenID Connect provider ([auth])."""
    try:
        return "client_id" in st.secrets.get("auth", {})
    except FileNotFoundError:
        return False


def _start(user: User, *, method: str, must_change: bool = False) -> None:
    st.session_state["user"] = user.__dict__
    st.session_state["sign_in_method"] = method
    st.session_state["must_change_password"] = must_change
    st.session_state["last_active"] = dt.datetime.now(dt.UTC)


def _end(message: str) -> None:
    """Forget the session (keeping where a link wanted to go is pointless now)."""
    st.session_state.clear()
    st.session_state[ENDED] = message


def sign_in_page() -> None:
    """The sign-in page: a message about the last session, single sign-on when configured, and
    the username and password form."""
    st.title("Sectormap")
    st.write(
        "The textile and garment sector of Leicester and Leicestershire, for the "
        "labour-market partnership."
    )
    ended = st.session_state.pop(ENDED, None)
    if ended:
        st.info(ended, icon=":material/logout:")
    if single_sign_on_configured():
        refused = st.session_state.get("sso_refused")
        if refused:
            st.error(refused)
            st.button("Sign out of your organisation's account", on_click=st.logout)
        else:
            st.button("Sign in with your organisation's account", type="primary", on_click=st.login)
        st.caption("Or, with a Sectormap account:")
    with st.form("login"):
        username = st.text_input("Username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    with st.expander("Accessibility statement"):
        statement.show()
    if submitted:
        try:
            signed = sign_in.authenticate(ui.engine(), username, password)
        except AuthenticationError as exc:
            st.error(str(exc))
            return
        _start(signed.user, method="password", must_change=signed.must_change_password)
        st.rerun()


def _single_sign_on() -> bool:
    """Start a session for the identity the provider signed in, once per browser session;
    True when one started."""
    if not single_sign_on_configured() or not st.user.is_logged_in:
        return False
    if "sso_refused" in st.session_state:
        return False
    claims: dict[str, Any] = st.user.to_dict()
    try:
        user = sign_in.single_sign_on(
            ui.engine(),
            email=claims.get("email"),
            verified=claims.get("email_verified") is True,
            issuer=str(claims.get("iss", "")),
        )
    except sign_in.SingleSignOnRefusedError as exc:
        st.session_state["sso_refused"] = str(exc)
        return False
    _start(user, method="single sign-on")
    return True


def current() -> User | None:
    """The signed-in user with the rights they have now, or None (the sign-in page follows).

    Ends a session idle for longer than the setting, and one whose person has been
    deactivated; reads role, agency and clearance again on every run.
    """
    if "user" not in st.session_state and not _single_sign_on():
        return None
    now = dt.datetime.now(dt.UTC)
    held = User(**st.session_state["user"])
    if sign_in.idle_too_long(st.session_state["last_active"], now):
        audit.record_logout(ui.engine(), held, reason="idle")
        sso = st.session_state.get("sign_in_method") == "single sign-on"
        minutes = get_settings().session_idle_minutes
        _end(f"Your session ended after {minutes} minutes without activity. Please sign in again.")
        if sso:
            st.logout()  # or the provider's cookie would sign them straight back in
        return None
    user = users.current(ui.engine(), held.id) if held.id is not None else None
    if user is None:
        _end("Your account is no longer active. Ask your administrator if this is unexpected.")
        return None
    st.session_state["user"] = user.__dict__
    st.session_state["last_active"] = now
    return user


def must_change_password() -> bool:
    """Whether the person must replace a one-time password before anything else opens."""
    return bool(st.session_state.get("must_change_password"))


def password_form(user: User, *, key: str, one_time: bool = False) -> None:
    """Change one's own password: the current one, the new one twice; the policy is stated."""
    settings = get_settings()
    with st.form(key, clear_on_submit=True):
        current = st.text_input(
            "One-time password" if one_time else "Current password", type="password"
        )
        new = st.text_input("New password", type="password")
        repeated = st.text_input("New password again", type="password")
        st.caption(
            f"At least {settings.password_min_length} characters, hard to guess (a few "
            "unrelated words work well), and not containing your username."
        )
        if not st.form_submit_button("Change the password", type="primary"):
            return
    if new != repeated:
        st.error("The two new passwords differ.")
        return
    try:
        sign_in.change_own_password(ui.engine(), user, current=current, new=new)
    except ValidationError as exc:
        st.error(str(exc))
        return
    st.session_state["must_change_password"] = False
    st.session_state["flash"] = "Your password is changed."
    st.rerun()


def one_time_password_page(user: User) -> None:
    """Before anything else: the person replaces the password someone else set."""
    st.title("Choose your password")
    st.write(
        f"Welcome, {ui.plain(user.full_name)}. The password you signed in with was set by an "
        "administrator and works once: choose your own to continue."
    )
    password_form(user, key="one_time_password", one_time=True)


def sidebar(user: User) -> None:
    """Who is signed in, changing one's password, and the way out."""
    with st.sidebar:
        st.markdown(
            f"**{ui.plain(user.full_name)}**  \n{vocab.ROLES[user.role]} · "
            f"{ui.plain(user.agency_code)}"
        )
        sso = st.session_state.get("sign_in_method") == "single sign-on"
        if not sso:
            with st.popover("Change your password"):
                password_form(user, key="own_password")
        if st.button("Sign out"):
            audit.record_logout(ui.engine(), user, reason="signed out")
            _end("You have signed out.")
            if sso:
                st.logout()
            st.rerun()
