"""Core: what every domain stands on — settings, the database engine and transactions, errors,
the shared vocabulary, the ORM models, migrations, bulk COPY, optimistic locking and versioned
edits, named SQL fragments, progress, spatial files, H3 hexagons and spreadsheet-safe cells.

Imports nothing else from ``layers``."""
