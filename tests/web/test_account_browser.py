"""The change-my-password page in Debian's chromium, in English and Bahasa Indonesia:
reached from the header link, a refused new password named beside its field, then a
change that keeps this session; axe-core finds no WCAG 2.1 A/AA violation on the form
with its errors shown.  Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import pytest
from axe_helpers import violations
from web_world import sign_in_page

from risk.clock import WallClock

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OLD, NEW = "quartz-river-5120", "velvet-compass-8841"

LABELS = {
    "en": {
        "link": "Change password",
        "current": "Current password",
        "new": "New password",
        "confirm": "New password again",
        "short": "Must be at least 12 characters.",
        "done": "Your password has been changed.",
    },
    "id": {
        "link": "Ganti kata sandi",
        "current": "Kata sandi saat ini",
        "new": "Kata sandi baru",
        "confirm": "Ulangi kata sandi baru",
        "short": "Minimal 12 karakter.",
        "done": "Kata sandi Anda telah diganti.",
    },
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_change_password_in_the_browser(new_page, live_url, web_world, screenshots_dir, lang):
    from serving.services import create_user
    from serving.web._session import store_lang

    name, words = f"acct-browser-{lang}", LABELS[lang]
    with web_world.store.transaction() as session:
        user = create_user(session, name, "officer", password=OLD, clock=WallClock())
        store_lang(session, user.user_id, lang, WallClock().now())
    page = new_page(1280, 900)
    sign_in_page(page, live_url, name, OLD)
    page.get_by_role("link", name=words["link"], exact=True).click()
    page.wait_for_url(f"{live_url}/account/password")

    page.get_by_label(words["current"], exact=True).fill(OLD)
    page.get_by_label(words["new"], exact=True).fill("short")
    page.get_by_label(words["confirm"], exact=True).fill("short")
    page.locator("#password-submit").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#new_password-error").inner_text() == words["short"]
    assert page.locator("#new_password").get_attribute("aria-invalid") == "true"
    assert violations(page) == []
    page.screenshot(
        path=str(screenshots_dir / f"account-password-refused-{lang}.png"), full_page=True
    )

    page.get_by_label(words["current"], exact=True).fill(OLD)
    page.get_by_label(words["new"], exact=True).fill(NEW)
    page.get_by_label(words["confirm"], exact=True).fill(NEW)
    page.locator("#password-submit").click()
    page.wait_for_url(f"{live_url}/account/password?done=1")
    assert page.locator("#password-changed").inner_text().startswith(words["done"])
    assert violations(page) == []
    page.screenshot(
        path=str(screenshots_dir / f"account-password-changed-{lang}.png"), full_page=True
    )
    page.goto(f"{live_url}/queue")  # this session continues under its re-issued cookie
    assert page.url == f"{live_url}/queue"
