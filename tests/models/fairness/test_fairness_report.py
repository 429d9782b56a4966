"""The HTML report and the ``risk fairness`` command end to end."""

from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from models.fairness import FairnessPolicy, fairness_report, label_bias, proxy_test, write_html
from risk.cli import app

EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def _self_contained(html: str) -> None:
    assert not EXTERNAL.search(html)
    # Beyond plotly.js itself (whose unused geo option names a CDN), no address at all.
    plotly_js = get_plotlyjs()
    assert plotly_js in html
    rest = html.replace(plotly_js, "")
    assert "http://" not in rest and "https://" not in rest
    assert "@import url(http" not in html
    assert html.count("<script") >= 2  # plotly.js inline plus the figures


@pytest.fixture(scope="module")
def scores_file(scored, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("fairness") / "scores.parquet"
    rng = np.random.default_rng(1)
    inv = rng.random(scored.height) < 0.3
    scored.with_columns(
        investigated=pl.Series(inv.astype(int)),
        confirmed=pl.Series((inv & (scored["label"].to_numpy() == 1)).astype(int)),
    ).write_parquet(path)
    return str(path)


def test_write_html_is_self_contained_with_all_sections(scored, tmp_path):
    report = fairness_report(
        scored,
        label="label",
        score="score",
        threshold=0.6,
        groups=["sex", "nationality"],
        policy=FairnessPolicy(bootstrap=20),
    )
    small = scored.head(400)
    proxy = proxy_test(small.select("score"), small.select("sex"), seed=1)
    labelled = scored.with_columns(confirmed=pl.col("label") * pl.col("flagged"))
    bias = label_bias(labelled, ["sex"], investigated="flagged", confirmed="confirmed")
    path = write_html(report, tmp_path / "r" / "fairness.html", proxy=proxy, label_bias=bias)
    html = path.read_text(encoding="utf-8")
    _self_contained(html)
    assert len(html) > 1_000_000  # plotly.js is inlined
    for title in ("Fairness report", "Proxy test", "Label bias", "sex", "nationality"):
        assert title in html
    assert f'Overall verdict: <span class="{report.verdict}">' in html


def test_cli_writes_both_files(scores_file, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "fairness",
            "--scores",
            scores_file,
            "--label",
            "label",
            "--score",
            "score",
            "--threshold",
            "0.6",
            "--group",
            "sex",
            "--group",
            "nationality",
            "--intersections",
            "--reference",
            "sex=F",
            "--out",
            str(out),
            "--investigated",
            "investigated",
            "--confirmed",
            "confirmed",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "fairness.json").read_text(encoding="utf-8"))
    assert list(data["attributes"]) == ["sex", "nationality", "sex|nationality"]
    assert data["attributes"]["sex"]["reference"] == "F"
    assert data["inputs"]["source"] == scores_file
    expected = fairness_report(
        pl.read_parquet(scores_file),
        label="label",
        score="score",
        threshold=0.6,
        groups=["sex", "nationality"],
        intersections=True,
        reference={"sex": "F"},
        source=scores_file,
    )
    assert data == json.loads(expected.to_json())
    html = (out / "fairness.html").read_text(encoding="utf-8")
    _self_contained(html)
    assert "Label bias" in html
    assert f"Fairness report: {data['verdict'].upper()}" in result.output


def test_cli_flag_csv_policy_and_strict(scored, tmp_path):
    csv = tmp_path / "scores.csv"
    scored.write_csv(csv)
    policy = tmp_path / "policy.toml"
    policy.write_text("[fairness]\nratio_low = 0.01\nratio_high = 100\nbootstrap = 10\n")
    args = [
        "fairness",
        "--scores",
        str(csv),
        "--label",
        "label",
        "--flag",
        "flagged",
        "--group",
        "sex",
        "--policy",
        str(policy),
        "--out",
        str(tmp_path / "o"),
    ]
    result = CliRunner().invoke(app, [*args, "--strict"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "fairness.json").read_text())
    assert data["verdict"] == "pass" and data["policy"]["ratio_low"] == 0.01
    policy.write_text("[fairness]\nratio_low = 0.999\nratio_high = 1.001\nbootstrap = 10\n")
    assert CliRunner().invoke(app, [*args, "--strict"]).exit_code == 2
    assert CliRunner().invoke(app, args).exit_code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--score", "score", "--threshold", "0.5", "--flag", "flagged"], "not both"),
        (["--flag", "flagged", "--reference", "sex=Q"], "reference value 'Q' does not occur"),
        (["--flag", "flagged", "--reference", "sex"], "--reference 'sex': expected COL=VALUE"),
        (["--flag", "nope"], "flag column 'nope' not found"),
    ],
)
def test_cli_errors_exit_1_with_the_message(scores_file, tmp_path, extra, message):
    result = CliRunner().invoke(
        app,
        [
            "fairness",
            "--scores",
            scores_file,
            "--label",
            "label",
            "--group",
            "sex",
            "--out",
            str(tmp_path),
            *extra,
        ],
    )
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "fairness.json").exists()


def test_cli_missing_file_and_bad_policy(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("min_group_size = -1\n")
    base = ["fairness", "--label", "y", "--flag", "f", "--group", "g", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*base, "--scores", str(tmp_path / "x.parquet")])
    assert result.exit_code == 1 and "x.parquet: scores file not found" in result.output
    result = CliRunner().invoke(app, [*base, "--scores", "s.csv", "--policy", str(bad)])
    assert result.exit_code == 1 and "key 'min_group_size' (got -1)" in result.output


@pytest.mark.parametrize(
    ("old", "new"), [("audit_table", "fairness_report"), ("FairnessAudit", "FairnessReport")]
)
def test_former_names_resolve_for_one_release_with_a_warning(old, new):
    import models.fairness as fairness

    message = f"models.fairness.{old} is deprecated; use models.fairness.{new}"
    with pytest.warns(DeprecationWarning, match=f"^{message}$"):
        assert getattr(fairness, old) is getattr(fairness, new)
    with pytest.raises(AttributeError, match="has no attribute 'audit'"):
        fairness.audit  # noqa: B018
