"""The promotion gate: fairness within tolerance and no loss of quality, or a two-person waiver.

Quality is judged on the test split and, when the challenger has a comparison over a
live period against the current champion (``risk compare``), on the estimated
differences too: estimated worse with an interval excluding zero fails.

Every attempt, passed or refused, is recorded twice: as tags on the model
version and as one run in the ``<experiment>-promotions`` experiment, which is
the append-only promotions log :func:`promotion_history` reads.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from models import model_name
from risk.errors import ConflictError, PromotionRefusedError, RequestValidationError
from risk.settings import Settings

from ._evidence import evidence_checks
from ._registry import CHALLENGER, CHAMPION, alias_version, bundle_fingerprint, get_version
from ._tracking import PROMOTIONS_EXPERIMENT_SUFFIX, client_for, experiment_id

__all__ = ["GATE_METRICS", "evaluate", "finish", "promote", "promotion_history", "refuse", "stamp"]

#: Test metrics each run logs for the gate; PR AUC decides, the others are reported.
GATE_METRICS = ("pr_auc", "roc_auc", "precision_at_capacity")


def _metric(run: Any, name: str) -> float | None:
    value = run.data.metrics.get(f"gate.{name}")
    return None if value is None else float(value)


def _fairness_check(run: Any) -> dict[str, Any]:
    verdict = run.data.tags.get("fairness_verdict", "missing")
    return {
        "check": "fairness",
        "gated": True,
        "passed": verdict == "pass",
        "value": verdict,
        "reference": "pass",
        "detail": f"fairness verdict of the run's audit is {verdict!r}",
    }


def _quality_checks(run: Any, champion: Any, margin: float) -> list[dict[str, Any]]:
    checks = []
    for name in GATE_METRICS:
        mine = _metric(run, name)
        theirs = None if champion is None else _metric(champion, name)
        check = {
            "check": f"quality.{name}",
            "gated": name == "pr_auc",
            "value": mine,
            "reference": theirs,
        }
        if champion is None:
            check.update(passed=True, detail="no champion to compare with")
        elif mine is None or theirs is None:
            check.update(passed=False, detail=f"test {name} missing on this run or the champion's")
        else:
            allowed = margin if name == "pr_auc" else 0.0
            check.update(
                passed=mine >= theirs - allowed,
                detail=f"test {name} {mine:.4f} vs champion {theirs:.4f}"
                + (f" (margin {margin})" if name == "pr_auc" else ""),
            )
        checks.append(check)
    return checks


def _record(client: Any, settings: Settings, record: dict[str, Any]) -> None:
    """Append the attempt to the promotions log and tag the version with it."""
    exp = experiment_id(client, settings, suffix=PROMOTIONS_EXPERIMENT_SUFFIX)
    payload = json.dumps(record, sort_keys=True, default=str)
    tags = {
        "version": record["version"],
        "by": record["by"],
        "result": record["result"],
        "record": payload,
    }
    run = client.create_run(exp, run_name=f"promote-v{record['version']}", tags=tags)
    client.set_terminated(run.info.run_id)
    name, version = settings.mlflow.registered_model, record["version"]
    client.set_model_version_tag(name, version, "promotion.last_attempt", payload)
    client.set_model_version_tag(name, version, "promotion.result", record["result"])
    if record["result"] == "promoted" and record["waiver"]:
        for key, value in record["waiver"].items():
            client.set_model_version_tag(name, version, f"waiver.{key}", str(value))
        client.delete_model_version_tag(name, version, "waiver.request")


def _summary(checks: list[dict[str, Any]]) -> str:
    def num(x: Any) -> str:
        return f"{x:.4f}" if isinstance(x, float) else str(x)

    return "; ".join(
        f"{c['check']} {'pass' if c['passed'] else 'FAIL'} ({num(c['value'])} vs"
        f" {num(c['reference'])})"
        for c in checks
    )


def evaluate(client: Any, settings: Settings, version: str | int) -> dict[str, Any]:
    """The gate's verdict on ``version`` against the current champion (nothing is recorded).

    Raises
    ------
    NotFoundError
        No such version.
    ConflictError
        The version already is the champion.
    """
    mv = get_version(client, settings, version)
    run = client.get_run(mv.run_id)
    current = alias_version(client, settings, CHAMPION)
    if current is not None and str(current.version) == str(mv.version):
        raise ConflictError(f"version {mv.version} is already the champion")
    champion_run = None if current is None else client.get_run(current.run_id)
    live, comparison = evidence_checks(mv, current)
    checks = [
        _fairness_check(run),
        *_quality_checks(run, champion_run, settings.mlflow.quality_margin),
        *live,
    ]
    fingerprint = bundle_fingerprint(client, mv)
    return {
        "model": settings.mlflow.registered_model,
        "version": str(mv.version),
        "name": model_name(fingerprint, mv.version) if fingerprint else f"v{mv.version}",
        "trained_by": run.data.tags.get("trained_by", ""),
        "checks": checks,
        "failed": [c["check"] for c in checks if c["gated"] and not c["passed"]],
        "previous_champion": None if current is None else str(current.version),
        # which evidence the gate read: the test split always, a live comparison if any
        "evidence": {"test_split": True, "comparison": comparison},
        "waiver": None,
    }


def stamp(record: dict[str, Any]) -> dict[str, Any]:
    """Add the time of the attempt (``at`` in seconds, ``at_ns`` to order the log)."""
    record["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["at_ns"] = time.time_ns()
    return record


def refuse(
    client: Any,
    settings: Settings,
    record: dict[str, Any],
    reason: str,
    *,
    rule: str | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Record a refused attempt, then raise :class:`PromotionRefusedError` naming ``reason``.

    ``rule`` and ``values`` name the rule for the service, which words it in the caller's
    language (the keys of ``serving.services.RULES``).
    """
    record.update(result="refused", reason=reason)
    _record(client, settings, stamp(record))
    exc = PromotionRefusedError(
        f"version {record['version']} not promoted: {reason}. Checks: {_summary(record['checks'])}",
        checks=record["checks"],
    )
    if rule is not None:
        exc.rule, exc.values = rule, values or {}  # type: ignore[attr-defined]
    raise exc


def finish(client: Any, settings: Settings, record: dict[str, Any]) -> dict[str, Any]:
    """Record a successful attempt and move the ``champion`` alias to its version."""
    record.update(result="promoted", reason="")
    _record(client, settings, stamp(record))
    _move_aliases(client, settings, record["version"])
    return record


def promote(version: str | int, *, by: str, settings: Settings) -> dict[str, Any]:
    """Give ``version`` the ``champion`` alias if it passes the gate.

    A version that fails a gated check is promoted only through a waiver: one person
    requests it (:func:`request_waiver`) and a second, authenticated person approves
    it (:func:`approve_waiver`).

    Parameters
    ----------
    version
        The registered model version to promote.
    by
        Who asks for the promotion.
    settings
        Tracking store, registered model and ``settings.mlflow.quality_margin``.

    Returns
    -------
    dict
        The recorded attempt (``version``, ``by``, ``at``, ``checks``, ``waiver`` = None,
        ``result`` = ``"promoted"``, ``previous_champion``).

    Raises
    ------
    PromotionRefusedError
        A gated check failed; ``checks`` lists every check with its numbers.  The
        attempt is recorded first.
    """
    if not by or not by.strip():
        raise RequestValidationError("promoter is empty: say who promotes (--by)")
    client = client_for(settings)
    record = evaluate(client, settings, version) | {"by": by.strip()}
    if record["failed"]:
        refuse(client, settings, record, "failed: " + ", ".join(record["failed"]))
    return finish(client, settings, record)


def _move_aliases(client: Any, settings: Settings, version: str) -> None:
    name = settings.mlflow.registered_model
    client.set_registered_model_alias(name, CHAMPION, version)
    challenger = alias_version(client, settings, CHALLENGER)
    if challenger is not None and str(challenger.version) == version:
        client.delete_registered_model_alias(name, CHALLENGER)


def promotion_history(settings: Settings) -> list[dict[str, Any]]:
    """Every recorded promotion attempt, oldest first (for the oversight portal).

    Returns
    -------
    list of dict
        The attempt records as :func:`promote` wrote them.
    """
    client = client_for(settings)
    exp = client.get_experiment_by_name(settings.mlflow.experiment + PROMOTIONS_EXPERIMENT_SUFFIX)
    if exp is None:
        return []
    runs, token = [], None
    while True:
        page = client.search_runs(
            [exp.experiment_id],
            order_by=["attributes.start_time ASC"],
            max_results=1000,
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    records = [json.loads(r.data.tags["record"]) for r in runs if "record" in r.data.tags]
    return sorted(records, key=lambda r: r.get("at_ns", 0))
