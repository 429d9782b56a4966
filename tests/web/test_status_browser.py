"""/status in a real browser on a phone-sized screen, in English and Bahasa Indonesia:
open with the code, complain, read the follow-up and the answer, rate the service.

Screenshots go to ``test-output/screenshots/status-*.png``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from status_helpers import decide, fresh_code, open_case
from test_browser import UNLABELLED

from risk.clock import WallClock
from serving.store import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}

TEXT = {
    "en": {
        "reference": "Reference",
        "code": "Access code",
        "open": "Show my application",
        "received": "Received",
        "category": "What is it about?",
        "description": "Tell us what happened",
        "contact": "How should we contact you?",
        "send": "Send",
        "complaint": "Why was my application checked again?",
        "followup": "What we have done",
        "decided": "Decided",
        "comment": "Comment (optional)",
        "rated": "You rated our service 5 out of 5. Thank you.",
    },
    "id": {
        "reference": "Nomor referensi",
        "code": "Kode akses",
        "open": "Tampilkan permohonan saya",
        "received": "Diterima",
        "category": "Tentang apa?",
        "description": "Ceritakan apa yang terjadi",
        "contact": "Bagaimana kami menghubungi Anda?",
        "send": "Kirim",
        "complaint": "Mengapa permohonan saya diperiksa lagi?",
        "followup": "Yang sudah kami lakukan",
        "decided": "Sudah diputuskan",
        "comment": "Komentar (opsional)",
        "rated": "Anda memberi nilai 5 dari 5. Terima kasih.",
    },
}


def _fits(page) -> None:
    """Nothing wider than the phone (no sideways scrolling); every control has a label."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(UNLABELLED) == []


def _answer_on_the_desk(web_world, case_id: int) -> None:
    from complaint_helpers import principal

    from serving.services import add_complaint_step, respond_complaint, take_complaint

    officer, clock = principal(web_world, "officer"), WallClock()
    with web_world.store.transaction() as session:
        cid = session.scalar(sa.select(Complaint.complaint_id).where(Complaint.case_id == case_id))
        take_complaint(session, officer, cid, clock=clock)
        add_complaint_step(session, officer, cid, "We read your file again.", clock=clock)
        respond_complaint(
            session, officer, cid, "An officer checked your documents by hand.", clock=clock
        )


@pytest.mark.parametrize("lang", ["en", "id"])
def test_an_applicant_follows_complains_and_rates_on_a_phone(
    browser,
    live_url,
    web_world,
    screenshots_dir,
    lang,
):
    text = TEXT[lang]
    case = open_case(web_world)
    reference, code = fresh_code(web_world, case.application_id)
    ctx = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_url}/status?lang={lang}")
        _fits(page)
        page.screenshot(path=screenshots_dir / f"status-open-{lang}.png", full_page=True)
        page.get_by_label(text["reference"]).fill(reference.lower())
        page.get_by_label(text["code"]).fill(code.replace("-", " "))
        page.get_by_role("button", name=text["open"]).click()
        page.wait_for_selector("#stage")
        assert page.locator('li[aria-current="step"]').inner_text() == text["received"]
        _fits(page)
        page.screenshot(path=screenshots_dir / f"status-{lang}.png", full_page=True)

        page.get_by_label(text["category"]).select_option("explanation_request")
        page.get_by_label(text["description"]).fill(text["complaint"])
        page.get_by_label(text["contact"]).select_option("phone")
        page.locator("#send-complaint").click()
        page.wait_for_selector("#done")
        assert text["complaint"] in page.locator("#complaints").inner_text()
        page.screenshot(path=screenshots_dir / f"status-complaint-{lang}.png", full_page=True)

        decide(web_world, case.case_id, officer="officer2")
        _answer_on_the_desk(web_world, case.case_id)
        page.reload()
        shown = page.locator("#complaints").inner_text()
        assert text["followup"] in shown and "We read your file again." in shown
        assert "An officer checked your documents by hand." in shown
        assert page.locator('li[aria-current="step"]').inner_text() == text["decided"]
        _fits(page)
        page.screenshot(path=screenshots_dir / f"status-followup-{lang}.png", full_page=True)

        page.locator("#rating-5").check()
        page.get_by_label(text["comment"]).fill("OK")
        page.locator("#send-survey").click()
        page.wait_for_selector("#survey-given")
        assert page.locator("#survey-given").inner_text() == text["rated"]
        page.screenshot(path=screenshots_dir / f"status-survey-{lang}.png", full_page=True)
    finally:
        ctx.close()
