"""Document checks for the case screen: MRZ check digits, MRZ vs page, validity, chip, face.

Each check is a :class:`Check` with a catalogue key, values for its label and a result:
``True`` (pass), ``False`` (fail) or ``None`` (not applicable).  The MRZ is parsed with
:func:`risk.mrz.parse_mrz`, the same rules the feature pipeline uses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from risk.mrz import parse_mrz, transliterate

__all__ = ["FACE_MATCH_MIN", "TAMPER_MAX", "Check", "document_checks"]

#: A face-match score below this fails the check (the scanner vendor's operating point).
FACE_MATCH_MIN = 0.6
#: A tamper score at or above this fails the check.
TAMPER_MAX = 0.5

_DIGIT_CHECKS = (
    ("check_number", "number_ok"),
    ("check_birth", "birth_ok"),
    ("check_expiry", "expiry_ok"),
    ("check_optional", "optional_ok"),
    ("check_composite", "composite_ok"),
)


@dataclass(frozen=True)
class Check:
    """One document check as the case screen shows it."""

    key: str
    ok: bool | None
    values: dict[str, Any] = field(default_factory=dict)


def _name(text: str | None) -> str:
    return re.sub(r"[^A-Z]", "", transliterate(text or "").replace("<", ""))


def _same(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a == b


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return None


def _mrz_checks(doc: dict[str, Any]) -> list[Check]:
    lines = [doc.get("mrz_line1"), doc.get("mrz_line2"), doc.get("mrz_line3")]
    mrz = parse_mrz(lines, format=doc.get("mrz_format"))
    checks = [Check("check_format", mrz.format_ok)]
    checks += [Check(key, getattr(mrz, attr)) for key, attr in _DIGIT_CHECKS]
    mrz_name = _name(mrz.surname)
    page_name = _name(doc.get("printed_surname"))
    # the zone truncates long names, so a prefix match is a match
    name_ok = bool(mrz_name) and (page_name.startswith(mrz_name) or mrz_name == page_name)
    checks += [
        Check("check_mrz_number", _same(mrz.document_number, doc.get("printed_document_number"))),
        Check("check_mrz_name", name_ok if mrz.surname is not None else None),
        Check("check_mrz_birth", _same(mrz.birth_date, _as_date(doc.get("printed_birth_date")))),
        Check("check_mrz_expiry", _same(mrz.expiry_date, _as_date(doc.get("expiry_date")))),
    ]
    return checks


def _validity(doc: dict[str, Any], application: dict[str, Any]) -> Check:
    expiry = _as_date(doc.get("expiry_date"))
    submitted = _as_date(application.get("submitted_at"))
    stay = application.get("intended_stay_days")
    if expiry is None or submitted is None or stay is None:
        return Check("check_validity", None, {"date": expiry})
    return Check(
        "check_validity", expiry >= submitted + dt.timedelta(days=int(stay)), {"date": expiry}
    )


def _scanner(doc: dict[str, Any]) -> list[Check]:
    chip = doc.get("chip_auth_result")
    face = doc.get("face_match_score")
    tamper = doc.get("tamper_score")
    return [
        Check(
            "check_chip",
            None if chip in (None, "not_present") else chip == "passed",
            {"value": chip or "-"},
        ),
        Check(
            "check_face",
            None if face is None else face >= FACE_MATCH_MIN,
            {"value": "-" if face is None else face},
        ),
        Check(
            "check_tamper",
            None if tamper is None else tamper < TAMPER_MAX,
            {"value": "-" if tamper is None else tamper},
        ),
    ]


def document_checks(doc: dict[str, Any], application: dict[str, Any]) -> list[Check]:
    """Every check of one document (a raw ``documents`` row) of ``application``.

    Parameters
    ----------
    doc
        The document's contract row, MRZ lines included.
    application
        The application's contract row (submission date and intended stay).

    Returns
    -------
    list of Check
        MRZ layout and check digits, MRZ vs printed page, validity for the stay,
        chip authentication, face match and the scanner's tamper check.
    """
    return [*_mrz_checks(doc), _validity(doc, application), *_scanner(doc)]
