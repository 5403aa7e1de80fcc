"""Files a command promises to write are checked before any work starts, so that nothing is
done (or committed) that cannot be delivered."""

from __future__ import annotations

import os
from pathlib import Path

from layers.core.errors import ValidationError


def check_writable(target: Path, *, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse (``ValidationError`` naming ``option``) a ``target`` that is a folder, has not one
    of ``suffixes`` (when given), or whose folder cannot be made or written into."""
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give a file name", column=option)
    if suffixes and target.suffix.lower() not in suffixes:
        raise ValidationError(f"{target.name} should end in {' or '.join(suffixes)}", column=option)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create the folder {folder}: {exc.strerror}", column=option
        ) from None
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ValidationError(f"cannot write {target}", column=option)
