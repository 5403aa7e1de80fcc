"""Pure functions: no database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from layers.casework import rating
from layers.core import vocab
from layers.core.cells import annotated_csv, neutralise, neutralise_frame
from layers.core.errors import AuthenticationError, ValidationError
from layers.exports import attribution
from layers.people import access
from layers.reference.postcodes import normalise_postcode, normalise_postcodes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LE1 1AA", "LE1 1AA"),
        ("le11aa", "LE1 1AA"),
        ("  le5   4qd ", "LE5 4QD"),
        ("LE16 7QX", "LE16 7QX"),
        ("EC1A1BB", "EC1A 1BB"),
        ("LE1", None),
        ("not a postcode", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_postcode(raw: str | None, expected: str | None) -> None:
    assert normalise_postcode(raw) == expected


def test_normalise_postcodes_vectorised_matches_scalar() -> None:
    raw = pd.Series(["le11aa", "LE5 4QD", "bad", None, "le16  7qx"])
    expected = [normalise_postcode(v) for v in raw]
    got = normalise_postcodes(raw)
    assert [None if pd.isna(v) else v for v in got] == expected


@pytest.mark.parametrize("payload", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_payloads_are_neutralised(payload: str) -> None:
    assert neutralise(payload) == "'" + payload


def test_plain_values_are_left_alone() -> None:
    assert neutralise("Korvel Fashions Ltd") == "Korvel Fashions Ltd"
    assert neutralise(42) == 42
    frame = neutralise_frame(pd.DataFrame({"name": ["=HYPERLINK(1)", "ok"], "n": [1, 2]}))
    assert frame["name"].tolist() == ["'=HYPERLINK(1)", "ok"]
    assert frame["n"].tolist() == [1, 2]


def test_validation_error_names_file_row_and_column() -> None:
    error = ValidationError("is not a postcode", file="firms.csv", row=7, column="postcode")
    assert str(error) == "file firms.csv, row 7, column 'postcode': is not a postcode"
    assert isinstance(error, ValueError)


def test_authentication_error_does_not_say_which_part_was_wrong() -> None:
    # One message for both failures, naming both possibilities.
    assert str(AuthenticationError()) == "Unknown username or wrong password."


def test_check_constraint_expressions_quote_codes() -> None:
    assert vocab.sql_in("kind", {"a": "A", "b'c": "B"}) == "kind IN ('a', 'b''c')"
    assert (
        vocab.sql_subset("agencies", {"GLAA": "x"}) == "agencies::text[] <@ ARRAY['GLAA']::text[]"
    )


def test_attribution_lines_follow_the_data_in_use() -> None:
    full = attribution.lines(postcodes=True, boundaries=True, statistical_areas=False, demo=True)
    assert attribution.DEMO in full and attribution.POSTCODES in full
    assert attribution.BOUNDARIES_2011 not in full
    short = attribution.lines(
        postcodes=False, boundaries=True, statistical_areas=False, demo=False, osm=True, short=True
    )
    assert short == [attribution.SHORT[attribution.BOUNDARIES], attribution.SHORT[attribution.OSM]]


@pytest.mark.parametrize(
    ("role", "page", "allowed"),
    [
        ("viewer", "map", True),
        ("viewer", "reports", False),
        ("viewer", "admin", False),
        ("officer", "reports", True),
        ("officer", "export", False),
        ("analyst", "export", True),
        ("admin", "admin", True),
        ("planner", "admin", False),
        ("nobody", "map", False),
    ],
)
def test_page_access_by_role(role: str, page: str, allowed: bool) -> None:
    assert access.can_open(role, page) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", False),
        ("officer", True),
        ("analyst", True),
        ("planner", True),
        ("admin", True),
        ("stranger", False),
    ],
)
def test_only_a_viewer_cannot_add_or_change_records(role: str, allowed: bool) -> None:
    assert access.can_edit(role) is allowed


def _scores(pay: int, safety: int, contracts: int, management: int) -> dict[str, int]:
    return dict(zip(rating.COMPONENTS, (pay, safety, contracts, management), strict=True))


@pytest.mark.parametrize(
    ("scores", "expected", "capped"),
    [
        ((0, 0, 0, 0), 5, False),
        ((5, 5, 5, 5), 5, False),  # total 20, worst 5
        ((5, 5, 10, 5), 4, False),  # total 25
        ((10, 10, 10, 10), 3, False),  # total 40, worst 10 caps at 4: no effect
        ((0, 0, 0, 20), 1, True),  # total 20 would be 5; one major-improvement area caps at 1
        ((0, 15, 0, 0), 2, True),  # total 15 would be 5; worst 15 caps at 2
        ((25, 0, 0, 0), 0, True),  # a very poor area caps at 0 whatever the total
        ((15, 15, 15, 15), 1, False),  # total 60
        ((20, 20, 20, 30), 0, False),  # total 90
    ],
)
def test_the_rating_combines_like_the_food_hygiene_scheme(
    scores: tuple[int, int, int, int], expected: int, capped: bool
) -> None:
    combined = rating.combine(_scores(*scores))
    assert combined.rating == expected
    assert combined.capped is capped
    assert f"rating {expected}" in combined.explanation()


def test_rating_scores_are_all_or_nothing_on_the_grid() -> None:
    assert rating.check_scores({}) is None
    assert rating.check_scores(_scores(0, 5, 10, 30)) == _scores(0, 5, 10, 30)
    with pytest.raises(ValidationError, match="Health and safety: a score is needed"):
        rating.check_scores({"score_pay_hours": 5})
    with pytest.raises(ValidationError, match="not a valid score"):
        rating.check_scores(_scores(0, 30, 0, 0))  # 30 is for management only


def test_an_annotated_csv_neutralises_cells_and_ends_with_its_notes() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "Plain"], "n": [1, 2]})
    lines = annotated_csv(frame, ["Method: test", "© source"]).decode("utf-8").splitlines()
    assert lines[:3] == ["name,n", "'=1+1,1", "Plain,2"]
    assert lines[3:] == ["# Method: test", "# © source"]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("visit_date", "Visit date"),
        ("id", "ID"),
        ("gva_gbp", "GVA gbp"),
        ("msoa_code", "MSOA code"),
        ("outcome", "Outcome"),
        ("Fact", "Fact"),
        ("per km²", "per km²"),
        ("Unit 3", "Unit 3"),
    ],
)
def test_table_headings_read_as_words(column: str, expected: str) -> None:
    from app.parts.ui import heading

    assert heading(column) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([dt.date(2026, 1, 2), None], dtype=object), "DD/MM/YYYY"),
        (pd.to_datetime(pd.Series(["2026-01-02", "2026-03-04"])), "DD/MM/YYYY"),
        (pd.to_datetime(pd.Series(["2026-01-02 09:30", None]), utc=True), "DD/MM/YYYY HH:mm"),
        (pd.Series(["2026-01-02", "text"], dtype=object), None),
        (pd.Series([None, None], dtype=object), None),
        (pd.Series([1, 2]), None),
    ],
)
def test_table_dates_are_shown_day_first(values: pd.Series, expected: str | None) -> None:
    from app.parts.ui import date_format

    assert date_format(values) == expected
