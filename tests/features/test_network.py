"""Network signals: trailing-window counts of earlier applications sharing a key."""

from __future__ import annotations

from datetime import datetime

import pytest
from feature_world import app, doc, tables

from features import build_family

H1, H2 = "a" * 16, "b" * 16


def _network(apps, docs=()):
    return build_family("network", tables(apps, list(docs))).collect()


@pytest.mark.parametrize(
    ("key", "column"),
    [
        ("phone_hash", "phone_shared_count"),
        ("email_hash", "email_shared_count"),
        ("address_hash", "address_shared_count"),
        ("bank_account_hash", "bank_account_shared_count"),
        ("agent_id", "agent_application_count"),
    ],
)
def test_counts_cover_the_window_strictly_before(key, column):
    # 2024-03-31 10:00 minus 90 days is 2024-01-01 10:00 (2024 is a leap year).
    apps = [
        app("N0", **{key: H1}, submitted_at=datetime(2024, 1, 1, 9, 59)),  # just outside
        app("N1", **{key: H1}, submitted_at=datetime(2024, 1, 1, 10, 0)),  # window start
        app("N2", **{key: H1}, submitted_at=datetime(2024, 2, 1)),
        app("N3", **{key: H1}, submitted_at=datetime(2024, 3, 31, 10, 0)),
        app("N4", **{key: H1}, submitted_at=datetime(2024, 3, 31, 10, 0)),  # same moment
        app("N5", **{key: H2}, submitted_at=datetime(2024, 3, 1)),
        app("N6", **{key: None}, submitted_at=datetime(2024, 3, 1)),
        app("N7", **{key: H1}, submitted_at=datetime(2024, 12, 1)),  # later: alone again
    ]
    got = _network(apps).get_column(column).to_list()
    assert got == [0, 1, 2, 2, 2, 0, None, 0]


def test_window_length_comes_from_settings(monkeypatch):
    monkeypatch.setenv("RISK_FEATURES__NETWORK_WINDOW_DAYS", "30")
    apps = [
        app("N1", phone_hash=H1, submitted_at=datetime(2024, 1, 1)),
        app("N2", phone_hash=H1, submitted_at=datetime(2024, 1, 20)),
        app("N3", phone_hash=H1, submitted_at=datetime(2024, 2, 15)),
    ]
    assert _network(apps).get_column("phone_shared_count").to_list() == [0, 1, 1]


def test_distinct_issuing_states_behind_an_agent():
    when = [datetime(2024, 1, d) for d in (1, 2, 3, 4, 5)]
    apps = [app(f"M{i}", agent_id="G1", submitted_at=w) for i, w in enumerate(when)]
    apps.append(app("M9", agent_id="G2", submitted_at=datetime(2024, 1, 9)))
    states = ["DEU", "FRA", "DEU", "NLD", "FRA", "ITA"]
    docs = [doc(a["application_id"], issuing_state=s) for a, s in zip(apps, states, strict=True)]
    got = _network(apps, docs).get_column("agent_issuing_states").to_list()
    assert got == [0, 1, 2, 2, 3, 0]


def test_issuing_states_never_read_nationality():
    apps = [app(f"M{i}", agent_id="G1", submitted_at=datetime(2024, 1, 1 + i)) for i in range(4)]
    docs = [doc(a["application_id"], issuing_state="DEU") for a in apps]
    base = _network(apps, docs)
    nationalities = ["AFG", "IDN", "USA", "BRA"]
    mixed = [{**a, "nationality": n} for a, n in zip(apps, nationalities, strict=True)]
    assert _network(mixed, docs).equals(base)
    assert base.get_column("agent_issuing_states").to_list() == [0, 1, 1, 1]
