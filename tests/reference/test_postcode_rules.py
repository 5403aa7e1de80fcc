"""Postcode normalisation, scalar and vectorised: pure functions."""

from __future__ import annotations

import pandas as pd
import pytest

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
