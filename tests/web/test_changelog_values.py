"""The public changelog's old and new setting values, in both languages."""

from __future__ import annotations

import pytest

from serving.web._transparency import _setting_value


@pytest.mark.parametrize(
    ("key", "value", "lang", "expected"),
    [
        ("chg_kill_switch_on", True, "en", "switched on"),
        ("chg_kill_switch_off", False, "id", "dinonaktifkan"),
        ("chg_blind_sample_rate", 0.02, "en", "2.0%"),
        ("chg_threshold", 0.5, "id", "0,500"),
    ],
)
def test_a_setting_value_is_shown_in_words_or_the_locales_numbers(key, value, lang, expected):
    assert _setting_value(key, value, lang) == expected
