"""The work-flow screens in Debian's chromium, in both languages, with screenshots:
the queue (search, the officer's decided cases, pages), the supervisor's tables and the
admin console."""

from __future__ import annotations

import pytest
from test_browser import _accessible, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: What the language switch is called in each language: (label, button).
SWITCH = {"en": ("Language", "Change language"), "id": ("Bahasa", "Ganti bahasa")}
WORDS = {
    "en": {"search": "Search", "decided": "My decided cases", "last": "Go to the last page"},
    "id": {"search": "Cari", "decided": "Kasus yang saya putuskan", "last": "Ke halaman terakhir"},
}


def _language(page, current: str, lang: str) -> None:
    if current == lang:
        return
    label, button = SWITCH[current]
    page.get_by_label(label, exact=True).select_option(lang)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("domcontentloaded")


def _spare_case(web_world) -> int:
    """An open case no other test names by index (other tests use case_ids[:10])."""
    from serving.store import Case

    with web_world.store.reading() as session:
        return next(
            c for c in reversed(web_world.case_ids[10:]) if session.get(Case, c).status == "open"
        )


def _application(web_world, case_id: int) -> str:
    from serving.store import Case

    with web_world.store.reading() as session:
        return session.get(Case, case_id).application_id


@pytest.mark.parametrize("lang", ["en", "id"])
def test_officer_searches_the_queue_and_reads_their_decided_cases(
    new_page, live_url, web_world, decided_case, screenshots_dir, lang
):
    words = WORDS[lang]
    page = new_page()
    _sign_in(page, live_url, "officer2")
    _language(page, "en", lang)
    try:
        page.goto(f"{live_url}/queue")
        _accessible(page)
        page.screenshot(path=screenshots_dir / f"queue-{lang}.png", full_page=True)
        target = web_world.case_ids[5]
        page.locator("#f-q").fill(_application(web_world, target))
        page.get_by_role("button", name=words["search"], exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#queue tbody tr").count() == 1
        assert page.locator(f'tr[data-case="{target}"]').count() == 1
        page.screenshot(path=screenshots_dir / f"queue-search-{lang}.png", full_page=True)
        page.get_by_role("link", name=words["decided"], exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator(f'tr[data-case="{decided_case}"]').count() == 1
        _accessible(page)
        page.screenshot(path=screenshots_dir / f"queue-decided-{lang}.png", full_page=True)
        page.goto(f"{live_url}/queue?page=40")
        page.get_by_role("link", name=words["last"]).click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#queue tbody tr").count() >= 1
    finally:
        _language(page, lang, "en")  # the language is remembered per user


ADMIN_WORDS = {
    "en": {"add": "Add, and show their first password", "shown": "is shown once"},
    "id": {"add": "Tambah, dan tampilkan kata sandi pertamanya", "shown": "ditampilkan sekali"},
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_admin_adds_a_person_who_then_signs_in(new_page, live_url, screenshots_dir, lang):
    words = ADMIN_WORDS[lang]
    page = new_page()
    _sign_in(page, live_url, "admin")
    assert page.url.endswith("/admin")
    _language(page, "en", lang)
    try:
        _accessible(page)
        page.screenshot(path=screenshots_dir / f"admin-{lang}.png", full_page=True)
        page.locator("#new-username").fill(f"browser-{lang}")
        page.locator("#new-role").select_option("officer")
        page.get_by_role("button", name=words["add"]).click()
        page.wait_for_load_state("domcontentloaded")
        assert words["shown"] in page.locator("#shown-h").inner_text()
        password = page.locator("#shown-password").inner_text()
        page.screenshot(path=screenshots_dir / f"admin-shown-once-{lang}.png", full_page=True)
        other = new_page()
        other.goto(f"{live_url}/login")
        other.locator("#username").fill(f"browser-{lang}")
        other.locator("#password").fill(password)
        other.locator("form[action='/login'] button[type=submit]").click()
        other.wait_for_url("**/queue")
    finally:
        _language(page, lang, "en")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_supervisor_sorts_and_reassigns_from_the_table(
    new_page, live_url, web_world, screenshots_dir, lang
):
    page = new_page()
    _sign_in(page, live_url, "supervisor")
    _language(page, "en", lang)
    try:
        page.goto(f"{live_url}/supervisor?sort=newest")  # the spare cases are the newest
        _accessible(page)
        page.screenshot(path=screenshots_dir / f"supervisor-{lang}.png", full_page=True)
        case_id = str(_spare_case(web_world))
        row = page.locator(f'#sup-cases tr[data-case="{case_id}"]')
        select = page.locator(f"#to-{case_id}")
        assert select.input_value() == ""  # nobody chosen until the supervisor chooses
        select.select_option("officer2")
        row.get_by_role("button").click()
        page.wait_for_url("**/supervisor?done=reassigned*")
        assert "sort=newest" in page.url
        assert (
            page.locator(f'#sup-cases tr[data-case="{case_id}"] td').nth(5).inner_text()
            == "officer2"
        )
    finally:
        _language(page, lang, "en")
