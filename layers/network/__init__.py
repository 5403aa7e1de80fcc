"""Who is behind the businesses: persons with significant control (``psc``), Open Supply Hub
facilities and the brands that source from them (``osh``, ``supply``), the connections between
businesses (``connections``) and phoenix patterns (``phoenix``); ``names`` says who is who.

Imports ``layers.core``, ``layers.people`` and ``layers.register``."""
