"""The focus-area dashboard and the side-by-side comparison of areas."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import streamlit as st

from app.parts import ui
from layers.areas import dashboard as area_numbers
from layers.areas.dashboard import AreaStats
from mapping.area_maps import places_map


@st.cache_data(ttl=60, show_spinner="Counting what is inside the area…")
def _stats(
    username: str, area_id: int, since: dt.date | None, until: dt.date | None, use_period: bool
) -> AreaStats:
    """The area's numbers, cached per user (what they may read differs) until data changes."""
    return area_numbers.stats(
        ui.engine(), ui.current_user(), area_id, since=since, until=until, use_period=use_period
    )


def area_stats_for(
    area_id: int,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    use_period: bool = True,
) -> AreaStats:
    """``layers.areas.dashboard.stats`` for the signed-in user, computed once a minute at most."""
    return _stats(ui.current_user().username, area_id, since, until, use_period)


def choose_area(areas: gpd.GeoDataFrame, *, key: str, label: str = "Focus area") -> int:
    """A select box of the areas; remembers the last area chosen on any tab."""
    ids = [int(i) for i in areas["id"]]
    names = dict(zip(ids, areas["name"], strict=True))
    remembered = st.session_state.get("focus_area_id")
    index = ids.index(remembered) if remembered in ids else 0
    chosen = st.selectbox(label, ids, index=index, format_func=names.get, key=key)
    st.session_state["focus_area_id"] = chosen
    return int(chosen)


def _period(row: pd.Series) -> tuple[dt.date | None, dt.date | None]:
    def day(value: object) -> dt.date | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    return day(row["period_start"]), day(row["period_end"])


def _headline(found: AreaStats) -> None:
    cells = st.columns(4)
    cells[0].metric("Businesses", f"{found.businesses:,}")
    cells[1].metric(
        "Employees (estimate)", f"{found.employees:,}", help="Sum of the businesses' estimates."
    )
    cells[2].metric("Multi-occupancy sites", f"{found.sites:,}", help=f"{found.units:,} units")
    cells[3].metric(
        "Open reports",
        f"{found.open_reports:,}",
        help=f"{found.restricted_reports:,} of them you may not read (counted only).",
    )
    st.caption(
        f"Employees between {found.employees_low:,} and {found.employees_high:,} (the low and "
        f"high estimates) · {found.area_km2:,.2f} km² · "
        f"{found.businesses / found.area_km2:,.1f} businesses per km² · {found.units:,} units "
        "in its sites"
    )


def _breakdowns(found: AreaStats) -> None:
    for column, (title, frame, key) in zip(
        st.columns(2),
        [("By sector", found.by_sector, "sector"), ("By activity", found.by_activity, "activity")],
        strict=True,
    ):
        with column:
            st.subheader(title)
            st.bar_chart(
                frame, x=key, y="businesses", horizontal=True, height=240, sort="-businesses"
            )
            ui.table(frame)


def _visits_and_reports(found: AreaStats) -> None:
    left, right = st.columns(2)
    with left:
        window = f"{found.since or 'the first visit'} to {found.until or 'today'}"
        st.subheader("Visits by outcome")
        st.caption(f"From {window}: {int(found.visits['visits'].sum()):,} visits.")
        if found.visits.empty:
            st.info("No visits in this period.")
        else:
            st.bar_chart(found.visits, x="outcome", y="visits", horizontal=True, height=220)
    with right:
        st.subheader("Open intelligence")
        if found.readable_reports.empty:
            st.caption("None of the open reports here is one you may read.")
        else:
            ui.table(found.readable_reports)
        if found.restricted_reports:
            st.caption(
                f"{found.restricted_reports:,} more open reports here are restricted: you see "
                "that they exist, not what they say."
            )


def places_table(places: pd.DataFrame) -> pd.DataFrame:
    """The ranked places as people read them."""
    return pd.DataFrame(
        {
            "place": places["name"],
            "kind": places["kind"].map({"site": "Building", "business": "Business"}),
            "postcode": places["postcode"],
            "risk": places["score"].round(0),
            "band": places["band"].str.capitalize(),
            "top factors": places["top_factors"].map("; ".join),
            "businesses": places["businesses"],
        }
    )


def _places_counted(found: AreaStats) -> str:
    bands = ", ".join(f"{count:,} {band}" for band, count in found.places.by_band.items())
    if found.places.total > len(found.places.top):
        return (
            f"Shown: the {len(found.places.top):,} of highest risk, of {found.places.total:,} "
            f"places ({bands})."
        )
    return f"{found.places.total:,} places ({bands})."


def dashboard(areas: gpd.GeoDataFrame) -> None:
    """One area's numbers, charts, map and ranked places."""
    area_id = choose_area(areas, key="dashboard_area")
    row = areas.set_index("id").loc[area_id]
    start, end = _period(row)
    left, right = st.columns(2)
    since = left.date_input("Visits from", value=start, format="DD/MM/YYYY", key="dash_since")
    until = right.date_input("Visits until", value=end, format="DD/MM/YYYY", key="dash_until")
    found = area_stats_for(area_id, since=since, until=until, use_period=False)
    st.subheader(ui.plain(found.name))
    if row["purpose"]:
        st.caption(ui.plain(row["purpose"]))
    _headline(found)
    _breakdowns(found)
    _visits_and_reports(found)
    st.subheader("Places by risk")
    st.caption(
        "A multi-occupancy building stands for its tenants: its score is its highest tenant's. "
        + _places_counted(found)
    )
    ui.show_map(
        places_map(
            row["geom"],
            found.places.top,
            name=str(found.name),
            attribution=ui.attribution_lines(short=True),
        ),
        key=f"places_map_{area_id}",
        height=420,
    )
    ui.table(places_table(found.places.top))
    st.download_button(
        "Download these numbers (JSON)",
        json.dumps(found.as_json(top=len(found.places.top))),
        file_name=f"focus-area-{area_id}.json",
        mime="application/json",
        on_click="ignore",
    )


def compare(areas: gpd.GeoDataFrame) -> None:
    """Two or more areas side by side: a table and charts."""
    names = dict(zip(areas["id"].astype(int), areas["name"], strict=True))
    chosen = st.multiselect(
        "Areas to compare",
        list(names),
        default=list(names)[:4],
        format_func=names.get,
        key="compare_areas",
    )
    if len(chosen) < 2:
        st.info("Choose at least two areas.")
        return
    table = area_numbers.compare(ui.engine(), ui.current_user(), [int(i) for i in chosen])
    ui.table(table)
    left, right = st.columns(2)
    with left:
        st.caption("Businesses and high-risk places")
        st.bar_chart(table, x="area", y=["businesses", "high-risk places"], stack=False)
    with right:
        st.caption("Employees (estimate)")
        st.bar_chart(table, x="area", y="employees")
    st.caption("Visits are counted in each area's own period.")
