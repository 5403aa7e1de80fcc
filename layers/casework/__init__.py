"""Casework: visits, inspection ratings, intelligence reports and referrals to agencies.

Imports ``layers.core``, ``layers.people``, ``layers.reference`` and ``layers.register``."""
