"""The case screens in a real browser: Debian's chromium driven by playwright.

The app runs in-process under uvicorn on a free loopback port; screenshots of the main
screens are saved under ``test-output/screenshots/`` for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

UNLABELLED = """() => Array.from(document.querySelectorAll(
  'input:not([type=hidden]), select, textarea')).filter(e => !e.labels || !e.labels.length)
  .map(e => e.name || e.id)"""


def _accessible(page) -> None:
    """Every form control has a label; landmarks exist; the focused element shows an outline."""
    assert page.evaluate(UNLABELLED) == []
    for landmark in ("header", "main", "footer"):
        assert page.locator(landmark).count() == 1
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def _sign_in(page, url: str, username: str) -> None:
    from web_world import USERS

    page.goto(f"{url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(USERS[username][1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")


def test_officer_reviews_a_case_and_it_leaves_the_queue(
    new_page, live_url, web_world, screenshots_dir
):
    page = new_page()
    _sign_in(page, live_url, "officer")
    assert page.url.endswith("/queue")
    _accessible(page)
    page.screenshot(path=screenshots_dir / "queue.png", full_page=True)
    case_id = web_world.case_ids[0]
    link = page.locator(f'tr[data-case="{case_id}"] a.case-link')
    link.focus()
    page.keyboard.press("Enter")  # the queue works from the keyboard
    page.wait_for_url(f"**/cases/{case_id}")
    reasons = page.locator("#reasons ul.bars li")
    assert reasons.count() >= 1
    assert page.locator("#reasons .bar").first.bounding_box()["width"] > 0
    checks = page.locator("table.doc-checks tbody tr")
    assert checks.count() >= 14
    assert page.locator("#flag-notice").is_visible()
    _accessible(page)
    page.screenshot(path=screenshots_dir / "case.png", full_page=True)
    page.get_by_label("No violation").check()
    page.get_by_label("Written reason (required)").fill(
        "Bank statement and return ticket verified."
    )
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"**/cases/{case_id}?saved=1")
    assert page.locator("#saved").is_visible()
    assert "Bank statement and return ticket verified." in page.locator("#decisions").inner_text()
    page.goto(f"{live_url}/queue")
    assert page.locator(f'tr[data-case="{case_id}"]').count() == 0


def test_blind_sample_case_hides_its_score(new_page, live_url, web_world, screenshots_dir):
    page = new_page()
    _sign_in(page, live_url, "officer")
    page.goto(f"{live_url}/cases/{web_world.blind_case_ids[-1]}")
    assert page.locator("#blind-notice").is_visible()
    assert page.locator("#band-record").count() == 0
    assert page.locator("#reasons").count() == 0
    page.screenshot(path=screenshots_dir / "case-blind.png", full_page=True)


def test_auditor_cannot_open_a_case_but_reads_oversight(
    new_page, live_url, web_world, screenshots_dir
):
    page = new_page()
    _sign_in(page, live_url, "auditor")
    assert page.url.endswith("/oversight")
    page.wait_for_selector("#fig-volumes + *, div.chart .main-svg", state="attached")
    page.screenshot(path=screenshots_dir / "oversight.png", full_page=True)
    response = page.goto(f"{live_url}/cases/{web_world.case_ids[2]}")
    assert response.status == 403
    assert "may not open this page" in page.locator("#page-error").inner_text()
    page.goto(f"{live_url}/oversight/fairness")
    page.screenshot(path=screenshots_dir / "oversight-fairness.png", full_page=True)


def test_language_switch_changes_the_reasons(new_page, live_url, web_world, screenshots_dir):
    from features import catalogue
    from serving.web._reasons_view import reason_text

    cat = catalogue()
    case_id = web_world.case_ids[7]
    page = new_page(width=820, height=1180)  # a tablet
    _sign_in(page, live_url, "supervisor")
    page.goto(f"{live_url}/cases/{case_id}")
    english = page.locator("#reasons .reason-text").all_inner_texts()
    page.get_by_label("Language").select_option("id")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state("domcontentloaded")
    indonesian = page.locator("#reasons .reason-text").all_inner_texts()
    with web_world.store.transaction() as session:
        from serving.store import Case, Score

        score = session.get(Score, session.get(Case, case_id).score_id)
    reasons = score.reasons["raised"] + score.reasons["lowered"]
    # the stored English wording, with thousands grouped as the page groups them (CLDR)
    assert english == [
        re.sub(r"\b(\d{4,})\b", lambda m: f"{int(m[1]):,}", r["text"]) for r in reasons
    ]
    assert indonesian == [reason_text(r["feature"], r["value"], "id") for r in reasons]
    assert all(cat.get(r["feature"]).reason(r["value"], lang="id") for r in reasons)
    # Indonesian numbers: a decimal comma, never an English decimal point
    assert not [t for t in indonesian if re.search(r"\d\.\d{1,2}\b(?!\d)", t)]
    assert indonesian != english
    assert page.locator("html").get_attribute("lang") == "id"
    page.screenshot(path=screenshots_dir / "case-id-tablet.png", full_page=True)
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti bahasa").click()


def test_supervisor_page_and_transparency_download(
    new_page, live_url, web_world, screenshots_dir, tmp_path
):
    page = new_page()
    _sign_in(page, live_url, "supervisor")
    page.goto(f"{live_url}/supervisor")
    _accessible(page)
    page.screenshot(path=screenshots_dir / "supervisor.png", full_page=True)
    page.goto(f"{live_url}/transparency?lang=id")
    page.screenshot(path=screenshots_dir / "transparency-id.png", full_page=True)
    with page.expect_download() as info:
        page.locator("#download-html").click()
    saved = tmp_path / "report.html"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "Laporan transparansi Amanah" in text
    assert "<script" not in text and "http" not in text.replace('xmlns="http', "")
    assert [v for v in web_world.personal if str(v) in text] == []
    with page.expect_download() as info:
        page.locator("#download-csv").click()
    csv_text = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith("bagian,ukuran,kelompok,nilai")
    assert [v for v in web_world.personal if str(v) in csv_text] == []


def test_officer_records_a_complaint_and_finds_it_on_the_desk(
    new_page, live_url, web_world, screenshots_dir
):
    case_id = web_world.case_ids[3]
    description = "Applicant says the interview letter never arrived."
    page = new_page()
    _sign_in(page, live_url, "officer")
    page.goto(f"{live_url}/cases/{case_id}")
    page.get_by_label("Category").select_option(label="Delay")
    page.get_by_label("Description (required)").fill(description)
    page.get_by_role("button", name="Record the complaint").click()
    page.wait_for_url(f"**/cases/{case_id}?complaint=*")
    saved = page.locator("#complaint-saved")
    assert saved.is_visible()
    complaint_id = int(page.url.split("complaint=")[1].split("#")[0])
    assert saved.inner_text().startswith(f"Complaint {complaint_id} was recorded.")
    _accessible(page)
    page.locator("#complaints").screenshot(path=screenshots_dir / "case-complaints.png")
    page.locator("#nav-complaints").click()
    page.wait_for_url("**/complaints")
    row = page.locator(f'tr[data-complaint="{complaint_id}"]')
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "Delay" and cells[2] == f"Case {case_id}"
    assert cells[3] == "Unassigned" and cells[-2:] == ["On time", "Open"]
    _accessible(page)
    page.screenshot(path=screenshots_dir / "complaints-desk.png", full_page=True)
    row.locator("a.complaint-link").click()
    page.wait_for_url(f"**/complaints/{complaint_id}")
    assert page.locator("#cp-description").inner_text() == description
    page.screenshot(path=screenshots_dir / "complaint.png", full_page=True)


def test_no_screen_breaks_the_content_security_policy(new_page, live_url, web_world):
    """Every screen, the charts and the API docs work under the strict CSP."""
    page = new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(f"{page.url}: {m.text}") if "Content Sec" in m.text else 0,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security violation: ' + e.violatedDirective))"
    )
    _sign_in(page, live_url, "supervisor")
    page.goto(f"{live_url}/cases/{web_world.case_ids[1]}")
    bar = page.locator("#reasons .bar").first.bounding_box()
    wrap = page.locator("#reasons .bar-wrap").first.bounding_box()
    assert 0 < bar["width"] <= wrap["width"]
    for path in ("/queue", "/supervisor", "/transparency", "/oversight/fairness", "/oversight"):
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("load")
    page.wait_for_selector("div.chart .main-svg", state="attached")  # plotly drew a chart
    page.goto(f"{live_url}/docs")
    page.wait_for_selector("#swagger-ui .opblock", state="attached")
    assert violations == [], "\n".join(violations)
