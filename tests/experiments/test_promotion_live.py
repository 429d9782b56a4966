"""The gate reads the live evidence: a challenger estimated worse is refused unless waived."""

from __future__ import annotations

import pytest

from experiments import (
    approve_waiver,
    latest_comparison,
    log_comparison,
    log_training_run,
    promote,
    promotion_history,
    request_waiver,
)
from risk.errors import PromotionRefusedError


def _log(result, settings, evidence):
    return log_training_run(
        result,
        settings=settings,
        data_dir=settings.data_dir,
        trained_by="ana",
        fairness=evidence,
        report=False,
    )


def _report(precision, precision_ci, recall=0.01, recall_ci=(-0.02, 0.04)) -> dict:
    """A comparison's content as ``risk compare`` writes it (the parts the gate reads)."""
    return {
        "champion": "v1 (aaaaaaaa)",
        "challenger": "v2 (bbbbbbbb)",
        "period": ["2025-11-01", "2025-12-31"],
        "made_at": "2026-01-02T09:00:00",
        "n": 5000,
        "estimates": {
            "difference": {
                "precision": precision,
                "precision_ci": list(precision_ci),
                "recall": recall,
                "recall_ci": list(recall_ci) if recall_ci else None,
            }
        },
        "checks": [{"check": "precision", "verdict": "worse", "text": "..."}],
        "verdict": "worse",
    }


@pytest.fixture
def two_versions(lenient, trained, evidence, tmp_path):
    """Version 1 the champion, version 2 (the same quality on the test split) a challenger."""
    _log(trained, lenient, evidence["good", "lenient"])
    promote("1", by="bob", settings=lenient)
    _log(trained, lenient, evidence["good", "lenient"])
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "compare.json").write_text("{}")
    return lenient, tmp_path / "cmp"


def test_estimated_worse_with_an_interval_below_zero_is_refused_then_waived(two_versions):
    settings, folder = two_versions
    log_comparison(
        _report(-0.05, (-0.09, -0.01)), folder, champion="1", challenger="2", settings=settings
    )
    with pytest.raises(PromotionRefusedError) as refused:
        promote("2", by="bob", settings=settings)
    checks = {c["check"]: c for c in refused.value.checks}
    assert checks["quality.pr_auc"]["passed"] is True  # the test split alone would pass
    assert checks["live.precision"] == {
        "check": "live.precision",
        "gated": True,
        "passed": False,
        "value": -0.05,
        "reference": 0.0,
        "detail": "estimated precision at capacity, challenger minus champion, over 2025-11-01"
        " to 2025-12-31, 5000 applications: -0.050 [-0.090, -0.010] (worse: the whole"
        " interval is below zero)",
    }
    assert checks["live.recall"]["passed"] is True and checks["live.recall"]["gated"] is True
    request_waiver("2", by="bob", reason="pilot: the drop is on one post", settings=settings)
    record = approve_waiver("2", approver="carol", role="supervisor", via="cli", settings=settings)
    assert record["result"] == "promoted"
    history = promotion_history(settings)
    assert [h["result"] for h in history] == ["promoted", "refused", "waiver requested", "promoted"]
    used = history[-1]["evidence"]
    assert used["test_split"] is True
    assert used["comparison"]["period"] == ["2025-11-01", "2025-12-31"]
    assert used["comparison"]["difference"]["precision_ci"] == [-0.09, -0.01]
    assert history[0]["evidence"] == {"test_split": True, "comparison": None}


def test_an_interval_that_includes_zero_passes_and_is_recorded(two_versions):
    settings, folder = two_versions
    log_comparison(
        _report(-0.02, (-0.06, 0.01)), folder, champion="1", challenger="2", settings=settings
    )
    record = promote("2", by="bob", settings=settings)
    checks = {c["check"]: c for c in record["checks"]}
    assert checks["live.precision"]["passed"] is True
    assert checks["live.precision"]["detail"].endswith(": -0.020 [-0.060, +0.010]")
    assert record["evidence"]["comparison"] == latest_comparison(settings, "2")


def test_a_figure_not_estimable_is_reported_not_gated(two_versions):
    settings, folder = two_versions
    log_comparison(
        _report(0.01, (-0.01, 0.03), recall=None, recall_ci=None),
        folder, champion="1", challenger="2", settings=settings,
    )  # fmt: skip
    record = promote("2", by="bob", settings=settings)
    checks = {c["check"]: c for c in record["checks"]}
    assert (checks["live.recall"]["gated"], checks["live.recall"]["passed"]) == (False, True)
    assert checks["live.recall"]["detail"] == (
        "estimated recall difference over 2025-11-01 to 2025-12-31, 5000 applications:"
        " not estimable"
    )


def test_a_comparison_against_another_champion_is_not_used(two_versions):
    settings, folder = two_versions
    log_comparison(
        _report(-0.05, (-0.09, -0.01)), folder, champion="7", challenger="2", settings=settings
    )
    record = promote("2", by="bob", settings=settings)
    checks = {c["check"]: c for c in record["checks"]}
    assert checks["live.comparison"]["gated"] is False
    assert checks["live.comparison"]["detail"] == (
        "the latest comparison (2025-11-01 to 2025-12-31) was made against version 7, not the"
        " current champion 1: not used; run risk compare again"
    )
    assert record["evidence"]["comparison"] is None


def test_cli_promote_prints_the_test_split_and_the_live_checks(two_versions, monkeypatch):
    from typer.testing import CliRunner

    from risk.cli import app

    settings, folder = two_versions
    log_comparison(
        _report(-0.05, (-0.09, -0.01)), folder, champion="1", challenger="2", settings=settings
    )
    monkeypatch.setenv("RISK_DATA_DIR", str(settings.data_dir))
    refused = CliRunner().invoke(app, ["promote", "2", "--by", "bob"])
    assert refused.exit_code == 1
    out = " ".join(refused.output.split())
    assert "Promotion of version 2: refused" in out
    for check in ("quality.pr_auc", "live.precision", "live.recall"):
        assert check in out
    assert "refused: version 2 not promoted: failed: live.precision." in out
