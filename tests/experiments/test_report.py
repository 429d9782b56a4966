"""The oversight report: one self-contained HTML file with every section."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from experiments import REPORT_FILE, build_report, client_for
from risk.cli import app
from risk.errors import NotFoundError

SECTIONS = (
    "model-card",
    "performance",
    "fairness",
    "proxy",
    "label-bias",
    "estimates",
    "explanations",
    "catalogue",
    "promotions",
)


def _markup(html: str) -> str:
    """The document without the bodies of its inline scripts."""
    return re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S)


def _check_self_contained(html: str) -> None:
    markup = _markup(html)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", markup, flags=re.I)
    assert not re.search(r"<script[^>]*\bsrc=", markup, flags=re.I)
    assert not re.search(r"<link\b", markup, flags=re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", markup, flags=re.I)


@pytest.fixture(scope="module")
def report_html(logged, tmp_path_factory) -> str:
    settings, info = logged
    path = build_report(info.version, tmp_path_factory.mktemp("report"), settings=settings)
    assert path.name == REPORT_FILE
    return path.read_text(encoding="utf-8")


def test_report_is_one_self_contained_file(report_html):
    _check_self_contained(report_html)
    assert report_html.count("* plotly.js v") == 1
    assert report_html.index("* plotly.js v") < report_html.index('id="figure-1"')


def test_report_holds_every_section(report_html, trained):
    ids = re.findall(r'<section[^>]*id="([^"]+)"', report_html)
    assert tuple(ids) == SECTIONS
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,', report_html)
    assert len(images) == 5
    catalogue = report_html[report_html.index('id="catalogue"') :]
    for name in trained.bundle.feature_names:
        assert name in catalogue
    assert "Calibration on the test split" in report_html
    assert "Precision at capacity" in report_html
    bias = report_html[
        report_html.index('id="label-bias"') : report_html.index('id="explanations"')
    ]
    assert "investigation_rate" in bias and "<table>" in bias


def test_proxy_section_shows_each_attribute_auc_from_the_run(report_html, logged, tmp_path):
    settings, info = logged
    local = client_for(settings).download_artifacts(info.run_id, "fairness", str(tmp_path))
    logged_proxy = json.loads((Path(local) / "proxy.json").read_text(encoding="utf-8"))
    proxy = report_html[report_html.index('id="proxy"') : report_html.index('id="label-bias"')]
    attributes = logged_proxy["attributes"]
    assert sorted(attributes) == ["age_band", "marital_status", "nationality", "sex"]
    for name, result in attributes.items():
        cell = proxy[proxy.index(f"<th>{name}</th>") :]
        assert cell.index("<th>auc</th><td>{:.4f}</td>".format(result["auc"])) < cell.index(
            "</table>"
        )


def test_fairness_is_a_traffic_light_table_with_ratio_charts(report_html):
    fairness = report_html[report_html.index('id="fairness"') : report_html.index('id="proxy"')]
    assert 'Overall verdict: <strong class="verdict-fail">fail</strong>' in fairness
    for attr in ("nationality", "sex", "age_band", "marital_status"):
        assert f"<h3>{attr} <span" in fairness
    assert 'class="light-fail"' in fairness and 'class="light-pass"' in fairness
    assert "sex: flag_rate ratio to the reference group" in fairness
    assert "Tolerance band [0.8, 1.25]" in fairness


def test_report_is_logged_with_the_run(logged, tmp_path):
    settings, info = logged
    got = client_for(settings).download_artifacts(info.run_id, "report", str(tmp_path))
    html = (tmp_path / "report" / REPORT_FILE).read_text(encoding="utf-8")
    assert got.endswith("report")
    _check_self_contained(html)
    assert "version 1" in html


def test_unknown_version_is_refused(logged, tmp_path):
    settings, _ = logged
    with pytest.raises(NotFoundError, match="has no version '9'"):
        build_report("9", tmp_path, settings=settings)


def test_cli_report_writes_the_file(logged, tmp_path, monkeypatch):
    settings, info = logged
    monkeypatch.setenv("RISK_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--model", info.version, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / REPORT_FILE).is_file()
    listing = CliRunner().invoke(app, ["models"])
    assert listing.exit_code == 0 and "challenger" in listing.output
    assert "Aliases: challenger." in (out / REPORT_FILE).read_text(encoding="utf-8")


def test_report_shows_the_blind_sample_estimates_it_is_given(logged, tmp_path):
    import datetime as dt

    import polars as pl

    from models import estimate_reviews

    settings, info = logged
    flagged = [True, True, False, False, False, False]
    reviews = pl.DataFrame(
        {
            "score_id": [f"s{i}" for i in range(6)],
            "scored_at": [dt.datetime(2024, 3, 1)] * 6,
            "flagged": flagged,
            "blind_sample": [False, False, True, False, False, False],
            "review_propensity": [1.0, 1.0, 0.25, 0.25, 0.25, 0.25],
            "reviewed": [True, True, True, False, False, False],
            "finding": [
                "violation_confirmed",
                "no_violation",
                "violation_confirmed",
                None,
                None,
                None,
            ],
        }
    )
    html = build_report(info.version, tmp_path, settings=settings, reviews=reviews).read_text()
    section = html[html.index('id="estimates"') : html.index('id="explanations"')]
    o = estimate_reviews(reviews)["overall"]
    prevalence = f"{o.prevalence.value:.1%} [{o.prevalence.low:.1%}, {o.prevalence.high:.1%}]"
    assert f"<tr><td>overall</td><td>6</td><td>3 (1)</td><td>{prevalence}</td>" in section
    assert o.prevalence.value == (1 + 1 / 0.25) / 6


def test_cli_models_prints_one_block_per_version_without_breaking_words(logged, monkeypatch):
    from risk.cli import _experiments

    settings, info = logged
    monkeypatch.setenv("RISK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(_experiments.console, "width", 80)
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    block = lines[lines.index(f"version {info.version} (challenger)") :]
    assert [line.split(":")[0] for line in block[1:6]] == [
        "  name",
        "  trained by",
        "  fairness",
        "  last promotion",
        "  run",
    ]
    assert max(len(line) for line in lines) <= 80
