"""A batch computes outside the write lock, yet each item sees the batch's earlier items.

The reference is the one-by-one path: after the batch is stored, the features of
an item computed from the store (``compute_features``, which reads the earlier
items as stored rows) must equal the features the batch logged for it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from serving.services import compute_features
from serving.store import Score

pytestmark = pytest.mark.xdist_group("serving_model")

SHARED = ("phone_hash", "email_hash", "address_hash", "bank_account_hash", "agent_id")


def _pair(world, first: int, second: int) -> tuple[dict, dict]:
    """Item 0 as sent; item 1 another applicant's file sharing item 0's contacts and agent."""
    one, two = world["payloads"][first], world["payloads"][second]
    app = dict(two["application"])
    for column in (*SHARED, "sponsor_id"):
        app[column] = one["application"][column]
    app["submitted_at"] = one["application"]["submitted_at"] + dt.timedelta(hours=1)
    return one, {**two, "application": app}


def _agent_payload(world) -> int:
    return next(i for i, p in enumerate(world["payloads"]) if p["application"]["agent_id"])


def _logged(store, application_id: str) -> dict:
    with store.transaction() as session:
        row = session.scalars(sa.select(Score).where(Score.application_id == application_id)).one()
        return row.features


def _reference(store, settings, payload) -> dict:
    """The item's features from the store as it is now (earlier items stored as rows)."""
    with store.transaction() as session:
        row = compute_features(session, payload["application"], payload["documents"], settings)
    return {k: _as_logged(v) for k, v in row.items()}


def _as_logged(value):
    """A feature value as the inference log stores it (JSON: ISO times, null for NaN)."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return None if isinstance(value, float) and value != value else value


def _before(store, settings, payload) -> dict:
    with store.reading() as session:
        return compute_features(session, payload["application"], payload["documents"], settings)


def test_an_item_counts_the_earlier_items_of_its_batch(
    scoring_client, tokens, world, store, settings
):
    first = _agent_payload(world)
    one, two = _pair(world, first, first + 1)
    alone = _before(store, settings, two)  # what item 1 would see without item 0
    response = scoring_client.post(
        "/v1/applications/score-batch",
        headers=auth(tokens["officer"]),
        json={"items": [as_json(one), as_json(two)]},
    )
    assert response.status_code == 200, response.text
    logged = _logged(store, two["application"]["application_id"])
    assert logged == _reference(store, settings, two)
    for name in ("phone_shared_count", "email_shared_count", "agent_application_count"):
        assert logged[name] == alone[name] + 1, name
    # Item 0 does not see item 1 (it came later in the batch).
    assert _logged(store, one["application"]["application_id"]) == _reference(store, settings, one)


def test_rows_stored_between_compute_and_write_are_counted(
    scoring_client, tokens, world, store, settings, holder, monkeypatch
):
    """A single score lands while the batch computes: the items it touches are recomputed."""
    import serving.services._batch as batch
    from risk.clock import WallClock
    from serving.services import Principal, score_application

    first = _agent_payload(world)
    one, two = _pair(world, first, first + 1)
    other = world["payloads"][first + 2]
    meanwhile = {**other["application"]}
    for column in SHARED:
        meanwhile[column] = two["application"][column]
    meanwhile["submitted_at"] = two["application"]["submitted_at"] - dt.timedelta(minutes=5)
    real = batch._compute

    def compute_then_someone_writes(*args, **kwargs):
        marks = real(*args, **kwargs)
        with store.transaction() as session:
            score_application(
                session, holder.bundle, settings, Principal(1, "admin", "admin"), meanwhile,
                other["documents"], clock=WallClock(),
            )  # fmt: skip
        return marks

    monkeypatch.setattr(batch, "_compute", compute_then_someone_writes)
    response = scoring_client.post(
        "/v1/applications/score-batch",
        headers=auth(tokens["officer"]),
        json={"items": [as_json(one), as_json(two)]},
    )
    assert response.status_code == 200, response.text
    logged = _logged(store, two["application"]["application_id"])
    assert logged == _reference(store, settings, two)
    alone = logged["phone_shared_count"]
    # item 1 counts item 0 and the application stored meanwhile
    with store.engine.connect() as conn:
        n = conn.execute(
            sa.text("SELECT count(*) FROM applications WHERE phone_hash = :p"),
            {"p": two["application"]["phone_hash"]},
        ).scalar_one()
    assert alone == n - 1  # every stored application with the phone but item 1 itself
