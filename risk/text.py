"""Words for messages: counted nouns and lists of names, never Python reprs.

A message that interpolates a Python list prints ``['fairness', 'quality']``, and one
that interpolates a count prints "1 complaints".  Every message a person reads (CLI
output, errors, the service's notes) builds its counts with :func:`plural` and its lists
with :func:`listing`.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["listing", "noun", "plural"]

# Nouns whose plural is not the singular plus "s"; the rest follow the regular rule.
_IRREGULAR = {
    "person": "people",
    "was": "were",
    "is": "are",
    "has": "have",
    "this": "these",
    "match": "matches",
    "address": "addresses",
    "analysis": "analyses",
    "entry": "entries",
    "category": "categories",
    "family": "families",
    "policy": "policies",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` with ``word`` in the right number: ``1 complaint``, ``2 complaints``.

    Parameters
    ----------
    count
        How many; formatted with thousands separators (``1,234 cases``).
    word
        The singular noun (or phrase whose last word is the noun: ``"small group"``).
    many
        The plural when it is irregular and not known here (``"criteria"``).

    Examples
    --------
    >>> plural(1, "small group"), plural(3, "failed sign-in"), plural(0, "entry")
    ('1 small group', '3 failed sign-ins', '0 entries')
    """
    return f"{count:,} {noun(count, word, many)}"


def noun(count: int, word: str, many: str | None = None) -> str:
    """``word`` in the number ``count`` asks for, without the count (``field``/``fields``).

    Examples
    --------
    >>> noun(1, "field"), noun(2, "field"), noun(2, "person")
    ('field', 'fields', 'people')
    """
    return word if count == 1 else (many or _pluralise(word))


def _pluralise(word: str) -> str:
    head, _, last = word.rpartition(" ")
    many = _IRREGULAR.get(last)
    if many is None:
        many = last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{head} {many}" if head else many


def listing(items: Iterable[object], *, conjunction: str = "and", quote: bool = False) -> str:
    """Names joined as a sentence says them: ``a``, ``a and b``, ``a, b and c``.

    Parameters
    ----------
    items
        The names, in the order to print them (``str()`` of each).
    conjunction
        The word before the last name (``"and"``; ``"or"`` for choices).
    quote
        Put each name in double quotes (for values a person has to type).

    Examples
    --------
    >>> listing(["fairness"]), listing(["fairness", "quality"]), listing("abc", conjunction="or")
    ('fairness', 'fairness and quality', 'a, b or c')
    >>> listing([])
    'none'
    """
    names = [f'"{item}"' if quote else str(item) for item in items]
    if not names:
        return "none"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"
