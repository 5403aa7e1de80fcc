"""Areas: focus areas (drawn, buffered or built from boundaries), their outlines (``shapes``),
the numbers of an area's dashboard (``dashboard``) and emerging threats.

Imports the domains below it: core, people, reference, register and casework."""
