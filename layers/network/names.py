"""Who is who: the keys that make one person, one company, one brand and one place of many
spellings. Pure functions, no database.

One person with significant control is one **individual key**: the forename, middle names and
surname as Companies House's ``name_elements`` give them (or, without them, the name with its
titles taken off), lower case, accents and punctuation dropped, joined by single spaces, with the
month and year of birth. So "Mr JOHN  Paul O'Neill" and "John Paul ONeill", born 3/1970, are one
person; "John O'Neill" (no middle name) or the same name born 4/1970 are another. Titles and
honours ("Mr", "Dr", "Sir", "OBE" …) never count. A corporate controller is its registration
number (spaces and punctuation dropped, upper case; an all-digit UK number padded to eight
digits, so "1234567" and "01234567" are one company).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

#: Words that are titles or honours, never part of who someone is.
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "revd",
        "reverend",
        "hon",
        "obe",
        "mbe",
        "cbe",
        "kbe",
        "dbe",
        "qc",
        "kc",
        "jp",
    ]
)
#: Words that say what kind of company a name is, not which (as ``sectormap_name_key`` drops).
COMPANY_WORDS = re.compile(r"\b(limited|ltd|plc|llp|the|and|co)\b")
#: A UK postcode inside an address line.
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
#: How alike two company name keys must be (difflib ratio) to count as near-identical.
NEAR_IDENTICAL = 0.85
#: A name key this long found whole inside another makes the two near-identical.
CONTAINED_AT_LEAST = 6


def _plain(text: str) -> str:
    """Lower case, accents dropped, apostrophes joined, other punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_only = re.sub(r"['\u2019`]", "", ascii_only)
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


def personal_name(name: str | None, elements: Mapping[str, object] | None = None) -> str:
    """The normalised full name of an individual: from ``name_elements`` (forename, other
    forenames or middle name, surname) when given, else from ``name``; titles dropped."""
    if elements:
        parts = [
            str(elements.get(part) or "")
            for part in ("forename", "other_forenames", "middle_name", "surname")
        ]
        words = _plain(" ".join(parts)).split()
    else:
        words = _plain(name or "").split()
    return " ".join(w for w in words if w not in TITLES)


def individual_key(
    name: str | None,
    elements: Mapping[str, object] | None,
    birth_year: int | None,
    birth_month: int | None,
) -> str | None:
    """The key of one individual, or None when the name is empty."""
    full = personal_name(name, elements)
    if not full:
        return None
    born = f"{birth_year:04d}-{birth_month:02d}" if birth_year and birth_month else "unknown"
    return f"individual:{full}:{born}"


def registration_number(number: str | None) -> str | None:
    """A corporate controller's registration number, normalised; None when empty."""
    cleaned = re.sub(r"[^A-Z0-9]", "", (number or "").upper())
    if not cleaned:
        return None
    return cleaned.zfill(8) if cleaned.isdigit() and len(cleaned) < 8 else cleaned


def corporate_key(number: str | None, name: str | None) -> str | None:
    """The key of a corporate or legal controller: its registration number, else its name."""
    registered = registration_number(number)
    if registered:
        return f"corporate:{registered}"
    named = company_key(name)
    return f"organisation:{named}" if named else None


def company_key(name: str | None) -> str:
    """A company name without case, punctuation and the words that only say it is a company
    (the Python twin of the database's ``sectormap_name_key``, for names not yet stored)."""
    lowered = COMPANY_WORDS.sub("", (name or "").lower())
    return re.sub(r"[^a-z0-9]", "", lowered)


def near_identical(first: str, second: str) -> bool:
    """True when two company names, normalised, are the same, differ only slightly, or one
    is the other with words added ("Ivy Stitch" and "Ivy Stitch (Leicester)")."""
    a, b = company_key(first), company_key(second)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= CONTAINED_AT_LEAST and shorter in longer:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= NEAR_IDENTICAL


def brand_key(name: str) -> str:
    """The key of a brand: its words without case, accents or punctuation."""
    return _plain(name)


def postcode_in(address: str | None) -> str | None:
    """The UK postcode an address line contains, as ``LE5 4QD``; None when it has none."""
    found = POSTCODE.search((address or "").upper())
    return f"{found.group(1)} {found.group(2)}" if found else None
