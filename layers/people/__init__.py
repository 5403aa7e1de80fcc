"""People: who is acting (``identity.User``), sign-in (``users``), the audit log (``audit``),
the access rules (``access``), the one place that decides who may read or change what, the
rights checked where data changes (``rights``) and versioned, audited edits (``edits``).

Imports only ``layers.core``."""
