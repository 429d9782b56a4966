"""The model bundle: ``model.txt`` (LightGBM's text format) and ``bundle.json``.

No pickle anywhere: the booster is LightGBM's own text, everything else (feature
schema, calibrator, threshold and bands, reason wording, fingerprints, split dates,
metrics, library versions, seed) is plain JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models._calibration import Calibrator
from models._explain import (
    CaseScore,
    Explanation,
    build_explanation,
    build_explanations,
    check_lang,
)
from models._reasons import CatalogueReasons, FeatureText, ReasonSource, TemplateReasons
from models._schema import FeatureSchema
from models._threshold import Bands
from risk.errors import FeatureError

__all__ = ["BUNDLE_FORMAT", "REFERENCE_FILE", "Bundle", "Scores"]

#: Version of the bundle layout; bumped when ``bundle.json`` changes incompatibly.
BUNDLE_FORMAT = 1
#: The reference profile of the model version, beside ``bundle.json``.
REFERENCE_FILE = "reference.json"


@dataclass(frozen=True)
class Scores:
    """Scores of many rows: raw margin, calibrated probability, band and flag."""

    margin: np.ndarray
    probability: np.ndarray
    band: np.ndarray
    flag: np.ndarray

    def to_frame(self) -> pl.DataFrame:
        """The scores as a DataFrame (``margin, score, band, flag``)."""
        return pl.DataFrame(
            {
                "margin": self.margin,
                "score": self.probability,
                "band": pl.Series(self.band.tolist(), dtype=pl.String),
                "flag": self.flag,
            }
        )


class Bundle:
    """A trained, calibrated, thresholded model with the wording of its reasons.

    Parameters
    ----------
    booster
        The trained ``lightgbm.Booster``.
    schema
        Feature names, kinds and category codes, in model column order.
    calibrator, bands
        Margin-to-probability map and the capacity threshold with its bands.
    texts
        Reason wording per feature (used when no catalogue is attached).
    catalogue_hash
        Hash of the feature catalogue (or dataset spec) the model was trained with.
    meta
        Everything else ``bundle.json`` records (fingerprints, splits, metrics, versions).
    catalogue
        The feature catalogue, when the features come from it; its templates word reasons.
    """

    def __init__(
        self,
        booster: Any,
        schema: FeatureSchema,
        calibrator: Calibrator,
        bands: Bands,
        texts: Mapping[str, FeatureText],
        *,
        catalogue_hash: str,
        meta: Mapping[str, Any] | None = None,
        catalogue: Any = None,
    ) -> None:
        self.booster = booster
        self.schema = schema
        self.calibrator = calibrator
        self.bands = bands
        self.texts = dict(texts)
        self.catalogue_hash = catalogue_hash
        self.meta = _current_meta(meta)
        self.catalogue = catalogue
        #: The reference profile (``reference.json``) as plain JSON, when the bundle has one.
        self.reference: dict[str, Any] | None = None
        self.num_threads = int(self.meta.get("num_threads", 2))
        self._reasons: ReasonSource = (
            CatalogueReasons(catalogue) if catalogue is not None else TemplateReasons(self.texts)
        )
        self.model_text = booster.model_to_string()
        self.fingerprint = self._fingerprint()

    # -- identity ---------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Short, stable model version: the first 12 hex digits of the fingerprint."""
        return self.fingerprint[:12]

    @property
    def feature_names(self) -> list[str]:
        """Feature names in model order."""
        return list(self.schema.names)

    @property
    def threshold(self) -> float:
        """The capacity threshold as a calibrated probability (flags use the margin)."""
        return self.bands.flag_probability

    @property
    def threshold_margin(self) -> float:
        """The capacity threshold on the raw margin: flagged when ``margin >= it``."""
        return self.bands.flag_margin

    def _fingerprint(self) -> str:
        h = hashlib.sha256(self.model_text.encode())
        core = {
            "features": self.schema.to_dict(),
            "calibrator": self.calibrator.to_dict(),
            "bands": self.bands.to_dict(),
            "catalogue_hash": self.catalogue_hash,
        }
        h.update(json.dumps(core, sort_keys=True).encode())
        return h.hexdigest()

    # -- scoring ----------------------------------------------------------------------
    def matrix(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Encode rows to the model's float matrix (arrays must already be encoded)."""
        if isinstance(X, pl.DataFrame):
            return self.schema.encode(X)
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != len(self.schema.names):
            raise FeatureError(
                f"expected a matrix with {len(self.schema.names)} feature columns,"
                f" got shape {arr.shape}"
            )
        return arr

    def score(self, X: pl.DataFrame | np.ndarray) -> Scores:
        """Margin, calibrated probability, band and flag of every row."""
        margin = self.booster.predict(self.matrix(X), raw_score=True, num_threads=self.num_threads)
        return self._scores(margin)

    def scores_of(self, margin: np.ndarray) -> Scores:
        """Probability, band and flag of raw margins, as :meth:`score` gives them."""
        return self._scores(margin)

    def _scores(self, margin: np.ndarray) -> Scores:
        return Scores(
            margin=margin,
            probability=self.calibrator.predict(margin),
            band=self.bands.band(margin),
            flag=margin >= self.bands.flag_margin,
        )

    def contributions(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Exact TreeSHAP: ``(n, features + 1)``, the last column is the base value."""
        return self.booster.predict(self.matrix(X), pred_contrib=True, num_threads=self.num_threads)

    def explain(
        self, X: pl.DataFrame | np.ndarray, *, top: int = 5, lang: str = "en"
    ) -> list[Explanation]:
        """Per-row explanations with the ``top`` reasons that raised and lowered the risk."""
        check_lang(lang)
        matrix = self.matrix(X)
        contrib = self.booster.predict(matrix, pred_contrib=True, num_threads=self.num_threads)
        rows = self._display_rows(X, matrix)
        return build_explanations(
            contrib, self.schema.names, rows, self._reasons, top=top, lang=lang
        )

    def _display_rows(self, X: pl.DataFrame | np.ndarray, matrix: np.ndarray) -> list[tuple]:
        if isinstance(X, pl.DataFrame):
            return X.select(self.schema.names).rows()
        decode = self.schema.decode
        names = self.schema.names
        return [tuple(decode(n, v) for n, v in zip(names, row, strict=True)) for row in matrix]

    def score_one(self, row: Mapping[str, Any], *, lang: str = "en", top: int = 5) -> CaseScore:
        """Score and explain one case (numpy only; one ``pred_contrib`` call gives both)."""
        check_lang(lang)
        x = self.schema.encode_row(row)
        contrib = self.booster.predict(x, pred_contrib=True, num_threads=1)[0]
        # The raw prediction, not the contributions' sum (equal to 1e-15): it is what
        # batch scoring and a backtest compute, so a logged score replays bit for bit.
        margin = float(self.booster.predict(x, raw_score=True, num_threads=1)[0])
        return self._case_score(row, x, contrib, margin, lang, top)

    def score_many(
        self, rows: Sequence[Mapping[str, Any]], *, lang: str = "en", top: int = 5
    ) -> list[CaseScore]:
        """:meth:`score_one` of every case, equal to it bit for bit, with one LightGBM call
        each for the contributions and the margins of all of them (far less per case)."""
        check_lang(lang)
        if not rows:
            return []
        x = np.vstack([self.schema.encode_row(row) for row in rows])
        contrib = self.booster.predict(x, pred_contrib=True, num_threads=1)
        margins = self.booster.predict(x, raw_score=True, num_threads=1).tolist()
        return [
            self._case_score(row, x[i : i + 1], contrib[i], margins[i], lang, top)
            for i, row in enumerate(rows)
        ]

    def _case_score(
        self,
        row: Mapping[str, Any],
        encoded: np.ndarray,
        contrib: np.ndarray,
        margin: float,
        lang: str,
        top: int,
    ) -> CaseScore:
        values = [row[n] for n in self.schema.names]
        expl = build_explanation(
            contrib, self.schema.names, values, self._reasons, top=top, lang=lang
        )
        return CaseScore(
            margin=margin,
            probability=float(self.calibrator.predict(margin)),
            band=self.bands.band_one(margin),
            flag=margin >= self.bands.flag_margin,
            explanation=expl,
            encoded=encoded,
        )

    # -- persistence ------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The content of ``bundle.json``."""
        return {
            "format": BUNDLE_FORMAT,
            "fingerprint": self.fingerprint,
            "version": self.version,
            "features": self.schema.to_dict(),
            "catalogue_hash": self.catalogue_hash,
            "calibrator": self.calibrator.to_dict(),
            "bands": self.bands.to_dict(),
            "texts": {n: vars(t) for n, t in self.texts.items()},
            **self.meta,
        }

    def save(self, directory: str | Path) -> Path:
        """Write ``model.txt``, ``bundle.json`` and, if made, ``reference.json`` into ``directory``.

        ``reference.json`` is the monitoring baseline (see :mod:`models.monitoring`).
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.txt").write_text(self.model_text)
        (out / "bundle.json").write_text(json.dumps(self.manifest(), indent=2, default=_json))
        if self.reference is not None:
            (out / REFERENCE_FILE).write_text(json.dumps(self.reference, indent=1))
        return out


def _current_meta(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """``meta`` under today's names: bundles saved before the rename say ``audit_only``."""
    out = dict(meta or {})
    if "audit_only" in out and "protected" not in out:
        out["protected"] = out.pop("audit_only")
    return out


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)


def model_name(fingerprint: str, registry_version: str | int | None = None) -> str:
    """The one name a model goes by everywhere: ``"v2 (2579f6f8)"``.

    Parameters
    ----------
    fingerprint
        The bundle's fingerprint (or its 12-digit :attr:`Bundle.version`); its first
        eight hex digits identify the exact model.
    registry_version
        The registered model version, when the model is registered; without it the name
        is the short fingerprint alone.
    """
    short = str(fingerprint)[:8]
    return short if registry_version is None else f"v{registry_version} ({short})"
