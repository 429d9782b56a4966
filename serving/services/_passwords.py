"""Password hashing (argon2id through argon2-cffi) and the password policy.

Parameters follow OWASP's Password Storage Cheat Sheet: argon2id, 19 MiB of memory,
2 iterations, 1 lane.  Hashes from before (stdlib scrypt, ``scrypt$salt$digest``)
still verify; :func:`needs_rehash` says so, and the sign-in stores a new hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from risk.errors import RequestValidationError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "check_password_policy",
    "dummy_verify",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

#: OWASP's recommended argon2id parameters (m=19 MiB, t=2, p=1).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
#: The default of ``security.password_min_length``.
PASSWORD_MIN_LENGTH = 12
#: Longer input is refused before hashing (a megabyte password costs the server, not the caller).
MAX_PASSWORD_LENGTH = 256


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; PHC string format)."""
    return _HASHER.hash(password)


def _scrypt_matches(stored: str, password: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
        again = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    except ValueError:
        return False
    return hmac.compare_digest(again.hex(), digest)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (argon2id, or a hash from before it)."""
    if not stored or len(password) > MAX_PASSWORD_LENGTH:
        return False
    if stored.startswith("scrypt$"):
        return _scrypt_matches(stored, password)
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` predates argon2id or the current parameters."""
    return stored.startswith("scrypt$") or _HASHER.check_needs_rehash(stored)


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("no user has this password")


def dummy_verify(password: str) -> None:
    """Spend the time of a real verification (for unknown users: equal-time answers)."""
    verify_password(_dummy_hash(), password)


@functools.cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("serving.services").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _refuse(message: str) -> RequestValidationError:
    return RequestValidationError(
        f"password: {message}", detail=[{"loc": ["password"], "msg": message}]
    )


def check_password_policy(
    password: str, username: str, *, min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    """Refuse a password that is short, long, common or built on the username.

    Raises
    ------
    RequestValidationError
        Naming the field ``password`` and the rule broken (never the password).
    """
    if len(password) < min_length:
        raise _refuse(f"must be at least {min_length} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _refuse(f"must be at most {MAX_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if len(set(lowered)) < 4:
        raise _refuse("must use at least 4 different characters")
    if len(username) >= 3 and username.lower() in lowered:
        raise _refuse("must not contain the username")
    # "Password2024!" is as weak as "password": compare with the trailing digits and marks gone.
    stem = lowered.rstrip("0123456789!@#$%^&*.?-_ ")
    common = _common_passwords()
    if lowered in common or stem in common:
        raise _refuse("is too common (it is on the list of the most used passwords)")
