"""The public API of ``serving.services`` and ``serving.schemas`` is exactly their ``__all__``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from export_guard import exported


@pytest.mark.parametrize("package", ["serving.services", "serving.schemas"])
def test_public_api_is_all_and_documented(package):
    exported(package)


def test_services_import_no_web_framework():
    # Services hold the rules and know no HTTP: routers and screens call them.
    root = Path(__file__).resolve().parents[2] / "serving"
    found = []
    for folder in ("services",):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in _WEB]
    assert found == []


_WEB = {"fastapi", "starlette"}
