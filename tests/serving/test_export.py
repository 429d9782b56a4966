"""risk export: the store's records as the data contract, plus each score's review record."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal
from serving_helpers import as_json, auth

from risk.clock import WallClock
from risk.contract import TABLES
from risk.errors import ConflictError, PermissionDeniedError
from risk.io import load_tables
from risk.validation import validate_dir
from serving.services import REVIEWS_SCHEMA, Principal, export_store, load_raw_tables
from serving.store import AuditEntry

pytestmark = pytest.mark.xdist_group("serving_model")

ANALYST = Principal(1, "analyst", "analyst")
LATE = dt.date(2030, 1, 1)


def _export(store, out, until=LATE, who=ANALYST):
    with store.transaction() as session:
        return export_store(session, who, until, out, clock=WallClock())


def _sorted(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.select(TABLES[name].names).sort(list(TABLES[name].key))


@pytest.mark.slow
def test_a_loaded_world_exports_back_row_for_row(store, world, tmp_path, tokens):
    tables = load_tables(world["dir"])
    with store.transaction() as session:
        load_raw_tables(session, tables, clock=WallClock())
    result = _export(store, tmp_path / "out")
    for name in TABLES:
        want = _sorted(getattr(tables, name).collect(), name)
        got = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert_frame_equal(_sorted(got, name), want, check_exact=True)
        assert result.rows[name] == want.height
    reviews = pl.read_parquet(tmp_path / "out" / "reviews.parquet")
    assert (reviews.height, dict(reviews.schema)) == (0, REVIEWS_SCHEMA)
    assert validate_dir(tmp_path / "out").ok


def test_an_empty_period_writes_empty_tables_with_their_schema(store, world, tmp_path, tokens):
    result = _export(store, tmp_path / "out", until=dt.date(1990, 1, 1))
    assert result.rows == dict.fromkeys([*TABLES, "reviews"], 0)
    for name, table in TABLES.items():
        frame = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert dict(frame.schema) == {c.name: c.dtype for c in table.columns}
    assert dict(pl.read_parquet(tmp_path / "out" / "reviews.parquet").schema) == REVIEWS_SCHEMA
    assert validate_dir(tmp_path / "out").ok


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_only_analysts_and_admins_export(store, tmp_path, role, tokens):
    with pytest.raises(PermissionDeniedError, match=f"role '{role}' may not 'data.export'"):
        _export(store, tmp_path / "out", who=Principal(9, role, role))
    assert not (tmp_path / "out").exists()


def test_an_export_refuses_a_folder_with_files_and_is_audited(store, tmp_path, tokens):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("x")
    with pytest.raises(ConflictError, match="out is not empty; export into a new or empty folder"):
        _export(store, tmp_path / "out")
    _export(store, tmp_path / "new", who=Principal(5, "admin", "admin"))
    with store.reading() as session:
        entries = session.execute(
            sa.select(AuditEntry.actor, AuditEntry.details).where(
                AuditEntry.action == "data.export"
            )
        ).all()
    assert [(a, d["until"]) for a, d in entries] == [("admin", "2030-01-01")]


def _decide(client, token, case_id, outcome, types=()):
    client.post(f"/v1/cases/{case_id}/claim", headers=auth(token))
    answer = client.post(
        f"/v1/cases/{case_id}/decisions",
        headers=auth(token),
        json={"outcome": outcome, "violation_types": list(types), "reason": "Checked the file."},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_decisions_become_outcomes_prior_decisions_and_reviews(
    scoring_client, tokens, world, store, tmp_path, settings
):
    tables = load_tables(world["dir"])
    with store.transaction() as session:
        load_raw_tables(session, tables, before=world["cutoff"], clock=WallClock())
    settings.review.blind_sample_rate = 0.5
    scoring_client.put(
        "/v1/settings/review", headers=auth(tokens["admin"]), json={"threshold": 0.007}
    )
    scored = [
        scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(p)
        ).json()
        for p in world["payloads"][:12]
    ]
    cases = [s for s in scored if s["case_id"] is not None]
    confirmed, cleared, unsure = cases[:3]
    officer = tokens["officer"]
    d1 = _decide(
        scoring_client,
        officer,
        confirmed["case_id"],
        "violation_confirmed",
        ["overstay", "document_fraud"],
    )
    _decide(scoring_client, officer, cleared["case_id"], "no_violation")
    _decide(scoring_client, officer, unsure["case_id"], "insufficient_evidence")  # fmt: skip
    out = tmp_path / "out"
    _export(store, out)
    assert validate_dir(out).ok

    reviews = pl.read_parquet(out / "reviews.parquet")
    assert reviews["score_id"].sort().to_list() == sorted(s["score_id"] for s in scored)
    by_id = {r["score_id"]: r for r in reviews.to_dicts()}
    for s in scored:
        r = by_id[s["score_id"]]
        assert (r["flagged"], r["blind_sample"], r["review_propensity"]) == (
            s["route"] == "model_flag",
            s["route"] == "blind_sample",
            s["review_propensity"],
        )
    findings = {
        s["score_id"]: by_id[s["score_id"]]["finding"] for s in (confirmed, cleared, unsure)
    }
    assert list(findings.values()) == [
        "violation_confirmed",
        "no_violation",
        "insufficient_evidence",
    ]
    assert reviews["reviewed"].sum() == 3

    outcomes = pl.read_parquet(out / "outcomes.parquet")
    mine = {
        r["application_id"]: r
        for r in outcomes.filter(
            pl.col("application_id").is_in(
                [c["application_id"] for c in (confirmed, cleared, unsure)]
            )
        ).to_dicts()
    }
    trigger = {"model_flag": "checklist", "blind_sample": "random"}
    keys = ("violation_confirmed", "violation_types", "investigation_trigger")
    got = [tuple(mine[c["application_id"]][k] for k in keys) for c in (confirmed, cleared, unsure)]
    assert got == [
        (True, "document_fraud;overstay", trigger[confirmed["route"]]),
        (False, None, trigger[cleared["route"]]),
        (None, None, trigger[unsure["route"]]),
    ]
    assert mine[confirmed["application_id"]]["known_at"] == dt.datetime.fromisoformat(
        d1["created_at"].rstrip("Z")
    )
    prior = pl.read_parquet(out / "prior_decisions.parquet").filter(
        pl.col("decision_id").str.starts_with("AMANAH-")
    )
    assert sorted(zip(prior["outcome"], prior["reason"], strict=True), key=str) == sorted(
        [("refused", "document_irregularity"), ("granted", None), ("granted", None)], key=str
    )


def test_risk_export_runs_as_a_named_analyst(store, tmp_path, monkeypatch, tokens):
    from typer.testing import CliRunner

    from risk.cli import app

    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    run = CliRunner().invoke
    ok = run(
        app, ["export", "--until", "2024-01-31", "--out", str(tmp_path / "a"), "--user", "analyst"]
    )
    assert ok.exit_code == 0, ok.output
    assert "reviews: 0 rows" in ok.output
    refused = run(
        app, ["export", "--until", "2024-01-31", "--out", str(tmp_path / "b"), "--user", "auditor"]
    )
    assert refused.exit_code == 1
    assert "role 'auditor' may not 'data.export'" in refused.output
    nobody = run(
        app, ["export", "--until", "2024-01-31", "--out", str(tmp_path / "c"), "--user", "x"]
    )
    assert "user 'x' does not exist or is not active" in nobody.output
