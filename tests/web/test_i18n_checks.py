"""The message catalogue, locale formatting and the document checks (no app needed)."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from risk.mrz import check_digit, compose_td3
from serving.web import (
    MESSAGES,
    document_checks,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    translate,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "serving" / "templates" / "web"


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (1234567.891, "en", 2, "1,234,567.89"),
        (1234567.891, "id", 2, "1.234.567,89"),
        (0, "id", 0, "0"),
        (-1500, "en", 0, "-1,500"),
        (None, "en", 0, "–"),
        (float("nan"), "id", 1, "–"),
        ("0.4", "id", 3, "0,400"),  # a stored setting read back as text
        ("manual", "en", 0, "manual"),
        (True, "id", 3, "1,000"),  # the kill switch's setting in the changelog
    ],
)
def test_format_number(value, lang, digits, expected):
    assert format_number(value, lang, digits) == expected


def test_format_percent_and_dates():
    assert format_percent(0.1234, "en") == "12.3%"
    assert format_percent(0.1234, "id") == "12,3%"
    assert format_date(dt.date(2025, 5, 3), "en") == "3 May 2025"
    assert format_date(dt.date(2025, 5, 3), "id") == "3 Mei 2025"
    assert format_date("2025-08-17T10:00:00", "id") == "17 Agu 2025"
    assert format_datetime(dt.datetime(2025, 12, 1, 9, 5), "en") == "1 Dec 2025 09:05"
    assert format_datetime(dt.datetime(2025, 12, 1, 9, 5), "id") == "1 Des 2025 09.05"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, entry in MESSAGES.items():
        assert entry["en"].strip() and entry["id"].strip(), key
        assert _fields(entry["en"]) == _fields(entry["id"]), key


@pytest.mark.parametrize("prefix", ["nav_complaints", "cp_", "cat_", "cstatus_", "fb_"])
def test_the_complaint_strings_are_translated_not_copied(prefix):
    keys = [k for k in MESSAGES if k.startswith(prefix)]
    assert keys
    copied = [k for k in keys if MESSAGES[k]["en"] == MESSAGES[k]["id"]]
    assert copied == []


def test_every_literal_key_in_the_templates_exists():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'(?!\s*~)", path.read_text(encoding="utf-8")))
    assert used, "no keys found: the pattern is wrong"
    assert sorted(used - set(MESSAGES)) == []


def test_every_key_built_from_data_exists():
    from risk.contract import TABLES
    from serving.services import COMPLAINT_CATEGORIES, DECISION_OUTCOMES, FAIRNESS_GROUPS, ROLES
    from serving.web._complaints import STATUSES as COMPLAINT_STATUSES

    shown_fields = [c.name for t in ("applications", "documents") for c in TABLES[t].columns]
    families = {
        "band_": ("high", "medium", "low"),
        "status_": ("open", "claimed", "decided"),
        "route_": ("model_flag", "blind_sample", "kill_switch"),
        "outcome_": DECISION_OUTCOMES,
        "role_": ROLES,
        "attr_": FAIRNESS_GROUPS,
        "sla_": ("ok", "due_soon", "breached"),
        "cat_": COMPLAINT_CATEGORIES,
        "cstatus_": COMPLAINT_STATUSES,
        "fb_rating_": ("1", "2", "3", "4", "5"),
        "cp_done_": ("answered", "assigned"),
        "f_": [f for f in shown_fields if f not in _NOT_SHOWN],
    }
    missing = [p + v for p, values in families.items() for v in values if p + v not in MESSAGES]
    assert missing == []


#: Fields the case screen never shows (protected, MRZ lines, identity on the document).
_NOT_SHOWN = {
    "nationality",
    "sex",
    "birth_date",
    "marital_status",
    "mrz_line1",
    "mrz_line2",
    "mrz_line3",
    "printed_nationality",
    "printed_sex",
    "printed_birth_date",
    "issuing_state",
}


def test_translate_fills_values_and_falls_back_to_english():
    assert translate("case_title", "id", id=7) == "Kasus 7"
    assert translate("case_title", "fr", id=7) == "Case 7"
    with pytest.raises(KeyError):
        translate("no_such_key", "en")


def _document(**changes):
    birth, expiry = dt.date(1990, 4, 2), dt.date(2031, 6, 30)
    line1, line2 = compose_td3("P", "MYS", "Tan", "Mei Ling", "A1234567", "MYS", birth, "F", expiry)
    doc = {
        "mrz_format": "TD3",
        "mrz_line1": line1,
        "mrz_line2": line2,
        "mrz_line3": None,
        "printed_surname": "Tan",
        "printed_document_number": "A1234567",
        "printed_birth_date": birth,
        "expiry_date": expiry,
        "chip_auth_result": "passed",
        "face_match_score": 0.93,
        "tamper_score": 0.05,
    }
    doc.update(changes)
    return doc


APPLICATION = {"submitted_at": dt.datetime(2025, 1, 10, 9, 0), "intended_stay_days": 30}


def _results(doc, app=APPLICATION):
    return {c.key: c.ok for c in document_checks(doc, app)}


def test_a_genuine_document_passes_every_check():
    assert _results(_document()) == {
        "check_format": True,
        "check_number": True,
        "check_birth": True,
        "check_expiry": True,
        "check_optional": None,
        "check_composite": True,
        "check_mrz_number": True,
        "check_mrz_name": True,
        "check_mrz_birth": True,
        "check_mrz_expiry": True,
        "check_validity": True,
        "check_chip": True,
        "check_face": True,
        "check_tamper": True,
    }


def test_a_wrong_expiry_check_digit_fails_that_check_and_the_composite():
    doc = _document()
    line2 = doc["mrz_line2"]
    # expiry YYMMDD sits at 21-26, its check digit at 27 (ICAO 9303 part 4)
    wrong = str((int(check_digit(line2[21:27])) + 1) % 10)
    doc["mrz_line2"] = line2[:27] + wrong + line2[28:]
    results = _results(doc)
    assert results["check_expiry"] is False
    assert results["check_composite"] is False
    assert results["check_number"] is True


@pytest.mark.parametrize(
    ("changes", "key", "expected"),
    [
        ({"printed_document_number": "B7654321"}, "check_mrz_number", False),
        ({"printed_surname": "Lim"}, "check_mrz_name", False),
        ({"printed_birth_date": dt.date(1991, 4, 2)}, "check_mrz_birth", False),
        ({"chip_auth_result": "failed"}, "check_chip", False),
        ({"chip_auth_result": "not_present"}, "check_chip", None),
        ({"face_match_score": 0.31}, "check_face", False),
        ({"face_match_score": None}, "check_face", None),
        ({"tamper_score": 0.8}, "check_tamper", False),
    ],
)
def test_each_check_fails_on_its_own_evidence(changes, key, expected):
    assert _results(_document(**changes))[key] is expected


def test_validity_fails_when_the_document_expires_during_the_stay():
    app = {"submitted_at": dt.datetime(2031, 6, 20), "intended_stay_days": 30}
    assert _results(_document(), app)["check_validity"] is False
    app = {"submitted_at": dt.datetime(2031, 5, 31), "intended_stay_days": 30}
    assert _results(_document(), app)["check_validity"] is True


@pytest.mark.parametrize("field", ["face_match_score", "tamper_score"])
def test_a_missing_scanner_score_reads_as_a_dash_not_none(field):
    key = {"face_match_score": "check_face", "tamper_score": "check_tamper"}[field]
    check = next(c for c in document_checks(_document(**{field: None}), {}) if c.key == key)
    for lang in ("en", "id"):
        text = translate(check.key, lang, **check.values)
        assert "None" not in text
        assert text.endswith("(score -)" if lang == "en" else "(skor -)")
