"""The queue reads a page in a fixed number of SQL statements, whatever its length (no N+1)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

pytestmark = pytest.mark.xdist_group("serving_model")


@contextlib.contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", note)


def test_a_queue_page_of_ten_and_of_forty_cases_take_the_same_statements(
    scoring_client, tokens, world
):
    scoring_client.put(  # every application goes to review: 40 open cases
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Counting the queue's queries"},
    )
    for payload in world["payloads"][:40]:
        r = scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        )
        assert r.json()["route"] == "kill_switch"
    counts = {}
    for limit in (10, 40):
        with _counting() as statements:
            r = scoring_client.get(f"/v1/cases?limit={limit}", headers=auth(tokens["officer"]))
        assert r.status_code == 200 and len(r.json()["data"]) == limit
        counts[limit] = len(statements)
    assert counts[10] == counts[40]
