"""Bad and unknown addresses on the screens answer HTML pages; the API keeps its JSON."""

from __future__ import annotations

import html
import re

import pytest


def _alert(page: str) -> str:
    start = page.index('id="page-error">') + len('id="page-error">')
    return html.unescape(page[start : page.index("</p>", start)])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "This address is not valid: the case number must be a whole number, and “abc” is not.",
        ),
        ("id", "Alamat ini tidak sah: nomor kasus harus bilangan bulat, dan “abc” tidak."),
    ],
)
def test_a_case_id_that_is_not_a_number_answers_the_error_page(client_factory, lang, expected):
    client = client_factory("officer2")
    _switch(client, lang)
    try:
        r = client.get("/cases/abc")
    finally:
        _switch(client, "en")  # the language is remembered per user
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert _alert(r.text) == expected


def _switch(client, lang: str) -> None:
    page = client.get("/queue").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/lang", data={"lang": lang, "csrf": csrf}).status_code == 303


def test_an_unknown_case_answers_the_404_page(client_factory):
    r = client_factory("officer").get("/cases/999999?lang=en")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert _alert(r.text) == "Not found: case 999999"


def test_an_unknown_screen_answers_the_404_page_signed_out(client_factory):
    r = client_factory().get("/no-such-screen?lang=id")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert _alert(r.text) == "Tidak ditemukan: tidak ada halaman di /no-such-screen"


def test_the_api_keeps_its_json_answers(client_factory):
    client = client_factory()
    r = client.get("/v1/cases/abc")
    assert r.headers["content-type"] == "application/json"
    assert r.status_code in (401, 422)  # unauthenticated callers are refused before parsing
    missing = client.get("/v1/no-such-resource")
    assert (missing.status_code, missing.json()) == (
        404,
        {"error": "not_found", "detail": "Not Found"},
    )


@pytest.mark.parametrize(
    ("key", "values", "lang", "expected"),
    [
        ("queue_count", {"n": "1"}, "en", "1 case"),
        ("queue_count", {"n": "2"}, "en", "2 cases"),
        ("queue_count", {"n": "1"}, "id", "1 kasus"),
        ("cp_count", {"n": 1}, "en", "1 complaint"),
        ("cp_count", {"n": "11"}, "en", "11 complaints"),
        ("tr_small_groups", {"k": 1}, "en", "1 small group"),
    ],
)
def test_counted_messages_are_in_the_right_number(key, values, lang, expected):
    from serving.web import translate

    assert translate(key, lang, **values) == expected
