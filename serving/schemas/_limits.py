"""Limits every request value obeys: integer bounds, text lengths, allowed characters.

A value the database cannot hold (an id of 2**31 or more) or a character that
cannot be stored or shown safely (a lone surrogate, NUL, a bidirectional override,
a line break in a one-line field) is refused at the edge with a 422 naming the
field, instead of failing deep inside as a 500.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from serving.services._text import MAX_LINE, MAX_TEXT, check_line, check_text

__all__ = [
    "MAX_ID",
    "MAX_LINE",
    "MAX_OFFSET",
    "MAX_TEXT",
    "Id",
    "Line",
    "Text",
    "check_line",
    "check_text",
]

#: The largest id: the store's id columns are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1
#: The largest offset: both databases take a signed 64-bit one.
MAX_OFFSET = 2**63 - 1


#: One line of printable text (ids, usernames, names).
Line = Annotated[str, Field(max_length=MAX_LINE), AfterValidator(check_line)]
#: Free text that may span lines (reasons, descriptions, responses).
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(check_text)]
#: A database id in a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
