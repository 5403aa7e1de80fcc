"""Demo data: the deterministic, fictional generator (``generator``) and loading it into the
database (``populate``).

May import any other domain; nothing imports it but the command line, tests and benchmarks."""
