"""ICAO 9303 machine-readable zones: check digits, composition and parsing.

Five formats are supported: TD1 identity cards (3 lines of 30), TD2 (2 x 36), TD3
passports (2 x 44), and the visas MRV-A (2 x 44) and MRV-B (2 x 36).  Every operation
comes twice: a scalar function for one document (serving, tests) and a polars
expression for a column of them (the synthetic world, feature pipelines).  The two
follow the same rules and are tested against each other.

Composition takes the document's fields and writes the zone with correct check digits;
dates are written ``YYMMDD``, sex ``F``/``M`` or ``<`` (``X`` and anything else), names
transliterated and fitted to the name field (:func:`transliterate`).  In the ``*_expr``
composers a ``str`` argument names a column (the polars convention): pass ``pl.lit``
for a constant.  Parsing rules are described in :func:`parse_mrz`'s module,
``risk._mrz._parse``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from risk._mrz._check import LAYOUTS, check_digit, check_digit_expr
from risk._mrz._compose import (
    IntoExpr,
    compose_td1,
    compose_td1_expr_impl,
    compose_two_line,
    compose_two_line_expr,
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
    "compose_mrva_expr",
    "compose_mrvb",
    "compose_mrvb_expr",
    "compose_td1",
    "compose_td1_expr",
    "compose_td2",
    "compose_td2_expr",
    "compose_td3",
    "compose_td3_expr",
    "detect_format",
    "parse_mrz",
    "parse_mrz_expr",
    "transliterate",
    "transliterate_expr",
]

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
        Dates (``datetime.date`` or polars Date expressions).
    sex
        ``F`` or ``M``; anything else is written ``<``.
    optional_data
        Optional data (the personal number in TD3); None for none.
"""


def _doc(f):
    f.__doc__ = (f.__doc__ or "") + _ARGS_DOC
    return f


@_doc
def compose_td3(
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
) -> tuple[str, str]:
    """The two 44-character lines of a TD3 (passport) zone."""
    return compose_two_line(
        "TD3",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_doc
def compose_td2(
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
) -> tuple[str, str]:
    """The two 36-character lines of a TD2 zone."""
    return compose_two_line(
        "TD2",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_doc
def compose_mrva(
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
) -> tuple[str, str]:
    """The two 44-character lines of an MRV-A visa zone (no composite check digit)."""
    return compose_two_line(
        "MRVA",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_doc
def compose_mrvb(
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
) -> tuple[str, str]:
    """The two 36-character lines of an MRV-B visa zone (no composite check digit)."""
    return compose_two_line(
        "MRVB",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


def _expr_doc(f):
    f.__doc__ = (f.__doc__ or "") + _ARGS_DOC.replace(
        "(``datetime.date`` or polars Date expressions)", "(polars Date expressions)"
    )
    return f


@_expr_doc
def compose_td3_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_td3`: a struct expression of ``line1``, ``line2``."""
    return compose_two_line_expr(
        "TD3",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_expr_doc
def compose_td2_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_td2`: a struct expression of ``line1``, ``line2``."""
    return compose_two_line_expr(
        "TD2",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_expr_doc
def compose_mrva_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_mrva`: a struct expression of ``line1``, ``line2``."""
    return compose_two_line_expr(
        "MRVA",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_expr_doc
def compose_mrvb_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_mrvb`: a struct expression of ``line1``, ``line2``."""
    return compose_two_line_expr(
        "MRVB",
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
    )


@_expr_doc
def compose_td1_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
    optional_data_2: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_td1`: a struct expression of ``line1``, ``line2``, ``line3``.
    ``optional_data_2`` is line 2's optional data.
    """
    return compose_td1_expr_impl(
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
        optional_data_2,
    )
