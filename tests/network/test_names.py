"""Who is who: person identity, company and brand keys, and the phoenix rule's edges."""

from __future__ import annotations

import datetime as dt

import pytest

from layers.network import names, osh, phoenix


def test_one_person_whatever_the_titles_case_and_spacing() -> None:
    elements = {"title": "Mr", "forename": "John", "middle_name": "Paul", "surname": "O'NEILL"}
    a = names.individual_key("Mr John Paul O'Neill", elements, 1970, 3)
    b = names.individual_key("JOHN  PAUL ONEILL", None, 1970, 3)
    c = names.individual_key("Dr John Paul O\u2019Neill OBE", None, 1970, 3)
    assert a == b == c == "individual:john paul oneill:1970-03"


@pytest.mark.parametrize(
    ("name", "month", "year"),
    [
        ("John Paul O'Neill", 4, 1970),  # another month of birth
        ("John Paul O'Neill", 3, 1971),  # another year
        ("John O'Neill", 3, 1970),  # no middle name: the elements' middle name counts
        ("John Peter O'Neill", 3, 1970),
    ],  # another middle name
)
def test_decoys_are_other_people(name: str, month: int, year: int) -> None:
    person = names.individual_key(
        "Mr John Paul O'Neill",
        {"forename": "John", "middle_name": "Paul", "surname": "O'Neill"},
        1970,
        3,
    )
    assert names.individual_key(name, None, year, month) != person


def test_accents_do_not_make_another_person() -> None:
    assert names.individual_key("Zoë Brontë", None, 1980, 1) == names.individual_key(
        "Zoe Bronte", None, 1980, 1
    )


def test_a_corporate_controller_is_its_registration_number() -> None:
    assert names.corporate_key("1234567", "Holdings Ltd") == "corporate:01234567"
    assert names.corporate_key(" 01234567 ", "Other name") == "corporate:01234567"
    assert names.corporate_key(None, "Trust Co") == "organisation:trust"
    assert names.registration_number("sc-123456") == "SC123456"


def test_near_identical_company_names() -> None:
    assert names.near_identical("Rukhsa Fashions Ltd", "RUKHSA FASHION LIMITED")
    assert names.near_identical("Belgrave Knitwear Ltd", "The Belgrave Knitwear Co")
    assert names.near_identical("Ivy Stitch Ltd", "Ivy Stitch (Leicester) Ltd")
    assert not names.near_identical("Belgrave Knitwear Ltd", "Spinney Dyeworks Ltd")
    assert not names.near_identical("Ace Ltd", "Ace Dyeworks Ltd")  # too short to contain


def test_postcodes_are_found_in_address_lines() -> None:
    assert names.postcode_in("Unit 4, 1 East Park Road, Leicester le5 4qd") == "LE5 4QD"
    assert names.postcode_in("Leicester, LE54QD, UK") == "LE5 4QD"
    assert names.postcode_in("No postcode here") is None


def test_brands_leave_out_anonymised_labels_other_and_claimed() -> None:
    cell = (
        "Fictional Threads Ltd|A Brand / Retailer|An Auditor|Other|"
        "Imperial Cut Works (Claimed)| Noval Apparel |Fictional Threads Ltd"
    )
    assert osh.brands(cell) == ["Fictional Threads Ltd", "Noval Apparel"]
    assert osh.brands("") == []


CEASED = dt.date(2024, 3, 31)


def _candidate(
    incorporated: dt.date,
    controllers: tuple[str, ...] = ("Jo Bloggs",),
    successor: str = "Elsewise Garments Ltd",
) -> phoenix.Candidate:
    return phoenix.Candidate("Rukhsa Fashions Ltd", CEASED, successor, incorporated, controllers)


def test_phoenix_window_is_twelve_months_either_side_to_the_day() -> None:
    assert phoenix.judge(_candidate(dt.date(2025, 3, 31)), 12) == ["controller Jo Bloggs"]
    assert phoenix.judge(_candidate(dt.date(2025, 4, 1)), 12) is None  # 12 months and a day
    assert phoenix.judge(_candidate(dt.date(2023, 3, 31)), 12) is not None
    assert phoenix.judge(_candidate(dt.date(2023, 3, 30)), 12) is None


def test_phoenix_needs_a_shared_controller_or_a_near_identical_name() -> None:
    assert phoenix.judge(_candidate(dt.date(2024, 5, 1), ()), 12) is None
    shares = phoenix.judge(_candidate(dt.date(2024, 5, 1), (), "Rukhsa Fashion Limited"), 12)
    assert shares == ["near-identical name"]


def test_months_are_calendar_months() -> None:
    assert phoenix.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert phoenix.add_months(dt.date(2024, 3, 31), -13) == dt.date(2023, 2, 28)
