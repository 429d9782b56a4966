"""Oversight screens: compressed, versioned and cached assets; charts whose axes hold their
points and that say "no data yet"; metric keys in words; one precision figure, defined."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import pytest

from serving.web._assets import asset_url
from serving.web._charts import fairness_chart, kpi_charts, nice_axis


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (0.046, (0.05, 0.01)),  # the 4.6% point above a 4% axis top
        (0.04, (0.05, 0.01)),  # a point on a tick still gets a tick above it
        (3, (4.0, 1.0)),
        (12, (15, 5)),
        (250, (300, 50)),
        (0.0, (1.0, 0.2)),
    ],
)
def test_chart_axes_end_on_a_tick_above_every_point(top, expected):
    assert nice_axis(top) == pytest.approx(expected)


def test_kpi_charts_hold_their_points_and_are_none_without_data():
    from serving.services import MonthRow

    rows = [
        MonthRow("2025-01", 200, 9, 8, 1, 2.0, 0, 0, None),
        MonthRow("2025-02", 250, 12, 11, 0, 3.5, 0, 0, None),
    ]
    charts = kpi_charts(rows, "id")
    assert charts["complaints"] is None and charts["satisfaction"] is None  # nothing to draw
    volumes = charts["volumes"]["layout"]
    assert volumes["yaxis"]["range"] == [0, 300] and volumes["yaxis"]["dtick"] == 50
    assert volumes["separators"] == ",."  # Indonesian: decimal comma, grouping dot
    rates = charts["rates"]
    highest = max(v for t in rates["data"] for v in t["y"] if v is not None)
    assert highest <= rates["layout"]["yaxis"]["range"][1]
    assert kpi_charts(rows, "en")["volumes"]["layout"]["separators"] == ".,"
    assert kpi_charts([], "en") == dict.fromkeys(
        ("volumes", "rates", "processing", "complaints", "satisfaction")
    )
    assert fairness_chart({}, "en", "sex") is None


def test_static_assets_are_gzipped_versioned_and_cached(client_factory):
    c = client_factory()
    from serving.web._render import STATIC_DIR

    body = (STATIC_DIR / "amanah.css").read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:16]
    assert asset_url("amanah.css") == f"/static/amanah.css?v={digest}"
    r = c.get(f"/static/amanah.css?v={digest}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["vary"] == "Accept-Encoding"
    assert int(r.headers["content-length"]) == len(gzip.compress(body, 9, mtime=0))
    assert r.content == body  # httpx decodes: the same bytes
    plain = c.get("/static/amanah.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == body
    assert plain.headers["cache-control"] == "no-cache"  # an unversioned URL revalidates
    again = c.get("/static/amanah.css", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    assert c.get("/static/../web/_assets.py").status_code == 404
    assert c.get("/static/nothing.css").status_code == 404


def test_plotly_is_served_compressed_under_a_versioned_url(client_factory):
    from serving.web._oversight import PLOTLY_JS

    c = client_factory("auditor")
    html = c.get("/oversight").text  # the seeded scores draw the volumes chart
    url = re.search(r'<script src="(/vendor/plotly\.min\.js\?v=[0-9a-f]{16})" defer>', html)[1]
    css = re.search(r'href="(/vendor/plotly\.css\?v=[0-9a-f]{16})"', html)[1]
    r = c.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    full = PLOTLY_JS.stat().st_size
    assert int(r.headers["content-length"]) < full / 3  # 4.8 MB -> 1.47 MB
    assert c.get(css, headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"


def test_pages_are_not_compressed(client_factory):
    # a page holds the session's CSRF token beside text a visitor chooses (BREACH)
    r = client_factory("auditor").get("/oversight", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers


def test_each_chart_is_drawn_with_its_points_inside_or_says_no_data_yet(client_factory):
    html = client_factory("auditor").get("/oversight").text
    keys = ["volumes", "rates", "processing", "complaints", "satisfaction"]
    drawn = re.findall(r'<script type="application/json" id="fig-(\w+)">(.*?)</script>', html)
    empty = re.findall(
        r'id="empty-(\w+)"[^>]*><h2[^>]*>[^<]*</h2><p class="empty">No data yet: the chart'
        r" appears once there is something to draw.</p>",
        html,
    )
    # which charts have data depends on what other tests recorded first (complaints,
    # ratings, decisions); each chart is there exactly once, one way or the other
    assert sorted([k for k, _ in drawn] + empty) == sorted(keys)
    assert "volumes" in [k for k, _ in drawn]  # the seeded scores
    for _, fig in drawn:
        fig = json.loads(fig)
        top = fig["layout"]["yaxis"]["range"][1]
        assert all(v <= top for t in fig["data"] for v in t["y"] if v is not None)


@pytest.mark.parametrize(
    ("key", "lang", "text"),
    [
        (
            "fairness.nationality.fpr.min_ratio",
            "en",
            "Fairness, nationality: lowest false positive rate ratio to the reference group",
        ),
        (
            "fairness.sex_age_band.fnr.max_ratio",
            "id",
            "Keadilan, jenis kelamin × kelompok usia: rasio tertinggi tingkat negatif palsu"
            " terhadap kelompok acuan",
        ),
        ("model.ece", "en", "Model: expected calibration error (lower is better)"),
        ("quality.precision_at_capacity", "id", "Gerbang promosi: presisi pada kapasitas"),
        ("fairness", "en", "Fairness verdict"),
    ],
)
def test_metric_keys_read_as_words(key, lang, text):
    from experiments import metric_label

    assert metric_label(key, lang) == text


def test_every_metric_a_run_logs_has_a_label():
    from experiments import metric_label
    from models.fairness import RATIO_METRICS

    names = ["n", "positives", "base_rate", "roc_auc", "pr_auc", "brier", "ece", "flag_rate"]
    names += ["precision_at_capacity", "recall_at_capacity", "lift_at_capacity"]
    keys = [f"{scope}.{n}" for scope in ("model", "baseline", "gate", "quality") for n in names]
    keys += [
        f"fairness.{a}.{m}.{e}_ratio"
        for a in ("sex", "age_band")
        for m in RATIO_METRICS
        for e in ("min", "max")
    ]
    for key in keys:
        for lang in ("en", "id"):
            assert metric_label(key, lang) != key, (key, lang)


def _report(**changes) -> str:
    from experiments import metric_label
    from experiments._card import render_template

    context = {
        "title": "Oversight report",
        "generated_at": "2026-01-01T00:00:00+00:00",
        "model_name": "amanah",
        "version": "1",
        "run_id": "0" * 32,
        "aliases": ["champion"],
        "card_html": "",
        "performance": {"precision_at_capacity": 0.0167, "flagged": 60, "rows": 3872},
        "at_capacity": {"precision_at_capacity": 0.0159, "recall_at_capacity": 0.44},
        "precision_definition": "Precision at capacity: ...",
        "performance_charts": [],
        "fairness_verdict": "fail",
        "policy": None,
        "fairness": [],
        "proxy": None,
        "label_bias": None,
        "label_policy": "",
        "estimates": None,
        "images": [],
        "catalogue": [],
        "catalogue_hash": None,
        "history": [],
        "metric_label": metric_label,
    }
    context.update(changes)
    return render_template("report.html.j2", **context)


def test_the_report_shows_one_precision_at_capacity_and_names_the_other():
    html = _report()
    assert "<tr><th>Precision at capacity</th><td>0.0159</td></tr>" in html
    assert "<tr><th>Precision at the review threshold</th><td>0.0167 (60 flagged" in html
    assert html.count("Precision at capacity</th>") == 1


def test_the_report_renders_a_waived_promotion_with_its_checks_in_words():
    # the demo's history: a refusal, a waiver request, then the approved promotion
    history = [
        {"at": "t1", "by": "ayu", "result": "refused", "failed": ["fairness"], "reason": "gate"},
        {
            "at": "t2",
            "by": "ayu",
            "result": "promoted",
            "failed": ["fairness", "fairness.nationality.fpr.min_ratio"],
            "waiver": {"reason": "demo", "requested_by": "ayu", "approved_by": "budi"},
        },
        {"at": "t3", "by": "ayu", "result": "waiver requested", "waiver": {"reason": "x"}},
    ]
    html = _report(history=history)
    assert (
        "<td>Fairness verdict; Fairness, nationality: lowest false positive rate ratio to the"
        " reference group</td>"
    ) in html
    assert "<td>demo (approved by budi)</td>" in html
    assert "<td>x (requested by ayu, not approved yet)</td>" in html
