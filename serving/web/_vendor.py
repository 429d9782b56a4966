"""plotly.js under a strict Content-Security-Policy: its stylesheet as a file, not inline.

plotly.js inserts its global CSS as an inline ``<style>`` element, which the policy
refuses, unless the page already holds an element with id ``plotly.js-style-global`` and
class ``no-inline-styles``.  The pages link that id to ``/vendor/plotly.css``, built here
from the rules inside the installed ``plotly.min.js`` (so they always match its version).
:mod:`serving.web._assets` serves it (compressed, versioned).  Its bundled map library
also inserts a ``<style>``, skipped when an element with its id
exists; the charts draw no maps, so a placeholder with that id is enough.
"""

from __future__ import annotations

import functools
import re

from fastapi import APIRouter

from ._oversight import PLOTLY_JS

__all__ = ["maplibre_style_id", "plotly_css", "router"]

router = APIRouter(include_in_schema=False)

_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_PAIR = re.compile(rf"\s*({_STRING}|\w+)\s*:\s*({_STRING})\s*([,}}])")
_MAPLIBRE = re.compile(r'getElementById\("([0-9a-f]{64})"\)')


@functools.cache
def _bundle() -> str:
    return PLOTLY_JS.read_text(encoding="utf-8")


@functools.cache
def plotly_css() -> str:
    """plotly.js's global style rules (its ``X`` stands for the plot's container)."""
    text = _bundle()
    start = text.index('{"X,X div":')
    rules, pos = [], start + 1
    while True:
        match = _PAIR.match(text, pos)
        if match is None:
            raise RuntimeError("plotly.min.js changed shape: its style rules were not found")
        selector = match.group(1).strip("\"'").replace("X", ".js-plotly-plot .plotly")
        rules.append(f"{selector.replace('Y', '.plotly-notifier')} {{{match.group(2)[1:-1]}}}")
        pos = match.end()
        if match.group(3) == "}":
            return "\n".join(rules) + "\n"


@functools.cache
def maplibre_style_id() -> str:
    """The id whose presence stops plotly's map library from inserting its inline style."""
    match = _MAPLIBRE.search(_bundle())
    return match.group(1) if match else "plotly-maplibre-style"
