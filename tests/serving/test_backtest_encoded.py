"""Backtests read each score's encoded row (the bytes the model read), else its JSON.

The references are independent of the encoded rows: the logged JSON encoded the way
backtests read it before the log kept the bytes, and the scores the service logged.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from evidence_helpers import score_payloads
from serving_helpers import as_json, auth

from models import Bundle
from models._backtest import logged_matrix, replay_matrix
from models._logged_rows import UNSEEN, logged_row
from models._schema import FeatureSchema
from serving.services import backtest_store, logged_scores
from serving.services._encodings import logged_encodings
from serving.store import FeatureEncoding, Score

pytestmark = pytest.mark.xdist_group("serving_model")

DAY = dt.date(2024, 3, 1)  # the simulated clock's day (CLOCK_START)


@pytest.fixture
def scored(clocked_client, tokens, world, store):
    # a threshold override low enough that this small world's payloads get some flags
    clocked_client.put(
        "/v1/settings/review", headers=auth(tokens["admin"]), json={"threshold": 0.007}
    )
    return score_payloads(clocked_client, tokens, world["payloads"][:25])


def _with_schema(bundle: Bundle, categories: dict[str, tuple[str, ...]]) -> Bundle:
    """The same trees reading other category lists (so other codes)."""
    schema = FeatureSchema(bundle.schema.names, bundle.schema.kinds, categories)
    return Bundle(
        bundle.booster, schema, bundle.calibrator, bundle.bands, bundle.texts,
        catalogue_hash=bundle.catalogue_hash, meta=bundle.meta,
    )  # fmt: skip


def _recoded(bundle: Bundle) -> Bundle:
    """Every category list reversed and its first category dropped (it reads as missing)."""
    cats = bundle.schema.categories
    return _with_schema(bundle, {n: tuple(reversed(c[1:])) for n, c in cats.items()})


def _forget_encoded(store, every: int) -> int:
    """Make every ``every``-th score (in id order) one logged before the bytes were kept."""
    if not every:
        return 0
    with store.transaction() as session:
        ids = sorted(session.execute(sa.select(Score.score_id)).scalars())[::every]
        session.execute(
            sa.update(Score)
            .where(Score.score_id.in_(ids))
            .values(encoded_features=None, feature_encoding=None)
        )
    return len(ids)


def test_each_score_keeps_the_row_the_model_read_and_its_encoding(scored, store, holder):
    schema = holder.bundle.schema
    with store.reading() as session:
        stored = session.execute(
            sa.select(Score.features, Score.encoded_features, Score.feature_encoding)
        ).all()
        encodings = session.execute(
            sa.select(FeatureEncoding.encoding_id, FeatureEncoding.features)
        ).all()
    assert len(stored) == 25
    for features, encoded, encoding in stored:
        # the model's one-row encoding of the logged values, as little-endian doubles
        np.testing.assert_array_equal(
            np.frombuffer(encoded, dtype="<f8"), schema.encode_row(features)[0]
        )
        assert encoding == schema.encoding_id
    assert [tuple(e) for e in encodings] == [(schema.encoding_id, schema.to_dict())]


def test_a_batch_keeps_each_scores_encoded_row(clocked_client, tokens, world, store, holder):
    items = [as_json(p) for p in world["payloads"][30:36]]
    answer = clocked_client.post(
        "/v1/applications/score-batch", headers=auth(tokens["officer"]), json={"items": items}
    )
    assert answer.status_code == 200, answer.text
    schema = holder.bundle.schema
    with store.reading() as session:
        stored = session.execute(
            sa.select(Score.features, Score.encoded_features, Score.feature_encoding)
        ).all()
        backtest = backtest_store(session, holder.bundle, DAY, DAY, label="v1")
    assert len(stored) == 6
    for features, encoded, encoding in stored:
        np.testing.assert_array_equal(
            np.frombuffer(encoded, dtype="<f8"), schema.encode_row(features)[0]
        )
        assert encoding == schema.encoding_id
    assert (backtest.summary["own_scores"], backtest.summary["own_scores_exact"]) == (6, 6)


@pytest.mark.parametrize(
    ("every", "encoded"), [(0, 25), (2, 12), (1, 0)], ids=["bytes", "mixed", "json"]
)
def test_the_champions_own_period_replays_bit_for_bit_from_bytes_json_or_both(
    scored, store, holder, every, encoded
):
    _forget_encoded(store, every)
    with store.reading() as session:
        held = session.execute(
            sa.select(sa.func.count()).where(Score.encoded_features.is_not(None))
        ).scalar()
        logged = dict(session.execute(sa.select(Score.score_id, Score.margin)).all())
        result = backtest_store(session, holder.bundle, DAY, DAY, label="v1")
    assert held == encoded
    by_id = {s["score_id"]: s for s in scored}
    for row in result.rows.iter_rows(named=True):
        assert row["margin"] == logged[row["score_id"]]  # equal floats, no tolerance
        assert row["score"] == row["logged_score"] == by_id[row["score_id"]]["score"]
    assert (result.summary["own_scores"], result.summary["own_scores_exact"]) == (25, 25)
    assert result.summary["own_scores_max_difference"] == 0.0


@pytest.mark.parametrize(("every", "encoded"), [(0, 25), (2, 12)], ids=["bytes", "mixed"])
def test_another_versions_category_codes_are_mapped_as_its_own_encoding_would(
    scored, store, holder, every, encoded
):
    target = _recoded(holder.bundle)
    _forget_encoded(store, every)
    with store.reading() as session:
        texts = logged_scores(session, DAY, DAY)  # every row's JSON
        read = logged_scores(session, DAY, DAY, readers=[target])
        result = backtest_store(session, target, DAY, DAY, label="v2")
        encodings = logged_encodings(session)
    # the encoded rows are read instead of the JSON: the JSON only of the older rows
    assert read["encoded_features"].is_not_null().sum() == encoded
    assert read["features"].is_not_null().sum() == 25 - encoded
    reference = target.score(logged_matrix(target, texts["features"]))
    assert result.rows["score_id"].to_list() == texts["score_id"].to_list()
    assert result.rows["margin"].to_list() == reference.margin.tolist()
    assert result.rows["flag"].to_list() == reference.flag.tolist()
    # the codes the target read: category i of the served model's list is the target's
    # L - 1 - i, the first (dropped) is missing
    served = logged_matrix(holder.bundle, texts["features"])
    mapped = replay_matrix(target, read, encodings=encodings)
    for j in holder.bundle.schema.categorical_indices:
        size = len(holder.bundle.schema.categories[holder.bundle.schema.names[j]])
        codes = served[:, j]
        want = np.where(codes == 0, np.nan, size - 1 - codes)
        np.testing.assert_array_equal(mapped[:, j], want)


def test_a_version_knowing_more_categories_reads_the_bytes_and_the_json(scored, store, holder):
    cats = holder.bundle.schema.categories
    target = _with_schema(holder.bundle, {n: (*c, "new") for n, c in cats.items()})
    with store.reading() as session:
        read = logged_scores(session, DAY, DAY, readers=[target])
        texts = logged_scores(session, DAY, DAY)
        result = backtest_store(session, target, DAY, DAY, label="v2")
    # a row may hold a category as unknown to the served model that this one knows
    assert read["encoded_features"].null_count() == 0
    assert read["features"].null_count() == 0
    reference = target.score(logged_matrix(target, texts["features"]))
    assert result.rows["margin"].to_list() == reference.margin.tolist()


@pytest.fixture
def logged_under_fewer_categories(scored, store, holder):
    """The logged rows as a model knowing one visa type fewer would have logged them."""
    schema = holder.bundle.schema
    cats = dict(schema.categories)
    cats["visa_type"] = cats["visa_type"][1:]
    fewer = FeatureSchema(schema.names, schema.kinds, cats)
    with store.reading() as session:
        frame = logged_scores(session, DAY, DAY).select("score_id", "features")
    rows = [json.loads(t) for t in frame["features"]]
    blobs = [logged_row(fewer, r, fewer.encode_row(r)) for r in rows]
    frame = frame.with_columns(
        encoded_features=pl.Series(blobs, dtype=pl.Binary),
        feature_encoding=pl.lit(fewer.encoding_id),
    )
    return frame, fewer, [r["visa_type"] == schema.categories["visa_type"][0] for r in rows]


def test_a_category_the_logging_model_did_not_know_is_read_from_the_json(
    logged_under_fewer_categories, holder
):
    frame, fewer, unknown = logged_under_fewer_categories
    column = fewer.names.index("visa_type")
    cells = np.frombuffer(b"".join(frame["encoded_features"]), "<f8").reshape(25, -1)[:, column]
    assert (cells == UNSEEN).tolist() == unknown
    assert sum(unknown) == 16  # rows of each kind, so both ways are taken
    encodings = {fewer.encoding_id: fewer}
    # the served model knows the category: those rows come from their JSON
    knows = holder.bundle
    np.testing.assert_array_equal(
        replay_matrix(knows, frame, encodings=encodings),
        logged_matrix(knows, frame["features"]),
    )
    # a model that does not know it either reads it as missing, from the bytes alone
    blind = _with_schema(knows, fewer.categories)
    without_json = frame.with_columns(features=pl.lit(None, dtype=pl.String))
    np.testing.assert_array_equal(
        replay_matrix(blind, without_json, encodings=encodings),
        logged_matrix(blind, frame["features"]),
    )
