"""Sectormap's data and analysis, in domain folders (see the README's "Where things are").

Stored risk is imported here so that its refresh is registered before any transaction commits,
whichever module writes (``layers.core.db.before_commit``).
"""

from layers.register import risk as _stored_risk  # noqa: F401 - registers the commit hook
