"""Document signals: MRZ check digits, MRZ vs printed page, validity, scanner scores.

Each application is judged on its primary document and its parsed zone (the
``document`` fact, :mod:`features._facts_document`).  The MRZ vs printed-page
signals only say whether the two agree: they never expose the birth date, sex
or name themselves.  Birth and expiry dates are compared as the ``YYMMDD`` the
zone holds, so the zone's two-digit century is no source of false mismatches.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from risk.contract import CHIP_RESULTS, DOCUMENT_TYPES, MRZ_FORMATS

from ._derive import Derivation, col, days_between, lit, when
from ._family import Declare, Family
from ._sources import DAY

__all__ = [
    "FAMILY",
    "chip_auth_result",
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
    "passport_age_days",
    "passport_validity_after_stay_days",
    "tamper_score",
]

#: The document family: the primary document and its machine-readable zone.
FAMILY = Family("documents", owner="document-analytics")
_MRZ = ("mrz_format", "mrz_line1", "mrz_line2", "mrz_line3")
_NO_DOC_EN = "No document scanned with the application"
_NO_DOC_ID = "Tidak ada dokumen yang dipindai bersama permohonan"
_PURPOSE_CHECK = (
    "A wrong check digit means the zone was altered, misprinted or forged;"
    " genuine documents pass every check"
)
_PURPOSE_MATCH = "A zone that disagrees with the printed page points to an altered document"


def _doc(**kw: Any) -> Declare:
    """``FAMILY.feature`` with the sentences for a missing document."""
    kw.setdefault("missing_en", _NO_DOC_EN)
    kw.setdefault("missing_id", _NO_DOC_ID)
    return FAMILY.feature(**kw)


@_doc(
    kind="categorical",
    categories=DOCUMENT_TYPES,
    description="Kind of the primary document presented",
    purpose="Checks and fraud patterns differ by document type",
    reason_en="Primary document: {value}",
    reason_id="Dokumen utama: {value}",
    inputs=("document_type",),
)
def document_type() -> Derivation:
    return col("document_type")


@_doc(
    kind="categorical",
    categories=MRZ_FORMATS,
    description="ICAO 9303 format of the machine-readable zone (TD1, TD2, TD3, MRV-A, MRV-B)",
    purpose="Check-digit rules and fraud patterns differ by format",
    reason_en="Machine-readable zone format: {value}",
    reason_id="Format zona baca mesin: {value}",
    inputs=("mrz_format",),
)
def mrz_format() -> Derivation:
    return col("mrz_format")


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
def mrz_format_ok() -> Derivation:
    return col("zone_format_ok")


def _check(what_en: str, what_id: str) -> Declare:
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
def mrz_number_check_ok() -> Derivation:
    return col("zone_number_ok")


@_check("birth date", "tanggal lahir")
def mrz_birth_check_ok() -> Derivation:
    return col("zone_birth_ok")


@_check("expiry date", "tanggal habis berlaku")
def mrz_expiry_check_ok() -> Derivation:
    return col("zone_expiry_ok")


@_check("personal number", "nomor pribadi")
def mrz_optional_check_ok() -> Derivation:
    return col("zone_optional_ok")


@_check("composite", "komposit")
def mrz_composite_check_ok() -> Derivation:
    return col("zone_composite_ok")


def _mismatch(what_en: str, what_id: str, printed: str) -> Declare:
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


@_mismatch("name", "nama", "printed_surname")
def mrz_name_mismatch() -> Derivation:
    # The zone truncates long names, so its given names need only begin the printed ones.
    # Without a document there are no printed names: "" as for an empty one, so the
    # result stays null (the zone is null) rather than a mismatch.
    surname_ok = col("zone_surname") == col("surname_as_zone").fill_null("")
    printed_given = col("given_as_zone").fill_null("")
    given = col("zone_given_names")
    given_ok = printed_given.starts_with(given) & ((given != "") | (printed_given == ""))
    return ~(surname_ok & given_ok)


@_mismatch("document number", "nomor dokumen", "printed_document_number")
def mrz_number_mismatch() -> Derivation:
    return col("zone_document_number") != col("number_as_zone")


def _date_mismatch(zone: str, printed: str) -> Derivation:
    # An unreadable date in the zone disagrees with the page; no document gives null.
    differs = col(zone).yymmdd().ne_missing(col(printed).yymmdd())
    return when(col("has_document")).then(differs).otherwise(lit(None))


@_mismatch("birth date", "tanggal lahir", "printed_birth_date")
def mrz_birth_date_mismatch() -> Derivation:
    return _date_mismatch("zone_birth_date", "printed_birth_date")


@_mismatch("expiry date", "tanggal habis berlaku", "expiry_date")
def mrz_expiry_mismatch() -> Derivation:
    return _date_mismatch("zone_expiry_date", "expiry_date")


@_mismatch("sex", "jenis kelamin", "printed_sex")
def mrz_sex_mismatch() -> Derivation:
    return col("zone_sex") != col("printed_sex")


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
def passport_validity_after_stay_days() -> Derivation:
    return days_between(col("expiry_date"), col(DAY)) - col("intended_stay_days")


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
def passport_age_days() -> Derivation:
    return days_between(col(DAY), col("issue_date"))


@_doc(
    kind="categorical",
    categories=CHIP_RESULTS,
    description="Result of the document chip (eMRTD) authentication",
    purpose="A chip that fails authentication points to a cloned or altered document",
    reason_en="Chip authentication: {value}",
    reason_id="Autentikasi cip: {value}",
    inputs=("chip_auth_result",),
)
def chip_auth_result() -> Derivation:
    return col("chip_auth_result")


def _score(what_en: str, what_id: str, purpose: str, column: str) -> Declare:
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
def face_match_score() -> Derivation:
    return col("face_match_score")


@_score(
    "image quality",
    "kualitas gambar",
    "A poor scan weakens every other document check",
    "image_quality_score",
)
def image_quality_score() -> Derivation:
    return col("image_quality_score")


@_score(
    "tamper",
    "kerusakan/perubahan",
    "The scanner's estimate that the document was altered",
    "tamper_score",
)
def tamper_score() -> Derivation:
    return col("tamper_score")
