"""Domain errors. Each names the bad value and, for files, where it was (file, row, column).

The app and the command line turn any ``SectormapError`` into a plain message; anything else is a
bug and is logged, never shown as a stack trace.
"""

from __future__ import annotations


class SectormapError(Exception):
    """Base class of every error a user may be shown."""


class DatabaseUnavailableError(SectormapError, ConnectionError):
    """The database cannot be reached, or lacks PostGIS."""


class SetupError(SectormapError, RuntimeError):
    """The embedded PostgreSQL cluster cannot be installed, created or started."""


class ValidationError(SectormapError, ValueError):
    """Input that breaks a rule: says which value, and where it came from."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file, self.row, self.column = file, row, column
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class TooLongError(SectormapError, TimeoutError):
    """Work that took longer than the statement timeout and was stopped (nothing changed)."""


class JustificationRequiredError(ValidationError):
    """Restricted intelligence opened, or report content taken out, without saying why."""


class ConflictError(SectormapError, RuntimeError):
    """A save based on a version someone else has changed since (optimistic locking)."""


class AccessDeniedError(SectormapError, PermissionError):
    """The user may not read or do this (need to know); the attempt is audited."""


class AuthenticationError(SectormapError, PermissionError):
    """A login that failed; deliberately does not say which part was wrong."""

    def __init__(self, message: str = "Unknown username or wrong password.") -> None:
        super().__init__(message)
