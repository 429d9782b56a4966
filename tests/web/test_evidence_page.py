"""/oversight/model: shadow scoring's state and the latest comparison, as charts and words."""

from __future__ import annotations

import html as htmllib
import re

import pytest


def _register(settings, bundle, folder) -> str:
    """A new registered version holding ``bundle`` (its own run with a bundle artifact)."""
    from experiments._registry import register_version
    from experiments._tracking import client_for, experiment_id

    path = bundle.save(folder)
    client = client_for(settings)
    run_id = client.create_run(experiment_id(client, settings)).info.run_id
    client.log_artifacts(run_id, str(path), "bundle")
    client.set_tag(run_id, "bundle_fingerprint", bundle.fingerprint)
    client.set_terminated(run_id)
    return register_version(
        client, settings, model_uri=f"runs:/{run_id}/bundle", run_id=run_id, model_id=None
    )


REPORT = {
    "champion": "v1 (aaaaaaaa)",
    "challenger": "v2 (bbbbbbbb)",
    "period": ["2025-11-01", "2025-12-31"],
    "made_at": "2026-01-02T09:00:00",
    "n": 5000,
    "capacity": 150,
    "overlap": {"both": 120, "champion_only": 30, "challenger_only": 30},
    "estimates": {
        "champion": {
            "precision": 0.30,
            "precision_ci": [0.25, 0.35],
            "recall": 0.40,
            "recall_ci": [0.30, 0.50],
        },
        "challenger": {
            "precision": 0.25,
            "precision_ci": [0.20, 0.30],
            "recall": 0.35,
            "recall_ci": [0.25, 0.45],
        },
        "difference": {
            "precision": -0.05,
            "precision_ci": [-0.09, -0.01],
            "recall": None,
            "recall_ci": None,
            "recall_reason": "not estimable: ...",
        },
    },
    "checks": [
        {"check": "precision", "verdict": "worse", "text": "..."},
        {"check": "recall", "verdict": "not estimable", "text": "..."},
    ],
    "verdict": "worse",
}


@pytest.fixture
def with_evidence(web_app, web_world, tmp_path):
    """The app reading a registry whose challenger has a comparison; a challenger in shadow."""
    from experiments import log_comparison

    settings = web_world.settings.model_copy(update={"data_dir": tmp_path / "data"})
    _register(settings, web_world.holder.bundle, tmp_path / "b1")
    _register(settings, web_world.holder.bundle, tmp_path / "b2")
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "compare.json").write_text("{}")
    log_comparison(REPORT, tmp_path / "cmp", champion="1", challenger="2", settings=settings)
    before = web_app.state.settings
    web_app.state.settings = settings
    web_app.state.shadow.set_challenger(web_world.holder.bundle, "v2 (bbbbbbbb)")
    yield
    web_app.state.settings = before
    web_app.state.shadow.set_challenger(None, None)


def _text(page: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_supervisors_see_shadow_scoring_and_the_latest_comparison(with_evidence, client_factory):
    page = client_factory("supervisor").get("/oversight/model")
    assert page.status_code == 200
    text = _text(page.text)
    assert (
        "On: challenger v2 (bbbbbbbb) scores every new application in shadow. Officers never"
        " see its scores; it never changes a flag, the queue or the blind sample." in text
    )
    assert (
        "Challenger v2 (bbbbbbbb) against champion v1 (aaaaaaaa), applications from"
        " 2025-11-01 to 2025-12-31 (5,000)." in text
    )
    assert "Verdict: worse" in text
    assert (
        "Estimated precision at capacity, challenger minus champion: -0.050 (95% interval"
        " -0.090 to -0.010): worse." in text
    )
    assert "Estimated recall at capacity: not estimable" in text
    for chart in ("overlap", "estimates", "difference"):
        assert f'data-figure="fig-ev-{chart}"' in page.text
    assert "precision_ci" not in page.text  # charts, not raw keys


def test_the_panels_in_indonesian(with_evidence, client_factory):
    client = client_factory("auditor")
    page = client.get("/oversight/model")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.post("/lang", data={"lang": "id", "next": "/oversight/model", "csrf": csrf})
    try:
        text = _text(client.get("/oversight/model").text)
    finally:  # the language is the auditor's (stored): later tests read English
        client.post("/lang", data={"lang": "en", "next": "/oversight/model", "csrf": csrf})
    assert "Kesimpulan: lebih buruk" in text
    assert "Aktif: penantang v2 (bbbbbbbb) menilai setiap permohonan baru secara bayangan." in text
    assert (
        "Perkiraan presisi pada kapasitas, penantang dikurangi juara: -0,050 (interval 95%"
        " -0,090 sampai -0,010): lebih buruk." in text
    )


def test_without_a_registry_shadow_says_no_challenger(web_app, client_factory):
    text = _text(client_factory("supervisor").get("/oversight/model").text)
    assert "Not available yet." in text  # the registry panel, unchanged
