"""What `risk demo` prints at the end: credentials that copy whole, and how to serve."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from risk.cli import _demo, app
from risk.settings import Settings
from serving._demo import DemoResult

TOKEN = "amk_" + "Q" * 60  # longer than any column an 80-wide table could give it
CREDENTIALS = [
    ("siti", "officer", "pw-siti-0123456789", TOKEN + "1"),
    ("budi", "supervisor", "pw-budi-0123456789", TOKEN + "2"),
]


def _result(tmp_path: Path, registry_version: str | None = "1") -> DemoResult:
    return DemoResult(
        world_dir=tmp_path / "world",
        bundle_dir=tmp_path / "bundles" / "20250101",
        model_version="20250101",
        registry_version=registry_version,
        promotion="version 1 passed the gate and is champion",
        scored=1,
        review=1,
        decided=1,
        first_month="2025-01",
        last_month="2025-12",
        simulation_dir=tmp_path / "simulation",
        ended_at=dt.datetime(2026, 1, 1),
        monitor_dir=tmp_path / "monitor",
        drift_from=dt.date(2025, 10, 1),
        monitor_alerts=["one"],
        credentials=CREDENTIALS,
    )


@pytest.fixture
def printed(tmp_path, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(_demo, "console", Console(file=out, width=80, color_system=None))
    monkeypatch.setattr("sys.argv", ["risk"])

    def run(registry_version: str | None = "1", serving: bool = False) -> list[str]:
        settings = Settings(data_dir=tmp_path / "data")
        settings.data_dir.mkdir()
        _demo._print_demo(_result(tmp_path, registry_version), settings, 8123, serving=serving)
        return out.getvalue().splitlines()

    return run


def test_every_token_and_password_prints_whole_on_its_own_line(printed, tmp_path):
    lines = printed()
    for _user, _role, password, token in CREDENTIALS:
        assert f"  password: {password}" in lines
        assert f"  API token: {token}" in lines
    assert "siti (officer)" in lines and "budi (supervisor)" in lines


def test_credentials_are_kept_in_a_file_only_the_owner_reads(printed, tmp_path):
    lines = printed()
    path = tmp_path / "data" / _demo.DEMO_CREDENTIALS
    assert f"demo users (also in {path}, readable only by you):" in lines
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().splitlines() == [
        "siti (officer)",
        "  password: pw-siti-0123456789",
        f"  API token: {TOKEN}1",
        "budi (supervisor)",
        "  password: pw-budi-0123456789",
        f"  API token: {TOKEN}2",
    ]


def test_no_serve_ends_with_the_exact_serve_command(printed, tmp_path):
    lines = printed()
    data = (tmp_path / "data").resolve()
    assert lines[-3:] == [
        "Nothing is served yet. To serve what the demo built, run:",
        f"  RISK_DATA_DIR={data} risk serve --port 8123",
        "then sign in at http://127.0.0.1:8123/ as siti (officer) or budi (supervisor).",
    ]
    assert not any(line.startswith("open http") for line in lines)


def test_an_unregistered_model_is_served_from_its_bundle(printed, tmp_path):
    command = printed(registry_version=None)[-2]
    bundle = (tmp_path / "bundles" / "20250101").resolve()
    assert command.endswith(f"risk serve --port 8123 --bundle {bundle}")


def test_counts_are_in_the_right_number(printed):
    text = "\n".join(printed())
    assert "1 application scored" in text.replace("\n", " ")
    assert "1 alert;" in text and "alert(s)" not in text


def test_serving_demo_says_where_to_sign_in(printed):
    lines = printed(serving=True)
    assert " ".join(line.strip() for line in lines[-2:]) == (
        "sign in at http://127.0.0.1:8123/ as siti (officer) or budi (supervisor); API docs"
        " at http://127.0.0.1:8123/docs"
    )
    assert "Nothing is served yet" not in "\n".join(lines)


def test_serve_refuses_a_resume_instant_it_cannot_read():
    result = CliRunner().invoke(app, ["serve", "--resume-at", "next tuesday"])
    assert result.exit_code == 1
    assert (
        "--resume-at must be an instant like 2026-01-01T00:00:00, got 'next tuesday'"
        in result.output
    )
