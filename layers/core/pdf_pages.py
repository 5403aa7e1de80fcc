"""A4 pages of printable PDFs drawn with matplotlib (no browser, no network): a page of text, a
page of images, a page holding a table."""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread


def text_page(pdf: PdfPages, title: str, paragraphs: list[str]) -> None:
    """A portrait page: a title and wrapped paragraphs."""
    figure = Figure(figsize=(8.27, 11.69))  # A4
    figure.text(0.08, 0.94, title, fontsize=15, weight="bold", va="top")
    y = 0.89
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 95) or [""]:
            figure.text(0.08, y, line, fontsize=9.5, va="top")
            y -= 0.018
        y -= 0.012
    pdf.savefig(figure)


def image_page(pdf: PdfPages, title: str, pngs: list[bytes]) -> None:
    """A portrait page: a title and PNG images stacked down the page."""
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.08, 0.96, title, fontsize=13, weight="bold", va="top")
    height = 0.9 / max(len(pngs), 1)
    for i, png in enumerate(pngs):
        axes = figure.add_axes((0.05, 0.93 - (i + 1) * height, 0.9, height - 0.02))
        axes.imshow(imread(io.BytesIO(png), format="png"))
        axes.set_axis_off()
    pdf.savefig(figure)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)[:60]


def table_page(
    pdf: PdfPages, title: str, table: pd.DataFrame, *, headings: dict[str, str] | None = None
) -> None:
    """A landscape page: a title and the first 40 rows of ``table`` (columns renamed by
    ``headings``), or a line saying it is empty."""
    figure = Figure(figsize=(11.69, 8.27))  # A4 landscape
    figure.text(0.05, 0.95, title, fontsize=13, weight="bold", va="top")
    if table.empty:
        figure.text(0.05, 0.88, "None.", fontsize=10, va="top")
        pdf.savefig(figure)
        return
    axes = figure.add_axes((0.05, 0.05, 0.9, 0.85))
    axes.set_axis_off()
    shown = table.head(40).rename(columns=headings or {}).apply(lambda column: column.map(_cell))
    drawn = axes.table(cellText=shown.to_numpy(), colLabels=list(shown.columns), loc="upper center")
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(8)
    drawn.scale(1, 1.3)
    pdf.savefig(figure)
