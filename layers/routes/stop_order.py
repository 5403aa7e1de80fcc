"""The order to visit stops in: nearest neighbour from every start, improved by 2-opt.

Works on any distance matrix, symmetric or not (one-way streets make driving distances
asymmetric), for an open route that starts at one stop and ends at another.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: How many of the best nearest-neighbour routes 2-opt goes on to improve.
IMPROVED_STARTS = 5


def path_length(order: Sequence[int], matrix: np.ndarray) -> float:
    """The length of the open route that visits ``order`` in turn."""
    stops = np.asarray(order)
    return float(matrix[stops[:-1], stops[1:]].sum()) if len(stops) > 1 else 0.0


def nearest_neighbour(matrix: np.ndarray, start: int) -> list[int]:
    """From ``start``, always on to the nearest stop not yet visited."""
    n = len(matrix)
    order, left = [start], set(range(n)) - {start}
    while left:
        here = order[-1]
        following = min(left, key=lambda stop: (matrix[here, stop], stop))
        order.append(following)
        left.remove(following)
    return order


def two_opt(order: Sequence[int], matrix: np.ndarray) -> list[int]:
    """Reverse stretches of the route while any reversal makes it shorter (a local optimum).
    The whole length is recomputed for each candidate, so asymmetric distances are right."""
    best = list(order)
    best_length = path_length(best, matrix)
    improved = True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 2, len(best) + 1):
                candidate = best[:i] + best[i:j][::-1] + best[j:]
                length = path_length(candidate, matrix)
                if length < best_length - 1e-9:
                    best, best_length, improved = candidate, length, True
    return best


def best_order(matrix: np.ndarray) -> list[int]:
    """A short open route through every stop: the best nearest-neighbour routes from each
    start, each improved by 2-opt, and the shortest of those."""
    n = len(matrix)
    if n <= 2:
        return list(range(n))
    starts = sorted(
        (nearest_neighbour(matrix, start) for start in range(n)),
        key=lambda route: path_length(route, matrix),
    )[:IMPROVED_STARTS]
    improved = [two_opt(route, matrix) for route in starts]
    return min(improved, key=lambda route: path_length(route, matrix))
