"""ICAO 9303 machine-readable zones: check digits, composition and parsing.

Five formats are supported: TD1 identity cards (3 lines of 30), TD2 (2 x 36), TD3
passports (2 x 44), and the visas MRV-A (2 x 44) and MRV-B (2 x 36).  Check digits,
transliteration and parsing come twice: a scalar function for one document (serving,
the synthetic world, tests) and a polars expression for a column of them (feature
pipelines).  The two follow the same rules and are tested against each other.

Composition takes the document's fields and writes the zone with correct check digits;
dates are written ``YYMMDD``, sex ``F``/``M`` or ``<`` (``X`` and anything else), names
transliterated and fitted to the name field (:func:`transliterate`).  Parsing rules are
described in :func:`parse_mrz`'s module, ``risk._mrz._parse``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from risk._mrz._check import LAYOUTS, check_digit, check_digit_expr
from risk._mrz._compose import (
    compose_td1,
    compose_two_line,
    transliterate,
    transliterate_expr,
)
from risk._mrz._parse import MRZ, MRZ_SHAPES, detect_format, parse_mrz
from risk._mrz._parse_expr import parse_mrz_expr

__all__ = [
    "LAYOUTS",
    "MRZ",
    "MRZ_SHAPES",
    "check_digit",
    "check_digit_expr",
    "compose_mrva",
    "compose_mrvb",
    "compose_td1",
    "compose_td2",
    "compose_td3",
    "detect_format",
    "parse_mrz",
    "parse_mrz_expr",
    "transliterate",
    "transliterate_expr",
]

P = ParamSpec("P")
R = TypeVar("R")

_ARGS_DOC = """

    Parameters
    ----------
    document_code
        Document code (``P`` passport, ``I`` identity card, ``V`` visa, ...); None
        gives the usual code of the format.
    issuing_state, nationality
        ICAO three-letter codes (``D`` for Germany is padded to ``D<<``).
    surname, given_names
        Primary and secondary identifiers, as printed; transliterated for the zone.
    document_number
        Document number; characters outside ``A-Z0-9`` are dropped.
    birth_date, expiry_date
        Dates.
    sex
        ``F`` or ``M``; anything else is written ``<``.
    optional_data
        Optional data (the personal number in TD3); None for none.
"""


def _for_format(
    impl: Callable[Concatenate[str, P], R], fmt: str, name: str, summary: str, doc: str
) -> Callable[P, R]:
    """``impl`` with its leading format argument fixed to ``fmt``, as a public composer.

    The composers of the four two-line formats differ only in the format they pass on,
    so they are made here once; the signature shown (help, docs) is ``impl``'s without
    ``fmt``.
    """

    def composer(*args: P.args, **kwargs: P.kwargs) -> R:
        return impl(fmt, *args, **kwargs)

    sig = inspect.signature(impl)
    composer.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
    composer.__annotations__ = {k: v for k, v in impl.__annotations__.items() if k != "fmt"}
    composer.__name__ = composer.__qualname__ = name
    composer.__doc__ = summary + doc
    return composer


compose_td3 = _for_format(
    compose_two_line,
    "TD3",
    "compose_td3",
    "The two 44-character lines of a TD3 (passport) zone.",
    _ARGS_DOC,
)
compose_td2 = _for_format(
    compose_two_line,
    "TD2",
    "compose_td2",
    "The two 36-character lines of a TD2 zone.",
    _ARGS_DOC,
)
compose_mrva = _for_format(
    compose_two_line,
    "MRVA",
    "compose_mrva",
    "The two 44-character lines of an MRV-A visa zone (no composite check digit).",
    _ARGS_DOC,
)
compose_mrvb = _for_format(
    compose_two_line,
    "MRVB",
    "compose_mrvb",
    "The two 36-character lines of an MRV-B visa zone (no composite check digit).",
    _ARGS_DOC,
)
