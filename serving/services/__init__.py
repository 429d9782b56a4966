"""The service's logic as plain Python (no FastAPI): each function takes a session."""

from ._audit import ChainReport, append_audit, entry_hash, verify_chain
from ._auth import (
    PERMISSIONS,
    ROLES,
    Principal,
    TokenCache,
    authenticate,
    check_password,
    create_token,
    create_user,
    require,
    revoke_token,
)
from ._complaints import (
    COMPLAINT_CATEGORIES,
    add_feedback,
    assign_complaint,
    get_complaint,
    list_complaints,
    open_complaint,
    respond_complaint,
    take_complaint,
)
from ._history import load_lookups, save_raw_rows
from ._kpis import compute_kpis
from ._loading import load_raw_tables
from ._model import ModelHolder
from ._replay import ReplayReport, replay_score
from ._runtime import RuntimeSettings, read_runtime, set_runtime
from ._scoring import ScoreOutcome, compute_features, input_fingerprint, score_application
from ._workflow import (
    DECISION_OUTCOMES,
    QueueFilter,
    claim_case,
    decide_case,
    get_case,
    list_decisions,
    list_queue,
    reassign_case,
    release_case,
    usernames,
    view_case,
)

__all__ = [
    "COMPLAINT_CATEGORIES",
    "DECISION_OUTCOMES",
    "PERMISSIONS",
    "ROLES",
    "ChainReport",
    "ModelHolder",
    "Principal",
    "QueueFilter",
    "ReplayReport",
    "RuntimeSettings",
    "ScoreOutcome",
    "TokenCache",
    "add_feedback",
    "append_audit",
    "assign_complaint",
    "authenticate",
    "check_password",
    "claim_case",
    "compute_features",
    "compute_kpis",
    "create_token",
    "create_user",
    "decide_case",
    "entry_hash",
    "get_case",
    "get_complaint",
    "input_fingerprint",
    "list_complaints",
    "list_decisions",
    "list_queue",
    "load_lookups",
    "load_raw_tables",
    "open_complaint",
    "read_runtime",
    "reassign_case",
    "release_case",
    "replay_score",
    "require",
    "respond_complaint",
    "revoke_token",
    "save_raw_rows",
    "score_application",
    "set_runtime",
    "take_complaint",
    "usernames",
    "verify_chain",
    "view_case",
]
