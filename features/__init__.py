"""Features: one module per signal family, a registry (the catalogue) and the pipeline.

Every feature is declared once with :func:`feature` (name, kind, dtype, plain
descriptions, reasons in English and Bahasa Indonesia, inputs); the
:func:`catalogue` lists them for models, serving and oversight.
:func:`build_features` computes them in batch and :func:`build_features_for`
at request time, with the same expressions.
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

__all__ = [
    "FAMILIES",
    "GROUPS",
    "ID_COLUMNS",
    "KINDS",
    "Catalogue",
    "FeatureSpec",
    "Registry",
    "build_family",
    "build_features",
    "build_features_for",
    "catalogue",
    "feature",
    "history_for",
]
