"""The imports of who is behind the businesses, on the Import page: Companies House's PSC
snapshot and Open Supply Hub facility downloads."""

from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from app.parts import ui
from layers.core.cells import neutralise_frame
from layers.core.errors import AccessDeniedError, ValidationError
from layers.core.settings import get_settings
from layers.network import osh, psc


def _saved(upload: UploadedFile) -> Path:
    folder = get_settings().data_dir / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    saved = folder / Path(upload.name).name
    saved.write_bytes(upload.getvalue())
    return saved


def psc_import() -> None:
    """Upload and import a PSC snapshot; unreadable lines come back as a CSV."""
    user = ui.current_user()
    snapshot = st.file_uploader(
        "PSC snapshot (JSON Lines, .txt, .zip or .gz)",
        type=["txt", "json", "jsonl", "zip", "gz"],
        key="psc_file",
    )
    if snapshot is not None and st.button("Import the snapshot", type="primary"):
        try:
            result = psc.import_psc(
                ui.engine(), user, _saved(snapshot), ui.StreamlitProgress("Reading the snapshot…")
            )
        except (ValidationError, AccessDeniedError) as problem:
            st.error(str(problem))
        else:
            ui.data_changed()
            st.success(
                f"{result.lines:,} lines: {result.controls:,} controls ({result.ceased:,} "
                f"ceased) of {result.persons:,} people, {result.statements:,} statements; "
                f"{result.skipped:,} lines of companies outside the register skipped; "
                f"{result.ended:,} controls no longer listed ended."
            )
            if result.problems:
                st.warning(f"{len(result.problems):,} lines could not be read and were skipped.")
                problems = result.problems_frame()
                ui.table(problems.head(50))
                st.download_button(
                    "Download the unreadable lines (CSV)",
                    neutralise_frame(problems).to_csv(index=False),
                    file_name=f"{snapshot.name}-problems.csv",
                    mime="text/csv",
                )
    st.caption(psc.ATTRIBUTION)


def osh_import() -> None:
    """Upload and import an Open Supply Hub download; near matches go to officers."""
    user = ui.current_user()
    download = st.file_uploader("Facilities download (CSV)", type=["csv"], key="osh_file")
    if download is not None and st.button("Import the facilities", type="primary"):
        try:
            found = osh.import_osh(
                ui.engine(), user, _saved(download), ui.StreamlitProgress("Matching facilities…")
            )
        except (ValidationError, AccessDeniedError) as problem:
            st.error(str(problem))
        else:
            ui.data_changed()
            st.success(
                f"{found.read:,} facilities: {found.matched:,} matched, {found.proposed:,} "
                f"proposed for an officer, {found.unmatched:,} unmatched in the region, "
                f"{found.outside_region:,} outside it; {found.closed:,} closed."
            )
    st.caption(osh.ATTRIBUTION + " Near matches wait on the Networks & brands page.")
