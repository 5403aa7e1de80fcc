"""Businesses: the register's queries, validation of incoming records, and imports."""

from layers.register.businesses.queries import has_demo_data, map_points, register

__all__ = ["has_demo_data", "map_points", "register"]
