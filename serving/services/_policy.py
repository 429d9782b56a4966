"""The review policy as the service applies it: in force now, and what a case shows.

The rules themselves live in :class:`models.ReviewPolicy`; this module only binds them
to the store (the runtime settings) and to a stored case, so the API and the case
screens ask the same question the same way.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Bundle, ReviewPolicy
from risk.settings import Settings
from serving.store import Case

from ._runtime import read_runtime

__all__ = ["policy_in_force", "shows_model_output"]


def policy_in_force(session: Session, settings: Settings, bundle: Bundle) -> ReviewPolicy:
    """The review policy scoring applies now: ``bundle`` under the stored runtime settings."""
    return read_runtime(session, settings).policy(bundle)


def shows_model_output(case: Case) -> bool:
    """Whether ``case`` shows its score, band, reasons and model (not for a blind case)."""
    return ReviewPolicy.shows_model_output(blind=case.blind, decided=case.status == "decided")
