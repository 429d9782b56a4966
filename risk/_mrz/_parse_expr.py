"""Vectorised twin of :mod:`risk._mrz._parse`; the rules are documented there.

The five formats share two layouts (TD1, and the two-line TD2/TD3/MRV-A/MRV-B whose
widths differ), so each row's raw pieces are cut once per layout, merged by format, and
every derived value (dates, names, check digits) is computed once over the merged
pieces.  Evaluating all five formats for every row cost several times more.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from risk._mrz._check import LAYOUTS, check_digit_expr
from risk._mrz._parse import MRZ_SHAPES

_CHARSET = r"^[0-9A-Z<]*$"
_S = pl.String


def _ok(field: pl.Expr, char: pl.Expr) -> pl.Expr:
    return (check_digit_expr(field).cast(pl.String) == char).fill_null(False)


def _overflow(number: pl.Expr, char: pl.Expr, optional: pl.Expr, applies: pl.Expr) -> tuple:
    run = optional.str.extract(r"^([0-9A-Z]*)", 1).fill_null("")
    over = applies & (char == "<") & (run.str.len_chars() > 0)
    return (
        pl.when(over).then(pl.concat_str(number, run.str.head(-1))).otherwise(number),
        pl.when(over).then(run.str.tail(1)).otherwise(char),
        pl.when(over).then(optional.str.slice(run.str.len_chars() + 1)).otherwise(optional),
    )


def _by_format(fmt: pl.Expr, values: dict[str, int]) -> pl.Expr:
    return fmt.replace_strict(values, default=None, return_dtype=pl.Int64)


def _td1(l1: pl.Expr, l2: pl.Expr, l3: pl.Expr) -> dict[str, pl.Expr]:
    number, char, opt1 = _overflow(
        l1.str.slice(5, 9), l1.str.slice(14, 1), l1.str.slice(15, 15), pl.lit(True)
    )
    composite = pl.concat_str(
        l1.str.slice(5, 25), l2.str.slice(0, 7), l2.str.slice(8, 7), l2.str.slice(18, 11)
    )
    return {
        "code": l1.str.slice(0, 2), "state": l1.str.slice(2, 3), "name": l3,
        "number": number, "number_cd": char, "nationality": l2.str.slice(15, 3),
        "birth": l2.str.slice(0, 6), "birth_cd": l2.str.slice(6, 1), "sex": l2.str.slice(7, 1),
        "expiry": l2.str.slice(8, 6), "expiry_cd": l2.str.slice(14, 1), "optional": opt1,
        "optional_2": l2.str.slice(18, 11), "opt_field": pl.lit(None, _S),
        "opt_cd": pl.lit(None, _S), "composite": composite, "composite_cd": l2.str.slice(29, 1),
    }  # fmt: skip


def _two_line(fmt: pl.Expr, l1: pl.Expr, l2: pl.Expr) -> dict[str, pl.Expr]:
    width = _by_format(fmt, {k: v.width for k, v in LAYOUTS.items()})
    opt_width = _by_format(fmt, {k: v.optional_width for k, v in LAYOUTS.items()})
    number, char, optional = _overflow(
        l2.str.slice(0, 9), l2.str.slice(9, 1), l2.str.slice(28, opt_width), fmt == "TD2"
    )
    composite = pl.concat_str(
        l2.str.slice(0, 10), l2.str.slice(13, 7), l2.str.slice(21, width - 22)
    )
    return {
        "code": l1.str.slice(0, 2), "state": l1.str.slice(2, 3), "name": l1.str.slice(5),
        "number": number, "number_cd": char, "nationality": l2.str.slice(10, 3),
        "birth": l2.str.slice(13, 6), "birth_cd": l2.str.slice(19, 1), "sex": l2.str.slice(20, 1),
        "expiry": l2.str.slice(21, 6), "expiry_cd": l2.str.slice(27, 1), "optional": optional,
        "optional_2": pl.lit(None, _S), "opt_field": l2.str.slice(28, 14),
        "opt_cd": l2.str.slice(42, 1), "composite": composite,
        "composite_cd": l2.str.slice(width - 1, 1),
    }  # fmt: skip


def _yymmdd(s: pl.Expr, birth: bool, today: date) -> pl.Expr:
    # Parse with polars' own two-digit-year pivot, then move the century where ours
    # differs (whole centuries keep 29 February valid between 1901 and 2099).
    parsed = s.str.to_date("%y%m%d", strict=False)
    year = parsed.dt.year()
    yy = year % 100
    target = (pl.when(yy > today.year % 100).then(1900).otherwise(2000) if birth else 2000) + yy
    moved = (
        pl.when(target < year)
        .then(parsed.dt.offset_by("-100y"))
        .when(target > year)
        .then(parsed.dt.offset_by("100y"))
        .otherwise(parsed)
    )
    return pl.when(s.str.contains(r"^[0-9]{6}$")).then(moved)


def _name_part(s: pl.Expr) -> pl.Expr:
    return s.str.replace_all("[< ]+", " ").str.strip_chars(" ")


def _fields(fmt: pl.Expr, p: dict[str, pl.Expr], today: date) -> dict[str, pl.Expr]:
    parts, sex = p["name"].str.splitn("<<", 2), p["sex"]
    empty_opt = (p["opt_field"].str.strip_chars("<") == "") & p["opt_cd"].is_in(["<", "0"])
    composite = fmt.is_in([k for k, v in LAYOUTS.items() if v.composite] + ["TD1"])
    return {
        "document_code": p["code"].str.strip_chars_end("<"),
        "issuing_state": p["state"].str.strip_chars_end("<"),
        "surname": _name_part(parts.struct.field("field_0")),
        "given_names": _name_part(parts.struct.field("field_1").fill_null("")),
        "document_number": p["number"].str.strip_chars_end("<"),
        "nationality": p["nationality"].str.strip_chars_end("<"),
        "birth_date": _yymmdd(p["birth"], True, today),
        "sex": pl.when(sex.is_in(["<", "X"])).then(pl.lit("X")).otherwise(sex),
        "expiry_date": _yymmdd(p["expiry"], False, today),
        "optional_data": p["optional"].str.strip_chars_end("<"),
        "optional_data_2": p["optional_2"].str.strip_chars_end("<"),
        "number_ok": _ok(p["number"], p["number_cd"]),
        "birth_ok": _ok(p["birth"], p["birth_cd"]),
        "expiry_ok": _ok(p["expiry"], p["expiry_cd"]),
        "optional_ok": pl.when((fmt == "TD3") & ~empty_opt).then(_ok(p["opt_field"], p["opt_cd"])),
        "composite_ok": pl.when(composite).then(_ok(p["composite"], p["composite_cd"])),
    }


def _format_ok(fmt: pl.Expr, l1: pl.Expr, l2: pl.Expr, l3: pl.Expr) -> pl.Expr:
    width = _by_format(fmt, {k: w for k, (w, _) in MRZ_SHAPES.items()})
    three = fmt.is_in([k for k, (_, n) in MRZ_SHAPES.items() if n == 3])

    def line_ok(line: pl.Expr) -> pl.Expr:
        return (line.str.len_chars() == width) & line.str.contains(_CHARSET)

    third = pl.when(three).then(line_ok(l3)).otherwise(l3.is_null())
    return (line_ok(l1) & line_ok(l2) & third).fill_null(False)


def parse_mrz_expr(
    format: pl.Expr,
    line1: pl.Expr,
    line2: pl.Expr,
    line3: pl.Expr | None = None,
    *,
    today: date | None = None,
) -> pl.Expr:
    """Vectorised :func:`risk.mrz.parse_mrz`: a struct with the fields of :class:`MRZ`
    (all but ``format``), one row per zone; see :mod:`risk.mrz` for the rules."""
    today = today or date.today()
    line3 = pl.lit(None, dtype=pl.String) if line3 is None else line3
    fmt = format.cast(pl.String)
    line1, line2, line3 = (e.cast(pl.String) for e in (line1, line2, line3))
    l1, l2, l3 = (e.fill_null("") for e in (line1, line2, line3))
    td1, two = _td1(l1, l2, l3), _two_line(fmt, l1, l2)
    is_td1 = (fmt == "TD1").fill_null(False)
    pieces = {k: pl.when(is_td1).then(td1[k]).otherwise(two[k]) for k in td1}
    known = fmt.is_in(list(MRZ_SHAPES)).fill_null(False)
    fields = [pl.when(known).then(e).alias(k) for k, e in _fields(fmt, pieces, today).items()]
    return pl.struct([*fields, _format_ok(fmt, line1, line2, line3).alias("format_ok")])
