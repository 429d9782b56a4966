"""/oversight shows the served model's figures estimated from the blind sample, both languages."""

from __future__ import annotations

import datetime as dt
import re

from models import estimate_reviews
from serving.services import reviews_frame
from serving.web._i18n import format_percent


def _section(html: str) -> str:
    start = '<section class="card" aria-labelledby="est-h" id="estimates">'
    return re.search(re.escape(start) + r"(.*?)</section>", html, re.S).group(1)


def _cell(e, lang: str) -> str:
    if e.value is None:
        return "–"
    low, high = format_percent(e.low, lang), format_percent(e.high, lang)
    return f"{format_percent(e.value, lang)} [{low}, {high}]"


def test_oversight_shows_the_estimates_with_their_intervals(client_factory, web_world):
    with web_world.store.reading() as session:
        reviews = reviews_frame(session, dt.datetime(2100, 1, 1))
    version = web_world.holder.version
    expected = estimate_reviews(reviews.filter(reviews["model_version"] == str(version)))
    c = client_factory("auditor")
    section = _section(c.get("/oversight").text)
    assert "Estimated from the blind sample" in section and f"Model {version}." in section
    overall = re.search(r'<tr data-period="overall">(.*?)</tr>', section, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", overall)
    o = expected["overall"]
    assert cells[0] == str(o.applications)
    assert cells[2:] == [
        _cell(e, "en")
        for e in (
            o.prevalence,
            o.precision_at_capacity,
            o.recall_at_capacity,
            o.miss_rate_unflagged,
        )
    ]
    months = re.findall(r'<tr data-period="(\d{4}-\d{2})">', section)
    assert months == [m.period for m in expected["months"]]
    c.post("/lang", data={"lang": "id", "next": "/oversight", "csrf": _csrf(c)})
    section_id = _section(c.get("/oversight").text)
    assert "Diperkirakan dari sampel buta" in section_id and "Semua bulan" in section_id
    overall_id = re.search(r'<tr data-period="overall">(.*?)</tr>', section_id, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", overall_id)[2] == _cell(o.prevalence, "id")
    c.post("/lang", data={"lang": "en", "next": "/oversight", "csrf": _csrf(c)})


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/oversight").text).group(1)
