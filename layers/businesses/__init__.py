"""Businesses: the register's queries, validation of incoming records, and imports."""

from layers.businesses.queries import (
    count_by_sector_and_district,
    has_demo_data,
    map_points,
    register,
)

__all__ = ["count_by_sector_and_district", "has_demo_data", "map_points", "register"]
