"""Waivers: a model that fails the gate is promoted only when two people agree.

The promoter *requests* a waiver with a reason (:func:`request_waiver`); a second
person *approves* it (:func:`approve_waiver`).  Only then is the version promoted, and
the promotions log and the version's tags name both.  Who the approver is must be
established by the caller (the service signs them in with their own password or API
token): this module never accepts a typed name as proof of anyone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from risk.errors import ConflictError, RequestValidationError
from risk.settings import Settings

from ._promotion import _record, evaluate, finish, refuse, stamp
from ._registry import get_version
from ._tracking import client_for

__all__ = ["approve_waiver", "pending_waivers", "request_waiver"]

#: Tag on the model version holding the open request (JSON), removed on promotion.
REQUEST_TAG = "waiver.request"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def request_waiver(
    version: str | int, *, by: str, reason: str, settings: Settings
) -> dict[str, Any]:
    """Record ``by``'s request to promote ``version`` despite its failed gated checks.

    Parameters
    ----------
    version
        The registered model version.
    by
        The signed-in person asking (the promoter).
    reason
        Why the failed checks should be waived; shown to the approver and kept.
    settings
        Tracking store and registered model.

    Returns
    -------
    dict
        The recorded attempt, ``result`` = ``"waiver requested"``.

    Raises
    ------
    RequestValidationError
        Empty promoter or reason.
    ConflictError
        The version passes the gate (promote it plainly) or is already the champion.
    """
    if not by.strip():
        raise RequestValidationError("promoter is empty: say who requests the waiver")
    if not reason.strip():
        raise RequestValidationError("a waiver needs a reason (--waiver REASON)")
    client = client_for(settings)
    record = evaluate(client, settings, version)
    if not record["failed"]:
        raise ConflictError(
            f"version {record['version']} passes the gate: promote it without a waiver"
        )
    stamp(record)
    waiver = {"reason": reason.strip(), "requested_by": by.strip(), "requested_at": record["at"]}
    record.update(by=by.strip(), waiver=waiver, result="waiver requested", reason="")
    _record(client, settings, record)
    client.set_model_version_tag(
        settings.mlflow.registered_model, record["version"], REQUEST_TAG, json.dumps(waiver)
    )
    return record


def _open_request(client: Any, settings: Settings, version: str | int) -> dict[str, Any]:
    mv = get_version(client, settings, version)
    raw = mv.tags.get(REQUEST_TAG)
    if not raw:
        raise ConflictError(
            f"version {mv.version} has no waiver request to approve; the promoter requests"
            f" one first (risk promote {mv.version} --waiver REASON)"
        )
    return json.loads(raw)


def approve_waiver(
    version: str | int, *, approver: str, role: str, via: str, settings: Settings
) -> dict[str, Any]:
    """Approve the open waiver request of ``version`` and promote it.

    Parameters
    ----------
    version
        The registered model version with an open request.
    approver, role
        The authenticated approver and their role; the caller has checked that this
        person exists, is active and holds the approving role.
    via
        How they signed in (``"web"``, ``"api"``, ``"cli"``), kept in the record.
    settings
        Tracking store and registered model.

    Returns
    -------
    dict
        The recorded attempt: ``result`` = ``"promoted"``; ``by`` is the requester and
        ``waiver`` names requester and approver.

    Raises
    ------
    ConflictError
        No open request, or the version is already the champion.
    PromotionRefusedError
        The approver requested the waiver or trained the model (recorded first).
    """
    client = client_for(settings)
    request = _open_request(client, settings, version)
    record = evaluate(client, settings, version)
    waiver = request | {
        "approved_by": approver,
        "approver_role": role,
        "approved_via": via,
        "approved_at": _now(),
    }
    record.update(by=request["requested_by"], waiver=waiver)
    who = approver.strip().casefold()
    if who == request["requested_by"].casefold():
        refuse(
            client,
            settings,
            record,
            f"waiver refused: {approver} requested this waiver; a second person must approve it",
            rule="waiver_self",
            values={"username": approver},
        )
    if who == record["trained_by"].strip().casefold():
        refuse(
            client,
            settings,
            record,
            f"waiver refused: approver {approver} trained this model",
            rule="waiver_trainer",
            values={"username": approver},
        )
    return finish(client, settings, record)


def pending_waivers(settings: Settings) -> list[dict[str, Any]]:
    """Open waiver requests, one per version, newest version first."""
    client = client_for(settings)
    name = settings.mlflow.registered_model
    out = []
    for mv in client.search_model_versions(f"name = '{name}'"):
        raw = mv.tags.get(REQUEST_TAG)
        if raw:
            out.append({"version": str(mv.version), **json.loads(raw)})
    return sorted(out, key=lambda r: int(r["version"]), reverse=True)
