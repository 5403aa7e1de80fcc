"""Spreadsheet-safe cells, error messages and check-constraint SQL: pure functions."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.core import vocab
from layers.core.cells import annotated_csv, neutralise, neutralise_frame
from layers.core.errors import ValidationError


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


def test_check_constraint_expressions_quote_codes() -> None:
    assert vocab.sql_in("kind", {"a": "A", "b'c": "B"}) == "kind IN ('a', 'b''c')"
    assert (
        vocab.sql_subset("agencies", {"GLAA": "x"}) == "agencies::text[] <@ ARRAY['GLAA']::text[]"
    )


def test_an_annotated_csv_neutralises_cells_and_ends_with_its_notes() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "Plain"], "n": [1, 2]})
    lines = annotated_csv(frame, ["Method: test", "© source"]).decode("utf-8").splitlines()
    assert lines[:3] == ["name,n", "'=1+1,1", "Plain,2"]
    assert lines[3:] == ["# Method: test", "# © source"]
