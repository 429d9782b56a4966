"""The document fact: the application's primary document and its parsed zone.

The primary document is the passport if there is one, else the document with
the smallest ``document_id`` (:func:`features._sources.primary_documents`).  Its
machine-readable zone is parsed by the vectorised parser in batch and by the
scalar one at request time (:mod:`risk.mrz`; the two are tested against each
other).  The printed names and number are also given as the zone writes them
(transliterated, upper case, ``<`` as a space), so derivations compare like
with like.  The zone's nationality, and the printed one, are never exposed.
"""

from __future__ import annotations

import re
import unicodedata
from operator import attrgetter, itemgetter
from typing import Any

import polars as pl

from risk.contract import MRZ_FORMATS
from risk.mrz import parse_mrz, parse_mrz_expr, transliterate, transliterate_expr
from risk.settings import Settings

from ._fact import Fact, Request
from ._sources import Sources, primary_document, primary_documents

__all__ = ["DOCUMENT", "parse_zones"]

#: Document columns passed through as they are.
_PASSED = (
    "document_type", "mrz_format", "printed_birth_date", "printed_sex", "issue_date",
    "expiry_date", "chip_auth_result", "face_match_score", "image_quality_score", "tamper_score",
)  # fmt: skip
#: Parsed zone fields: fact column -> field of :class:`risk.mrz.MRZ`.
_ZONE = {
    "zone_format_ok": "format_ok",
    "zone_number_ok": "number_ok",
    "zone_birth_ok": "birth_ok",
    "zone_expiry_ok": "expiry_ok",
    "zone_optional_ok": "optional_ok",
    "zone_composite_ok": "composite_ok",
    "zone_surname": "surname",
    "zone_given_names": "given_names",
    "zone_document_number": "document_number",
    "zone_birth_date": "birth_date",
    "zone_expiry_date": "expiry_date",
    "zone_sex": "sex",
}
_MRZ = ("mrz_format", "mrz_line1", "mrz_line2", "mrz_line3")
#: Printed fields as the zone writes them: fact column -> printed column.
_AS_ZONE = {
    "surname_as_zone": "printed_surname",
    "given_as_zone": "printed_given_names",
    "number_as_zone": "printed_document_number",
}
_PRIMARY = ("application_id", "document_id", "document_type")
_NOT_ALNUM = re.compile("[^A-Z0-9]")


def _zone_expr(fmt: str | None = None) -> pl.Expr:
    lines = (pl.col("mrz_line1"), pl.col("mrz_line2"), pl.col("mrz_line3"))
    format_ = pl.col("mrz_format") if fmt is None else pl.lit(fmt)
    return parse_mrz_expr(format_, *lines).alias("mrz")


def parse_zones(docs: pl.LazyFrame) -> pl.LazyFrame:
    """``docs`` with their parsed machine-readable zone as the struct column ``mrz``.

    The vectorised parser runs once per format over that format's rows (with the
    format a constant, polars drops the other formats' branches); rows come back
    grouped by format.
    """
    fmt = pl.col("mrz_format")
    parts = [docs.filter(fmt == name).with_columns(_zone_expr(name)) for name in MRZ_FORMATS]
    unknown = docs.filter(~fmt.is_in(MRZ_FORMATS) | fmt.is_null())
    return pl.concat([*parts, unknown.with_columns(_zone_expr())])


def _name_expr(expr: pl.Expr) -> pl.Expr:
    return transliterate_expr(expr.fill_null("")).str.replace_all("<", " ", literal=True)


def _name_scalar(name: str | None) -> str:
    # Marks (Unicode category M) are dropped first, as the vectorised form's \p{M} does;
    # ASCII has neither decompositions nor marks.
    unmarked = name or ""
    if not unmarked.isascii():
        decomposed = unicodedata.normalize("NFKD", unmarked)
        unmarked = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return transliterate(unmarked).replace("<", " ")


def _document_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    mrz = pl.col("mrz").struct
    docs = parse_zones(primary_documents(src.documents)).select(
        "application_id",
        pl.lit(True).alias("has_document"),
        *_PASSED,
        *(mrz.field(name).alias(column) for column, name in _ZONE.items()),
        _name_expr(pl.col("printed_surname")).alias("surname_as_zone"),
        _name_expr(pl.col("printed_given_names")).alias("given_as_zone"),
        pl.col("printed_document_number").str.to_uppercase().str.replace_all("[^A-Z0-9]", "")
        .alias("number_as_zone"),
    )  # fmt: skip
    targets = src.targets.select("application_id")
    joined = targets.join(docs, on="application_id", how="left", maintain_order="left")
    return joined.select(DOCUMENT.columns)


def _document_request(request: Request) -> dict[str, Any]:
    doc = primary_document(request.documents)
    if doc is None:
        return dict.fromkeys(DOCUMENT.columns)
    zone = parse_mrz(
        (doc["mrz_line1"], doc["mrz_line2"], doc["mrz_line3"]), format=doc["mrz_format"]
    )
    number = doc["printed_document_number"]
    values = {"has_document": True}
    values.update(zip(_PASSED, _PASSED_VALUES(doc), strict=True))
    values.update(zip(_ZONE, _ZONE_VALUES(zone), strict=True))
    values["surname_as_zone"] = _name_scalar(doc["printed_surname"])
    values["given_as_zone"] = _name_scalar(doc["printed_given_names"])
    values["number_as_zone"] = None if number is None else _NOT_ALNUM.sub("", number.upper())
    return values


_PASSED_VALUES, _ZONE_VALUES = itemgetter(*_PASSED), attrgetter(*_ZONE.values())


_READS: dict[str, tuple[str, ...]] = {"has_document": _PRIMARY}
_READS |= {column: (*_PRIMARY, column) for column in _PASSED}
_READS |= {column: (*_PRIMARY, *_MRZ) for column in _ZONE}
_READS |= {column: (*_PRIMARY, printed) for column, printed in _AS_ZONE.items()}

#: The primary document and its parsed zone (every column null without a document).
DOCUMENT = Fact(
    name="document",
    description="The primary document (passport first, else the lowest document id):"
    " ``has_document`` (true, or null without one), its type, format, dates, printed birth"
    " date and sex, chip result and scanner scores; its parsed zone (``zone_*``: check"
    " digits, names, number, dates, sex); the printed names and number as the zone writes"
    " them (``*_as_zone``)",
    reads=_READS,
    batch=_document_batch,
    request=_document_request,
)
