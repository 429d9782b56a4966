"""Alert rules (a TOML policy) evaluated on each monitored chunk.

A policy is a list of ``[[rule]]`` tables::

    [[rule]]
    name = "dataset drift"      # shown in alerts and in the kill switch's reason
    kind = "drift_share"        # drift_share | feature | score_psi | divergence | fairness
    threshold = 0.5             # drift_share, score_psi
    feature = "tamper_score"    # kind = "feature" only: alert when it drifts
    suspend = false             # true: switch the service to manual review

Without a file, :data:`DEFAULT_RULES` apply: the dataset drifts (half the features or
more), the score distribution moves (PSI >= 0.1, the usual "moderate shift" mark and
Evidently's PSI threshold), the label-free estimate disagrees
with the realised figures, a fairness ratio leaves 0.8-1.25 with its whole interval.
None suspends by default: suspension is a deployment's explicit choice.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from risk.errors import SpecError
from risk.text import listing, noun

__all__ = ["DEFAULT_RULES", "KINDS", "AlertPolicy", "AlertRule"]

KINDS = ("drift_share", "feature", "score_psi", "divergence", "fairness")
_NEEDS_THRESHOLD = ("drift_share", "score_psi")


@dataclass(frozen=True)
class AlertRule:
    """One rule: what it watches, when it fires, whether it suspends the model."""

    name: str
    kind: str
    threshold: float | None = None
    feature: str | None = None
    suspend: bool = False

    def check(self, chunk: dict[str, Any]) -> dict[str, Any] | None:
        """The alert this rule raises on ``chunk`` (a monitored chunk), or ``None``."""
        value = _VALUES[self.kind](self, chunk)
        if value is None or value is False:
            return None
        if self.threshold is not None and value < self.threshold:
            return None
        return {
            "rule": self.name,
            "kind": self.kind,
            "feature": self.feature,
            "value": value,
            "threshold": self.threshold,
            "suspend": self.suspend,
            "start": chunk.get("start"),
            "end": chunk.get("end"),
            "message": self._message(value, chunk),
        }

    def _message(self, value: Any, chunk: dict[str, Any]) -> str:
        when = f"{chunk.get('start')} to {chunk.get('end')}"
        if self.kind == "feature":
            return f"{self.name}: feature {self.feature!r} drifted ({when})"
        if self.kind == "fairness":
            return f"{self.name}: fairness ratio outside tolerance for {', '.join(value)} ({when})"
        if self.kind == "divergence":
            return f"{self.name}: estimated and realised performance disagree ({when})"
        return f"{self.name}: {self.kind} {value:.3f} >= {self.threshold} ({when})"


def _fairness_groups(rule: AlertRule, chunk: dict[str, Any]) -> list[str] | None:
    hits = [
        f"{attr}={group}"
        for attr, res in (chunk.get("fairness") or {}).items()
        for group, g in res.get("groups", {}).items()
        if g.get("outside")
    ]
    return hits or None


_VALUES = {
    "drift_share": lambda r, c: c.get("drift_share"),
    "score_psi": lambda r, c: (c.get("score") or {}).get("psi"),
    "feature": lambda r, c: bool(((c.get("features") or {}).get(r.feature) or {}).get("drifted")),
    "divergence": lambda r, c: bool((c.get("estimate") or {}).get("diverged")),
    "fairness": _fairness_groups,
}

DEFAULT_RULES = (
    AlertRule("dataset drift", "drift_share", threshold=0.5),
    AlertRule("score shift", "score_psi", threshold=0.1),
    AlertRule("calibration drift", "divergence"),
    AlertRule("live fairness", "fairness"),
)


@dataclass(frozen=True)
class AlertPolicy:
    """The rules a monitoring run checks every chunk against."""

    rules: tuple[AlertRule, ...] = DEFAULT_RULES
    source: str = "default rules"

    @classmethod
    def from_toml(cls, path: str | Path) -> AlertPolicy:
        """Read a policy file; every bad rule is named with its position and field."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text())
        except FileNotFoundError as exc:
            raise SpecError(f"alert policy {p} does not exist") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SpecError(f"alert policy {p} is not valid TOML: {exc}") from exc
        rules = data.get("rule")
        if not isinstance(rules, list) or not rules:
            raise SpecError(f"alert policy {p} has no [[rule]] tables")
        return cls(tuple(_rule(r, i, p) for i, r in enumerate(rules, start=1)), str(p))

    def check(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """Every alert the chunk raises."""
        if chunk.get("status") != "tested":
            return []
        return [a for a in (r.check(chunk) for r in self.rules) if a is not None]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (recorded in ``monitor.json``)."""
        return {"source": self.source, "rules": [vars(r) for r in self.rules]}


def _rule(raw: Any, i: int, path: Path) -> AlertRule:
    where = f"alert policy {path} rule {i}"
    if not isinstance(raw, dict):
        raise SpecError(f"{where} must be a table")
    unknown = set(raw) - {"name", "kind", "threshold", "feature", "suspend"}
    if unknown:
        raise SpecError(
            f"{where} has unknown {noun(len(unknown), 'field')} {listing(sorted(unknown))}"
        )
    kind = raw.get("kind")
    if kind not in KINDS:
        raise SpecError(
            f"{where} field 'kind' is {kind!r}; use one of {listing(KINDS, conjunction='or')}"
        )
    threshold = raw.get("threshold")
    if kind in _NEEDS_THRESHOLD and not (isinstance(threshold, int | float) and threshold > 0):
        raise SpecError(f"{where} field 'threshold' must be a positive number for kind {kind!r}")
    if kind not in _NEEDS_THRESHOLD and threshold is not None:
        raise SpecError(f"{where} field 'threshold' does not apply to kind {kind!r}")
    feature = raw.get("feature")
    if (kind == "feature") != isinstance(feature, str):
        raise SpecError(f"{where} field 'feature' is required for kind 'feature' only")
    suspend = raw.get("suspend", False)
    if not isinstance(suspend, bool):
        raise SpecError(f"{where} field 'suspend' must be true or false, got {suspend!r}")
    name = raw.get("name", f"rule {i}")
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"{where} field 'name' must be a non-empty string")
    return AlertRule(name, kind, None if threshold is None else float(threshold), feature, suspend)
