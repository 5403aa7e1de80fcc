"""Sizing the sector: counts by area (``by_area``), the hidden sector through capture-recapture,
official published figures and the printable sector report.

Imports the domains below it: core to routes."""
