"""Document signals: check digits per format, MRZ vs printed page, validity, primary document."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from feature_world import app, doc, tables
from hypothesis import given, settings
from hypothesis import strategies as st

from features import build_family
from risk.mrz import compose_mrva, compose_td1, compose_td2, compose_td3

CHECKS = ["mrz_format_ok", "mrz_number_check_ok", "mrz_birth_check_ok", "mrz_expiry_check_ok",
          "mrz_optional_check_ok", "mrz_composite_check_ok"]  # fmt: skip
MISMATCHES = ["mrz_name_mismatch", "mrz_number_mismatch", "mrz_birth_date_mismatch",
              "mrz_expiry_mismatch", "mrz_sex_mismatch"]  # fmt: skip
BIRTH, EXPIRY = date(1985, 3, 2), date(2030, 1, 1)


def _docs(*documents, apps=None) -> pl.DataFrame:
    apps = apps or [app(d["application_id"]) for d in documents]
    return build_family("documents", tables(apps, list(documents))).collect()


def _one(**over) -> dict:
    return _docs(doc("A1", **over)).row(0, named=True)


def _zone(fmt, number="C01X00T47", optional=None, surname="Müller", given="Anna Maria",
          birth=BIRTH) -> dict:  # fmt: skip
    compose = {"TD1": compose_td1, "TD2": compose_td2, "TD3": compose_td3, "MRVA": compose_mrva}
    lines = compose[fmt](None, "DEU", surname, given, number, "DEU", birth, "F", EXPIRY,
                         optional)  # fmt: skip
    line3 = lines[2] if fmt == "TD1" else None
    return {"mrz_format": fmt, "mrz_line1": lines[0], "mrz_line2": lines[1], "mrz_line3": line3}


def test_genuine_passport_passes_every_check():
    row = _one()
    assert [row[c] for c in CHECKS] == [True, True, True, True, None, True]
    assert [row[c] for c in MISMATCHES] == [False] * 5
    assert row["document_type"] == "passport" and row["mrz_format"] == "TD3"
    # Submitted 2024-06-01 for 30 days: the stay ends 2024-07-01; expiry 2030-01-01.
    assert row["passport_validity_after_stay_days"] == (EXPIRY - date(2024, 7, 1)).days == 2010
    assert row["passport_age_days"] == (date(2024, 6, 1) - date(2020, 1, 2)).days == 1612
    assert (row["chip_auth_result"], row["face_match_score"], row["tamper_score"]) == (
        "passed", 0.9, 0.05
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("TD1", [True, True, True, True, None, True]),
        ("TD2", [True, True, True, True, None, True]),
        ("TD3", [True, True, True, True, True, True]),  # personal number present: checked
        ("MRVA", [True, True, True, True, None, None]),  # visas have no composite digit
    ],
)
def test_check_digits_per_format(fmt, expected):
    row = _one(**_zone(fmt, optional="ZE184226B"), document_type="national_id")
    assert [row[c] for c in CHECKS] == expected
    assert [row[c] for c in MISMATCHES] == [False] * 5


@pytest.mark.parametrize("fmt", ["TD1", "TD2", "TD3"])
def test_altered_number_breaks_its_check_and_the_composite(fmt):
    zone = _zone(fmt)
    line = "mrz_line1" if fmt == "TD1" else "mrz_line2"
    start = 5 if fmt == "TD1" else 0
    altered = zone[line][:start] + "X" + zone[line][start + 1 :]  # C01X00T47 -> X01X00T47
    row = _one(**{**zone, line: altered})
    assert row["mrz_number_check_ok"] is False
    assert row["mrz_composite_check_ok"] is False
    assert row["mrz_birth_check_ok"] is True
    assert row["mrz_number_mismatch"] is True  # the page still says C01X00T47


def test_malformed_zone_is_flagged():
    zone = _zone("TD3")
    row = _one(mrz_line2=zone["mrz_line2"][:40])
    assert row["mrz_format_ok"] is False


@pytest.mark.parametrize(
    ("page", "flagged"),
    [
        ({"printed_surname": "Schmidt"}, "mrz_name_mismatch"),
        ({"printed_given_names": "Beate"}, "mrz_name_mismatch"),
        ({"printed_document_number": "C01X00T48"}, "mrz_number_mismatch"),
        ({"printed_birth_date": date(1985, 3, 3)}, "mrz_birth_date_mismatch"),
        ({"expiry_date": date(2031, 1, 1)}, "mrz_expiry_mismatch"),
        ({"printed_sex": "M"}, "mrz_sex_mismatch"),
    ],
)
def test_each_page_difference_flags_only_its_own_mismatch(page, flagged):
    row = _one(**page)
    assert {c for c in MISMATCHES if row[c]} == {flagged}


def test_formatting_differences_are_not_mismatches():
    # Lower case and spaces on the page, accents and hyphens transliterated in the zone.
    row = _one(printed_document_number="c01 x00-t47", printed_surname="MÜLLER")
    assert [row[c] for c in MISMATCHES] == [False] * 5


def test_truncated_long_names_and_old_birth_dates_are_not_mismatches():
    given = "Alexandra Konstantina Maximiliane Theodora"
    old = date(1925, 3, 2)  # the zone reads 25 as 2025: dates compare as YYMMDD
    zone = _zone("TD3", surname="Oberbergmann-Hohenstein", given=given, birth=old)
    row = _one(**zone, printed_surname="Oberbergmann-Hohenstein", printed_given_names=given,
               printed_birth_date=old)  # fmt: skip
    assert [row[c] for c in MISMATCHES] == [False] * 5
    assert row["mrz_birth_check_ok"] is True


def test_primary_document_is_the_passport_else_the_first_by_id():
    visa = doc("A1", "D0", document_type="visa", **_zone("MRVA"), issue_date=date(2024, 5, 1))
    passport = doc("A1", "D9", issue_date=date(2020, 1, 2))
    id_b = doc("A2", "D5", document_type="national_id", issue_date=date(2022, 1, 1))
    id_a = doc("A2", "D4", document_type="national_id", issue_date=date(2021, 1, 1))
    got = _docs(visa, passport, id_b, id_a, apps=[app("A1"), app("A2"), app("A3")])
    assert got.get_column("passport_age_days").to_list() == [
        (date(2024, 6, 1) - date(2020, 1, 2)).days,
        (date(2024, 6, 1) - date(2021, 1, 1)).days,
        None,  # no document at all
    ]
    assert got.row(2) == (None,) * got.width


def test_validity_counts_from_the_submission_day():
    apps = [app("A1", submitted_at=datetime(2029, 12, 1, 23, 59), intended_stay_days=45)]
    got = _docs(doc("A1"), apps=apps)
    assert got.item(0, "passport_validity_after_stay_days") == -14  # stay ends 2030-01-15


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A1", "A2", "A3", None]),
            st.sampled_from(["passport", "visa", "national_id", None]),
            st.sampled_from(["D1", "D2", "D3", "D4", "D5", "D6", "D7", None]),
        ),
        max_size=8,
        unique_by=lambda row: row[2],
    )
)
def test_scalar_primary_document_is_the_batch_choice(rows):
    # Passport first, then the smallest document id (nulls first), as the batch sort does.
    from features._sources import primary_document, primary_documents

    frame = pl.LazyFrame(
        rows, schema=["application_id", "document_type", "document_id"], orient="row"
    )
    batch = primary_documents(frame).collect()
    docs = frame.collect().rows(named=True)
    for application_id in {d["application_id"] for d in docs}:
        chosen = primary_document(d for d in docs if d["application_id"] == application_id)
        expected = batch.filter(pl.col("application_id").eq_missing(application_id))
        assert chosen == expected.row(0, named=True), application_id
    assert primary_document([]) is None


# Latin letters with accents and ligatures, combining marks, spaces, hyphens, apostrophes.
_NAME_CHARS = st.sampled_from(
    list("abcxyzABCXYZ -'.<")
    + list("ÄäÖöÜüßẞÆæØøŒœÞþĐđŁłÉéÈçÑñÅåĲĳ")
    + ["\u0301", "\u0308", "\u0327", "\u0903", "\u20dd", "ﬁ", "Ⅻ", "²"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_NAME_CHARS, max_size=12)), min_size=1, max_size=8))
def test_scalar_name_part_equals_the_vectorised_form(names):
    from features._facts_document import _name_expr, _name_scalar

    expected = pl.select(_name_expr(pl.Series("n", names, dtype=pl.String))).to_series()
    assert [_name_scalar(n) for n in names] == expected.to_list()
