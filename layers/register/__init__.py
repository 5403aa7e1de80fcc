"""The register: businesses (``businesses/``: queries, validation, editing, imports), sites and
their units and tenancies, multi-occupancy proposals, search, profiles and the risk score.

Imports ``layers.core``, ``layers.people`` and ``layers.reference``."""
