"""The :class:`ModelHolder`: the one loaded model bundle, reloadable without a restart.

With ``serving.model_source = "registry"`` a :class:`RegistryPoller` checks the
registry's champion every ``serving.registry_poll_seconds`` and swaps a newly promoted
champion in by itself (audited as a reload).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from risk.errors import AmanahError, ConfigError, ModelUnavailableError
from risk.settings import Settings

if TYPE_CHECKING:  # the holder imports models only when it loads one
    from models import Bundle

__all__ = ["ModelHolder", "RegistryPoller"]

log = logging.getLogger("serving.model")


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
        self._bundle: Bundle | None = None
        self._source = ""
        self._lock = threading.Lock()
        self.last_error: str | None = None
        #: The registered version of the loaded model (``None``: not from the registry).
        self.registry_version: str | None = None
        self._names: dict[str, str] = {}

    @property
    def bundle(self) -> Bundle:
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
    def name(self) -> str | None:
        """The loaded model's one name, ``"v2 (2579f6f8)"`` (see :func:`models.model_name`)."""
        from models import model_name

        bundle = self._bundle
        return None if bundle is None else model_name(bundle.fingerprint, self.registry_version)

    def name_of(self, version: str | None) -> str | None:
        """The name of the model that made a stored score (``Score.model_version``)."""
        if version is None:
            return None
        bundle = self._bundle
        if bundle is not None and version == bundle.version:
            return self.name
        from models import model_name

        return self._names.get(version) or model_name(version)

    def refresh_names(self) -> None:
        """Learn the names of every registered version (for scores of earlier models)."""
        if self.settings.serving.model_source != "registry":
            return
        try:
            from experiments import list_versions, registry_exists

            if registry_exists(self.settings):
                rows = list_versions(self.settings)
                self._names = {r["fingerprint"][:12]: r["name"] for r in rows if r["fingerprint"]}
        except Exception as exc:  # names are a courtesy: an unreadable registry keeps the old ones
            log.warning("cannot read model names from the registry: %s", exc)

    @property
    def source(self) -> str:
        """Where the loaded model came from."""
        return self._source

    def load_path(self, path: Path, registry_version: str | None = None) -> Any:
        """Load a bundle folder and make it current."""
        from models import load_bundle

        bundle = load_bundle(Path(path))
        with self._lock:
            self._bundle, self._source, self.last_error = bundle, str(path), None
            self.registry_version = registry_version
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
            from experiments import champion_bundle
        except ImportError as exc:
            raise ConfigError("the model registry (experiments) is not available") from exc
        found = champion_bundle(self.settings)
        if found is None:
            raise ModelUnavailableError(
                f"no version of {self.settings.mlflow.registered_model!r} holds the champion"
                " alias; promote one (risk promote) or set RISK_SERVING__BUNDLE_PATH"
            )
        bundle = self.load_path(found[1], registry_version=found[0])
        self.refresh_names()
        return bundle

    def poll(self) -> tuple[str | None, str | None] | None:
        """Load the registry's champion if it changed since the last load.

        Returns
        -------
        tuple or None
            ``(old name, new name)`` when a new champion was loaded, else ``None``.  A
            champion that fails to load leaves the current model serving (see
            :attr:`last_error`).
        """
        if self.settings.serving.model_source != "registry":
            return None
        from experiments import champion_version, registry_exists

        if not registry_exists(self.settings):
            return None
        current = champion_version(self.settings)
        if current is None or (self.loaded and current == self.registry_version):
            return None
        before = self.name
        try:
            self._load_champion()
        except (AmanahError, ImportError) as exc:
            self.last_error = getattr(exc, "message", str(exc))
            return None
        return before, self.name


class RegistryPoller:
    """A daemon thread that calls :meth:`ModelHolder.poll` every ``seconds``.

    Parameters
    ----------
    holder
        The holder to keep on the registry's champion.
    seconds
        Time between two looks at the registry (``serving.registry_poll_seconds``).
    on_swap
        Called with ``(old name, new name)`` after each swap (the app audits it).
    """

    def __init__(
        self,
        holder: ModelHolder,
        seconds: float,
        on_swap: Callable[[str | None, str | None], None],
    ) -> None:
        self.holder, self.seconds, self.on_swap = holder, seconds, on_swap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="registry-poll", daemon=True)

    def start(self) -> RegistryPoller:
        """Start polling; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                swapped = self.holder.poll()
                if swapped is not None:
                    self.on_swap(*swapped)
            except Exception:  # the poller must outlive a bad read; the next tick retries
                log.exception("registry poll failed")
