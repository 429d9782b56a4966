"""One application's feature row at request time, in plain Python (no polars query).

Serving scores one application per request with a budget of a few milliseconds,
where a polars query's fixed cost would dominate.  So the request path computes
each fact's request form (:mod:`features._fact`) from the application, its
documents and its :class:`features.Lookups`, then runs every feature's
derivation in its Python form.  The derivations are the batch ones, so the
values are exactly those of :func:`features.build_features` (same Python types,
bit-identical floats); ``tests/features/test_row.py`` proves it for every
application of random worlds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from risk.settings import Settings, get_settings

from ._catalogue import catalogue
from ._derive_py import compile_many
from ._fact import Fact, Lookups, Request
from ._facts import FACTS
from ._families import FAMILIES
from ._family import python_cast

__all__ = ["feature_row"]

_ID_COLUMNS = ("application_id", "applicant_id", "submitted_at")


def feature_row(
    application: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    lookups: Lookups,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """One application's catalogue features, as :func:`features.build_features` computes them.

    Parameters
    ----------
    application
        One applications row (contract columns); ``submitted_at`` a datetime.
    documents
        Its documents (contract columns); rows of another ``application_id`` are
        ignored.  The primary document is chosen as in batch.
    lookups
        What was known before it (:class:`features.Lookups`).
    settings
        Windows; default :func:`risk.settings.get_settings`.

    Returns
    -------
    dict
        ``application_id, applicant_id, submitted_at``, then every catalogue
        feature in catalogue order: str for categoricals, int, float (``inf`` and
        ``NaN`` as polars divides), bool, or None for a null.

    Raises
    ------
    FeatureError
        If a categorical value is outside its declared categories.
    """
    app_id = application["application_id"]
    own = [d for d in documents if d["application_id"] == app_id]
    request = Request(application, own, lookups, settings or get_settings())
    facts, names, derive = _plan()
    known: dict[str, Any] = {}
    for fact in facts:
        known.update(fact.request(request))
    out = {c: application[c] for c in _ID_COLUMNS}
    out.update(zip(names, derive(known), strict=True))
    return out


@cache
def _plan() -> tuple[tuple[Fact, ...], tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """The facts the catalogue reads (in :data:`FACTS` order), its feature names, and
    every derivation compiled into one function of the facts (one call per row)."""
    specs = catalogue().specs
    used = {fact.name for family in FAMILIES.values() for fact in family.facts}
    items = [(s.derivation, *python_cast(s).values()) for s in specs]
    return (
        tuple(f for f in FACTS if f.name in used),
        tuple(s.name for s in specs),
        compile_many(items),
    )
