"""The order of a route's stops: pure functions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from layers.routes import stop_order


def _matrix(points: list[tuple[float, float]]) -> np.ndarray:
    xy = np.array(points)
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


def test_stops_on_a_line_are_visited_end_to_end() -> None:
    shuffled = [(5, 0), (1, 0), (9, 0), (3, 0), (0, 0), (7, 0)]
    order = stop_order.best_order(_matrix(shuffled))
    assert [shuffled[i][0] for i in order] in ([0, 1, 3, 5, 7, 9], [9, 7, 5, 3, 1, 0])


def test_two_opt_removes_a_crossing() -> None:
    square = [(0, 0), (1, 1), (0, 1), (1, 0)]  # 0 → 1 → 2 → 3 crosses itself
    matrix = _matrix(square)
    better = stop_order.two_opt([0, 1, 2, 3], matrix)
    assert stop_order.path_length(better, matrix) == pytest.approx(3.0)


def test_the_best_order_is_optimal_on_small_random_sets() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        matrix = _matrix([tuple(p) for p in rng.random((7, 2))])
        found = stop_order.path_length(stop_order.best_order(matrix), matrix)
        optimum = min(
            stop_order.path_length(list(p), matrix) for p in itertools.permutations(range(7))
        )
        assert found <= optimum * 1.05  # a heuristic: within 5% of the optimum here
        assert found <= stop_order.path_length(list(range(7)), matrix)


def test_one_way_distances_are_respected() -> None:
    # Going 0 → 1 → 2 is cheap; any step backwards is dear.
    matrix = np.array([[0, 1, 5], [9, 0, 1], [9, 9, 0]], dtype=float)
    assert stop_order.best_order(matrix) == [0, 1, 2]
    assert stop_order.path_length([2, 1, 0], matrix) == 18


def test_a_route_of_one_or_two_stops_needs_no_search() -> None:
    assert stop_order.best_order(np.zeros((1, 1))) == [0]
    assert stop_order.best_order(np.zeros((2, 2))) == [0, 1]
    assert stop_order.path_length([0], np.zeros((1, 1))) == 0.0
