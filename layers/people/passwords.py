"""Passwords: the policy a new one must meet, argon2id hashing, and one-time passwords.

The policy: at least ``password_min_length`` characters (12), a zxcvbn strength of at least
``password_min_strength`` (3 of 4), not containing the username, and never the published demo
password (which only accounts made by ``demo load`` carry).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from layers.core.errors import ValidationError
from layers.core.settings import get_settings

_HASHER = PasswordHasher()
# Verifying against this when the username is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _HASHER.hash("not-a-password")
#: zxcvbn scores 72 characters at most; longer passwords are scored on their start.
_SCORED_LENGTH = 72


def problems(password: str, *, username: str) -> list[str]:
    """What is wrong with ``password`` as a new password for ``username`` (empty: nothing)."""
    settings = get_settings()
    found = []
    if len(password) < settings.password_min_length:
        found.append(
            f"it has {len(password)} characters; it needs at least {settings.password_min_length}"
        )
    if username and username.lower() in password.lower():
        found.append("it contains the username")
    if password == settings.demo_password:
        found.append("it is the published demo password")
    if password:
        result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[username])
        if result["score"] < settings.password_min_strength:
            advice = " ".join(
                part
                for part in (result["feedback"]["warning"], *result["feedback"]["suggestions"])
                if part
            )
            found.append(
                f"it is too easy to guess (strength {result['score']} of 4, needs "
                f"{settings.password_min_strength})" + (f": {advice}" if advice else "")
            )
    return found


def check(password: str, *, username: str) -> None:
    """Refuse ``password`` (``ValidationError`` saying why) unless it meets the policy."""
    found = problems(password, username=username)
    if found:
        raise ValidationError(
            "this password cannot be used: " + "; ".join(found), column="password"
        )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with the current parameters."""
    return _HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; with no hash (an unknown username) a dummy
    is checked instead, so both failures take the same time."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than today's (upgrade it)."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def one_time() -> str:
    """A random password to give a person once (they must replace it at their next sign-in):
    four groups of four letters and digits, easy to read out, about 79 bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
