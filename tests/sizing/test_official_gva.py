"""The official economic contribution: the ONS GVA tables read as published, kept in the
published-figures store, and shared out to smaller areas by the register's employees."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.reference import economy
from layers.sizing import by_area, gva
from tests.support import IMPORTER

HEADER = "ITL code,Region name,SIC07 code,SIC07 description,2020,2021,2022\n"


def _table(tmp_path: Path, body: str, *, header: str = HEADER, name: str = "gva_2024.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8-sig")
    return path


def test_the_reader_takes_thousands_separators_and_keeps_mangled_codes(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        'TLF21,Leicester,Total,All industries,"8,550","9,401","9,996"\n'
        "TLF21,Leicester,02-Mar,Forestry and fishing,1,2,3\n"
        'TLF21,Leicester,CB (13-15),"Manufacture of textiles, wearing apparel and leather",'
        "400,..,467\n",
    )
    frame = economy.read_gva_table(path)
    total = frame[(frame["industry_code"] == "Total") & (frame["year"] == 2022)]
    assert total["gbp_million"].tolist() == [9996.0]
    assert "02-Mar" in set(frame["industry_code"])  # left as published
    sector = frame[frame["industry_code"] == economy.SECTOR_INDUSTRY]
    # A value the ONS does not publish ('..') is a missing year, not a zero.
    assert sorted(sector["year"]) == [2020, 2022]


def test_a_release_with_other_years_reads_by_heading(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "Leicestershire CC and Rutland,TLF22,CB (13-15),Textiles,150,151\n",
        header="Region name,ITL code,SIC07 code,SIC07 description,2022,2023\n",
    )
    frame = economy.read_gva_table(path)
    assert frame[["region_code", "year", "gbp_million"]].values.tolist() == [
        ["TLF22", 2022, 150.0],
        ["TLF22", 2023, 151.0],
    ]


@pytest.mark.parametrize(
    ("body", "header", "words", "row", "column"),
    [
        ("TLF21,Leicester,Total,All,1,2,lots\n", HEADER, "not a number", 2, "2022"),
        ("TLF21,Leicester,Total,All,1,2,3\nTLF21,Leicester,Total,All,1,2,3\n", HEADER,
         "appears twice", 3, "SIC07 code"),
        ("tlf 21!,Leicester,Total,All,1,2,3\n", HEADER, "not an ITL code", 2, "ITL code"),
        ("TLF21,Leicester,Total,1\n", "ITL code,Region name,SIC07 code,Value\n",
         "SIC07 description", 1, None),
        ("TLF21,Leicester,Total,All\n", "ITL code,Region name,SIC07 code,SIC07 description\n",
         "no year columns", 1, None),
    ],
)  # fmt: skip
def test_bad_tables_are_refused_by_row_and_column(
    tmp_path: Path, body: str, header: str, words: str, row: int, column: str | None
) -> None:
    with pytest.raises(ValidationError, match=words) as refused:
        economy.read_gva_table(_table(tmp_path, body, header=header))
    assert (refused.value.file, refused.value.row, refused.value.column) == (
        "gva_2024.csv",
        row,
        column,
    )


def test_the_release_comes_from_the_file_name_or_must_be_given() -> None:
    assert economy.release_of(Path("gva_itl3_current_prices_2024.csv")) == "2024"
    with pytest.raises(ValidationError, match="--release"):
        economy.release_of(Path("regional_gva.csv"))


def _figures(leicester: float, county: float, employees: dict[str, int]) -> gva.OfficialGva:
    return gva.OfficialGva(
        year=2022,
        source="test",
        gbp_by_itl3={"TLF21": leicester, "TLF22": county},
        employees_by_itl3=gva.itl3_employees(employees),
        series=pd.DataFrame(),
    )


def test_shares_add_up_to_each_itl3_total_and_leave_wholesale_out() -> None:
    detail = pd.DataFrame(
        {
            "code": ["ward a", "ward a", "ward b", "ward b", "hex c", "outside"],
            "sector": ["13", "46.41", "14", "15", "13", "14"],
            "district": [
                "E06000016",
                "E06000016",
                "E06000016",
                "E07000130",
                "E07000131",
                "E06000017",
            ],
            "employees": [30, 500, 70, 10, 30, 99],
        }
    )
    figures = _figures(467e6, 150e6, {"E06000016": 100, "E07000130": 10, "E07000131": 30})
    shares = gva.apportion(detail, figures)
    assert shares["ward a"] == pytest.approx(467e6 * 30 / 100)  # its 500 wholesale jobs: nothing
    assert shares["ward b"] == pytest.approx(467e6 * 70 / 100 + 150e6 * 10 / 40)
    assert shares["hex c"] == pytest.approx(150e6 * 30 / 40)
    assert shares["outside"] == 0  # Rutland: not one of the districts the register covers
    assert shares.sum() == pytest.approx(467e6 + 150e6)
    assert figures.per_job("TLF21") == pytest.approx(4.67e6)
    assert gva.apportion(detail, _figures(1, 1, {})).sum() == 0  # no employees, no share


def test_without_official_figures_there_is_no_contribution() -> None:
    figures = gva.OfficialGva(None, "none", {}, {}, pd.DataFrame())
    shares = gva.apportion(pd.DataFrame({"code": ["a"], "sector": ["13"], "district": [""],
                                         "employees": [5]}), figures)  # fmt: skip
    assert shares.isna().all()
    assert "No official GVA" in figures.caption()


def test_the_pack_loads_the_published_sector_figures(conn: Connection) -> None:
    series = economy.series(conn, list(gva.ITL3_AREAS))
    latest = series[series["year"] == 2022].set_index("region_code")["gbp_million"]
    assert latest.to_dict() == {"TLF21": 467.0, "TLF22": 150.0}
    leicester = series[series["region_code"] == "TLF21"]
    assert (leicester["year"].min(), len(leicester)) == (1998, 25)
    assert leicester[leicester["year"] == 1998]["gbp_million"].item() == 290.0
    assert set(series["licence"]) == {economy.LICENCE}


def test_loading_a_release_twice_changes_nothing(conn: Connection, opendata: Path) -> None:
    path = opendata / "economy" / "gva_itl2_current_prices_2024.csv"
    before = conn.execute(text("SELECT count(*) FROM official_gva")).scalar_one()
    result = economy.import_gva(conn, IMPORTER, path)
    after = conn.execute(text("SELECT count(*) FROM official_gva")).scalar_one()
    assert before == after and result.values > 90_000 and result.release == "2024"
    assert result.years == (1998, 2022)


def _business(conn: Connection, name: str, sector: str, lon: float, lat: float, staff: int) -> None:
    conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom, employees_estimate) "
            "VALUES (:n, :s, 'cmt', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :e)"
        ),
        {"n": name, "s": sector, "lon": lon, "lat": lat, "e": staff},
    )


@pytest.fixture
def spread(conn: Connection) -> None:
    """Manufacturers in Leicester (two wards) and in Charnwood, and a large wholesaler."""
    _business(conn, "T gva belgrave", "14", -1.126, 52.654, 30)
    _business(conn, "T gva north evington", "13", -1.095, 52.640, 10)
    _business(conn, "T gva wholesale", "46.42", -1.097, 52.641, 400)
    _business(conn, "T gva loughborough", "13", -1.205, 52.772, 20)


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize("by", ["district", "ward", "h3"])
def test_every_geography_shares_out_the_same_official_figures(conn: Connection, by: str) -> None:
    found = by_area.size(conn, by)
    shares = found.areas.set_index("code")["gva_gbp"]
    leicester = 467e6  # every manufacturing job of the register in Leicester is in one of these
    if by == "ward":
        assert shares.sum() == pytest.approx(leicester, abs=1)
        assert shares.max() == pytest.approx(leicester * 30 / 40, abs=1)
    else:
        assert shares.sum() == pytest.approx(leicester + 150e6, abs=1)
    if by == "district":
        assert shares["E06000016"] == 467_000_000 and shares["E07000130"] == 150_000_000
    assert found.gva.per_job("TLF21") == pytest.approx(leicester / 40)
    assert found.gva.employees_by_itl3 == {"TLF21": 40, "TLF22": 20}


@pytest.mark.usefixtures("spread")
def test_a_hexagon_of_wholesale_only_gets_no_share(conn: Connection) -> None:
    _business(conn, "T gva lone wholesaler", "46.41", -1.30, 52.55, 50)
    found = by_area.size(conn, "h3", resolution=9)
    alone = found.areas[found.areas["employees"] == 50]
    assert len(alone) == 1 and alone["gva_gbp"].item() == 0
