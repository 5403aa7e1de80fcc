"""Pure functions: no database."""

from __future__ import annotations

import pandas as pd
import pytest

from layers import access, attribution, vocab
from layers.errors import AuthenticationError, ValidationError
from layers.exports import neutralise, neutralise_frame
from layers.postcodes import normalise_postcode, normalise_postcodes


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
