"""The :class:`ModelHolder`: the one loaded model bundle, reloadable without a restart."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from risk.errors import AmanahError, ConfigError, ModelUnavailableError
from risk.settings import Settings

__all__ = ["ModelHolder"]


class ModelHolder:
    """Holds the model bundle the scoring endpoints use.

    Parameters
    ----------
    settings
        ``serving.model_source`` says where the model comes from: ``"bundle"``
        (``serving.bundle_path``), ``"registry"`` (the registry's champion alias),
        or ``"none"``.

    Notes
    -----
    Reloading swaps one reference, so requests in flight finish on the model
    they started with.  When nothing is loaded, :attr:`bundle` raises
    :class:`~risk.errors.ModelUnavailableError` (503) and the rest of the service works.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bundle: Any = None
        self._source = ""
        self._lock = threading.Lock()
        self.last_error: str | None = None

    @property
    def bundle(self) -> Any:
        """The loaded bundle, or :class:`ModelUnavailableError`."""
        bundle = self._bundle
        if bundle is None:
            reason = f": {self.last_error}" if self.last_error else ""
            raise ModelUnavailableError(
                f"no model is loaded, so applications cannot be scored{reason}",
                detail={
                    "message": "no model is loaded; scoring is unavailable",
                    "reason": self.last_error,
                },
            )
        return bundle

    @property
    def loaded(self) -> bool:
        """Whether a model is loaded."""
        return self._bundle is not None

    @property
    def version(self) -> str | None:
        """The loaded model's version, if any."""
        return None if self._bundle is None else str(self._bundle.version)

    @property
    def source(self) -> str:
        """Where the loaded model came from."""
        return self._source

    def load_path(self, path: Path) -> Any:
        """Load a bundle folder and make it current."""
        from models import load_bundle

        bundle = load_bundle(Path(path))
        with self._lock:
            self._bundle, self._source, self.last_error = bundle, str(path), None
        return bundle

    def load_configured(self) -> Any | None:
        """Load from the configured source; on failure keep serving without a model.

        Returns the bundle, or ``None`` (the reason is kept in :attr:`last_error`).
        """
        serving = self.settings.serving
        try:
            if serving.model_source == "none":
                self.last_error = "model_source is 'none'"
                return None
            if serving.model_source == "bundle":
                if serving.bundle_path is None:
                    raise ConfigError("serving.bundle_path is not set (RISK_SERVING__BUNDLE_PATH)")
                return self.load_path(serving.bundle_path)
            return self._load_champion()
        except (AmanahError, ImportError) as exc:
            self.last_error = getattr(exc, "message", str(exc))
            return None

    def _load_champion(self) -> Any:
        try:
            from experiments import champion_bundle_dir
        except ImportError as exc:
            raise ConfigError("the model registry (experiments) is not available") from exc
        path = champion_bundle_dir(self.settings)
        if path is None:
            raise ModelUnavailableError(
                f"no version of {self.settings.mlflow.registered_model!r} holds the champion"
                " alias; promote one (risk promote) or set RISK_SERVING__BUNDLE_PATH"
            )
        return self.load_path(path)
