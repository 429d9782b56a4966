"""Every screen in both languages in Debian's chromium: axe-core finds no accessibility
violation (labels, focus order, contrast, ARIA), a refused decision moves focus to its
summary, /oversight weighs under 1.5 MB transferred, the model report fits the window.

axe-core comes from the npm registry (``scripts/setup.sh`` puts it in the git-ignored
``.cache/axe-core``) and is evaluated into each page from that file: nothing is fetched
while the tests run, and the page's Content-Security-Policy is left as it is.
"""

from __future__ import annotations

import json

import axe_helpers
import pytest
from web_world import INDONESIAN_USERS, USERS, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

_ID_NAMES = {role: name for name, (role, _) in INDONESIAN_USERS.items()}

#: /oversight in bytes on the wire (the issue's budget: 1.5 MB).
OVERSIGHT_BUDGET = 1_500_000


@pytest.fixture(scope="module")
def axe_source(indonesian_client) -> str:
    """axe-core's source (the Indonesian users exist from here on, for the "id" runs)."""
    return axe_helpers.axe_source()


def _violations(page, source: str) -> list[dict]:
    return axe_helpers.violations(page, source)


def _signed_in(new_page, live_url, role: str, lang: str):
    page = new_page(1280, 900)
    if lang == "en":
        name = {"officer": "officer", "supervisor": "supervisor", "auditor": "auditor"}.get(
            role, role
        )
        sign_in_page(page, live_url, name, USERS[name][1])
    else:
        name = _ID_NAMES[role]
        sign_in_page(page, live_url, name, INDONESIAN_USERS[name][1], lang="en")
    return page


def _screens(world) -> dict[str, list[str]]:
    return {
        "officer": [
            "/queue",
            f"/cases/{world.case_ids[4]}",
            f"/cases/{world.blind_case_ids[0]}",
            "/complaints",
        ],
        "supervisor": ["/supervisor"],
        "auditor": [
            "/oversight",
            "/oversight/fairness",
            "/oversight/monitoring",
            "/oversight/model",
            "/oversight/features",
            "/transparency",
        ],
    }


def test_axe_reports_what_it_should(new_page, axe_source):
    """The check can fail: an unlabelled field and low-contrast text are both reported."""
    page = new_page(800, 600)
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<input type="text" name="q"><p style="color:#ccc;background:#fff">faint</p>'
        "</main></body></html>"
    )
    assert sorted(v["id"] for v in _violations(page, axe_source)) == ["color-contrast", "label"]


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_axe_finds_no_violation_on_any_screen(
    new_page, live_url, web_world, axe_source, screenshots_dir, role, lang
):
    page = _signed_in(new_page, live_url, role, lang)
    found = {}
    for path in _screens(web_world)[role]:
        page.goto(live_url + path, wait_until="networkidle")
        assert page.locator("html").get_attribute("lang") == lang, (path, page.content()[:300])
        violations = _violations(page, axe_source)
        if violations:
            found[path] = violations
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=screenshots_dir / f"a11y-{name}-{lang}.png", full_page=True)
    assert found == {}, json.dumps(found, indent=1)


def _locked_person(web_world, name: str) -> None:
    """A person whose sign-in is locked, so the console shows its "lift the lock" button."""
    import datetime as dt

    import sqlalchemy as sa

    from risk.clock import WallClock
    from risk.settings import get_settings
    from serving.services import ThrottlePolicy, create_user, sign_in_with_password
    from serving.store import User

    sec = get_settings().security
    policy = ThrottlePolicy(
        sec.account_max_failures,
        sec.address_max_failures,
        dt.timedelta(minutes=sec.sign_in_window_minutes),
    )
    clock = WallClock()
    with web_world.store.transaction() as session:
        if session.scalar(sa.select(User).where(User.username == name)) is None:
            create_user(
                session, name, "officer", password="granite-harbour-3317", clock=WallClock()
            )
        for _ in range(sec.account_max_failures):
            sign_in_with_password(
                session, name, "wrong", address="192.0.2.77", policy=policy, clock=clock
            )


def test_axe_finds_no_violation_on_the_admin_console(new_page, live_url, web_world, axe_source):
    _locked_person(web_world, "axe-locked")
    page = new_page(1280, 900)
    sign_in_page(page, live_url, "admin", USERS["admin"][1])
    page.goto(live_url + "/admin", wait_until="networkidle")
    assert page.locator("form[action='/admin/users/axe-locked/unlock'] button").count() == 1
    assert _violations(page, axe_source) == []


@pytest.mark.parametrize(
    ("lang", "summary"),
    [
        ("en", "The decision was not recorded: fix the marked fields."),
        ("id", "Keputusan tidak dicatat: perbaiki isian yang ditandai."),
    ],
)
def test_a_refused_decision_moves_focus_to_the_summary_at_the_top(
    new_page, live_url, web_world, axe_source, screenshots_dir, lang, summary
):
    page = _signed_in(new_page, live_url, "officer", lang)
    case_id = web_world.case_ids[5]
    page.goto(f"{live_url}/cases/{case_id}")
    page.locator("#decision-form input[value=violation_confirmed]").check()
    page.locator("#reason").fill(" ")  # the browser's own check passes; the service's refuses
    page.locator("#record").click()
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'"
    )
    assert page.locator("#error-summary h2").inner_text() == summary
    box = page.locator("#error-summary").bounding_box()
    assert box is not None and box["y"] < 900  # in view without scrolling, at the top
    page.screenshot(path=screenshots_dir / f"case-refused-summary-{lang}.png", full_page=False)
    page.locator("#error-summary a[href='#violation_types-field']").click()
    assert page.evaluate("location.hash") == "#violation_types-field"
    assert _violations(page, axe_source) == []
    page.screenshot(path=screenshots_dir / f"case-refused-fields-{lang}.png", full_page=False)


def test_oversight_weighs_under_the_budget_on_the_wire(new_page, live_url):
    page = _signed_in(new_page, live_url, "auditor", "en")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")  # signing in landed on /oversight already
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(f"{live_url}/oversight", wait_until="networkidle")
    total = sum(sizes.values())
    plotly = sum(v for k, v in sizes.items() if "plotly.min.js" in urls.get(k, ""))
    print(f"/oversight: {total:,.0f} bytes transferred, plotly.js {plotly:,.0f}")
    assert 0 < plotly < 1_480_000  # compressed (4.8 MB as stored)
    assert total < OVERSIGHT_BUDGET
    # a second visit reuses the versioned, immutable assets from the cache
    sizes.clear()
    page.goto(f"{live_url}/oversight", wait_until="networkidle")
    again = sum(v for k, v in sizes.items() if "plotly.min.js" in urls.get(k, ""))
    assert again == 0


def test_the_model_report_fits_the_window(new_page):
    from experiments._card import render_template

    wide = [
        {
            "name": f"feature_{i}",
            "description": "x" * 400,
            "purpose": "y" * 400,
            "inputs": ["a"] * 30,
        }
        for i in range(5)
    ]
    html = render_template(
        "report.html.j2",
        title="Oversight report",
        generated_at="2026-01-01T00:00:00+00:00",
        model_name="amanah",
        version="1",
        run_id="0" * 32,
        performance={},
        performance_charts=[],
        fairness_verdict="pass",
        policy=None,
        proxy=None,
        label_bias=None,
        label_policy="",
        estimates=None,
        catalogue_hash="ab" * 32,
        precision_definition="Precision at capacity: ...",
        at_capacity={},
        fairness=[],
        catalogue=wide,
        images=[],
        history=[],
        aliases=[],
        card_html="",
    )
    page = new_page(1440, 900)
    page.set_content(html)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
