"""Shared pieces of the Streamlit pages: the engine, the signed-in user, attributions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import altair as alt
import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers.core.db import Bind, check_postgis, database_url, get_engine
from layers.exports import attribution
from layers.people import agencies
from layers.people.identity import User
from layers.register import businesses


@st.cache_resource
def engine() -> Bind:
    """The database engine of this server process (checked for PostGIS once)."""
    connected = get_engine(database_url())
    check_postgis(connected)
    return connected


def current_user() -> User:
    """The signed-in user (the app shell guarantees there is one before any page runs)."""
    return User(**st.session_state["user"])


@st.cache_data(ttl=300, show_spinner=False)
def attribution_lines(*, short: bool = False) -> list[str]:
    """Attribution lines for the data in this database (``short`` for a map's corner)."""
    return attribution.for_database(engine(), short=short)


@st.cache_data(ttl=300, show_spinner=False)
def agency_names() -> dict[str, str]:
    """Code → name of the organisations of the partnership that are not retired."""
    return agencies.current_names(engine())


def justification_inputs(key: str) -> tuple[str, str]:
    """Why report content leaves Sectormap, and to whom: the two boxes every export of
    intelligence asks for (written to the audit log)."""
    left, right = st.columns(2)
    reason = left.text_input(
        "Why (written to the audit log)",
        placeholder="e.g. Operation name or case reference",
        key=f"{key}_reason",
    )
    recipient = right.text_input(
        "Recipient (who receives it)", placeholder="e.g. GLAA intelligence unit", key=f"{key}_to"
    )
    return reason, recipient


#: What Streamlit's own styles leave short of WCAG 2.2 AA, corrected within the theme:
#: captions at a contrast of 4.5:1 or more (Streamlit fades them to 2.8-3.9:1 on white) and the
#: day, month and year fields of date inputs at least 24 px square (target size).
ACCESSIBLE_CSS = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1 !important; color: #595959 !important; }
[data-testid="stCaptionContainer"] p { color: #595959 !important; }
[data-testid="stDateInput"] [role="spinbutton"] {
    display: inline-block; min-width: 24px; min-height: 24px; text-align: center;
}
</style>
"""


def accessible_styles() -> None:
    """Apply ``ACCESSIBLE_CSS`` to the page (every run: Streamlit forgets it between pages)."""
    st.html(ACCESSIBLE_CSS)


def line_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    description: str,
    x_label: str = "",
    y_label: str = "",
) -> None:
    """A line chart whose SVG says what it shows (``description``, for screen readers; the
    marks themselves are left out of the accessibility tree, as the data table beside a
    chart carries the numbers)."""
    chart = (
        alt.Chart(frame, description=description)
        .mark_line(point=True, aria=False)
        .encode(
            x=alt.X(x, title=x_label or None),
            y=alt.Y(y, title=y_label or None),
            color=alt.Color(colour, title=None),
            tooltip=[x, colour, y],
        )
    )
    st.altair_chart(chart, use_container_width=True)


def show_attribution() -> None:
    """Attribution lines under a map or table."""
    st.caption("  \n".join(attribution_lines()))


def demo_banner() -> None:
    """Say plainly that the data shown is fictional, when it is."""
    if businesses.has_demo_data(engine()):
        st.info(
            "Demo data: every business, site, visit and report here is **fictional**.",
            icon=":material/info:",
        )


class StreamlitProgress:
    """A ``layers.core.progress.Progress`` that drives an ``st.progress`` bar."""

    def __init__(self, title: str) -> None:
        self._bar = st.progress(0.0, text=title)

    def __call__(self, done: int, total: int, message: str) -> None:
        self._bar.progress(min(done / total, 1.0) if total else 0.0, text=message)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(value: object) -> str:
    """``value`` as literal text inside Streamlit markdown (headers, captions, button labels):
    every markdown, directive and LaTeX character is escaped, so untrusted text cannot format,
    link or colour anything."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", "" if value is None else str(value))


def text_of(value: object) -> str:
    """A table cell as text for an input box: missing values (None, NaN, <NA>) become ''."""
    return "" if value is None or pd.isna(value) else str(value)


#: Words written differently in a heading than in a column name.
_HEADING_WORDS = {"id": "ID", "gva": "GVA", "h3": "H3", "msoa": "MSOA", "km2": "km²"}
_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")


def heading(column: str) -> str:
    """A column name as a person reads it: ``visit_date`` becomes "Visit date", ``gva_gbp``
    "GVA gbp". Names that are already written for people ("Fact", "per km²") stay as they are."""
    if not _COLUMN_NAME.fullmatch(column):
        return column
    words = [_HEADING_WORDS.get(word, word) for word in column.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


DAY = "DD/MM/YYYY"
DAY_AND_TIME = "DD/MM/YYYY HH:mm"


def date_format(values: pd.Series) -> str | None:
    """How a column's dates are shown: ``DAY_AND_TIME`` for timestamps with a time of day,
    ``DAY`` for dates (or midnight timestamps), None for a column that is not dates."""
    present = values.dropna()
    if pd.api.types.is_datetime64_any_dtype(values):
        return DAY_AND_TIME if bool((present.dt.normalize() != present).any()) else DAY
    is_dates = values.dtype == object and len(present) > 0
    return DAY if is_dates and all(isinstance(v, dt.date) for v in present.head(50)) else None


#: strftime spellings of the table date formats, for cells written out as text.
_STRFTIME = {DAY: "%d/%m/%Y", DAY_AND_TIME: "%d/%m/%Y %H:%M"}


def _cell_text(value: Any, shown: str | None) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if shown is not None:
        return value.strftime(_STRFTIME[shown])
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def blank_missing(frame: pd.DataFrame, *, keep: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The frame with every missing value shown as an empty cell, never "None" (Streamlit's
    tables write "None" in any missing cell): a column with missing values becomes text, dates
    in the tables' day format and numbers with thousands separators. Columns in ``keep`` (those
    a caller formats itself) are left as they are."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in keep or not values.isna().any():
            continue
        shown = date_format(values)
        out[column] = [_cell_text(v, shown) for v in values]
    return out


def table(
    frame: pd.DataFrame, *, column_config: dict[str, Any] | None = None, **options: Any
) -> Any:
    """``st.dataframe`` the way every page shows a table: full width, no index, readable
    headings, dates as ``date_format`` says and missing values as empty cells
    (``blank_missing``). ``column_config`` overrides any column; other options go to
    ``st.dataframe`` (a selection, for one)."""
    frame = blank_missing(frame, keep=frozenset(column_config or {}))
    config: dict[str, Any] = {}
    for column in frame.columns:
        label = heading(str(column))
        shown = date_format(frame[column])
        if shown == DAY_AND_TIME:
            config[column] = st.column_config.DatetimeColumn(label, format=shown)
        elif shown == DAY:
            config[column] = st.column_config.DateColumn(label, format=shown)
        elif label != column:
            config[column] = st.column_config.Column(label)
    config.update(column_config or {})
    options = {"hide_index": True, "width": "stretch", **options}
    return st.dataframe(frame, column_config=config, **options)


def show_map(
    folium_map: folium.Map, *, key: str, height: int, returns: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Draw a folium map across the page's width. ``returns`` names what the browser sends
    back (``last_object_clicked``, ``all_drawings``...): a map that returns nothing never makes
    the page run again when it is panned or zoomed. The map is rendered once (streamlit-folium
    would first render the whole page's HTML as well, which it does not send)."""
    return st_folium(
        folium_map,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returns),
        render=False,
    )


def data_changed() -> None:
    """Forget cached query results after an edit or import, so every page shows the change."""
    st.cache_data.clear()


def flash() -> None:
    """Show (once) the confirmation a page left before it reran.

    The message has a slot of its own whether or not there is one, so that the elements below
    keep their place when it goes: a map that moved would be drawn again from scratch.
    """
    slot = st.container()
    message = st.session_state.pop("flash", None)
    if message:
        slot.success(message, icon=":material/check_circle:")


def lazy_tabs(sections: dict[str, Callable[[], None]], *, key: str) -> None:
    """Tabs of which only the open one runs: cheaper, and maps get their size (a map drawn in
    a hidden tab would not)."""
    for tab, draw in zip(
        st.tabs(list(sections), key=key, on_change="rerun"), sections.values(), strict=True
    ):
        if tab.open:
            with tab:
                draw()
