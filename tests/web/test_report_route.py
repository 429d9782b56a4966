"""The model report route names one folder per version: only the canonical spelling builds."""

from __future__ import annotations

import pytest


@pytest.fixture
def built(monkeypatch):
    """Versions whose report the route asked to build (a stand-in for the MLflow registry)."""
    import experiments
    from serving.web import _oversight

    calls: list[str] = []

    def build(version, out, *, settings):
        calls.append(version)
        out.mkdir(parents=True, exist_ok=True)
        path = out / experiments.REPORT_FILE
        path.write_text("<p>report</p>", encoding="utf-8")
        return path

    monkeypatch.setattr(_oversight, "model_registry", lambda settings: {"available": True})
    monkeypatch.setattr(experiments, "build_report", build)
    return calls


@pytest.mark.parametrize("spelling", ["01", "001", "0001"])
def test_leading_zeros_redirect_to_the_canonical_version(client_factory, built, spelling):
    r = client_factory("auditor").get(f"/oversight/model/report/{spelling}")
    assert r.status_code == 308
    assert r.headers["location"] == "/oversight/model/report/1"
    assert built == []


@pytest.mark.parametrize("spelling", ["%D9%A1", "%EF%BC%91", "0", "00", "+1", "1e0", "1.0"])
def test_other_spellings_are_404_and_build_nothing(client_factory, built, spelling):
    r = client_factory("auditor").get(f"/oversight/model/report/{spelling}")
    assert r.status_code == 404
    assert built == []


def test_the_canonical_version_builds_once(client_factory, web_world, built):
    c = client_factory("auditor")
    for _ in range(2):
        r = c.get("/oversight/model/report/1")
        assert r.status_code == 200
        assert r.text == "<p>report</p>"
    assert built == ["1"]
    assert sorted(p.name for p in (web_world.settings.data_dir / "reports").iterdir()) == ["v1"]
