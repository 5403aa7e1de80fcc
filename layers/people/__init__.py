"""People: who is acting (``identity.User``), sign-in (``users``), the audit log (``audit``) and
the access rules (``access``), the one place that decides who may read or change what.

Imports only ``layers.core``."""
