"""Every runtime dependency is used by the packages; test oracles live in the dev extras."""

from __future__ import annotations

import ast
import re
import sys
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
#: Declared ahead of the code that imports them: each must still be unused (the test fails
#: once it is imported, so the entry goes), and none may stay here for long.
DECLARED_AHEAD: dict[str, str] = {}
#: Test oracles and benchmark tools: dev extras, never runtime dependencies.
DEV_ONLY = ("fairlearn", "httpx", "pandera", "psutil")


def _name(requirement: str) -> str:
    """The distribution name of a requirement, normalised (PEP 503)."""
    name = re.split(r"[\[<>=;! ~]", requirement, maxsplit=1)[0].strip()
    return re.sub(r"[-_.]+", "-", name).lower()


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
    return {_name(d) for module in _imported_top_levels() for d in by_module.get(module, ())}


def test_every_runtime_dependency_is_imported_by_the_packages() -> None:
    runtime = {_name(r) for r in _project()["dependencies"]}
    unused = runtime - _imported_distributions()
    assert sorted(unused) == sorted({*LOADED_BY_ANOTHER, *DECLARED_AHEAD})


def _optional() -> set[str]:
    """Distributions of the optional extras (not ``dev``): imported only when chosen."""
    extras = _project()["optional-dependencies"]
    return {_name(r) for name, reqs in extras.items() if name != "dev" for r in reqs
            if not _name(r).startswith("amanah")}  # fmt: skip


def test_every_third_party_module_imported_is_a_declared_runtime_dependency() -> None:
    runtime = {_name(r) for r in _project()["dependencies"]} | _optional()
    by_module = packages_distributions()
    third_party = {
        m for m in _imported_top_levels() if m not in sys.stdlib_module_names and m not in PACKAGES
    }
    undeclared = {m for m in third_party if not {_name(d) for d in by_module.get(m, ())} & runtime}
    assert sorted(undeclared) == []


def test_optional_extras_are_imported_only_inside_functions() -> None:
    # ``import risk`` or ``features`` must work without the dask extra installed
    optional = {"dask", "distributed"}
    assert _optional() == {"dask", "distributed"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Import):
                    names = {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = {node.module.split(".")[0]}
                else:
                    continue
                assert not names & optional, f"{path}: imports {names & optional} at top level"


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


#: Package -> the project packages it may import: the README's arrows. The command line
#: (risk/cli) sits on top of every package and is checked apart.
ALLOWED = {
    "risk": set(),
    "features": {"risk"},
    "models": {"risk", "features"},
    "experiments": {"risk", "features", "models"},
    "serving": {"risk", "features", "models", "experiments"},
}


def test_package_dependencies_point_one_way() -> None:
    found = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(ROOT / "risk" / "cli"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in ALLOWED and top != package and top not in allowed:
                        found.append(f"{path.relative_to(ROOT)} imports {top}")
    assert found == []
