"""The printable sector report on a demo database: its PDF is rendered to images page by page,
and its HTML escapes what it shows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import Engine, create_engine, text

from layers.core import migrate
from layers.core.settings import get_settings
from layers.demo import populate
from layers.people import users
from layers.sizing import sector_report
from tests.support import fresh_database, worker


@pytest.fixture(scope="module")
def demo_engine() -> Iterator[Engine]:
    engine = create_engine(fresh_database(f"{get_settings().db_name}_report_{worker()}"))
    migrate.upgrade(engine)
    populate.load(engine, seed=7, scale=0.3)
    yield engine
    engine.dispose()


def test_the_pdf_renders_to_pages_with_maps_charts_and_tables(demo_engine: Engine) -> None:
    analyst = users.by_username(demo_engine, "analyst")
    report = sector_report.build(demo_engine, analyst, attribution=["© test attribution"])
    pdf = pdfium.PdfDocument(sector_report.to_pdf(report))
    try:
        assert len(pdf) >= 6
        pages = [
            np.asarray(pdf[i].render(scale=0.5).to_pil().convert("L")) for i in range(len(pdf))
        ]
    finally:
        pdf.close()
    inked = [float((page < 200).mean()) for page in pages]
    coloured = [float((page < 250).mean()) for page in pages]
    assert all(share > 0.002 for share in inked)  # every page has something on it
    assert coloured[1] > 0.05  # the map page: a good part of it is drawing
    text_of_first = pdfium.PdfDocument(sector_report.to_pdf(report))
    try:
        first = text_of_first[0].get_textpage().get_text_range()
        last = text_of_first[len(text_of_first) - 2].get_textpage().get_text_range()
    finally:
        text_of_first.close()
    assert "Leicester and Leicestershire" in first and "GVA" in first
    assert "© test attribution" in last and "Assumptions" in last
    assert report.hidden is not None and report.hidden.truth is not None


def test_the_html_report_is_self_contained_and_escaped(demo_engine: Engine) -> None:
    with demo_engine.begin() as conn:
        conn.execute(text("UPDATE focus_area SET name = '<script>x</script> Area' WHERE id = 1"))
    analyst = users.by_username(demo_engine, "analyst")
    page = sector_report.to_html(
        sector_report.build(demo_engine, analyst, area_id=1, attribution=["© test"])
    )
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt; Area" in page
    assert (
        page.count("data:image/png;base64,") >= 3 and "http" not in page.split("<body>")[1][:2000]
    )
    assert "Published figures beside the register" in page and "1,480" in page
