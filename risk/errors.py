"""One exception tree for Amanah.

Every class knows the HTTP status it maps to, so that ``serving/`` needs a
single handler and the CLI can print the same message.  Messages name the bad
value and where it was (file, row, column, field path).  Third-party errors
are wrapped where they cross into our code (``raise BundleLoadError(...) from exc``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmanahError",
    "AuthenticationError",
    "BundleLoadError",
    "ConfigError",
    "ConflictError",
    "DataContractError",
    "DataFileError",
    "EngineError",
    "FeatureError",
    "FeatureRegistryError",
    "ModelUnavailableError",
    "MonitorError",
    "NotFoundError",
    "PermissionDeniedError",
    "PromotionRefusedError",
    "RequestValidationError",
    "SchemaBehindError",
    "SpecError",
    "StoreUnavailableError",
]


class AmanahError(Exception):
    """Base of every error Amanah raises on purpose.

    Parameters
    ----------
    message
        A sentence a person can act on: what is wrong and where.
    detail
        Optional structured detail (JSON-serialisable) for API answers.
    """

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_body(self) -> dict[str, Any]:
        """The ``{"error", "detail"}`` body the API answers with."""
        return {
            "error": self.code,
            "detail": self.detail if self.detail is not None else self.message,
        }


class ConfigError(AmanahError):
    """A setting is missing or inconsistent."""

    status_code = 500
    code = "config_error"


class EngineError(AmanahError):
    """The distributed engine cannot run the job (scheduler unreachable, worker lost, memory)."""

    status_code = 503
    code = "engine_unavailable"


class DataFileError(AmanahError):
    """A data file is missing, unreadable or of an unsupported format."""

    status_code = 400
    code = "data_file_error"


class DataContractError(AmanahError):
    """Data breaks the declared contract; ``problems`` lists every breach found."""

    status_code = 422
    code = "data_contract_error"

    def __init__(self, message: str, *, problems: list[Any] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message, detail=[_as_dict(p) for p in self.problems] or None)


class SpecError(AmanahError):
    """A dataset spec (TOML) or policy file is malformed."""

    status_code = 422
    code = "spec_error"


class FeatureRegistryError(AmanahError):
    """A feature declaration breaks the registry's rules."""

    status_code = 500
    code = "feature_registry_error"


class FeatureError(AmanahError):
    """Features could not be computed for the given input."""

    status_code = 422
    code = "feature_error"


class BundleLoadError(AmanahError):
    """A model bundle is missing, corrupt, or does not match the feature catalogue."""

    status_code = 500
    code = "bundle_load_error"


class ModelUnavailableError(AmanahError):
    """No model is loaded, so scoring cannot happen (the rest of the service works)."""

    status_code = 503
    code = "model_unavailable"


class MonitorError(AmanahError):
    """Monitoring cannot run on what it was given (no reference profile, an empty period)."""

    status_code = 422
    code = "monitor_error"


class StoreUnavailableError(AmanahError):
    """The database cannot be used now (unreachable, read-only or full); retrying may work."""

    status_code = 503
    code = "store_unavailable"


class SchemaBehindError(StoreUnavailableError):
    """The store's schema is older than this version of Amanah: ``risk db upgrade`` migrates it.

    Migrations run only when someone asks for them, never as a side effect of starting
    the service or running a command.
    """

    status_code = 503
    code = "schema_behind"


class PromotionRefusedError(AmanahError):
    """The promotion gate refused a model version; ``checks`` says which failed."""

    status_code = 409
    code = "promotion_refused"

    def __init__(self, message: str, *, checks: list[dict[str, Any]] | None = None) -> None:
        self.checks = list(checks or [])
        super().__init__(message, detail={"message": message, "checks": self.checks})


class RequestValidationError(AmanahError):
    """A request's body or parameters are invalid."""

    status_code = 422
    code = "validation_error"


class NotFoundError(AmanahError):
    """An id does not exist."""

    status_code = 404
    code = "not_found"


class ConflictError(AmanahError):
    """The request conflicts with the current state (e.g. a case claimed by someone else)."""

    status_code = 409
    code = "conflict"


class AuthenticationError(AmanahError):
    """Missing or invalid credentials."""

    status_code = 401
    code = "unauthenticated"


class PermissionDeniedError(AmanahError):
    """The caller's role does not allow this action."""

    status_code = 403
    code = "forbidden"


def _as_dict(problem: Any) -> Any:
    if hasattr(problem, "as_dict"):
        return problem.as_dict()
    return problem
