"""Features: one module per signal family, facts, derivations, the catalogue and the pipeline.

Each family module (:mod:`features.applicant`, ...) builds one :class:`Family`
and declares its features on it (name, kind, dtype, plain descriptions, reasons
in English and Bahasa Indonesia, inputs), each as a *derivation* (:func:`col`
and its operators) over *facts*: the engine-specific inputs (the application,
the trip and decision records, the primary document and its zone, the
sponsor's register row, window counts), each with a batch (polars) form and a
request-time form over :class:`Lookups`.  :data:`FAMILIES` lists the families
once; the :func:`catalogue` lists their features for models, serving and
oversight.  :func:`build_features` computes them in batch; :func:`feature_row`
computes one application's row at request time in plain Python from the
:class:`Lookups` a store supplies (:func:`lookups_from_tables` gives their
reference meaning); :func:`build_features_for` wraps the two for frames.  Both
run the same derivations and give the same values.  ``docs/features.md`` shows
how to add a feature.
"""

from ._catalogue import Catalogue, catalogue
from ._derive import Derivation, col, days_between, lit, when
from ._fact import Fact, Lookups, Request
from ._facts import COUNTED_ON, FACTS, WINDOW_COUNTS
from ._families import FAMILIES, GROUPS
from ._family import Family
from ._lookups import lookups_from_tables
from ._pipeline import (
    ID_COLUMNS,
    build_family,
    build_features,
    build_features_for,
    history_for,
)
from ._registry import KINDS, FeatureSpec
from ._row import feature_row

__all__ = [
    "COUNTED_ON",
    "FACTS",
    "FAMILIES",
    "GROUPS",
    "ID_COLUMNS",
    "KINDS",
    "WINDOW_COUNTS",
    "Catalogue",
    "Derivation",
    "Fact",
    "Family",
    "FeatureSpec",
    "Lookups",
    "Request",
    "build_family",
    "build_features",
    "build_features_for",
    "catalogue",
    "col",
    "days_between",
    "feature_row",
    "history_for",
    "lit",
    "lookups_from_tables",
    "when",
]
