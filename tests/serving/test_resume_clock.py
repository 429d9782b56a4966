"""A served demo continues the simulated clock where the demo stopped it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

import serving._resume as resume
from risk.cli import app
from risk.clock import ContinuedClock, SimulatedClock
from risk.errors import ConfigError
from serving._resume import CLOCK_FILE, record_clock, resumed_clock

ENDED = dt.datetime(2026, 1, 1)  # the demo's year ends at the new year
WALL = dt.datetime(2026, 12, 6, 8, 0)


def test_the_record_and_its_continuation_on_the_wall_clocks_pace(tmp_path):
    wall = SimulatedClock(WALL)
    path = record_clock(tmp_path, ENDED, wall=wall)
    assert json.loads(path.read_text())["simulated"] == "2026-01-01T00:00:00"
    assert json.loads(path.read_text())["wall"] == "2026-12-06T08:00:00"
    wall.advance(dt.timedelta(days=2, hours=3))  # served two days later
    clock = resumed_clock(tmp_path, wall=wall)
    assert isinstance(clock, ContinuedClock)
    assert clock.now() == dt.datetime(2026, 1, 3, 3, 0)
    wall.advance(dt.timedelta(minutes=5))
    assert clock.now() == dt.datetime(2026, 1, 3, 3, 5)
    # a restart later on resumes further on, never back at the demo's end
    wall.advance(dt.timedelta(hours=1))
    assert resumed_clock(tmp_path, wall=wall).now() == dt.datetime(2026, 1, 3, 4, 5)


def test_a_wall_clock_set_back_resumes_at_the_end_not_before(tmp_path):
    record_clock(tmp_path, ENDED, wall=SimulatedClock(WALL))
    wall = SimulatedClock(WALL - dt.timedelta(days=30))
    assert resumed_clock(tmp_path, wall=wall).now() == ENDED


def test_no_record_means_the_wall_clock(tmp_path):
    assert resumed_clock(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not JSON (Expecting property name enclosed in double quotes: line 1 column 2"
              " (char 1)); remove it to serve on the wall clock"),
        ('{"wall": "2026-12-06T08:00:00"}', ": field 'simulated' is None, not an ISO date-time;"
              " remove the file to serve on the wall clock"),
        ('{"simulated": "new year", "wall": "2026-12-06T08:00:00"}', ": field 'simulated' is"
              " 'new year', not an ISO date-time; remove the file to serve on the wall clock"),
        ('{"simulated": "2026-01-01T00:00:00", "wall": 5}', ": field 'wall' is 5, not an ISO"
              " date-time; remove the file to serve on the wall clock"),
        ("[1]", ": field 'simulated' is None, not an ISO date-time; remove the file to serve on"
              " the wall clock"),
    ],
)  # fmt: skip
def test_a_damaged_record_is_a_clear_error_naming_the_file(tmp_path, text, message):
    (tmp_path / CLOCK_FILE).write_text(text)
    with pytest.raises(ConfigError) as err:
        resumed_clock(tmp_path)
    assert err.value.message == f"{tmp_path / CLOCK_FILE}{' ' if text == '{' else ''}{message}"


def test_risk_serve_on_a_demo_folder_continues_its_clock_and_says_so(tmp_path, monkeypatch):
    record_clock(tmp_path, ENDED, wall=SimulatedClock(WALL))
    later = SimulatedClock(WALL + dt.timedelta(hours=2))
    monkeypatch.setattr(resume, "WallClock", lambda: later)
    served = {}
    monkeypatch.setattr("uvicorn.run", lambda service, **kw: served.update(app=service, **kw))
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(app, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    said = (
        f"continuing the simulated clock at 2026-01-01 02:00 (recorded in {tmp_path / CLOCK_FILE};"
        " remove that file to serve on the wall clock)\nAmanah on http://127.0.0.1:8765"
    )
    # the path is never broken across lines (it is there to be copied)
    assert result.output.startswith(said)
    assert served["app"].state.clock.now() == dt.datetime(2026, 1, 1, 2, 0)
    later.advance(dt.timedelta(seconds=30))
    assert served["app"].state.clock.now() == dt.datetime(2026, 1, 1, 2, 0, 30)


def test_risk_serve_without_a_record_runs_on_the_wall_clock(tmp_path, monkeypatch):
    served = {}
    monkeypatch.setattr("uvicorn.run", lambda service, **kw: served.update(app=service, **kw))
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(app, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "simulated clock" not in result.output
    assert type(served["app"].state.clock).__name__ == "WallClock"
