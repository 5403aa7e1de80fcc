"""Routes: the street network, planning a day of visits (``routing``), the order of stops
(``stop_order``), the route's GPX and CSV files (``route_files``) and the printable visit sheet.

Imports the domains below it: core, people, reference, register, casework and areas."""
