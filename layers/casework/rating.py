"""The partnership's ethical-compliance rating: four component scores of a joint inspection
combined into a rating from 0 to 5, the way the Food Hygiene Rating Scheme (FHRS) combines its
three scores.

As in the FHRS, each component is scored in steps of 5 where *lower is better* (0 = very good,
25 = very poor; confidence in management goes up to 30). The rating comes from the total, and
is then capped by the worst single component, so one very poor area cannot be hidden by good
ones. The total bands are the FHRS bands scaled for four components instead of three; the caps
are the FHRS caps unchanged.

The rating is internal to the partnership. It is "pending" while the business's right to reply
is open; a pending rating is shown as such and not used to colour the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from layers.core.errors import ValidationError

#: Component column → (label, highest score).
COMPONENTS: dict[str, tuple[str, int]] = {
    "score_pay_hours": ("Pay and hours", 25),
    "score_health_safety": ("Health and safety", 25),
    "score_contracts": ("Contracts and right to work", 25),
    "score_management": ("Confidence in management", 30),
}

#: What each step of a component score means (the FHRS wording, for a workplace).
SCORE_MEANINGS: dict[int, str] = {
    0: "0 - Very good: full compliance",
    5: "5 - Good: minor lapses",
    10: "10 - Generally satisfactory: some breaches",
    15: "15 - Improvement necessary",
    20: "20 - Major improvement necessary",
    25: "25 - Urgent improvement necessary (very poor)",
    30: "30 - No confidence (management only)",
}

#: (highest total, rating): the FHRS total bands (15/20/30/40/50) scaled by 4/3 for four
#: components and rounded to the 5-point grid.
TOTAL_BANDS: tuple[tuple[int, int], ...] = ((20, 5), (25, 4), (40, 3), (55, 2), (65, 1))

#: (highest single component, best rating allowed): the FHRS caps.
CAPS: tuple[tuple[int, int], ...] = ((5, 5), (10, 4), (15, 2), (20, 1))

RATING_LABELS: dict[int, str] = {
    5: "5 - Very good",
    4: "4 - Good",
    3: "3 - Generally satisfactory",
    2: "2 - Improvement necessary",
    1: "1 - Major improvement necessary",
    0: "0 - Urgent improvement necessary",
}


@dataclass(frozen=True)
class Rating:
    """A combined rating and how it was reached."""

    total: int
    from_total: int
    cap: int
    rating: int

    @property
    def capped(self) -> bool:
        """True when the worst component lowered the rating the total alone would give."""
        return self.rating < self.from_total

    def explanation(self) -> str:
        """One sentence a person reads beside the rating."""
        text = f"Total {self.total} gives {self.from_total}"
        if self.capped:
            text += f"; capped at {self.cap} by the worst component"
        return text + f": rating {self.rating}."


def check_scores(scores: dict[str, int | None]) -> dict[str, int] | None:
    """The four component scores, checked: all present (returned) or all absent (None).

    Raises ``ValidationError`` naming the component when a score is missing, off the 5-point grid
    or above its maximum.
    """
    given = {name: scores.get(name) for name in COMPONENTS}
    if all(v is None for v in given.values()):
        return None
    checked: dict[str, int] = {}
    for name, value in given.items():
        label, highest = COMPONENTS[name]
        if value is None:
            raise ValidationError(
                f"{label}: a score is needed when any component is scored", column=name
            )
        if value < 0 or value > highest or value % 5:
            raise ValidationError(
                f"{label}: {value} is not a valid score (0 to {highest} in steps of 5)",
                column=name,
            )
        checked[name] = int(value)
    return checked


def combine(scores: dict[str, int]) -> Rating:
    """The 0-5 rating from checked component scores (see the module notes)."""
    total = sum(scores[name] for name in COMPONENTS)
    from_total = next((rating for top, rating in TOTAL_BANDS if total <= top), 0)
    worst = max(scores[name] for name in COMPONENTS)
    cap = next((rating for top, rating in CAPS if worst <= top), 0)
    return Rating(total=total, from_total=from_total, cap=cap, rating=min(from_total, cap))
