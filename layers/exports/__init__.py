"""Exports: table exports (``tables``), map layers in GIS formats (``map_layers``) and the
attribution lines of the open data they carry.

Imports the domains below it: core to sizing."""
