"""Rights checked where data is read or changed: a user whose role may not is refused,
and the refusal is audited (``audit.refuse``), whatever page or command asked for it."""

from __future__ import annotations

from layers.core import vocab
from layers.core.db import Bind
from layers.people import access, audit
from layers.people.identity import User


def _role_name(user: User) -> str:
    return vocab.ROLES.get(user.role, user.role).lower()


def require_editor(
    bind: Bind,
    user: User,
    doing: str,
    *,
    object_type: str,
    object_id: str | int | None = None,
) -> None:
    """Refuse (audited) unless ``user`` may add and change records (``access.can_edit``);
    ``doing`` completes the refusal "a viewer cannot …"."""
    if not access.can_edit(user.role):
        message = f"a {_role_name(user)} cannot {doing}"
        audit.refuse(bind, user, message, object_type=object_type, object_id=object_id)


def require_importer(bind: Bind, user: User, doing: str, *, object_type: str) -> None:
    """Refuse (audited) unless ``user`` may import data (``access.can_import``)."""
    if not access.can_import(user.role):
        audit.refuse(bind, user, f"a {_role_name(user)} cannot {doing}", object_type=object_type)


def require_admin(
    bind: Bind, user: User, doing: str, *, object_type: str, object_id: str | int | None = None
) -> None:
    """Refuse (audited) unless ``user`` may manage people, agencies and clearances."""
    if not access.can_administer(user.role):
        audit.refuse(
            bind,
            user,
            f"a {_role_name(user)} cannot {doing}",
            object_type=object_type,
            object_id=object_id,
        )


def require_staff(bind: Bind, user: User, doing: str, *, object_type: str) -> None:
    """Refuse (audited) a partner, or anyone not of the partnership's staff: partners submit
    and follow their own reports and reach nothing else, whatever page or command asks."""
    if not access.is_staff(user.role):
        audit.refuse(bind, user, f"a {_role_name(user)} cannot {doing}", object_type=object_type)
