"""Features: one module per signal family, a registry (the catalogue) and the pipeline.

Every feature is declared once with :func:`feature` (name, kind, dtype, plain
descriptions, reasons in English and Bahasa Indonesia, inputs); the
:func:`catalogue` lists them for models, serving and oversight.
:func:`build_features` computes them in batch; :func:`feature_row` computes one
application's row at request time in plain Python (each family's scalar twin),
from the :class:`Lookups` a store supplies (:func:`lookups_from_tables` gives
their reference meaning); :func:`build_features_for` wraps the two for frames.
Both give the same values.
"""

from ._catalogue import Catalogue, catalogue
from ._pipeline import (
    FAMILIES,
    ID_COLUMNS,
    build_family,
    build_features,
    build_features_for,
    history_for,
)
from ._registry import GROUPS, KINDS, FeatureSpec, Registry, feature
from ._row import (
    COUNTED_ON,
    WINDOW_COUNTS,
    Lookups,
    check_row_twins,
    feature_row,
    lookups_from_tables,
)

__all__ = [
    "COUNTED_ON",
    "FAMILIES",
    "GROUPS",
    "ID_COLUMNS",
    "KINDS",
    "WINDOW_COUNTS",
    "Catalogue",
    "FeatureSpec",
    "Lookups",
    "Registry",
    "build_family",
    "build_features",
    "build_features_for",
    "catalogue",
    "check_row_twins",
    "feature",
    "feature_row",
    "history_for",
    "lookups_from_tables",
]
