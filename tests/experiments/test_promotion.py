"""The promotion gate: fairness, quality margin, two-person waivers, the record of attempts."""

from __future__ import annotations

import json

import pytest

from experiments import (
    approve_waiver,
    champion_bundle_dir,
    client_for,
    log_training_run,
    pending_waivers,
    promote,
    promotion_history,
    request_waiver,
)
from risk.errors import (
    ConflictError,
    NotFoundError,
    PromotionRefusedError,
    RequestValidationError,
)


def _log(result, settings, evidence, who="ana"):
    return log_training_run(
        result,
        settings=settings,
        data_dir=settings.data_dir,
        trained_by=who,
        fairness=evidence,
        report=False,
    )


def _aliases(settings):
    client = client_for(settings)
    name = settings.mlflow.registered_model
    out = {}
    for alias in ("champion", "challenger"):
        try:
            out[alias] = str(client.get_model_version_by_alias(name, alias).version)
        except Exception:
            out[alias] = None
    return out


def test_unfair_model_needs_a_waiver_requested_and_approved_by_two_people(
    settings, trained, evidence
):
    info = _log(trained, settings, evidence["good", "strict"])
    assert info.fairness_verdict == "fail"

    with pytest.raises(PromotionRefusedError) as refused:
        promote("1", by="bob", settings=settings)
    checks = {c["check"]: c for c in refused.value.checks}
    assert checks["fairness"]["passed"] is False and checks["fairness"]["value"] == "fail"
    assert checks["quality.pr_auc"]["passed"] is True
    assert checks["quality.pr_auc"]["detail"] == "no champion to compare with"
    assert "failed: fairness" in refused.value.message
    assert "fairness FAIL (fail vs pass)" in refused.value.message

    with pytest.raises(ConflictError, match="version 1 has no waiver request to approve"):
        approve_waiver("1", approver="carol", role="supervisor", via="cli", settings=settings)
    asked = request_waiver("1", by="bob", reason=" pilot on one post ", settings=settings)
    assert asked["result"] == "waiver requested" and asked["failed"] == ["fairness"]
    assert pending_waivers(settings) == [
        {
            "version": "1",
            "reason": "pilot on one post",
            "requested_by": "bob",
            "requested_at": asked["at"],
        }
    ]
    with pytest.raises(
        PromotionRefusedError, match="Bob requested this waiver; a second person must approve it"
    ):
        approve_waiver("1", approver="Bob", role="supervisor", via="cli", settings=settings)
    with pytest.raises(PromotionRefusedError, match="approver ana trained this model"):
        approve_waiver("1", approver="ana", role="supervisor", via="web", settings=settings)
    assert _aliases(settings) == {"champion": None, "challenger": "1"}

    record = approve_waiver("1", approver="carol", role="supervisor", via="api", settings=settings)
    assert record["result"] == "promoted" and record["by"] == "bob"
    assert _aliases(settings) == {"champion": "1", "challenger": None}
    assert pending_waivers(settings) == []
    tags = client_for(settings).get_model_version(settings.mlflow.registered_model, "1").tags
    assert (tags["waiver.reason"], tags["waiver.requested_by"], tags["waiver.approved_by"]) == (
        "pilot on one post",
        "bob",
        "carol",
    )
    assert (tags["waiver.approver_role"], tags["waiver.approved_via"]) == ("supervisor", "api")
    assert "waiver.request" not in tags and tags["promotion.result"] == "promoted"
    assert json.loads(tags["promotion.last_attempt"])["waiver"]["approved_by"] == "carol"

    history = promotion_history(settings)
    assert [h["result"] for h in history] == [
        "refused",
        "waiver requested",
        "refused",
        "refused",
        "promoted",
    ]
    assert [h["waiver"] and h["waiver"].get("approved_by") for h in history] == [
        None,
        None,
        "Bob",
        "ana",
        "carol",
    ]
    assert all(h["by"] == "bob" and h["version"] == "1" for h in history)
    assert all(h["trained_by"] == "ana" for h in history)
    assert history[0]["failed"] == ["fairness"] and history[0]["checks"] == refused.value.checks

    with pytest.raises(ConflictError, match="already the champion"):
        promote("1", by="bob", settings=settings)


def test_a_waiver_is_only_for_a_failed_gate(lenient, trained, evidence):
    _log(trained, lenient, evidence["good", "lenient"])
    with pytest.raises(ConflictError, match="version 1 passes the gate: promote it without a"):
        request_waiver("1", by="bob", reason="pilot", settings=lenient)
    assert pending_waivers(lenient) == [] and promotion_history(lenient) == []


def test_champion_bundle_is_downloaded_once(settings, lenient, trained, evidence):
    from models import load_bundle

    assert champion_bundle_dir(settings) is None
    _log(trained, lenient, evidence["good", "lenient"])
    promote("1", by="bob", settings=lenient)
    folder = champion_bundle_dir(settings)
    assert folder is not None and folder.is_relative_to(settings.data_dir.resolve())
    assert {p.name for p in folder.iterdir()} == {"bundle.json", "model.txt", "reference.json"}
    assert load_bundle(folder).fingerprint == trained.bundle.fingerprint
    stamp = (folder / "bundle.json").stat().st_mtime_ns
    assert champion_bundle_dir(settings) == folder
    assert (folder / "bundle.json").stat().st_mtime_ns == stamp


def test_worse_challenger_is_refused_within_the_quality_margin(lenient, trained, weak, evidence):
    good_pr = trained.metrics["model"]["pr_auc"]
    weak_pr = weak.metrics["model"]["pr_auc"]
    assert weak_pr < good_pr - lenient.mlflow.quality_margin  # the fixture's premise

    _log(trained, lenient, evidence["good", "lenient"])
    first = promote("1", by="bob", settings=lenient)
    assert first["waiver"] is None and first["failed"] == []
    _log(weak, lenient, evidence["weak", "lenient"], who="dina")
    assert _aliases(lenient) == {"champion": "1", "challenger": "2"}

    with pytest.raises(PromotionRefusedError) as refused:
        promote("2", by="bob", settings=lenient)
    checks = {c["check"]: c for c in refused.value.checks}
    assert checks["fairness"]["passed"] is True
    pr = checks["quality.pr_auc"]
    assert (pr["passed"], pr["gated"]) == (False, True)
    assert pr["value"] == pytest.approx(weak_pr) and pr["reference"] == pytest.approx(good_pr)
    assert checks["quality.roc_auc"]["gated"] is False
    assert checks["quality.precision_at_capacity"]["reference"] == pytest.approx(
        trained.metrics["model"]["precision_at_capacity"]
    )

    wide = lenient.model_copy(
        update={"mlflow": lenient.mlflow.model_copy(update={"quality_margin": 1.0})}
    )
    record = promote("2", by="bob", settings=wide)
    assert record["previous_champion"] == "1" and record["failed"] == []
    assert {c["check"]: c["passed"] for c in record["checks"]}["quality.roc_auc"] is False
    assert _aliases(lenient) == {"champion": "2", "challenger": None}
    assert [h["result"] for h in promotion_history(lenient)] == ["promoted", "refused", "promoted"]


def test_refusals_name_what_is_wrong(settings):
    with pytest.raises(NotFoundError, match="model 'amanah-risk' has no version '7'"):
        promote("7", by="bob", settings=settings)
    with pytest.raises(RequestValidationError, match="promoter is empty"):
        promote("1", by=" ", settings=settings)
    assert promotion_history(settings) == []


def test_waiver_needs_a_reason_and_a_promoter(settings, trained, evidence):
    _log(trained, settings, evidence["good", "strict"])
    with pytest.raises(RequestValidationError, match="a waiver needs a reason"):
        request_waiver("1", by="bob", reason=" ", settings=settings)
    with pytest.raises(RequestValidationError, match="promoter is empty"):
        request_waiver("1", by=" ", reason="pilot", settings=settings)
    assert promotion_history(settings) == []


def test_cli_promote_prints_the_checks_and_exits_1_when_refused(
    settings, trained, evidence, monkeypatch
):
    from typer.testing import CliRunner

    from risk.cli import app

    _log(trained, settings, evidence["good", "strict"])
    monkeypatch.setenv("RISK_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    refused = runner.invoke(app, ["promote", "1", "--by", "bob"])
    assert refused.exit_code == 1
    assert "Promotion of version 1: refused" in refused.output
    assert "fairness" in refused.output and "FAIL" in refused.output
    assert "quality.pr_auc" in refused.output
    missing = runner.invoke(app, ["promote", "5", "--by", "bob"])
    assert missing.exit_code == 1 and "has no version '5'" in missing.output
    assert [h["result"] for h in promotion_history(settings)] == ["refused"]
