"""Sectormap's data and analysis, in domain folders (see the README's "Where things are").

Phoenix detection and stored risk are imported here so that their before-commit work is
registered before any transaction commits, whichever module writes
(``layers.core.db.before_commit``): phoenix pairs first, since a new pair marks risk to refresh.
"""

from layers.network import phoenix as _phoenix_pairs  # noqa: F401 - registers the commit hook
from layers.register import risk as _stored_risk  # noqa: F401 - registers the commit hook
