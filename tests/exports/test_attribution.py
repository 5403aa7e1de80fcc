"""Attribution lines follow the data in use: pure functions."""

from __future__ import annotations

from layers.exports import attribution


def test_attribution_lines_follow_the_data_in_use() -> None:
    full = attribution.lines(postcodes=True, boundaries=True, statistical_areas=False, demo=True)
    assert attribution.DEMO in full and attribution.POSTCODES in full
    assert attribution.BOUNDARIES_2011 not in full
    short = attribution.lines(
        postcodes=False, boundaries=True, statistical_areas=False, demo=False, osm=True, short=True
    )
    assert short == [attribution.SHORT[attribution.BOUNDARIES], attribution.SHORT[attribution.OSM]]
