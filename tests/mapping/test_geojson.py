"""The GeoJSON the map's vector layers embed: only the properties shown, text escaped, values
as given, coordinates rounded to a millionth of a degree, and the same shapes as geopandas."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from mapping.geojson import feature_collection

HOSTILE = '<img src=x onerror="alert(1)">Evil & Sons'


@pytest.fixture
def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": [HOSTILE, "Korvel Knitwear", None],
            "code": ["E05000001", "E05000002", "E05000003"],
            "secret": ["not for the page"] * 3,
        },
        geometry=[
            MultiPolygon([Polygon([(-1.1234567891, 52.6), (-1.1, 52.6), (-1.1, 52.61234567)])]),
            Point(-1.12, 52.63),
            None,
        ],
        crs=4326,
    )


def test_only_the_properties_named_with_text_escaped_and_values_as_given(
    frame: gpd.GeoDataFrame,
) -> None:
    written = feature_collection(frame, text=["name"], values={"opacity": [0.1, 0.5, 0.9]})
    assert written["type"] == "FeatureCollection"
    properties = [feature["properties"] for feature in written["features"]]
    assert properties == [
        {"name": "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Evil &amp; Sons", "opacity": 0.1},
        {"name": "Korvel Knitwear", "opacity": 0.5},
        {"name": "", "opacity": 0.9},  # missing text is empty, never "None"
    ]
    assert [feature["id"] for feature in written["features"]] == ["0", "1", "2"]
    assert "not for the page" not in json.dumps(written)


def test_coordinates_are_rounded_to_a_millionth_of_a_degree_and_shapes_kept(
    frame: gpd.GeoDataFrame,
) -> None:
    features = feature_collection(frame)["features"]
    assert features[0]["geometry"]["type"] == "MultiPolygon"
    assert features[0]["geometry"]["coordinates"][0][0][0] == [-1.123457, 52.6]
    assert features[0]["geometry"]["coordinates"][0][0][2] == [-1.1, 52.612346]
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [-1.12, 52.63]}
    assert features[2]["geometry"] is None
    # The same shapes as geopandas writes, within the rounding.
    expected = json.loads(frame.to_json())["features"]
    for ours, theirs in zip(features[:2], expected[:2], strict=True):
        assert shapely.equals_exact(
            shapely.geometry.shape(ours["geometry"]),
            shapely.geometry.shape(theirs["geometry"]),
            tolerance=1e-6,
        )


def test_a_value_list_of_the_wrong_length_is_refused(frame: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError):
        feature_collection(frame, values={"opacity": [0.1]})
