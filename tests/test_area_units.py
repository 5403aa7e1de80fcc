"""Pure functions of focus areas and routes: drawings to shapes, repairs, buffers, and the
ordering of stops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from layers.areas import dashboard, shapes
from layers.core.errors import ValidationError
from layers.register import risk
from layers.routes import stop_order

SQUARE = box(-1.11, 52.63, -1.10, 52.64)


def test_a_drawn_polygon_is_read_as_drawn() -> None:
    feature = {"type": "Feature", "geometry": SQUARE.__geo_interface__, "properties": {}}
    assert shapes.from_drawing(feature).equals(SQUARE)


def test_a_drawn_circle_becomes_a_polygon_of_its_radius() -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-1.1, 52.63]},
        "properties": {"radius": 200.0},
    }
    circle = shapes.from_drawing(feature)
    assert isinstance(circle, Polygon)
    assert shapes.area_m2(circle) == pytest.approx(math.pi * 200**2, rel=0.003)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [-1.1, 52.63]}, "a marker is not an area"),
        ({"type": "LineString", "coordinates": [[-1.1, 52.63], [-1.0, 52.6]]}, "not an area"),
        (None, "not an area"),
    ],
)
def test_drawings_without_an_area_are_refused(geometry: dict | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        shapes.from_drawing({"type": "Feature", "geometry": geometry, "properties": {}})


def test_a_valid_shape_is_kept_and_measured() -> None:
    cleaned = shapes.clean(SQUARE)
    assert not cleaned.repaired and cleaned.note == ""
    assert isinstance(cleaned.shape, MultiPolygon) and cleaned.shape.equals(SQUARE)
    assert cleaned.area_m2 == pytest.approx(shapes.area_m2(SQUARE))


def test_a_self_crossing_outline_is_repaired_into_the_parts_it_encloses() -> None:
    bowtie = Polygon([(0, 52), (0.01, 52.01), (0.01, 52), (0, 52.01), (0, 52)])
    assert not bowtie.is_valid
    cleaned = shapes.clean(bowtie)
    assert cleaned.repaired and cleaned.shape.is_valid and len(cleaned.shape.geoms) == 2
    assert "repaired into 2 parts" in cleaned.note


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (Polygon([(0, 52), (0.01, 52), (0.02, 52), (0, 52)]), "no area"),
        (box(-1.1, 52.6, -1.09999, 52.60001), "covers only"),
        (Polygon(), "empty"),
        (box(450000, 300000, 451000, 301000), "not longitude and latitude"),
    ],
)
def test_shapes_with_no_usable_area_are_refused(shape: Polygon, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        shapes.clean(shape)


def test_a_buffer_is_measured_in_metres_not_degrees() -> None:
    ring = shapes.buffered(Point(-1.1, 52.63), 500)
    assert shapes.area_m2(ring) == pytest.approx(math.pi * 500**2, rel=0.003)
    west, south, east, north = ring.bounds
    assert (east - west) > (north - south)  # a metre is more degrees of longitude up here
    with pytest.raises(ValidationError, match="distance"):
        shapes.buffered(Point(-1.1, 52.63), 0)


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


def test_each_business_lists_its_largest_factors_first() -> None:
    rng = np.random.default_rng(7)
    factors = pd.DataFrame(
        {
            "business_id": rng.integers(1, 40, 300),
            "factor": rng.choice(list(risk.FACTOR_LABELS), 300),
            "points": rng.choice([1.0, 2.5, 5.0, 10.0], 300),  # many ties
        }
    ).drop_duplicates(["business_id", "factor"])
    tops = dashboard._top_factors(factors)
    for business_id, group in factors.groupby("business_id"):
        labelled = group.assign(label=group["factor"].map(risk.FACTOR_LABELS))
        expected = labelled.sort_values(["points", "label"], ascending=[False, True])["label"]
        assert tops[business_id] == list(expected.head(dashboard.TOP_FACTORS))
    assert set(tops.index) == set(factors["business_id"])
    assert dashboard._top_factors(factors.head(0)).empty
