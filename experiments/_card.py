"""The model card: what the model is for and not for, its data, metrics, fairness, limits."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ._labels import PRECISION_DEFINITION, metric_label

__all__ = ["ModelCard", "render_template"]

_TEMPLATES = Path(__file__).parent / "templates"

INTENDED_USE = (
    "Rank incoming visa and residence applications so that officers review the riskiest"
    " ones first, within the review capacity.",
    "Give each flagged case plain-language reasons an officer can check against the file.",
    "Inform, never decide: a flag sends a case to a human officer; the outcome is"
    " 'review' or 'no_flag'.",
)
NOT_FOR = (
    "Refusing, revoking or delaying any application without an officer's own finding.",
    "Judging a person's character, credibility or nationality.",
    "Use on populations, visa types or time periods unlike the training data without a new"
    " fairness report.",
    "Any use of the protected attributes (nationality, sex, age, marital status) as inputs:"
    " they are used only to measure fairness.",
)
LIMITATIONS = (
    "Labels exist only for investigated cases and arrive late; measured quality reflects"
    " who was investigated in the past.",
    "Scores are calibrated on the validation split; calibration can drift as the caseload"
    " changes, so production monitoring must recheck it.",
    "The threshold is set by review capacity, not by a risk level: a change in capacity"
    " changes who is flagged.",
    "Fairness is measured on the protected attributes available; unmeasured groups may still be"
    " affected.",
)
DEFAULT_LABEL_BIAS = (
    "Only investigated cases carry a label. Cases never investigated (or still pending at"
    " the label cut-off) have no confirmed violation and are counted as negatives in"
    " training; because past investigations targeted some groups more than others, the"
    " labels under-record violations in groups that were seldom investigated. The label-bias"
    " view in the oversight report compares investigation and confirmation rates by group."
)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: Any) -> str:
    """Render one of ``experiments/templates`` with ``context``."""
    return _env().get_template(name).render(**context)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a count logged as a float (MLflow keeps floats): 3872
    if isinstance(value, float):
        return f"{value:.4f}"
    return "n/a" if value is None else str(value)


class ModelCard:
    """A model card built from a run's facts; renders as Markdown and HTML.

    Parameters
    ----------
    facts
        ``model_name``, ``version``, ``run_id``, ``experiment``, ``trained_by``,
        ``trained_at``, ``git_commit``, ``data_fingerprint``, ``data`` (mapping),
        ``metrics`` (mapping), ``fairness`` (mapping with ``verdict``, ``band``,
        ``attributes``, ``ratios``) and optionally ``label_bias`` (text).
    """

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = dict(facts)

    def context(self) -> dict[str, Any]:
        """The template context: facts with display-ready values and the fixed sections."""
        f = self.facts
        fairness = dict(f.get("fairness") or {})
        return {
            "model_name": f.get("model_name", ""),
            "version": f.get("version"),
            "run_id": f.get("run_id", ""),
            "experiment": f.get("experiment", ""),
            "trained_by": f.get("trained_by", ""),
            "trained_at": f.get("trained_at", ""),
            "git_commit": f.get("git_commit"),
            "data_fingerprint": f.get("data_fingerprint"),
            "data": {k: _fmt(v) for k, v in (f.get("data") or {}).items()},
            # human labels (one figure per concept: gate.* repeats model.*, so it is left out)
            "metrics": {
                metric_label(k): _fmt(v)
                for k, v in (f.get("metrics") or {}).items()
                if not k.startswith("gate.")
            },
            "precision_definition": PRECISION_DEFINITION[0],
            "fairness": {
                "verdict": str(fairness.get("verdict", "not measured")),
                "band": fairness.get("band", "n/a"),
                "attributes": list(fairness.get("attributes", [])),
                "ratios": {
                    metric_label(k): _fmt(v) for k, v in (fairness.get("ratios") or {}).items()
                },
            },
            "label_bias": f.get("label_bias") or DEFAULT_LABEL_BIAS,
            "intended_use": INTENDED_USE,
            "not_for": NOT_FOR,
            "limitations": LIMITATIONS,
        }

    def to_markdown(self) -> str:
        """The card as Markdown."""
        return render_template("model_card.md.j2", card=self.context())

    def to_html(self) -> str:
        """The card as a standalone HTML page (no external resources)."""
        return render_template("model_card.html.j2", card=self.context())

    def html_fragment(self) -> str:
        """The card's ``<section>``, for embedding in the oversight report."""
        return render_template("_card_body.html.j2", card=self.context())
