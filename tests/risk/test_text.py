"""Counted nouns and lists of names in messages (never "1 complaints" or "['a', 'b']")."""

from __future__ import annotations

import pytest

from risk.text import listing, noun, plural


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "complaint", "0 complaints"),
        (1, "complaint", "1 complaint"),
        (2, "complaint", "2 complaints"),
        (1, "small group", "1 small group"),
        (5, "small group", "5 small groups"),
        (3, "failed sign-in", "3 failed sign-ins"),
        (2, "entry", "2 entries"),
        (2, "match", "2 matches"),
        (2, "address", "2 addresses"),
        (4, "person", "4 people"),
        (1234, "case", "1,234 cases"),
    ],
)
def test_plural_counts_in_the_right_number(count, word, expected):
    assert plural(count, word) == expected


def test_plural_takes_an_irregular_form_it_does_not_know():
    assert (plural(1, "criterion", "criteria"), plural(2, "criterion", "criteria")) == (
        "1 criterion",
        "2 criteria",
    )


def test_noun_is_the_word_without_its_count():
    assert (noun(1, "field"), noun(0, "field"), noun(2, "field")) == ("field", "fields", "fields")


@pytest.mark.parametrize(
    ("items", "kwargs", "expected"),
    [
        ([], {}, "none"),
        (["fairness"], {}, "fairness"),
        (["fairness", "quality"], {}, "fairness and quality"),
        (["all", "flagged", "none"], {"conjunction": "or"}, "all, flagged or none"),
        (("en", "id"), {"quote": True, "conjunction": "or"}, '"en" or "id"'),
        ({"a": 1, "b": 2}, {}, "a and b"),
    ],
)
def test_listing_reads_as_a_sentence(items, kwargs, expected):
    assert listing(items, **kwargs) == expected
