"""The tolerance policy: TOML, settings defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.fairness import FairnessPolicy
from risk.errors import SpecError
from risk.settings import get_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_settings(monkeypatch):
    assert FairnessPolicy.default() == FairnessPolicy()
    monkeypatch.setenv("RISK_FAIRNESS__MIN_GROUP_SIZE", "50")
    monkeypatch.setenv("RISK_FAIRNESS__RATIO_LOW", "0.9")
    get_settings.cache_clear()
    policy = FairnessPolicy.default()
    assert (policy.min_group_size, policy.ratio_low, policy.ratio_high) == (50, 0.9, 1.25)


@pytest.mark.parametrize("table", ["", "[fairness]\n"])
def test_from_toml_top_level_or_fairness_table(tmp_path, table):
    path = _write(
        tmp_path,
        table + 'min_group_size = 100\nmetrics = ["fpr", "fnr"]\nverdict_rule = "ci"\n'
        "bootstrap = 300\nseed = 42\n",
    )
    policy = FairnessPolicy.from_toml(path)
    assert policy.min_group_size == 100
    assert policy.metrics == ("fpr", "fnr")
    assert (policy.verdict_rule, policy.bootstrap, policy.seed) == ("ci", 300, 42)
    assert policy.band() == (0.8, 1.25)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_group_sise = 3\n", "key 'min_group_sise' (got 3): Extra inputs are not permitted"),
        ('ratio_low = "low"\n', "key 'ratio_low' (got 'low'): Input should be a valid number"),
        ("min_group_size = 0\n", "key 'min_group_size' (got 0): Input should be greater than"),
        ('metrics = ["auc"]\n', "unknown metric auc; choose from "),
        ("ratio_low = 1.1\n", "the band must contain 1"),
        ('verdict_rule = "ci"\nbootstrap = 0\n', "verdict_rule='ci' needs bootstrap >= 1"),
        ('verdict_rule = "maybe"\n', "key 'verdict_rule' (got 'maybe')"),
    ],
)
def test_bad_policy_names_the_file_and_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        FairnessPolicy.from_toml(path)
    assert err.value.message.startswith(f"{path}: bad fairness policy: ")
    assert message in err.value.message


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match=r"nope\.toml: policy file not found"):
        FairnessPolicy.from_toml(tmp_path / "nope.toml")
    with pytest.raises(SpecError, match=r"policy\.toml: not valid TOML"):
        FairnessPolicy.from_toml(_write(tmp_path, "min_group_size = = 3"))
    with pytest.raises(SpecError, match=r"unexpected key\(s\) \['other'\] beside \[fairness\]"):
        FairnessPolicy.from_toml(_write(tmp_path, "other = 1\n[fairness]\nseed = 1\n"))
