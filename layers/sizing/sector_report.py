"""The printable sector report: static maps and charts (matplotlib: no tiles needed), the sizing
tables, the hidden-sector estimate with its interval and assumptions, published figures beside
the register, method notes and attributions; as HTML (``to_html``) and PDF (``to_pdf``)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import jinja2
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from layers.areas import emerging, focus_areas
from layers.core import pdf_pages, vocab
from layers.core.db import Bind, read_frame
from layers.core.errors import ValidationError
from layers.core.fragments import CURRENT_BUSINESS
from layers.people import rights
from layers.people.identity import User
from layers.sizing import by_area, capture_recapture, hidden_sector, official_figures

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
METHOD_NOTES = (
    "Businesses are those in the register that are active or dormant; employees are the sum of "
    "each business's estimate, with the low and high estimates beside it.",
    "A business is counted in the first district (by code) whose boundary holds it.",
    "The economic contribution is the ONS gross value added of manufacturing SIC 13-15 for "
    "the ITL3 areas (Leicester; Leicestershire CC and Rutland); for a district or focus area it "
    "is that figure apportioned by the area's part of the register's SIC 13-15 employees. "
    "Wholesale (SIC 46.41, 46.42) is outside SIC 13-15 and gets no share.",
    emerging.TEST,
)
#: Column names as people read them, in the PDF's tables.
READABLE = {
    "name": "District",
    "businesses": "Businesses",
    "employees": "Employees",
    "employees_low": "Low",
    "employees_high": "High",
    "area_km2": "km²",
    "per_km2": "Per km²",
    "gva_gbp": "GVA (£)",
}
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


@dataclass(frozen=True)
class SectorReport:
    """Everything the report shows, computed once for both formats."""

    title: str
    scope: str
    generated: str
    author: str
    summary: list[str]
    districts: pd.DataFrame
    by_sector: pd.DataFrame
    official: pd.DataFrame
    hidden: hidden_sector.HiddenSector | None
    figures: dict[str, bytes]
    gva: str
    attribution: list[str]


def _png(figure: Figure) -> bytes:
    """A figure as PNG (matplotlib's Figure draws without pyplot or a display)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _map(areas: gpd.GeoDataFrame, points: pd.DataFrame, outline: gpd.GeoDataFrame | None) -> bytes:
    figure = Figure(figsize=(7.5, 6.5))
    axes = figure.subplots()
    if outline is None:
        areas.plot(
            column="businesses", cmap="Blues", edgecolor="white", linewidth=0.8, legend=True,
            ax=axes, legend_kwds={"label": "Businesses", "shrink": 0.6},
        )  # fmt: skip
    else:
        outline.boundary.plot(ax=axes, color="#C00000", linewidth=2)
        areas.boundary.plot(ax=axes, color="#999999", linewidth=0.5)
        west, south, east, north = outline.total_bounds
        axes.set_xlim(west - 0.005, east + 0.005)
        axes.set_ylim(south - 0.005, north + 0.005)
    for colour, (sector, group) in zip(PALETTE, points.groupby("sector"), strict=False):
        axes.scatter(group["lon"], group["lat"], s=3, color=colour, label=sector, alpha=0.7)
    axes.legend(loc="lower left", fontsize=7, markerscale=3, title="Sector", title_fontsize=7)
    axes.set_axis_off()
    axes.set_aspect(1 / 0.6)  # about right for 52.6°N: a degree of longitude is 0.6 of latitude
    return _png(figure)


def _sector_chart(by_sector: pd.DataFrame) -> bytes:
    figure = Figure(figsize=(9, 3.4))
    left, right = figure.subplots(1, 2)
    ordered = by_sector.sort_values("businesses")
    left.barh(ordered["sector"], ordered["businesses"], color=PALETTE[0])
    left.set_title("Businesses", fontsize=10)
    right.barh(ordered["sector"], ordered["employees"], color=PALETTE[1])
    right.set_title("Employees (estimate)", fontsize=10)
    right.set_yticklabels([])
    for axes in (left, right):
        axes.tick_params(labelsize=8)
    return _png(figure)


def _trend_chart(trend: pd.DataFrame) -> bytes:
    figure = Figure(figsize=(9, 3.2))
    axes = figure.subplots()
    for colour, (sector, group) in zip(PALETTE, trend.groupby("sector"), strict=False):
        axes.plot(
            group["year"], group["businesses"], marker="o", markersize=3, color=colour, label=sector
        )
    axes.set_title("Businesses trading each year, by sector", fontsize=10)
    axes.legend(fontsize=7)
    axes.tick_params(labelsize=8)
    return _png(figure)


def _gva_chart(series: pd.DataFrame) -> bytes:
    figure = Figure(figsize=(9, 3.2))
    axes = figure.subplots()
    for colour, (name, group) in zip(PALETTE, series.groupby("region_name"), strict=False):
        axes.plot(group["year"], group["gbp_million"], marker="o", markersize=3, color=colour,
                  label=name)  # fmt: skip
    axes.set_title("Gross value added of SIC 13-15, £ million (current prices, ONS)", fontsize=10)
    axes.legend(fontsize=7)
    axes.tick_params(labelsize=8)
    return _png(figure)


def _hidden_chart(found: hidden_sector.HiddenSector) -> bytes:
    estimate = found.estimate
    figure = Figure(figsize=(6, 2.4))
    axes = figure.subplots()
    axes.barh(
        ["Seen by a list", "Estimated in all"],
        [estimate.observed, estimate.total],
        color=[PALETTE[4], PALETTE[0]],
    )
    below, above = estimate.total - estimate.low, estimate.high - estimate.total
    axes.errorbar(estimate.total, 1, xerr=[[below], [above]], color="black", capsize=4)
    if found.truth is not None:
        axes.axvline(found.truth, color=PALETTE[5], linestyle="--", label="Fictional truth (demo)")
        axes.legend(fontsize=7, loc="lower right")
    axes.tick_params(labelsize=8)
    axes.set_title("Businesses: seen and estimated (95% interval)", fontsize=10)
    return _png(figure)


def build(
    bind: Bind, user: User, *, area_id: int | None = None, attribution: list[str]
) -> SectorReport:
    """Compute the report for the whole region, or for one focus area. A partner is refused
    (audited)."""
    rights.require_staff(bind, user, "print the sector report", object_type="sector_report")
    districts = by_area.size(bind, "district")
    outline = None
    scope = "Leicester and Leicestershire"
    points = read_frame(
        bind,
        "SELECT b.sector, ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon, "  # noqa: S608 - constant
        "coalesce(b.employees_estimate, 0) AS employees FROM business b "
        f"WHERE {CURRENT_BUSINESS} AND (CAST(:area AS int) IS NULL OR EXISTS (SELECT 1 FROM "
        "focus_area f WHERE f.id = :area AND ST_Intersects(f.geom, b.geom)))",
        {"area": area_id},
    )
    if area_id is not None:
        areas = focus_areas.all_areas(bind)
        outline = areas[areas["id"] == area_id]
        if outline.empty:
            raise ValidationError(f"focus area {area_id} no longer exists")
        scope = str(outline["name"].iloc[0])
    by_sector = points.groupby("sector", as_index=False).agg(
        businesses=("employees", "size"), employees=("employees", "sum")
    )
    by_sector["sector"] = by_sector["sector"].map(vocab.SECTORS)
    try:
        hidden = hidden_sector.estimate(bind, replicates=100)
    except ValueError:
        hidden = None
    register = {k: districts.totals[k] for k in ("businesses", "employees")}
    figures = {
        "map": _map(
            districts.areas, points.assign(sector=points["sector"].map(vocab.SECTORS)), outline
        ),
        "sectors": _sector_chart(by_sector),
    }
    trend = by_area.trend(bind)
    if not trend.empty:
        figures["trend"] = _trend_chart(trend)
    if hidden is not None:
        figures["hidden"] = _hidden_chart(hidden)
    money = districts.gva
    summary = [
        f"{len(points):,} businesses in {scope} employ about {int(points['employees'].sum()):,} "
        "people (sum of estimates).",
    ]
    if money.loaded:
        figures["gva"] = _gva_chart(money.series)
        contribution = (
            districts.totals["gva_gbp"]
            if area_id is None
            else float(by_area.size(bind, "area").areas.set_index("code")["gva_gbp"][str(area_id)])
        )
        summary.append(
            f"The gross value added of its manufacturing (SIC 13-15) was about "
            f"£{contribution / 1e6:,.1f} million in {money.year} (ONS"
            f"{', apportioned by employees' if area_id is not None else ''}); wholesale is "
            "outside SIC 13-15."
        )
    if hidden is not None:
        estimate = hidden.estimate
        summary.append(
            f"Capture-recapture over {len(hidden.lists)} lists estimates {estimate.total:,.0f} "
            f"businesses in the region (95% interval {estimate.low:,.0f} to {estimate.high:,.0f}), "
            f"about {estimate.hidden_share:.0%} of them on no list."
        )
    table = pd.DataFrame(districts.areas.drop(columns="geometry"))
    return SectorReport(
        title=f"The textile and garment sector: {scope}",
        scope=scope,
        generated=dt.datetime.now().strftime("%d %B %Y"),
        author=f"{user.full_name or user.username} ({user.agency_code or 'Sectormap'})",
        summary=summary,
        districts=table[
            [
                "name",
                "businesses",
                "employees",
                "employees_low",
                "employees_high",
                "area_km2",
                "per_km2",
                "gva_gbp",
            ]
        ],
        by_sector=by_sector,
        official=official_figures.beside_register(bind, register),
        hidden=hidden,
        figures=figures,
        gva=money.caption(),
        attribution=attribution,
    )


def to_html(report: SectorReport) -> str:
    """The report as one self-contained HTML page (images inline, every text escaped)."""
    images = {name: base64.b64encode(png).decode() for name, png in report.figures.items()}
    return _TEMPLATES.get_template("sector_report.html").render(
        report=report,
        images=images,
        assumptions=capture_recapture.ASSUMPTIONS,
        notes=METHOD_NOTES,
        tables={
            "districts": report.districts.to_dict("records"),
            "sectors": report.by_sector.to_dict("records"),
            "official": report.official.to_dict("records"),
        },
    )


def to_pdf(report: SectorReport) -> bytes:
    """The report as a PDF: summary, map, charts, tables, the hidden sector and notes."""
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        pdf_pages.text_page(
            pdf,
            report.title,
            [f"Prepared {report.generated} by {report.author}.", *report.summary, report.gva],
        )
        pdf_pages.image_page(pdf, "Where the sector is", [report.figures["map"]])
        pdf_pages.image_page(
            pdf,
            "Sectors and trend",
            [report.figures[n] for n in ("sectors", "trend", "gva") if n in report.figures],
        )
        pdf_pages.table_page(pdf, "By district", report.districts, headings=READABLE)
        pdf_pages.table_page(
            pdf, "Published figures beside the register", report.official, headings=READABLE
        )
        paragraphs = []
        if report.hidden is not None:
            estimate = report.hidden.estimate
            paragraphs += [
                f"Estimated sector: {estimate.total:,.0f} businesses (95% interval "
                f"{estimate.low:,.0f} to {estimate.high:,.0f}); seen by a list: "
                f"{estimate.observed:,}. Method: {estimate.method}. {estimate.model}",
                "Assumptions: " + " ".join(capture_recapture.ASSUMPTIONS),
            ]
        paragraphs += ["Method notes: " + " ".join(METHOD_NOTES), "Sources and licences:",
                       *report.attribution]  # fmt: skip
        pdf_pages.text_page(pdf, "The hidden sector, methods and sources", paragraphs)
        if "hidden" in report.figures:
            pdf_pages.image_page(pdf, "The hidden sector", [report.figures["hidden"]])
    return buffer.getvalue()
