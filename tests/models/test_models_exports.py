"""The public API of ``models`` is exactly what ``__all__`` lists, each documented."""

from __future__ import annotations

import models


def test_all_names_exist_sorted_and_documented():
    assert models.__all__ == sorted(models.__all__, key=lambda n: (not n.isupper(), n))
    for name in models.__all__:
        obj = getattr(models, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name} lacks a docstring"


def test_models_does_not_import_mlflow_or_http():
    import subprocess
    import sys

    code = (
        "import sys, models, models._core, models._world, models._batch;"
        "bad = [m for m in ('mlflow', 'fastapi', 'httpx', 'starlette') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
