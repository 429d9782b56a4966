"""The tolerance policy of a fairness report, read from TOML or the settings."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from risk.errors import SpecError
from risk.settings import get_settings
from risk.text import listing, noun

__all__ = ["RATIO_METRICS", "FairnessPolicy"]

#: Rates whose ratio to the reference group is reported (and may be gated).
RATIO_METRICS: tuple[str, ...] = ("flag_rate", "fpr", "fdr", "fnr")


class FairnessPolicy(BaseModel):
    """What counts as fair enough: the tolerance band and how it is applied.

    Parameters
    ----------
    min_group_size
        Groups with fewer rows are suppressed: listed, but counts hidden, ratios not computed.
    ratio_low, ratio_high
        The tolerance band for disparity ratios (group rate / reference rate).
    bootstrap
        Number of bootstrap resamples for the confidence intervals (0 disables them).
    seed
        Seed of the bootstrap; the same seed gives the same intervals.
    metrics
        Which ratio metrics are gated (decide the verdict); the others are only reported.
    verdict_rule
        ``"point"``: a group fails when its point ratio lies outside the band.
        ``"ci"``: a group fails only when its whole 95% interval lies outside the band
        (the data show a disparity beyond doubt); falls back to the point ratio when the
        interval is undefined.
    calibration_bins
        Equal-width bins on [0, 1] used for the expected calibration error.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_group_size: int = Field(30, ge=1)
    ratio_low: float = Field(0.8, gt=0)
    ratio_high: float = Field(1.25, gt=0)
    bootstrap: int = Field(200, ge=0)
    seed: int = 7
    metrics: tuple[str, ...] = RATIO_METRICS
    verdict_rule: Literal["point", "ci"] = "point"
    calibration_bins: int = Field(10, ge=1, le=1000)

    @model_validator(mode="after")
    def _consistent(self) -> FairnessPolicy:
        if self.ratio_low >= 1.0 or self.ratio_high <= 1.0:
            raise ValueError(
                f"the band must contain 1: ratio_low={self.ratio_low} < 1 < "
                f"ratio_high={self.ratio_high} is required"
            )
        unknown = [m for m in self.metrics if m not in RATIO_METRICS]
        if unknown:
            raise ValueError(
                f"unknown {noun(len(unknown), 'metric')} {listing(unknown)};"
                f" choose from {listing(RATIO_METRICS, conjunction='or')}"
            )
        if self.verdict_rule == "ci" and self.bootstrap < 1:
            raise ValueError("verdict_rule='ci' needs bootstrap >= 1")
        return self

    @classmethod
    def default(cls) -> FairnessPolicy:
        """The policy from ``get_settings().fairness`` (``RISK_FAIRNESS__*`` variables)."""
        fs = get_settings().fairness
        return cls._build(fs.model_dump(), source="settings (RISK_FAIRNESS__*)")

    @classmethod
    def from_toml(cls, path: str | Path) -> FairnessPolicy:
        """Read a policy file; keys missing from it take the settings' defaults.

        The keys may sit at the top level or under a ``[fairness]`` table.

        Raises
        ------
        SpecError
            The file is missing, is not TOML, has an unknown key or a bad value; the
            message names the file and the key.
        """
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SpecError(f"{path}: policy file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"{path}: cannot read policy file: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{path}: not valid TOML: {exc}") from exc
        if "fairness" in raw:
            extra = sorted(k for k in raw if k != "fairness")
            if extra or not isinstance(raw["fairness"], dict):
                raise SpecError(f"{path}: unexpected key(s) {extra} beside [fairness]")
            raw = raw["fairness"]
        merged = {**get_settings().fairness.model_dump(), **raw}
        return cls._build(merged, source=str(path))

    @classmethod
    def _build(cls, values: dict[str, Any], *, source: str) -> FairnessPolicy:
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                key = ".".join(str(p) for p in err["loc"]) or "(policy)"
                value = values.get(str(err["loc"][0])) if err["loc"] else None
                shown = f" (got {value!r})" if err["loc"] else ""
                problems.append(f"key {key!r}{shown}: {err['msg']}")
            raise SpecError(f"{source}: bad fairness policy: " + "; ".join(problems)) from exc

    def band(self) -> tuple[float, float]:
        """The tolerance band ``(ratio_low, ratio_high)``."""
        return (self.ratio_low, self.ratio_high)
