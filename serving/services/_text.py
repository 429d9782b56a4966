"""What text the service stores: length caps and the characters it refuses.

A character that cannot be stored or shown safely (a lone surrogate, NUL, a
bidirectional override that makes text render in another order than it reads,
a line break in a one-line field) is refused wherever text comes in: the API's
request models and the services the web forms call both use these checks.
"""

from __future__ import annotations

import re

from risk.errors import RequestValidationError

__all__ = ["MAX_LINE", "MAX_TEXT", "check_line", "check_text", "require_text"]

#: Longest one-line value (ids, names, cities) in characters.
MAX_LINE = 200
#: Longest free text (a reason, a description, a response) in characters.
MAX_TEXT = 5000

# C0 and C1 controls but tab and line breaks, DEL, the bidirectional embeddings,
# overrides and isolates, the invisible direction marks, and surrogates (a lone
# one cannot be encoded as UTF-8, so it could never be stored).
_ALWAYS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_TEXT_BAD = re.compile(f"[{_ALWAYS}]")
_LINE_BAD = re.compile(f"[{_ALWAYS}\t\n\r\u2028\u2029]")


def _refuse(value: str, pattern: re.Pattern[str]) -> str:
    found = pattern.search(value)
    if found is None:
        return value
    char = found.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    raise ValueError(f"{kind} (U+{ord(char):04X}) at position {found.start()} is not allowed")


def check_line(value: str) -> str:
    """``value`` if it is one line of printable text, else ``ValueError`` saying where."""
    return _refuse(value, _LINE_BAD)


def check_text(value: str) -> str:
    """``value`` if it is printable text (line breaks and tabs allowed), else ``ValueError``."""
    return _refuse(value, _TEXT_BAD)


def require_text(value: str, field: str, *, empty: str, max_length: int = MAX_TEXT) -> str:
    """``value`` stripped, or :class:`~risk.errors.RequestValidationError` naming ``field``.

    Parameters
    ----------
    value
        Free text as received (a form field or a request body's field).
    field
        Its name in the request, for the error's ``loc``.
    empty
        What to say when it is empty, e.g. ``"a written reason is required"``.
    max_length
        Longest accepted, in characters.
    """
    problem = None
    if not value or not value.strip():
        problem = empty
    elif len(value) > max_length:
        problem = f"at most {max_length} characters ({len(value)} sent)"
    else:
        try:
            check_text(value)
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        raise RequestValidationError(
            f"{field}: {problem}", detail=[{"loc": ["body", field], "msg": problem}]
        )
    return value.strip()
