"""The inspection rating, combined like the food hygiene scheme: pure functions."""

from __future__ import annotations

import pytest

from layers.casework import rating
from layers.core.errors import ValidationError


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
