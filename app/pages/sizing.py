"""Sector sizing for analysts: the sector by area with its economic contribution, emerging
threats, published figures beside the register, and the hidden part of the sector."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app.parts import ui
from layers.areas import emerging
from layers.core.cells import annotated_csv
from layers.core.errors import SectormapError
from layers.core.settings import get_settings
from layers.people import access
from layers.sizing import by_area, capture_recapture, gva, hidden_sector, official_figures
from mapping.sector_map import choropleth_map

st.title("Sector sizing")
ui.demo_banner()
ui.flash()


@st.cache_data(ttl=60, show_spinner="Counting the sector…")
def _sized(by: str, resolution: int) -> by_area.Sizing:
    return by_area.size(ui.engine(), by, resolution=resolution)


def _choose_geography(key: str, *, hexagons: bool = True) -> tuple[str, int]:
    options = [g for g in by_area.GEOGRAPHIES if hexagons or g != "h3"]
    left, right = st.columns([3, 1])
    by = left.radio(
        "Areas", options, horizontal=True, format_func=by_area.GEOGRAPHIES.get, key=f"{key}_by"
    )
    resolution = 8
    if by == "h3":
        resolution = right.select_slider(
            "H3 resolution",
            options=list(by_area.H3_RESOLUTIONS),
            value=8,
            help="Higher is smaller: resolution 7 hexagons are about 5 km², 8 about 0.74 km², "
            "9 about 0.1 km².",
            key=f"{key}_resolution",
        )
    return by, int(resolution)


def _by_area() -> None:
    by, resolution = _choose_geography("size")
    try:
        found = _sized(by, resolution)
    except SectormapError as exc:
        st.warning(str(exc))
        return
    totals = found.totals
    cells = st.columns(4)
    cells[0].metric("Businesses", f"{int(totals['businesses']):,}")
    cells[1].metric("Employees (estimate)", f"{int(totals['employees']):,}")
    cells[2].metric(
        "Employees, low to high",
        f"{totals['employees_low'] / 1000:,.1f}k to {totals['employees_high'] / 1000:,.1f}k",
        help=f"{int(totals['employees_low']):,} to {int(totals['employees_high']):,}",
    )
    cells[3].metric(
        "Official GVA, SIC 13-15",
        f"£{totals['gva_gbp'] / 1e6:,.1f}m" if found.gva.loaded else "—",
        help="ONS gross value added of manufacturing SIC 13-15, apportioned to these areas by "
        "the register's employees (wholesale is outside SIC 13-15).",
    )
    st.caption(found.gva.caption())
    if by in ("ward", "msoa"):
        st.caption(
            f"Only the loaded {by_area.GEOGRAPHIES[by].lower()} are counted (the reference pack "
            "covers Leicester city); businesses outside them are not in these totals."
        )
    if by == "area":
        st.caption("Focus areas may overlap: a business inside two is counted in both.")
    shown = found.areas.assign(businesses=found.areas["businesses"].astype(int))
    ui.show_map(
        choropleth_map(
            shown,
            value="businesses",
            label="Businesses",
            center=get_settings().map_center,
            attribution=ui.attribution_lines(short=True),
        ),
        key=f"sizing_map_{by}_{resolution}",
        height=460,
    )
    top = found.areas.head(25)["code"]
    for column, chart in zip(
        ("sector", "activity"),
        st.tabs(["Businesses by sector", "Businesses by activity"]),
        strict=True,
    ):
        with chart:
            counted = found.breakdown(column)
            st.bar_chart(
                counted[counted["code"].isin(top)],
                x="name",
                y="businesses",
                color=column,
                stack=True,
                horizontal=True,
            )
    if len(found.areas) > 25:
        st.caption("The 25 areas with the most businesses.")
    table = pd.DataFrame(found.areas.drop(columns="geometry"))
    ui.table(table)
    st.download_button(
        "Download the table (CSV)",
        annotated_csv(table, [found.gva.caption(), *ui.attribution_lines()]),
        file_name=f"sector-by-{by}.csv",
        mime="text/csv",
        on_click="ignore",
    )
    _official_gva(found.gva)
    _trend()


def _official_gva(money: gva.OfficialGva) -> None:
    st.subheader("Official economic contribution (ONS)")
    if not money.loaded:
        st.info(money.caption())
        return
    cells = st.columns(len(gva.ITL3_AREAS))
    for cell, (code, name) in zip(cells, gva.ITL3_AREAS.items(), strict=True):
        per_job = money.per_job(code)
        cell.metric(
            f"{name} ({code}), {money.year}",
            f"£{money.gbp_by_itl3.get(code, 0) / 1e6:,.0f}m",
            help="ONS regional GVA (balanced) by industry, SIC 13-15, current prices.",
        )
        cell.caption(
            f"£{per_job:,.0f} per register job (derived: official GVA ÷ the register's "
            "employees in SIC 13-15)"
            if per_job
            else "No register employees in SIC 13-15 here."
        )
    series = money.series.assign(year=money.series["year"].astype(str))
    ui.line_chart(
        series,
        x="year",
        y="gbp_million",
        colour="region_name",
        x_label="Year",
        y_label="GVA, £ million",
        description="Line chart: gross value added of textiles, apparel and leather "
        "manufacturing by year for each region shown, in £ million.",
    )
    st.caption(
        f"Gross value added of manufacturing SIC 13-15 (textiles, wearing apparel and leather) "
        f"since {int(money.series['year'].min())}, current prices. {gva.METHOD} "
        f"{' '.join(gva.ASSUMPTIONS)} Source: {money.source}"
    )


def _trend() -> None:
    st.subheader("Trend: businesses trading each year")
    trend = by_area.trend(ui.engine())
    if trend.empty:
        st.caption("No first- or last-seen dates are recorded yet.")
        return
    # Years as labels, not quantities (no thousands separator).
    ui.line_chart(
        trend.assign(year=trend["year"].astype(str)),
        x="year",
        y="businesses",
        colour="sector",
        description="Line chart: businesses of the register trading each year, by sector.",
    )
    st.caption(
        "A business counts in each year between its first- and last-seen dates (first seen: "
        "the earliest list that knew it; still trading when it has no last-seen date)."
    )


def _emerging() -> None:
    by, _ = _choose_geography("emerging", hexagons=False)
    until = st.date_input(
        "Compare the 12 months up to",
        value=emerging.latest_day(ui.engine()),
        max_value=dt.date.today(),
        format="DD/MM/YYYY",
    )
    st.caption(emerging.TEST)
    try:
        table = emerging.rises(ui.engine(), by, until=until)
    except SectormapError as exc:
        st.warning(str(exc))
        return
    flagged = table[table["flagged"]]
    if flagged.empty:
        st.success("No rise stands out from chance in these 12 months.")
    else:
        st.error(f"{len(flagged)} rises unlikely to be chance.")
    ui.table(
        table.assign(p_value=table["p_value"].round(4), q_value=table["q_value"].round(4)),
    )


def _official() -> None:
    found = _sized("district", 8)
    register = {k: found.totals[k] for k in ("businesses", "employees")}
    st.subheader("Published figures beside the register")
    ui.table(official_figures.beside_register(ui.engine(), register))
    st.caption(
        "The register counts current businesses (active or dormant) inside the districts, and "
        "the sum of their employee estimates."
    )
    user = ui.current_user()
    figures = official_figures.listing(ui.engine()).drop(columns="id")
    if not (access.can_edit(user.role) and user.role != "officer"):
        ui.table(figures)
        return
    st.subheader("Edit the figures")
    edited = st.data_editor(
        figures,
        num_rows="dynamic",
        column_config={
            "measure": st.column_config.SelectboxColumn(
                options=list(official_figures.MEASURES), required=True
            ),
            "year": st.column_config.NumberColumn(min_value=1900, max_value=2100, step=1),
        },
        key="official_editor",
    )
    if st.button("Save the figures", type="primary"):
        count = official_figures.replace(ui.engine(), user, edited)
        ui.data_changed()
        st.session_state["flash"] = f"{count} figures saved."
        st.rerun()


@st.cache_data(ttl=300, show_spinner="Fitting the capture-recapture models…")
def _hidden() -> hidden_sector.HiddenSector:
    return hidden_sector.estimate(ui.engine())


def _hidden_sector() -> None:
    try:
        found = _hidden()
    except ValueError as exc:
        st.warning(f"No estimate: {exc}.")
        return
    estimate = found.estimate
    cells = st.columns(3)
    cells[0].metric("Businesses the lists know", f"{estimate.observed:,}")
    cells[1].metric(
        "Estimated sector, seen and unseen",
        f"{estimate.total:,.0f}",
        help=f"95% interval {estimate.low:,.0f} to {estimate.high:,.0f}",
    )
    cells[2].metric("Hidden share (estimate)", f"{estimate.hidden_share:.0%}")
    st.write(
        f"**{estimate.total:,.0f}** businesses (95% interval **{estimate.low:,.0f}** to "
        f"**{estimate.high:,.0f}**), of which about **{estimate.unseen:,.0f}** are on no list. "
        f"Method: {estimate.method}" + (f", model: {estimate.model}." if estimate.model else ".")
    )
    if found.truth is not None:
        st.info(
            f"Demo data: the fictional population these businesses were drawn from has "
            f"{found.truth:,} businesses; the estimate "
            + ("covers it." if estimate.low <= found.truth <= estimate.high else "misses it.")
        )
    st.subheader("Which lists know which businesses")
    st.caption("Lists: " + ", ".join(found.lists))
    ui.table(found.overlaps)
    st.subheader("Assumptions")
    st.markdown("\n".join(f"- {line}" for line in capture_recapture.ASSUMPTIONS))
    st.caption(capture_recapture.METHOD)


ui.lazy_tabs(
    {
        "By area": _by_area,
        "Emerging threats": _emerging,
        "Official figures": _official,
        "Hidden sector": _hidden_sector,
    },
    key="sizing_tabs",
)
ui.show_attribution()
