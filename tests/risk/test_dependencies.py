"""Every runtime dependency is used by the packages; test oracles live in the dev extras."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("risk", "features", "models", "experiments", "serving")

#: Runtime dependencies no module imports by name, with the code that loads them.
LOADED_BY_ANOTHER = {
    "httptools": "uvicorn's 'auto' HTTP protocol picks it when installed",
    "uvloop": "uvicorn's 'auto' event loop picks it when installed",
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// database URLs",
    "python-multipart": "FastAPI parses the case screens' Form() fields with it",
}
#: Test oracles and benchmark tools: dev extras, never runtime dependencies.
DEV_ONLY = ("fairlearn", "httpx", "pandera", "psutil")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=;! ~]", requirement, maxsplit=1)[0].strip().lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names


def _imported_distributions() -> set[str]:
    by_module = packages_distributions()
    return {dist.lower() for module in _imported_top_levels() for dist in by_module.get(module, ())}


def test_every_runtime_dependency_is_imported_by_the_packages() -> None:
    runtime = {_name(r) for r in _project()["dependencies"]}
    unused = runtime - _imported_distributions()
    assert sorted(unused) == sorted(LOADED_BY_ANOTHER)


def test_indirect_dependencies_are_loaded_where_stated() -> None:
    settings = (ROOT / "risk" / "settings.py").read_text(encoding="utf-8")
    assert "postgresql+psycopg://" in settings
    forms = [p for p in (ROOT / "serving" / "web").rglob("*.py") if "Form()" in p.read_text()]
    assert forms, "no screen posts a form: python-multipart would be unused"
    serve = (ROOT / "risk" / "cli" / "_serving.py").read_text(encoding="utf-8")
    assert "uvicorn.run(" in serve
    assert "loop=" not in serve and "http=" not in serve  # uvicorn's 'auto' choices apply


def test_oracles_are_dev_extras_only() -> None:
    project = _project()
    runtime = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    assert runtime.isdisjoint(DEV_ONLY)
    assert {"fairlearn", "httpx", "psutil"} <= dev
    assert not {"fairlearn", "httpx", "pandera", "psutil"} & _imported_top_levels()
