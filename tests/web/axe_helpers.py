"""axe-core in the test browser: its source from the git-ignored cache and one run per page.

``scripts/setup.sh`` fetches axe-core from the npm registry into ``.cache/axe-core``; the
source is evaluated into each page through the devtools protocol, so the pages' CSP stays
as it is and nothing is fetched while the tests run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe-core" / f"axe-{AXE_VERSION}.min.js"
#: WCAG 2.1 A and AA: what a public service's screens must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source() -> str:
    """axe-core's source, or a test failure saying how to fetch it."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh (it fetches axe-core)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def violations(page, source: str | None = None) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on ``page``: id, help and up to five targets."""
    page.evaluate(source if source is not None else axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["testEngine"] == {"name": "axe-core", "version": AXE_VERSION}
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
