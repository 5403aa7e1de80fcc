"""Reference data: the open reference pack (``pack``), boundaries, the postcode directory used for
geocoding, and OpenStreetMap buildings and streets.

Imports ``layers.core`` and ``layers.people``."""
