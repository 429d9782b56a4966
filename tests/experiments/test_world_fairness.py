"""Fairness evidence of a model trained on the synthetic world (`risk train --data`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import training_fairness_report
from models import train_world
from risk.settings import Settings
from risk.synth import synthesize


@pytest.fixture(scope="module")
def world_result(tmp_path_factory, train_settings: Settings):
    root = tmp_path_factory.mktemp("world-fairness")
    synthesize(4000, 5, root / "world")
    settings = train_settings.model_copy(update={"data_dir": root / "data"})
    return train_world(root / "world", settings=settings), settings


def test_world_report_covers_the_protected_attributes_not_the_label_bookkeeping(world_result):
    result, settings = world_result
    evidence = training_fairness_report(result, settings)
    # investigated and label_known ride along in the test split for the label-bias
    # view; they are not protected attributes.
    assert evidence.attributes == ["nationality", "sex", "age_band", "marital_status"]
    assert set(evidence.report.to_dict()["attributes"]) == set(evidence.attributes)
    assert evidence.label_bias is not None
    # The proxy test runs on the whole test split's features, whatever its size.
    assert evidence.proxy is not None
    assert set(evidence.proxy.attributes) == set(evidence.attributes)
    assert evidence.proxy.rows == result.test_frame.height
    rates = evidence.label_bias.groups["nationality"]
    assert sum(g["n"] for g in rates.values()) == result.test_frame.height


def test_world_dir_is_not_needed_by_the_report(world_result, tmp_path: Path):
    result, settings = world_result
    moved = settings.model_copy(update={"data_dir": tmp_path})
    assert training_fairness_report(result, moved).attributes[0] == "nationality"


def test_former_name_of_the_training_report_resolves_with_a_warning():
    import experiments

    message = (
        "experiments.audit_training_result is deprecated; use experiments.training_fairness_report"
    )
    with pytest.warns(DeprecationWarning, match=f"^{message}$"):
        assert experiments.audit_training_result is experiments.training_fairness_report
