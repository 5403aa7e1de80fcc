"""Import: businesses (upload, map columns, check (dry run), import, download the rejected
rows), Companies House's PSC snapshot, or an Open Supply Hub download."""

from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st

from app.parts import network_imports, ui
from layers.core.cells import neutralise_frame
from layers.core.settings import get_settings
from layers.register.businesses import importing, mappings, readers
from layers.register.businesses.records import FIELDS

FORMAT_LABELS = {
    "companies-house": "Companies House free company data (CSV)",
    "csv": "CSV with a column mapping",
    "xlsx": "Excel with a column mapping",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
}

WHAT = {
    "businesses": "Businesses",
    "psc": "People with significant control (Companies House PSC snapshot)",
    "osh": "Brands' suppliers (Open Supply Hub download)",
}
st.title("Import")
what = st.radio("What are you importing?", list(WHAT), format_func=WHAT.get, horizontal=True)
if what == "psc":
    network_imports.psc_import()
    st.stop()
if what == "osh":
    network_imports.osh_import()
    st.stop()
st.write(
    "Companies House's free company data product as published, or any CSV, Excel, GeoJSON "
    "or GeoPackage list with a column mapping. Rows are matched to the register by company "
    "number, then by name and postcode: importing the same file twice adds nothing. "
    "Rows that cannot be imported come back as a report, with the reason."
)
upload = st.file_uploader("File", type=["csv", "xlsx", "geojson", "json", "gpkg"])
if upload is None:
    st.stop()

if st.session_state.get("upload_name") != (upload.name, upload.size):
    folder = get_settings().data_dir / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    saved = folder / Path(upload.name).name
    saved.write_bytes(upload.getvalue())
    st.session_state.update(upload_name=(upload.name, upload.size), upload_path=str(saved))
    st.session_state.pop("import_result", None)
path = Path(st.session_state["upload_path"])

detected = readers.detect_format(path)
chosen = st.selectbox(
    "Format",
    list(FORMAT_LABELS),
    index=list(FORMAT_LABELS).index(detected),
    format_func=FORMAT_LABELS.get,
)
mapping: dict[str, str] | None = None
if chosen != "companies-house":
    st.subheader("Columns")
    saved_maps = mappings.saved_mappings(ui.engine())
    columns = readers.columns_of(readers.Source(path, chosen))
    start_from = st.selectbox(
        "Start from a saved mapping",
        [None, *saved_maps],
        format_func=lambda n: "Columns named like the fields" if n is None else n,
    )
    initial = saved_maps[start_from] if start_from else readers.default_mapping(columns)
    mapping = {}
    left, right = st.columns(2)
    for i, (field, meaning) in enumerate(FIELDS.items()):
        if chosen in ("geojson", "gpkg") and field in ("lat", "lon"):
            continue
        options = [None, *columns]
        default = initial.get(field)
        picked = (left if i % 2 == 0 else right).selectbox(
            meaning,
            options,
            index=options.index(default) if default in options else 0,
            format_func=lambda c: "(none)" if c is None else c,
            key=f"map_{field}",
        )
        if picked:
            mapping[field] = picked
    name = st.text_input("Save this mapping as")
    if st.button("Save mapping", disabled=not name.strip()):
        mappings.save_mapping(ui.engine(), ui.current_user(), name, mapping)
        st.success(f"Mapping saved as {name.strip()!r}.")

full_snapshot = chosen == "companies-house" and st.checkbox(
    "This is the whole monthly Companies House product",
    help="Companies of the register from Companies House that are absent from it are marked as "
    "gone from the register (dissolved or struck off), with the date in the file's name. Never "
    "tick this for one part of the product or any smaller file.",
)
check, run = st.columns(2)
dry_run = check.button("Check (dry run)")
real_run = run.button("Import", type="primary")
if dry_run or real_run:
    st.session_state["import_result"] = importing.import_businesses(
        ui.engine(),
        ui.current_user(),
        path,
        format=chosen,
        mapping=mapping,
        dry_run=dry_run,
        progress=ui.StreamlitProgress("Reading the file…"),
        full_snapshot=full_snapshot,
    )
    if real_run:
        ui.data_changed()
result = st.session_state.get("import_result")
if result is not None:
    verb = "would be" if result.dry_run else "were"
    st.success(
        f"{result.read:,} rows read: {result.inserted:,} businesses {verb} added, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged; "
        f"{result.skipped:,} skipped (not of the sector or the area); "
        f"{result.rejected:,} rejected."
        + (f" {result.moved_away:,} moved out of the area." if result.moved_away else "")
        + (f" {result.gone:,} gone from the register." if result.gone else "")
    )
    if result.rejected:
        st.warning(
            f"{result.rejected:,} rows could not be imported. Fix them in the file and "
            "import it again; the rows already imported will not be duplicated."
        )
        ui.table(result.rejects)
        st.download_button(
            "Download the rejected rows (CSV)",
            neutralise_frame(result.rejects).to_csv(index=False),
            file_name=f"{path.stem}-rejected.csv",
            mime="text/csv",
        )
