"""ICAO 9303 zones: specimens, corruptions, round trips, and vectorised == scalar."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.mrz import (
    MRZ,
    check_digit,
    check_digit_expr,
    compose_mrva,
    compose_mrvb,
    compose_td1,
    compose_td2,
    compose_td3,
    detect_format,
    parse_mrz,
    parse_mrz_expr,
    transliterate,
    transliterate_expr,
)

TODAY = date(2026, 1, 1)

# ICAO 9303 specimens.  TD3: Part 4; TD1: Part 5; TD2: Part 6; MRV-A/B: Part 7;
# the long-number TD1 and TD2: Part 11 Appendix D.2.
SPECIMENS = {
    "TD3": (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ),
    "TD1": (
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ),
    "TD1_LONG": (
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ),
    "TD2": ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"),
    "TD2_LONG": ("I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<", "D23145890<UTO3407127M95071227349<<<8"),
    "MRVA": (
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    ),
    "MRVB": ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"),
}
ANNA = ("UTO", "Eriksson", "Anna Maria")
PETER = ("UTO", "Stevenson", "Peter John")
SPECIMEN_INPUTS = {
    "TD3": (
        compose_td3,
        "P",
        *ANNA,
        "L898902C3",
        "UTO",
        date(1974, 8, 12),
        "F",
        date(2012, 4, 15),
        "ZE184226B",
    ),
    "TD1": (compose_td1, "I", *ANNA, "D23145890", "UTO", date(1974, 8, 12), "F", date(2012, 4, 15)),
    "TD1_LONG": (
        compose_td1,
        "I",
        *PETER,
        "D23145890734",
        "UTO",
        date(1934, 7, 12),
        "M",
        date(1995, 7, 12),
    ),
    "TD2": (compose_td2, "I", *ANNA, "D23145890", "UTO", date(1974, 8, 12), "F", date(2012, 4, 15)),
    "MRVA": (
        compose_mrva,
        "V",
        *ANNA,
        "L8988901C",
        "XXX",
        date(1940, 9, 7),
        "F",
        date(1996, 12, 10),
        "6ZE184226B",
    ),
    "MRVB": (
        compose_mrvb,
        "V",
        *ANNA,
        "L8988901C",
        "XXX",
        date(1940, 9, 7),
        "F",
        date(1996, 12, 10),
    ),
}
FORMAT = {"TD1_LONG": "TD1", "TD2_LONG": "TD2"}


def test_check_digit_of_specimen_fields() -> None:
    assert check_digit("L898902C3") == 6
    assert check_digit("740812") == 2
    assert check_digit("120415") == 9
    assert check_digit("ZE184226B<<<<<") == 1
    assert check_digit("L898902C3674081221204159ZE184226B<<<<<1") == 0
    assert check_digit("D23145890734") == 9
    assert check_digit("") == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("AB c", "invalid MRZ character ' ' at position 3 of 'AB c'"),
        ("L89é", "invalid MRZ character 'é' at position 4 of 'L89é'"),
        ("abc", "invalid MRZ character 'a' at position 1 of 'abc'"),
    ],
)
def test_check_digit_rejects_bad_characters(bad: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        check_digit(bad)
    assert str(info.value) == message + " (allowed: 0-9, A-Z, '<')"


def test_check_digit_expr_matches_scalar_and_nulls_bad_input() -> None:
    values = ["L898902C3", "", "<<<", None, "abc", "ZE184226B<<<<<", "É", "X" * 80, "1 2"]
    out = pl.DataFrame({"s": values}).select(check_digit_expr(pl.col("s")))["s"]
    assert out.dtype == pl.UInt8
    assert out.to_list() == [6, 0, 0, None, None, 1, None, check_digit("X" * 80), None]


@pytest.mark.parametrize("name", list(SPECIMEN_INPUTS))
def test_compose_reproduces_specimen(name: str) -> None:
    fn, *args = SPECIMEN_INPUTS[name]
    assert fn(*args) == SPECIMENS[name]


EXPECTED_FIELDS = {
    "TD3": dict(
        document_code="P",
        document_number="L898902C3",
        nationality="UTO",
        birth_date=date(1974, 8, 12),
        sex="F",
        expiry_date=date(2012, 4, 15),
        optional_data="ZE184226B",
        optional_ok=True,
        composite_ok=True,
    ),
    "TD1": dict(
        document_code="I",
        document_number="D23145890",
        birth_date=date(1974, 8, 12),
        expiry_date=date(2012, 4, 15),
        optional_data="",
        optional_data_2="",
        optional_ok=None,
        composite_ok=True,
    ),
    "TD1_LONG": dict(
        surname="STEVENSON",
        given_names="PETER JOHN",
        document_number="D23145890734",
        birth_date=date(1934, 7, 12),
        sex="M",
        expiry_date=date(2095, 7, 12),
        optional_data="",
        composite_ok=True,
    ),
    "TD2": dict(document_number="D23145890", composite_ok=True, optional_ok=None),
    "TD2_LONG": dict(document_number="D23145890734", optional_data="", composite_ok=True),
    "MRVA": dict(
        document_code="V",
        document_number="L8988901C",
        nationality="XXX",
        birth_date=date(1940, 9, 7),
        expiry_date=date(2096, 12, 10),
        optional_data="6ZE184226B",
        optional_ok=None,
        composite_ok=None,
    ),
    "MRVB": dict(document_number="L8988901C", optional_data="", composite_ok=None),
}


@pytest.mark.parametrize("name", list(SPECIMENS))
def test_parse_specimen(name: str) -> None:
    mrz = parse_mrz(SPECIMENS[name], today=TODAY)
    assert mrz.format == FORMAT.get(name, name)
    assert (mrz.number_ok, mrz.birth_ok, mrz.expiry_ok, mrz.format_ok) == (True,) * 4
    assert mrz.checks_ok
    assert mrz.issuing_state == "UTO"
    if "LONG" not in name:
        assert (mrz.surname, mrz.given_names) == ("ERIKSSON", "ANNA MARIA")
    for key, value in EXPECTED_FIELDS[name].items():
        assert getattr(mrz, key) == value, key


def _replace(lines: tuple[str, ...], line: int, pos: int, new: str) -> tuple[str, ...]:
    out = list(lines)
    out[line] = out[line][:pos] + new + out[line][pos + 1 :]
    return tuple(out)


# (specimen, line, position, replacement, checks that must fail); every other check passes.
CORRUPTIONS = [
    ("TD3", 1, 2, "7", {"number_ok", "composite_ok"}),
    ("TD3", 1, 9, "7", {"number_ok", "composite_ok"}),
    ("TD3", 1, 15, "5", {"birth_ok", "composite_ok"}),
    ("TD3", 1, 23, "3", {"expiry_ok", "composite_ok"}),
    ("TD3", 1, 30, "F", {"optional_ok", "composite_ok"}),
    ("TD3", 1, 43, "1", {"composite_ok"}),
    ("TD3", 1, 11, "X", set()),  # nationality is not checked
    ("TD1", 0, 7, "4", {"number_ok", "composite_ok"}),
    ("TD1", 1, 3, "9", {"birth_ok", "composite_ok"}),
    ("TD1", 1, 10, "3", {"expiry_ok", "composite_ok"}),
    ("TD1", 0, 20, "Q", {"composite_ok"}),  # optional data: composite only
    ("TD1", 1, 29, "5", {"composite_ok"}),
    ("TD1_LONG", 0, 16, "5", {"number_ok", "composite_ok"}),  # overflowed number part
    ("TD2", 1, 4, "0", {"number_ok", "composite_ok"}),
    ("TD2", 1, 16, "3", {"birth_ok", "composite_ok"}),
    ("TD2", 1, 24, "8", {"expiry_ok", "composite_ok"}),
    ("TD2", 1, 30, "B", {"composite_ok"}),
    ("MRVA", 1, 0, "M", {"number_ok"}),
    ("MRVA", 1, 14, "1", {"birth_ok"}),
    ("MRVA", 1, 22, "8", {"expiry_ok"}),
    ("MRVA", 1, 30, "Q", set()),  # MRV optional data is not checked
    ("MRVB", 1, 19, "0", {"birth_ok"}),
]
CHECKS = ("number_ok", "birth_ok", "expiry_ok", "optional_ok", "composite_ok")


@pytest.mark.parametrize(("name", "line", "pos", "new", "failing"), CORRUPTIONS)
def test_corruption_flips_exactly_its_checks(name, line, pos, new, failing) -> None:
    lines = _replace(SPECIMENS[name], line, pos, new)
    assert lines != SPECIMENS[name]
    clean, bad = parse_mrz(SPECIMENS[name], today=TODAY), parse_mrz(lines, today=TODAY)
    for check in CHECKS:
        expected = False if check in failing else getattr(clean, check)
        assert getattr(bad, check) is expected, check
    assert bad.format_ok


def test_empty_td3_personal_number_accepts_filler_or_zero_check() -> None:
    l1, l2 = compose_td3("P", *ANNA, "L898902C3", "UTO", date(1974, 8, 12), "F", date(2012, 4, 15))
    assert l2[28:43] == "<" * 15
    for char, expected in (("<", None), ("0", None), ("3", False)):
        lines = (l1, l2[:42] + char + l2[43])
        assert parse_mrz(lines, today=TODAY).optional_ok is expected


@pytest.mark.parametrize(
    ("lines", "fmt", "ok"),
    [
        (SPECIMENS["TD3"], "TD3", True),
        ((SPECIMENS["TD3"][0], SPECIMENS["TD3"][1][:43]), "TD3", False),  # short line
        ((*SPECIMENS["TD3"], "EXTRA"), "TD3", False),  # a third line where none belongs
        ((SPECIMENS["TD3"][0].lower(), SPECIMENS["TD3"][1]), "TD3", False),  # charset
        (SPECIMENS["TD1"][:2], "TD1", False),  # line missing
        (SPECIMENS["TD2"], "TD3", False),  # declared format disagrees with the shape
    ],
)
def test_format_ok(lines, fmt, ok) -> None:
    assert parse_mrz(lines, format=fmt, today=TODAY).format_ok is ok
    df = pl.DataFrame({"l": [list(lines) + [None] * (3 - len(lines))]})
    vec = _parse_vec(df.select(pl.col("l").list.to_struct(fields=["a", "b", "c"])).unnest("l"), fmt)
    assert vec[0]["format_ok"] is ok


def test_undetectable_zone_gives_empty_record() -> None:
    mrz = parse_mrz(["ABC"])
    assert mrz == MRZ(None, *([None] * 16), format_ok=False)
    assert detect_format(SPECIMENS["MRVB"]) == "MRVB"
    assert detect_format([*SPECIMENS["TD2"], None]) == "TD2"


def test_birth_century_follows_reference_year() -> None:
    lines = SPECIMENS["TD3"][0], SPECIMENS["TD3"][1]
    assert parse_mrz(lines, today=date(2074, 1, 1)).birth_date == date(2074, 8, 12)
    assert parse_mrz(lines, today=date(2073, 1, 1)).birth_date == date(1974, 8, 12)


@pytest.mark.parametrize(
    ("raw", "zone"),
    [
        ("Anna-María  d'Arc", "ANNA<MARIA<DARC"),
        ("Ærøskøbing Straße", "AEROESKOEBING<STRASSE"),
        ("  Łukasz ", "LUKASZ"),
        ("O'Brien-Smith", "OBRIEN<SMITH"),
    ],
)
def test_transliterate(raw: str, zone: str) -> None:
    assert transliterate(raw) == zone


def test_long_names_are_truncated_to_the_field() -> None:
    l1, _ = compose_td3(
        "P",
        "UTO",
        "Wolfeschlegelsteinhausenbergerdorff",
        "Hubert Blaine",
        "X1",
        "UTO",
        date(1990, 1, 1),
        "M",
        date(2030, 1, 1),
    )
    assert l1 == "P<UTOWOLFESCHLEGELSTEINHAUSENBERGERDORFF<<HU"
    assert len(l1) == 44


# ---------------------------------------------------------------------------- properties

COMPOSERS = {
    "TD1": (compose_td1, 30, 15),
    "TD2": (compose_td2, 36, 7),
    "TD3": (compose_td3, 44, 14),
    "MRVA": (compose_mrva, 44, 16),
    "MRVB": (compose_mrvb, 36, 8),
}
_WORD = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
_CODE = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=9)


@st.composite
def documents(draw, fmts=tuple(COMPOSERS)):
    fmt = draw(st.sampled_from(fmts))
    width = COMPOSERS[fmt][1]
    surname = " ".join(draw(st.lists(_WORD, min_size=1, max_size=2)))
    given = " ".join(draw(st.lists(_WORD, min_size=0, max_size=2)))
    if len(surname) + len(given) + 2 > width - (0 if fmt == "TD1" else 5):
        given = ""
    number = draw(_CODE)
    if fmt == "TD1" and draw(st.booleans()):
        number += draw(st.text("0123456789", min_size=1, max_size=3))  # overflow rule
    optional = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=COMPOSERS[fmt][2]))
    if fmt == "TD1" and len(number) > 9:
        optional = optional[: 15 - (len(number) - 9) - 2]
    return fmt, dict(
        document_code=draw(st.sampled_from(["P", "I", "V", "AC", "PO"])),
        issuing_state=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)),
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)),
        birth_date=draw(st.dates(date(1927, 1, 1), date(2026, 12, 31))),
        sex=draw(st.sampled_from(["F", "M", "X"])),
        expiry_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        optional_data=optional,
    )


@settings(max_examples=150, deadline=None)
@given(documents())
def test_compose_then_parse_round_trips(doc) -> None:
    fmt, fields = doc
    lines = COMPOSERS[fmt][0](**fields)
    mrz = parse_mrz(lines, format=fmt, today=TODAY)
    assert mrz.format_ok and mrz.checks_ok
    assert mrz.number_ok and mrz.birth_ok and mrz.expiry_ok
    assert (mrz.composite_ok is None) == (fmt in ("MRVA", "MRVB"))
    assert mrz.surname == fields["surname"]
    assert mrz.given_names == fields["given_names"]
    assert mrz.document_number == fields["document_number"]
    assert mrz.document_code == fields["document_code"]
    assert (mrz.issuing_state, mrz.nationality) == (fields["issuing_state"], fields["nationality"])
    assert (mrz.birth_date, mrz.expiry_date) == (fields["birth_date"], fields["expiry_date"])
    assert mrz.sex == fields["sex"]
    assert mrz.optional_data == fields["optional_data"]


def _digit_positions(fmt: str) -> list[tuple[int, int, str]]:
    """(line, position, check) of every character covered by a field check digit."""
    if fmt == "TD1":
        return (
            [(0, p, "number_ok") for p in range(5, 14)]
            + [(1, p, "birth_ok") for p in range(0, 6)]
            + [(1, p, "expiry_ok") for p in range(8, 14)]
        )
    return (
        [(1, p, "number_ok") for p in range(0, 9)]
        + [(1, p, "birth_ok") for p in range(13, 19)]
        + [(1, p, "expiry_ok") for p in range(21, 27)]
    )


@settings(max_examples=150, deadline=None)
@given(documents(), st.data())
def test_any_single_digit_substitution_is_detected(doc, data) -> None:
    fmt, fields = doc
    fields["document_number"] = data.draw(st.text("0123456789", min_size=9, max_size=9))
    lines = COMPOSERS[fmt][0](**fields)
    line, pos, check = data.draw(st.sampled_from(_digit_positions(fmt)))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != lines[line][pos]]))
    assert (
        getattr(parse_mrz(_replace(lines, line, pos, new), format=fmt, today=TODAY), check) is False
    )


def _parse_vec(df: pl.DataFrame, fmt: str) -> list[dict]:
    cols = df.columns
    expr = parse_mrz_expr(
        pl.lit(fmt), pl.col(cols[0]), pl.col(cols[1]), pl.col(cols[2]), today=TODAY
    )
    return df.select(p=expr).unnest("p").to_dicts()


def _scalar_dict(mrz: MRZ) -> dict:
    d = mrz.as_dict()
    del d["format"]
    return d


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=40), st.data())
def test_vectorised_parse_equals_scalar(docs, data) -> None:
    fmt = docs[0][0]
    lines = [COMPOSERS[fmt][0](**f) for f_fmt, f in docs if f_fmt == fmt]
    # corrupt some zones with arbitrary characters, including invalid ones
    noisy = []
    for zone in lines:
        zone = list(zone)
        if data.draw(st.booleans()):
            i = data.draw(st.integers(0, len(zone) - 1))
            pos = data.draw(st.integers(0, len(zone[i]) - 1))
            zone[i] = zone[i][:pos] + data.draw(st.sampled_from("<0A9Zx ")) + zone[i][pos + 1 :]
        noisy.append((*zone, None, None)[:3])
    df = pl.DataFrame(noisy, schema=["a", "b", "c"], orient="row")
    expected = [_scalar_dict(parse_mrz(z, format=fmt, today=TODAY)) for z in noisy]
    assert _parse_vec(df, fmt) == expected


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["TD1", "TD2", "TD3", "MRVA", "MRVB", "X"]),
            st.text("AB<0123456789x", max_size=45),
            st.text("ABZ<019", max_size=45),
            st.none() | st.text("AB<", max_size=31),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_vectorised_equals_scalar_on_garbage(rows) -> None:
    df = pl.DataFrame(rows, schema=["f", "a", "b", "c"], orient="row")
    expr = parse_mrz_expr(pl.col("f"), pl.col("a"), pl.col("b"), pl.col("c"), today=TODAY)
    vec = df.select(p=expr).unnest("p").to_dicts()
    assert vec == [_scalar_dict(parse_mrz(r[1:], format=r[0], today=TODAY)) for r in rows]


@given(st.lists(st.text("0123456789ABCZ<a é", max_size=50) | st.none(), max_size=30))
def test_check_digit_expr_equals_scalar(values) -> None:
    def scalar(v):
        try:
            return None if v is None else check_digit(v)
        except ValueError:
            return None

    out = pl.DataFrame({"s": values}, schema={"s": pl.String}).select(check_digit_expr(pl.col("s")))
    assert out["s"].to_list() == [scalar(v) for v in values]


def test_transliterate_expr_equals_scalar() -> None:
    names = ["Anna-María  d'Arc", "Ærøskøbing", "Łukasz", "Zoë", "Çelik", "Jörg", "", "Ñandú"]
    vec = pl.select(transliterate_expr(pl.Series("n", names, dtype=pl.String))).to_series()
    assert vec.to_list() == [transliterate(n) for n in names]
    assert vec.to_list()[:2] == ["ANNA<MARIA<DARC", "AEROESKOEBING"]


def test_expressions_run_in_the_streaming_engine() -> None:
    lf = pl.LazyFrame({"f": ["TD3"], "a": [SPECIMENS["TD3"][0]], "b": [SPECIMENS["TD3"][1]]})
    out = lf.select(
        cd=check_digit_expr(pl.lit("L898902C3")),
        ok=parse_mrz_expr(pl.col("f"), pl.col("a"), pl.col("b"), today=TODAY).struct.field(
            "composite_ok"
        ),
    ).collect(engine="streaming")
    assert out.row(0) == (6, True)
