"""Vectorised twin of :mod:`risk._mrz._parse`; the rules are documented there."""

from __future__ import annotations

from datetime import date

import polars as pl

from risk._mrz._check import LAYOUTS, check_digit_expr
from risk._mrz._parse import MRZ_SHAPES

_CHARSET = r"^[0-9A-Z<]*$"


def _ok(field: pl.Expr, char: pl.Expr) -> pl.Expr:
    return (check_digit_expr(field).cast(pl.String) == char).fill_null(False)


def _overflow(number: pl.Expr, char: pl.Expr, optional: pl.Expr) -> tuple[pl.Expr, ...]:
    run = optional.str.extract(r"^([0-9A-Z]*)", 1).fill_null("")
    over = (char == "<") & (run.str.len_chars() > 0)
    return (
        pl.when(over).then(pl.concat_str(number, run.str.head(-1))).otherwise(number),
        pl.when(over).then(run.str.tail(1)).otherwise(char),
        pl.when(over).then(optional.str.slice(run.str.len_chars() + 1)).otherwise(optional),
    )


def _td1(l1: pl.Expr, l2: pl.Expr, l3: pl.Expr) -> dict:
    number, char, opt1 = _overflow(l1.str.slice(5, 9), l1.str.slice(14, 1), l1.str.slice(15, 15))
    composite = pl.concat_str(
        l1.str.slice(5, 25), l2.str.slice(0, 7), l2.str.slice(8, 7), l2.str.slice(18, 11)
    )
    return {
        "code": l1.str.slice(0, 2),
        "state": l1.str.slice(2, 3),
        "name": l3,
        "number": (number, char),
        "nationality": l2.str.slice(15, 3),
        "birth": (l2.str.slice(0, 6), l2.str.slice(6, 1)),
        "sex": l2.str.slice(7, 1),
        "expiry": (l2.str.slice(8, 6), l2.str.slice(14, 1)),
        "optional": opt1,
        "optional_2": l2.str.slice(18, 11),
        "optional_check": None,
        "composite": (composite, l2.str.slice(29, 1)),
    }


def _two_line(fmt: str, l1: pl.Expr, l2: pl.Expr) -> dict:
    lay = LAYOUTS[fmt]
    end = 28 + lay.optional_width
    number, char, optional = (
        l2.str.slice(0, 9),
        l2.str.slice(9, 1),
        l2.str.slice(28, lay.optional_width),
    )
    if fmt == "TD2":
        number, char, optional = _overflow(number, char, optional)
    composite = pl.concat_str(
        l2.str.slice(0, 10), l2.str.slice(13, 7), l2.str.slice(21, lay.width - 22)
    )
    return {
        "code": l1.str.slice(0, 2),
        "state": l1.str.slice(2, 3),
        "name": l1.str.slice(5),
        "number": (number, char),
        "nationality": l2.str.slice(10, 3),
        "birth": (l2.str.slice(13, 6), l2.str.slice(19, 1)),
        "sex": l2.str.slice(20, 1),
        "expiry": (l2.str.slice(21, 6), l2.str.slice(27, 1)),
        "optional": optional,
        "optional_2": None,
        "optional_check": (
            (l2.str.slice(28, lay.optional_width), l2.str.slice(end, 1))
            if lay.optional_check
            else None
        ),
        "composite": (composite, l2.str.slice(lay.width - 1, 1)) if lay.composite else None,
    }


def _yymmdd(s: pl.Expr, birth: bool, today: date) -> pl.Expr:
    yy = s.str.slice(0, 2).cast(pl.Int32, strict=False)
    century = pl.when(yy > today.year % 100).then(1900).otherwise(2000) if birth else pl.lit(2000)
    text = pl.concat_str(
        (century + yy).cast(pl.String),
        pl.lit("-"),
        s.str.slice(2, 2),
        pl.lit("-"),
        s.str.slice(4, 2),
    )
    return pl.when(s.str.contains(r"^[0-9]{6}$")).then(text.str.to_date("%Y-%m-%d", strict=False))


def _name_part(s: pl.Expr) -> pl.Expr:
    return s.str.replace_all("<", " ", literal=True).str.replace_all(" +", " ").str.strip_chars(" ")


def _optional_ok(check: tuple[pl.Expr, pl.Expr] | None) -> pl.Expr | None:
    if check is None:
        return None
    field, char = check
    empty = (field.str.strip_chars("<") == "") & char.is_in(["<", "0"])
    return pl.when(~empty).then(_ok(field, char))


def _fields(p: dict, today: date) -> dict[str, pl.Expr | None]:
    name = p["name"]
    at = name.str.find("<<", literal=True)
    sex = p["sex"]
    strip = lambda e: None if e is None else e.str.strip_chars_end("<")  # noqa: E731
    return {
        "document_code": strip(p["code"]),
        "issuing_state": strip(p["state"]),
        "surname": _name_part(pl.when(at.is_null()).then(name).otherwise(name.str.slice(0, at))),
        "given_names": _name_part(
            pl.when(at.is_null()).then(pl.lit("")).otherwise(name.str.slice(at + 2))
        ),
        "document_number": strip(p["number"][0]),
        "nationality": strip(p["nationality"]),
        "birth_date": _yymmdd(p["birth"][0], True, today),
        "sex": pl.when(sex.is_in(["<", "X"])).then(pl.lit("X")).otherwise(sex),
        "expiry_date": _yymmdd(p["expiry"][0], False, today),
        "optional_data": strip(p["optional"]),
        "optional_data_2": strip(p["optional_2"]),
        "number_ok": _ok(*p["number"]),
        "birth_ok": _ok(*p["birth"]),
        "expiry_ok": _ok(*p["expiry"]),
        "optional_ok": _optional_ok(p["optional_check"]),
        "composite_ok": None if p["composite"] is None else _ok(*p["composite"]),
    }


_DTYPES = {"birth_date": pl.Date, "expiry_date": pl.Date} | {
    k: pl.Boolean for k in ("number_ok", "birth_ok", "expiry_ok", "optional_ok", "composite_ok")
}


def _format_ok(fmt: pl.Expr, l1: pl.Expr, l2: pl.Expr, l3: pl.Expr) -> pl.Expr:
    def line_ok(line: pl.Expr, width: int) -> pl.Expr:
        return (line.str.len_chars() == width) & line.str.contains(_CHARSET)

    chain = pl.when(pl.lit(False)).then(pl.lit(False))
    for name, (width, count) in MRZ_SHAPES.items():
        third = line_ok(l3, width) if count == 3 else l3.is_null()
        chain = chain.when(fmt == name).then(line_ok(l1, width) & line_ok(l2, width) & third)
    return chain.otherwise(pl.lit(False)).fill_null(False)


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
    line1, line2, line3 = (e.cast(pl.String) for e in (line1, line2, line3))
    l1, l2, l3 = (e.fill_null("") for e in (line1, line2, line3))
    per_format = {
        name: _fields(_td1(l1, l2, l3) if name == "TD1" else _two_line(name, l1, l2), today)
        for name in MRZ_SHAPES
    }
    out = []
    for field in per_format["TD1"]:
        dtype = _DTYPES.get(field, pl.String)
        chain = pl.when(pl.lit(False)).then(pl.lit(None, dtype=dtype))
        for name, fields in per_format.items():
            value = fields[field]
            chain = chain.when(format == name).then(
                pl.lit(None, dtype=dtype) if value is None else value
            )
        out.append(chain.otherwise(pl.lit(None, dtype=dtype)).alias(field))
    out.append(_format_ok(format, line1, line2, line3).alias("format_ok"))
    return pl.struct(out)
