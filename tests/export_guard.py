"""The export guard the package tests share: the public API is exactly ``__all__``."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType


def exported(package: str) -> ModuleType:
    """Import ``package`` and check its ``__all__``; return the module.

    ``__all__`` lists each name once, in order (constants first), every name
    exists, every public name the package binds is listed (submodules aside),
    and every listed class or function is the package's own and documented.
    """
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(set(names), key=lambda n: (not n.isupper(), n)), "unsorted or twice"
    assert [n for n in names if not hasattr(module, n)] == [], "listed but missing"
    public = {
        n for n, v in vars(module).items()
        if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"
    }  # fmt: skip
    assert sorted(public - set(names)) == [], "public but not in __all__"
    root = package.split(".")[0]
    for name in names:
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__.split(".")[0] == root, f"{name} comes from {obj.__module__}"
            assert (obj.__doc__ or "").strip(), f"{name} lacks a docstring"
    return module
