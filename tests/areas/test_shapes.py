"""Drawings to focus-area shapes: reading, repairs and buffers in metres; pure functions."""

from __future__ import annotations

import math
import time

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from layers.areas import shapes
from layers.core.errors import ValidationError

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


def test_a_shape_larger_than_the_region_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="larger than Leicester and Leicestershire"):
        shapes.clean(box(-11.0, 45.0, 9.0, 65.0))  # 20 x 20 degrees
    assert time.perf_counter() - started < 1.0
