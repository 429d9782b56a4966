"""Architecture rules of the experiments package."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORTS_MLFLOW = re.compile(r"^\s*(import mlflow|from mlflow)", re.M)


def test_only_experiments_imports_mlflow():
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("risk", "features", "models", "serving")
        for path in (ROOT / package).rglob("*.py")
        if IMPORTS_MLFLOW.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_importing_experiments_does_not_import_mlflow_or_plotly():
    code = (
        "import sys, experiments;"
        " print(sorted(m for m in ('mlflow', 'plotly') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_experiments_reads_no_environment():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "experiments").rglob("*.py"))
    uses = re.findall(r"os\.environ[^\n]*|getenv[^\n]*", text)
    assert uses == [
        'os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")',
        'os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")',
    ]


def test_public_names_are_exported():
    import experiments

    assert sorted(experiments.__all__) == sorted(
        name
        for name in vars(experiments)
        if not name.startswith("_") and not isinstance(getattr(experiments, name), type(sys))
    )
