"""Challengers that misbehave, for the shadow tests (importable by the shadow process)."""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from pathlib import Path


class Raising:
    """A challenger that fails on every application."""

    version = "raising0000"

    def score_one(self, *args, **kwargs):
        raise RuntimeError("challenger broke")


class Crashing:
    """A challenger that takes its process down at its first application."""

    version = "crashing000"

    def score_one(self, *args, **kwargs):
        os._exit(3)


class _Real:
    """Scores with the bundle in ``folder``, loaded where it is used (bundles do not pickle)."""

    def __init__(self, folder: Path):
        self.folder = folder

    @functools.cached_property
    def real(self):
        from models import load_bundle

        return load_bundle(self.folder)


class FlagsEverything(_Real):
    """The real model's scores, except that it would flag every application."""

    version = "flagsall0000"

    def score_one(self, features, **kwargs):
        return dataclasses.replace(self.real.score_one(features, **kwargs), flag=True)


class Held(_Real):
    """A challenger that does not answer until the test lets it (a slow one, without timing).

    It says it has started by creating ``entered`` in ``gate`` and waits for ``go`` there
    (files: it runs in another process).
    """

    def __init__(self, folder: Path, version: str, gate: Path):
        super().__init__(folder)
        self.gate, self.version = gate, version

    def score_one(self, *args, **kwargs):
        (self.gate / "entered").touch()
        if not wait_for_file(self.gate / "go"):
            raise RuntimeError("the test never released the challenger")
        return self.real.score_one(*args, **kwargs)


def wait_for_file(path: Path, limit: float = 60.0) -> bool:
    """Whether ``path`` appeared within ``limit`` seconds (a bound, not a measurement)."""
    end = time.monotonic() + limit
    while not path.exists():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
