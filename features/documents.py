"""Document signals: MRZ check digits, MRZ vs printed page, validity, scanner scores.

Each application is judged on its primary document (its passport, else its
first document; see :func:`features._sources.primary_documents`).  The MRZ vs
printed-page signals only say whether the two agree: they never expose the
birth date, sex or name themselves.  Birth and expiry dates are compared as
the ``YYMMDD`` the zone holds, so the zone's two-digit century is no source
of false mismatches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from risk.contract import CHIP_RESULTS, DOCUMENT_TYPES, MRZ_FORMATS
from risk.mrz import parse_mrz, parse_mrz_expr, transliterate, transliterate_expr
from risk.settings import Settings

from ._registry import feature
from ._scalar import and3, category, days_between, not3, or3, to_float
from ._sources import DAY, Sources, primary_documents

if TYPE_CHECKING:
    from ._row import Lookups

__all__ = [
    "chip_auth_result",
    "context",
    "document_type",
    "face_match_score",
    "image_quality_score",
    "mrz_birth_check_ok",
    "mrz_birth_date_mismatch",
    "mrz_composite_check_ok",
    "mrz_expiry_check_ok",
    "mrz_expiry_mismatch",
    "mrz_format",
    "mrz_format_ok",
    "mrz_name_mismatch",
    "mrz_number_check_ok",
    "mrz_number_mismatch",
    "mrz_optional_check_ok",
    "mrz_sex_mismatch",
    "parse_zones",
    "passport_age_days",
    "passport_validity_after_stay_days",
    "row",
    "tamper_score",
]

_OWNER = "document-analytics"
_MRZ = ("mrz_format", "mrz_line1", "mrz_line2", "mrz_line3")
_NO_DOC_EN = "No document scanned with the application"
_NO_DOC_ID = "Tidak ada dokumen yang dipindai bersama permohonan"
_PURPOSE_CHECK = (
    "A wrong check digit means the zone was altered, misprinted or forged;"
    " genuine documents pass every check"
)
_PURPOSE_MATCH = "A zone that disagrees with the printed page points to an altered document"


def _doc(**kw):
    kw.setdefault("owner", _OWNER)
    kw.setdefault("group", "documents")
    kw.setdefault("missing_en", _NO_DOC_EN)
    kw.setdefault("missing_id", _NO_DOC_ID)
    return feature(**kw)


@_doc(
    kind="categorical",
    categories=DOCUMENT_TYPES,
    description="Kind of the primary document presented",
    purpose="Checks and fraud patterns differ by document type",
    reason_en="Primary document: {value}",
    reason_id="Dokumen utama: {value}",
    inputs=("document_type",),
)
def document_type() -> pl.Expr:
    return pl.col("document_type")


@_doc(
    kind="categorical",
    categories=MRZ_FORMATS,
    description="ICAO 9303 format of the machine-readable zone (TD1, TD2, TD3, MRV-A, MRV-B)",
    purpose="Check-digit rules and fraud patterns differ by format",
    reason_en="Machine-readable zone format: {value}",
    reason_id="Format zona baca mesin: {value}",
    inputs=("mrz_format",),
)
def mrz_format() -> pl.Expr:
    return pl.col("mrz_format")


@_doc(
    kind="boolean",
    description="Whether the zone has the line count, line lengths and characters of its format",
    purpose=_PURPOSE_CHECK,
    reason_en={
        True: "Machine-readable zone is well formed",
        False: "Machine-readable zone is malformed (wrong lines, lengths or characters)",
    },
    reason_id={
        True: "Zona baca mesin tersusun dengan benar",
        False: "Zona baca mesin cacat (baris, panjang, atau karakter salah)",
    },
    inputs=_MRZ,
)
def mrz_format_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("format_ok")


def _check(what_en: str, what_id: str):
    return _doc(
        kind="boolean",
        description=f"Whether the zone's {what_en} check digit is correct",
        purpose=_PURPOSE_CHECK,
        reason_en={
            True: f"MRZ {what_en} check digit is correct",
            False: f"MRZ {what_en} check digit is wrong",
        },
        reason_id={
            True: f"Digit periksa {what_id} pada MRZ benar",
            False: f"Digit periksa {what_id} pada MRZ salah",
        },
        missing_en=f"No {what_en} check digit in this document's zone, or no document",
        missing_id=f"Tidak ada digit periksa {what_id} pada zona dokumen ini, atau tidak ada"
        " dokumen",
        inputs=_MRZ,
    )


@_check("document number", "nomor dokumen")
def mrz_number_check_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("number_ok")


@_check("birth date", "tanggal lahir")
def mrz_birth_check_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("birth_ok")


@_check("expiry date", "tanggal habis berlaku")
def mrz_expiry_check_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("expiry_ok")


@_check("personal number", "nomor pribadi")
def mrz_optional_check_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("optional_ok")


@_check("composite", "komposit")
def mrz_composite_check_ok() -> pl.Expr:
    return pl.col("mrz").struct.field("composite_ok")


def _mismatch(what_en: str, what_id: str, printed: str):
    return _doc(
        kind="boolean",
        description=f"Whether the zone's {what_en} differs from the printed page's",
        purpose=_PURPOSE_MATCH,
        reason_en={
            True: f"{what_en.capitalize()} in the MRZ differs from the printed page",
            False: f"{what_en.capitalize()} in the MRZ matches the printed page",
        },
        reason_id={
            True: f"{what_id.capitalize()} pada MRZ berbeda dengan halaman cetak",
            False: f"{what_id.capitalize()} pada MRZ sesuai dengan halaman cetak",
        },
        inputs=(*_MRZ, printed),
    )


#: Printed names as the zone writes them (spaces for ``<``), added by the context.
_PRINTED_NAMES = {"printed_surname": "surname_as_zone", "printed_given_names": "given_as_zone"}


def _name_part(expr: pl.Expr) -> pl.Expr:
    return transliterate_expr(expr.fill_null("")).str.replace_all("<", " ", literal=True)


def _scalar_name_part(name: str | None) -> str:
    """A printed name as the zone writes it, with spaces for ``<`` (the scalar ``_name_part``).

    Marks (Unicode category M) are dropped first, as the vectorised form's ``\\p{M}`` does.
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    unmarked = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return transliterate(unmarked).replace("<", " ")


def _with_printed_names(docs: pl.LazyFrame) -> pl.LazyFrame:
    return docs.with_columns(
        _name_part(pl.col(printed)).alias(zone) for printed, zone in _PRINTED_NAMES.items()
    )


@_mismatch("name", "nama", "printed_surname")
def mrz_name_mismatch() -> pl.Expr:
    # The zone truncates long names, so its given names need only begin the printed ones.
    # Rows without a document have no printed names: "" as in _name_part, so the result
    # stays null (the zone is null) rather than a mismatch.
    mrz = pl.col("mrz").struct
    surname_ok = mrz.field("surname") == pl.col("surname_as_zone").fill_null("")
    printed_given = pl.col("given_as_zone").fill_null("")
    given = mrz.field("given_names")
    given_ok = printed_given.str.starts_with(given) & ((given != "") | (printed_given == ""))
    return ~(surname_ok & given_ok)


@_mismatch("document number", "nomor dokumen", "printed_document_number")
def mrz_number_mismatch() -> pl.Expr:
    printed = pl.col("printed_document_number").str.to_uppercase().str.replace_all("[^A-Z0-9]", "")
    return pl.col("mrz").struct.field("document_number") != printed


def _date_mismatch(field: str, printed: str) -> pl.Expr:
    # An unreadable date in the zone disagrees with the page; no document gives null.
    mrz = pl.col("mrz").struct.field(field).dt.strftime("%y%m%d")
    differs = mrz.ne_missing(pl.col(printed).dt.strftime("%y%m%d"))
    return pl.when(pl.col("mrz").is_not_null()).then(differs)


@_mismatch("birth date", "tanggal lahir", "printed_birth_date")
def mrz_birth_date_mismatch() -> pl.Expr:
    return _date_mismatch("birth_date", "printed_birth_date")


@_mismatch("expiry date", "tanggal habis berlaku", "expiry_date")
def mrz_expiry_mismatch() -> pl.Expr:
    return _date_mismatch("expiry_date", "expiry_date")


@_mismatch("sex", "jenis kelamin", "printed_sex")
def mrz_sex_mismatch() -> pl.Expr:
    return pl.col("mrz").struct.field("sex") != pl.col("printed_sex")


@_doc(
    kind="numeric",
    dtype=pl.Int32,
    unit="days",
    description="Days the document stays valid after the intended stay ends",
    purpose="A document expiring before the stay ends cannot support the stay",
    reason_en="Document valid for {value:.0f} days after the intended stay",
    reason_id="Dokumen berlaku {value:.0f} hari setelah rencana tinggal berakhir",
    inputs=("expiry_date", "submitted_at", "intended_stay_days"),
)
def passport_validity_after_stay_days() -> pl.Expr:
    stay_end = pl.col(DAY) + pl.duration(days=pl.col("intended_stay_days"))
    return (pl.col("expiry_date") - stay_end).dt.total_days()


@_doc(
    kind="numeric",
    dtype=pl.Int32,
    unit="days",
    description="Days between the document's issue and the application",
    purpose="A passport issued just before applying can hide an earlier travel record",
    reason_en="Passport issued {value:.0f} days before the application",
    reason_id="Paspor diterbitkan {value:.0f} hari sebelum permohonan",
    inputs=("submitted_at", "issue_date"),
)
def passport_age_days() -> pl.Expr:
    return (pl.col(DAY) - pl.col("issue_date")).dt.total_days()


@_doc(
    kind="categorical",
    categories=CHIP_RESULTS,
    description="Result of the document chip (eMRTD) authentication",
    purpose="A chip that fails authentication points to a cloned or altered document",
    reason_en="Chip authentication: {value}",
    reason_id="Autentikasi cip: {value}",
    inputs=("chip_auth_result",),
)
def chip_auth_result() -> pl.Expr:
    return pl.col("chip_auth_result")


def _score(what_en: str, what_id: str, purpose: str, column: str):
    return _doc(
        kind="numeric",
        unit="score 0-1",
        description=f"{what_en.capitalize()} score from the document scanner (0 to 1)",
        purpose=purpose,
        reason_en=f"{what_en.capitalize()} score of {{value:.2f}}",
        reason_id=f"Skor {what_id} sebesar {{value:.2f}}",
        missing_en=f"No {what_en} score recorded",
        missing_id=f"Tidak ada skor {what_id}",
        inputs=(column,),
    )


@_score(
    "face match",
    "kecocokan wajah",
    "A low match between the live photo and the document suggests an impostor",
    "face_match_score",
)
def face_match_score() -> pl.Expr:
    return pl.col("face_match_score")


@_score(
    "image quality",
    "kualitas gambar",
    "A poor scan weakens every other document check",
    "image_quality_score",
)
def image_quality_score() -> pl.Expr:
    return pl.col("image_quality_score")


@_score(
    "tamper",
    "kerusakan/perubahan",
    "The scanner's estimate that the document was altered",
    "tamper_score",
)
def tamper_score() -> pl.Expr:
    return pl.col("tamper_score")


def _zone_expr(fmt: str | None = None) -> pl.Expr:
    lines = (pl.col("mrz_line1"), pl.col("mrz_line2"), pl.col("mrz_line3"))
    format_ = pl.col("mrz_format") if fmt is None else pl.lit(fmt)
    return parse_mrz_expr(format_, *lines).alias("mrz")


def parse_zones(docs: pl.LazyFrame) -> pl.LazyFrame:
    """``docs`` with their parsed machine-readable zone as the struct column ``mrz``.

    The vectorised parser runs once per format over that format's rows (with the
    format as a constant, polars drops the other formats' branches: about three
    times faster); rows come back grouped by format.  One document's zone is
    parsed by the scalar twin :func:`risk.mrz.parse_mrz` (see :func:`row`); the
    two follow the same rules and are tested against each other.
    """
    fmt = pl.col("mrz_format")
    parts = [docs.filter(fmt == name).with_columns(_zone_expr(name)) for name in MRZ_FORMATS]
    unknown = docs.filter(~fmt.is_in(MRZ_FORMATS) | fmt.is_null())
    return pl.concat([*parts, unknown.with_columns(_zone_expr())])


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The document family's columns: the primary document and its parsed zone (``mrz``)."""
    docs = _with_printed_names(parse_zones(primary_documents(src.documents)))
    targets = src.targets.select("application_id", DAY, "intended_stay_days")
    return targets.join(docs, on="application_id", how="left", maintain_order="left")


_DOCUMENT_TYPES, _MRZ_FORMATS = frozenset(DOCUMENT_TYPES), frozenset(MRZ_FORMATS)
_CHIP_RESULTS = frozenset(CHIP_RESULTS)
_NOT_ALNUM = re.compile("[^A-Z0-9]")


def row(
    application: Mapping[str, Any],
    primary_document: Mapping[str, Any] | None,
    lookups: Lookups,
    settings: Settings,
) -> dict[str, Any]:
    """The document family's features for one application (the scalar twin of the batch).

    ``primary_document`` is the application's primary document
    (:func:`features._sources.primary_document`), or None: then every feature is null.
    """
    doc = primary_document
    if doc is None:
        return dict.fromkeys(_names())
    zone = parse_mrz(
        (doc["mrz_line1"], doc["mrz_line2"], doc["mrz_line3"]), format=doc["mrz_format"]
    )
    day = application["submitted_at"].date()
    stay, expiry = application["intended_stay_days"], doc["expiry_date"]
    return {
        "document_type": category("document_type", doc["document_type"], _DOCUMENT_TYPES),
        "mrz_format": category("mrz_format", doc["mrz_format"], _MRZ_FORMATS),
        "mrz_format_ok": zone.format_ok,
        "mrz_number_check_ok": zone.number_ok,
        "mrz_birth_check_ok": zone.birth_ok,
        "mrz_expiry_check_ok": zone.expiry_ok,
        "mrz_optional_check_ok": zone.optional_ok,
        "mrz_composite_check_ok": zone.composite_ok,
        "mrz_name_mismatch": _name_mismatch(zone, doc),
        "mrz_number_mismatch": _number_mismatch(zone.document_number, doc),
        "mrz_birth_date_mismatch": _yymmdd(zone.birth_date) != _yymmdd(doc["printed_birth_date"]),
        "mrz_expiry_mismatch": _yymmdd(zone.expiry_date) != _yymmdd(expiry),
        "mrz_sex_mismatch": _ne(zone.sex, doc["printed_sex"]),
        "passport_validity_after_stay_days": (
            None if stay is None or expiry is None else expiry.toordinal() - day.toordinal() - stay
        ),
        "passport_age_days": days_between(day, doc["issue_date"]),
        "chip_auth_result": category("chip_auth_result", doc["chip_auth_result"], _CHIP_RESULTS),
        "face_match_score": to_float(doc["face_match_score"]),
        "image_quality_score": to_float(doc["image_quality_score"]),
        "tamper_score": to_float(doc["tamper_score"]),
    }


def _names() -> list[str]:
    from ._catalogue import catalogue

    return catalogue().groups["documents"]


def _ne(a: Any, b: Any) -> bool | None:
    """``a != b`` with null propagation."""
    return None if a is None or b is None else a != b


def _name_mismatch(zone: Any, doc: Mapping[str, Any]) -> bool | None:
    """:func:`mrz_name_mismatch` in three-valued logic (a null zone field stays unknown)."""
    surname, given = zone.surname, zone.given_names
    printed_given = _scalar_name_part(doc["printed_given_names"])
    surname_ok = None if surname is None else surname == _scalar_name_part(doc["printed_surname"])
    starts = None if given is None else printed_given.startswith(given)
    named = None if given is None else given != ""
    given_ok = and3(starts, or3(named, printed_given == ""))
    return not3(and3(surname_ok, given_ok))


def _number_mismatch(zone_number: str | None, doc: Mapping[str, Any]) -> bool | None:
    printed = doc["printed_document_number"]
    if printed is None:
        return None
    return _ne(zone_number, _NOT_ALNUM.sub("", printed.upper()))


def _yymmdd(day: date | None) -> tuple[int, int, int] | None:
    """``strftime("%y%m%d")`` as a comparable tuple (null stays null)."""
    return None if day is None else (day.year % 100, day.month, day.day)
