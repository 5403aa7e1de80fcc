"""Export: any set of layers, with the map's filters and a clip, in the analyst's format; the
printable sector report. Every export is audited and carries its metadata and attributions."""

from __future__ import annotations

import dataclasses

import streamlit as st

from app.parts import filters_form, ui
from layers.areas import focus_areas
from layers.core.errors import SectormapError
from layers.exports import map_layers
from layers.people import access, audit
from layers.reference import boundaries
from layers.sizing import by_area, sector_report

st.title("Export")
ui.demo_banner()
engine = ui.engine()
user = ui.current_user()
areas = focus_areas.all_areas(engine)  # read once per run: the clip choices and the report


def _layers_and_clip() -> map_layers.ExportRequest:
    chosen = st.multiselect(
        "Layers",
        list(map_layers.LAYERS),
        default=["businesses"],
        format_func=map_layers.LAYERS.get,
    )
    fmt = st.radio(
        "Format", list(map_layers.FORMATS), format_func=map_layers.FORMATS.get, horizontal=False
    )
    districts = boundaries.load_boundary_frame(engine, "district")
    wards = boundaries.load_boundary_frame(engine, "ward")
    filters, _ = filters_form.business_filters(
        {"districts": districts, "wards": wards, "focus_areas": areas}, colours=False
    )
    clips: dict[object, str] = {None: "The whole region (no clip)"}
    clips |= {
        ("area", int(i)): f"{n} (focus area)"
        for i, n in zip(areas["id"], areas["name"], strict=True)
    }
    for kind, frame in (("district", districts), ("ward", wards)):
        clips |= {
            (kind, code): f"{name} ({kind})"
            for code, name in zip(frame["code"], frame["name"], strict=True)
        }
    clip = st.selectbox("Clip to", list(clips), format_func=clips.get)
    by = "district"
    if "sizing" in chosen:
        by = st.radio(
            "Sizing by", [g for g in by_area.GEOGRAPHIES if g != "h3"], horizontal=True,
            format_func=by_area.GEOGRAPHIES.get,
        )  # fmt: skip
    return map_layers.ExportRequest(
        layers=tuple(chosen),
        fmt=fmt,
        filters=filters,
        clip_area=clip[1] if clip and clip[0] == "area" else None,
        clip_boundary=clip if clip and clip[0] != "area" else None,  # type: ignore[arg-type]
        sizing_by=by,
    )


with st.container(border=True):
    st.subheader("Layers")
    request = _layers_and_clip()
    st.caption(
        "Intelligence reports leave only as far as you may read them; a viewer exports none. "
        "Every export is written to the audit log."
    )
    if "reports" in request.layers and access.can_read_any_report(user.role):
        reason, recipient = ui.justification_inputs("layers_export")
        request = dataclasses.replace(request, justification=audit.Justification(reason, recipient))
    if st.button("Prepare the export", type="primary", disabled=not request.layers):
        bar = ui.StreamlitProgress("Preparing the export…")
        try:
            st.session_state["layer_export"] = map_layers.export(
                engine, user, request, attribution=ui.attribution_lines(), progress=bar
            )
        except SectormapError as exc:
            st.error(str(exc))
    if "layer_export" in st.session_state:
        data, name = st.session_state["layer_export"]
        st.download_button(
            f"Download {name}", data, file_name=name, mime="application/zip", on_click="ignore"
        )

with st.container(border=True):
    st.subheader("Printable sector report")
    st.caption(
        "Maps, charts, the sizing tables, the hidden-sector estimate, published figures beside "
        "the register, method notes and attributions, as HTML and PDF."
    )
    names = {None: "The whole region"} | dict(
        zip(areas["id"].astype(int), areas["name"], strict=True)
    )
    area = st.selectbox("For", list(names), format_func=names.get, key="report_area")
    if st.button("Make the report"):
        with st.spinner("Drawing the maps and charts…"):
            report = sector_report.build(
                engine, user, area_id=area, attribution=ui.attribution_lines()
            )
            st.session_state["sector_report"] = (
                sector_report.to_html(report),
                sector_report.to_pdf(report),
            )
    if "sector_report" in st.session_state:
        page, pdf = st.session_state["sector_report"]
        left, right = st.columns(2)
        left.download_button("Download the report (PDF)", pdf, file_name="sector-report.pdf",
                             mime="application/pdf", on_click="ignore")  # fmt: skip
        right.download_button("Download the report (HTML)", page, file_name="sector-report.html",
                              mime="text/html", on_click="ignore")  # fmt: skip
ui.show_attribution()
