from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from risk.settings import Settings, get_settings


def test_defaults_point_under_the_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.database_url == f"sqlite:///{(tmp_path / 'amanah.db').resolve()}"
    assert s.tracking_uri == f"sqlite:///{(tmp_path / 'mlflow.db').resolve()}"
    assert s.review.capacity == 0.05
    assert s.protected.columns == ["nationality", "sex", "birth_date", "marital_status"]


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_DATA_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("RISK_REVIEW__CAPACITY", "0.03")
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", "postgresql+psycopg://u@h/db")
    s = get_settings()
    assert s.data_dir == Path("/tmp/elsewhere")
    assert s.review.capacity == 0.03
    assert s.database_url == "postgresql+psycopg://u@h/db"


def test_get_settings_is_cached() -> None:
    assert get_settings() is get_settings()


def test_split_fractions_must_sum_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_SPLIT__TRAIN", "0.7")
    with pytest.raises(ValidationError, match=r"split fractions must sum to 1, got 1\.1000"):
        Settings()


def test_capacity_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_REVIEW__CAPACITY", "1.5")
    with pytest.raises(ValidationError, match=r"review\.capacity"):
        Settings()


def test_protected_columns_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_PROTECTED__COLUMNS", '["occupation"]')
    assert Settings().protected.columns == ["occupation"]


def test_old_audit_only_env_name_still_works_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RISK_AUDIT__AUDIT_ONLY_COLUMNS", '["occupation", "sex"]')
    message = (
        "RISK_AUDIT__AUDIT_ONLY_COLUMNS is deprecated and will be removed in the next"
        " release; set RISK_PROTECTED__COLUMNS instead"
    )
    with pytest.warns(FutureWarning, match=f"^{message}$"):
        s = Settings()
    assert s.protected.columns == ["occupation", "sex"]
    assert "audit" not in s.model_dump()


def test_new_protected_env_name_wins_over_the_old_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_AUDIT__AUDIT_ONLY_COLUMNS", '["occupation"]')
    monkeypatch.setenv("RISK_PROTECTED__COLUMNS", '["sex"]')
    with pytest.warns(FutureWarning, match="RISK_AUDIT__AUDIT_ONLY_COLUMNS is deprecated"):
        s = Settings()
    assert s.protected.columns == ["sex"]


def test_with_section_copies_and_leaves_the_original_alone(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    t = s.with_section("serving", model_source="bundle", bundle_path=tmp_path / "b")
    assert (t.serving.model_source, t.serving.bundle_path) == ("bundle", tmp_path / "b")
    assert (s.serving.model_source, s.serving.bundle_path) == ("registry", None)
    assert t.review is s.review  # untouched sections are shared, not copied
    with pytest.raises(
        ValueError, match=r"^settings section 'serving' has no field\(s\) \['nope'\]$"
    ):
        s.with_section("serving", nope=1)


def _settings_assignments(path: Path) -> list[str]:
    """``settings.x = ...`` / ``self.settings.x.y += ...`` style assignments in one file."""
    import ast

    def rooted_in_settings(node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute):
            if node.attr == "settings":
                return True
            node = node.value
        return isinstance(node, ast.Name) and "settings" in node.id

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            for t in elements:
                if isinstance(t, ast.Attribute) and rooted_in_settings(t.value):
                    found.append(f"{path}:{node.lineno}")
    return found


def test_production_code_never_changes_a_settings_object() -> None:
    root = Path(__file__).resolve().parents[2]
    packages = ("risk", "features", "models", "experiments", "serving")
    found = [
        hit
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
        for hit in _settings_assignments(path)
    ]
    assert found == []
