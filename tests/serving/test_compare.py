"""Champion against challenger on the service's own records, checked against a plain recount."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from evidence_helpers import score_payloads, train_other_catalogue
from serving_helpers import auth

from models import write_compare_html
from risk.clock import SimulatedClock
from risk.errors import FeatureError
from serving.services import compare_store
from serving.store import Case, Decision, Score

pytestmark = pytest.mark.xdist_group("serving_model")

DAY = dt.date(2024, 3, 1)
LATER = SimulatedClock(dt.datetime(2024, 3, 5, 12))


@pytest.fixture(scope="session")
def challenger(world):
    """Another model on the same world and catalogue (other settings: other flags)."""
    from models import load_bundle, train_world
    from risk.settings import ModelSettings, Settings

    s = Settings(
        model=ModelSettings(
            num_threads=1, max_rounds=25, learning_rate=0.2, min_data_in_leaf=40, seed=11
        )
    )
    return load_bundle(
        train_world(world["dir"], settings=s).bundle.save(world["dir"].parent / "b2")
    )


def _override(client, tokens) -> None:
    # a threshold low enough that this small world's payloads get flags
    client.put("/v1/settings/review", headers=auth(tokens["admin"]), json={"threshold": 0.007})


def _decide_all(client, tokens, scored) -> None:
    """Every case decided; every third application scored is a confirmed violation."""
    for i, s in enumerate(scored):
        if s.get("case_id") is None:
            continue
        case = s["case_id"]
        client.post(f"/v1/cases/{case}/claim", headers=auth(tokens["officer"]))
        outcome = "violation_confirmed" if i % 3 == 0 else "no_violation"
        body = {"outcome": outcome, "reason": "Checked against the file and the documents."}
        if outcome == "violation_confirmed":
            body["violation_types"] = ["overstay"]
        r = client.post(f"/v1/cases/{case}/decisions", headers=auth(tokens["officer"]), json=body)
        assert r.status_code == 201, r.text


@pytest.fixture
def reviewed(clocked_client, tokens, world, settings):
    settings.review.blind_sample_rate = 0.3
    _override(clocked_client, tokens)
    scored = score_payloads(clocked_client, tokens, world["payloads"])
    _decide_all(clocked_client, tokens, scored)
    return scored


def _recount(store, champion, challenger):
    """The estimates by hand: each row scored again one by one, weights summed in a loop."""
    with store.reading() as session:
        rows = session.execute(
            sa.select(
                Score.score_id,
                Score.features,
                Score.model_flag,
                Score.route,
                Score.review_propensity,
                Decision.outcome,
            )
            .outerjoin(Case, Case.score_id == Score.score_id)
            .outerjoin(Decision, Decision.case_id == Case.case_id)
            .order_by(Score.created_at, Score.score_id)
        ).all()
    k = sum(r.model_flag for r in rows)  # the capacity used live

    def top(model) -> list[bool]:
        margins = [model.score_one(r.features).margin for r in rows]
        order = sorted(range(len(rows)), key=lambda i: -margins[i])  # stable: earlier first
        return [i in set(order[:k]) for i in range(len(rows))]

    a, b = top(champion), top(challenger)
    done = {}
    for stratum in (True, False):
        mine = [r for r in rows if r.model_flag == stratum and r.route != "none"]
        done[stratum] = sum(r.outcome is not None for r in mine) / len(mine)

    def total(pick) -> float:
        return sum(
            1 / (r.review_propensity * done[r.model_flag])
            for i, r in enumerate(rows)
            if pick(i) and r.outcome == "violation_confirmed"
        )

    return {
        "k": k,
        "both": sum(x and y for x, y in zip(a, b, strict=True)),
        "champion": total(lambda i: a[i]) / k,
        "challenger": total(lambda i: b[i]) / k,
        "difference": (total(lambda i: b[i] and not a[i]) - total(lambda i: a[i] and not b[i])) / k,
        "recall": total(lambda i: b[i]) / total(lambda i: True),
    }


def _recount_fpr(store, challenger, min_size):
    """The challenger's false positive rate by sex by hand: a loop over the stored rows."""
    from serving.store import raw_table

    apps = raw_table("applications")
    with store.reading() as session:
        rows = session.execute(
            sa.select(Score.features, Score.model_flag, Score.route, Score.review_propensity,
                      Decision.outcome, apps.c.sex)
            .join(apps, apps.c.application_id == Score.application_id)
            .outerjoin(Case, Case.score_id == Score.score_id)
            .outerjoin(Decision, Decision.case_id == Case.case_id)
            .order_by(Score.created_at, Score.score_id)
        ).all()  # fmt: skip
    k = sum(r.model_flag for r in rows)
    margins = [challenger.score_one(r.features).margin for r in rows]
    top = set(sorted(range(len(rows)), key=lambda i: -margins[i])[:k])
    out = {}
    for sex in sorted({r.sex for r in rows}):
        mine = [(i, r) for i, r in enumerate(rows) if r.sex == sex]
        if len(mine) < min_size:
            continue
        done = {}
        for stratum in (True, False):
            sent = [r for _, r in mine if r.model_flag == stratum and r.route != "none"]
            done[stratum] = sum(r.outcome is not None for r in sent) / len(sent) if sent else 0
        weight = {
            i: 1 / (r.review_propensity * done[r.model_flag])
            for i, r in mine
            if r.outcome == "violation_confirmed"
        }
        fp = sum(1 - weight.get(i, 0) for i, _ in mine if i in top)
        negatives = len(mine) - sum(weight.values())
        out[sex] = {"false_positives": fp, "negatives": negatives, "fpr": fp / negatives}
    return out


def test_the_comparison_matches_a_plain_recount(
    reviewed, store, settings, holder, challenger, tmp_path
):
    settings.fairness.min_group_size = 10  # both sexes of the 40 applications shown
    with store.reading() as session:
        report = compare_store(
            session, holder.bundle, challenger, DAY, DAY, names=("v1 (aaaaaaaa)", "v2 (bbbbbbbb)"),
            settings=settings, clock=LATER,
        )  # fmt: skip
    want = _recount(store, holder.bundle, challenger)
    assert report["n"] == 40 and report["capacity"] == want["k"]
    assert (want["k"], want["both"]) == (18, 15)  # the two models disagree on 3 flags each
    assert report["overlap"] == {
        "both": want["both"],
        "champion_only": want["k"] - want["both"],
        "challenger_only": want["k"] - want["both"],
    }
    est = report["estimates"]
    assert est["champion"]["precision"] == pytest.approx(want["champion"], abs=1e-12)
    assert est["challenger"]["precision"] == pytest.approx(want["challenger"], abs=1e-12)
    assert est["difference"]["precision"] == pytest.approx(want["difference"], abs=1e-12)
    assert est["challenger"]["recall"] == pytest.approx(want["recall"], abs=1e-12)
    assert est["challenger"]["confirmed_per_100_reviews"] == pytest.approx(100 * want["challenger"])
    for who in ("champion", "challenger", "difference"):
        for f in ("precision", "recall"):
            low, high = est[who][f"{f}_ci"]
            assert low <= est[who][f] <= high
    assert set(report) == {
        "champion", "challenger", "champion_version", "challenger_version", "period", "made_at",
        "n", "capacity", "overlap", "reviews", "estimates", "cells", "fairness",
        "shap_changes", "checks", "verdict",
    }  # fmt: skip
    assert report["period"] == ["2024-03-01", "2024-03-01"]
    miss = report["fairness"]["miss_rates"]["sex"]
    assert sum(r["n"] for r in miss.values()) == 40
    assert all(r["suppressed"] for r in miss.values() if r["n"] < settings.fairness.min_group_size)
    fpr = report["fairness"]["false_positive_rates"]["sex"]
    want_fpr = _recount_fpr(store, challenger, settings.fairness.min_group_size)
    assert sorted(want_fpr) == sorted(g for g, r in fpr["groups"].items() if not r["suppressed"])
    assert fpr["reference"] == max(want_fpr, key=lambda g: fpr["groups"][g]["n"])
    for group, want in want_fpr.items():
        got = fpr["groups"][group]["challenger"]
        for key in ("false_positives", "negatives", "fpr"):
            assert got[key] == pytest.approx(want[key], abs=1e-12), (group, key)
        ref = want_fpr[fpr["reference"]]["fpr"]
        assert got["fpr_ratio"] == pytest.approx(want["fpr"] / ref, abs=1e-12)
    html = write_compare_html(report, tmp_path / "compare.html").read_text()
    ref_row = fpr["groups"][fpr["reference"]]["challenger"]
    lo, hi = ref_row["fpr_ci"]
    assert f"{ref_row['fpr']:.3f} [{lo:.3f}, {hi:.3f}]; ratio 1.00 [1.00, 1.00]" in html
    assert report["verdict"] in ("better", "worse", "inconclusive")  # the shape's three words
    assert [c["check"] for c in report["checks"]][:3] == ["overlap", "precision", "recall"]


def test_without_blind_sample_reviews_the_estimates_say_why(
    clocked_client, tokens, world, settings, store, holder, challenger
):
    settings.review.blind_sample_rate = 0.0
    _override(clocked_client, tokens)
    _decide_all(clocked_client, tokens, score_payloads(clocked_client, tokens, world["payloads"]))
    with store.reading() as session:
        report = compare_store(
            session, holder.bundle, challenger, DAY, DAY, names=("v1", "v2"),
            settings=settings, clock=LATER,
        )  # fmt: skip
    est = report["estimates"]
    assert est["champion"]["precision"] is not None  # its flags were all reviewed
    assert est["challenger"]["recall"] is None and est["challenger"]["recall_ci"] is None
    only = report["overlap"]["challenger_only"]
    assert est["challenger"]["recall_reason"] == (
        f"not estimable: {40 - report['capacity']} application(s) that the challenger does not"
        " flag have no decided review that could stand for them (no blind-sample review among"
        " them in this period, or none decided yet)"
    )
    if only:
        assert est["difference"]["precision"] is None
        checks = {c["check"]: c for c in report["checks"]}
        assert checks["precision"]["verdict"] == "not estimable"
    assert report["verdict"] == "inconclusive"


def test_a_challenger_on_another_catalogue_is_refused_naming_the_features(
    reviewed, store, settings, holder, tmp_path
):
    other = train_other_catalogue(tmp_path)
    with store.reading() as session, pytest.raises(FeatureError) as err:
        compare_store(
            session, holder.bundle, other, DAY, DAY, names=("v1", "v4 (cccccccc)"),
            settings=settings, clock=LATER,
        )  # fmt: skip
    assert err.value.message.startswith(
        "the challenger v4 (cccccccc) needs feature(s) that the inference log of model"
        f" {holder.bundle.version} does not hold: employer_score, region;"
    )


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_risk_compare_writes_the_report_and_logs_it_on_the_challenger(
    reviewed, store, settings, holder, challenger, world, tmp_path, monkeypatch
):
    from evidence_helpers import register_bundle
    from typer.testing import CliRunner

    from experiments import latest_comparison
    from risk.cli import app
    from risk.settings import Settings

    registry = Settings(data_dir=tmp_path)
    v1 = register_bundle(registry, world["bundle"])
    v2 = register_bundle(registry, world["dir"].parent / "b2")
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app, ["compare", "--champion", v1, "--challenger", v2, "--from", "2024-03-01",
              "--to", "2024-03-01", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "compare.json").read_text())
    assert report["champion"] == f"v{v1} ({holder.bundle.fingerprint[:8]})"
    html = (out / "compare.html").read_text()
    assert f"Verdict: {report['verdict']}" in html
    assert report["checks"][1]["text"] in html
    assert "<h2>Estimated false positive rate by group (applications without a violation" in html
    assert "https://" not in html.split("<script>")[0]  # nothing loaded from the network
    summary = latest_comparison(registry, v2)
    assert summary["period"] == ["2024-03-01", "2024-03-01"]
    assert summary["verdict"] == report["verdict"]
    assert summary["difference"]["precision"] == report["estimates"]["difference"]["precision"]
    assert summary["artifact_path"] == "comparisons/2024-03-01_2024-03-01"
