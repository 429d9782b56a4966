"""Settings: one pydantic-settings object, read from ``RISK_*`` environment variables.

Nested sections use ``__`` as delimiter, e.g. ``RISK_REVIEW__CAPACITY=0.03`` or
``RISK_SERVING__DATABASE_URL=postgresql+psycopg://...``.  Nothing else in Amanah
reads ``os.environ``; code asks :func:`get_settings`.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "FairnessSettings",
    "FeatureSettings",
    "MLflowSettings",
    "ModelSettings",
    "MonitorSettings",
    "ProtectedSettings",
    "ReviewSettings",
    "SecuritySettings",
    "ServingSettings",
    "Settings",
    "SplitSettings",
    "SynthSettings",
    "get_settings",
]


class ProtectedSettings(BaseModel):
    """Which raw columns hold protected attributes: kept for fairness reports, never features.

    The contract's protected columns are always protected; ``columns`` may add more
    (``RISK_PROTECTED__COLUMNS='["occupation"]'``).
    """

    columns: list[str] = Field(
        default_factory=lambda: ["nationality", "sex", "birth_date", "marital_status"]
    )


class _LegacyAuditSettings(BaseModel):
    """The section ``protected`` was called before: read for one release, then dropped."""

    audit_only_columns: list[str] | None = None


class SynthSettings(BaseModel):
    """Defaults of the synthetic world generator."""

    applications: int = Field(200_000, ge=100)
    seed: int = 7
    start_date: str = "2023-01-01"
    years: int = Field(3, ge=1, le=10)


class FeatureSettings(BaseModel):
    """Windows of the network and history signals."""

    network_window_days: int = Field(90, ge=1)
    history_window_days: int = Field(1825, ge=30)


class SplitSettings(BaseModel):
    """Time-ordered split fractions by ``submitted_at``."""

    train: float = Field(0.6, gt=0, lt=1)
    validation: float = Field(0.2, gt=0, lt=1)
    test: float = Field(0.2, gt=0, lt=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitSettings:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"split fractions must sum to 1, got {total:.4f}")
        return self


class ModelSettings(BaseModel):
    """LightGBM parameters and training controls."""

    seed: int = 7
    num_threads: int = Field(2, ge=1)
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 50
    feature_fraction: float = 0.9
    bagging_fraction: float = 0.9
    bagging_freq: int = 1
    lambda_l2: float = 1.0
    max_rounds: int = 600
    early_stopping_rounds: int = 50
    # Off by default: a rare but decisive signal (a failed MRZ check digit is a few dozen of
    # tens of thousands of rows) must stay usable; the pre-filter drops any feature whose
    # rarer values are fewer than min_data_in_leaf, and on Dask each worker drops its own.
    feature_pre_filter: bool = Field(
        False,
        description="LightGBM's feature pre-filter: true drops, before training, features whose"
        " rarer values are fewer than min_data_in_leaf rows, so a rare but decisive signal is"
        " never used (on Dask each worker filters its own share and the engines can differ:"
        " docs/scale.md)",
    )
    calibration: Literal["isotonic", "platt"] = "isotonic"
    label_cutoff: str | None = Field(
        None, description="ISO date: labels known after it are ignored (default: end of data)"
    )


class ReviewSettings(BaseModel):
    """Review capacity and the random blind sample."""

    capacity: float = Field(
        0.05, gt=0, lt=1, description="share of applications officers can review"
    )
    high_band_share: float = Field(
        0.2, gt=0, le=1, description="share of the flagged capacity that is banded high"
    )
    blind_sample_rate: float = Field(0.02, ge=0, lt=1)
    complaint_sla_days: int = Field(14, ge=1)
    case_sla_days: int = Field(5, ge=1)


class FairnessSettings(BaseModel):
    """The default tolerance policy of fairness reports."""

    min_group_size: int = Field(30, ge=1)
    ratio_low: float = Field(0.8, gt=0)
    ratio_high: float = Field(1.25, gt=0)
    bootstrap: int = Field(200, ge=0)
    seed: int = 7
    metrics: list[str] = Field(default_factory=lambda: ["flag_rate", "fpr", "fdr", "fnr"])


class MLflowSettings(BaseModel):
    """Where runs and registered models go."""

    tracking_uri: str | None = None
    experiment: str = "amanah"
    registered_model: str = "amanah-risk"
    quality_margin: float = Field(
        0.01, ge=0, description="allowed loss of test PR AUC at promotion"
    )


class MonitorSettings(BaseModel):
    """Watching a model in production: drift tests, chunks, the schedule, alert rules.

    The defaults follow Evidently's rules: above ``small_reference_rows`` reference rows,
    normalised Wasserstein distance (numeric) and Jensen-Shannon distance (categorical,
    base 2) drift at ``distance_threshold``; at or below, KS (numeric with more than
    ``categorical_max_values`` values) and chi-square (otherwise) drift at ``p_value``.
    The dataset drifts when at least ``dataset_drift_share`` of the features drift.
    """

    method: Literal["auto", "psi"] = Field(
        "auto", description="auto: Evidently's rules; psi: PSI >= psi_threshold"
    )
    small_reference_rows: int = Field(1000, ge=1)
    distance_threshold: float = Field(0.1, gt=0)
    p_value: float = Field(0.05, gt=0, lt=1)
    psi_threshold: float = Field(0.1, gt=0)
    psi_bins: int = Field(10, ge=2, le=100, description="reference quantile bins of PSI")
    psi_epsilon: float = Field(
        1e-4, gt=0, lt=0.01, description="share used for a bin empty on one side (PSI)"
    )
    categorical_max_values: int = Field(5, ge=1)
    dataset_drift_share: float = Field(0.5, gt=0, le=1)
    min_rows: int = Field(100, ge=1, description="chunks with fewer rows are not tested")
    reference_rows: int = Field(
        5000, ge=100, description="reference rows kept in the profile for KS and Wasserstein"
    )
    attribution_rows: int = Field(
        500,
        ge=50,
        description="rows per chunk explained with exact SHAP for the attribution (a seeded"
        " sample; exact SHAP costs about a millisecond a row)",
    )
    seed: int = 7
    #: Seconds between scheduled runs inside the service (0: never; on demand only).
    schedule_seconds: float = Field(0.0, ge=0)
    #: Compute scheduled runs in a low-priority child process (off: on the service's thread).
    schedule_process: bool = True
    #: Days of scores the scheduled run looks back over, chunked by ``by``.
    lookback_days: int = Field(90, ge=1)
    by: Literal["week", "month"] = "month"
    policy_path: Path | None = Field(None, description="alert rules (TOML); default rules if unset")


class ServingSettings(BaseModel):
    """The FastAPI service."""

    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    model_source: Literal["registry", "bundle", "none"] = "registry"
    bundle_path: Path | None = None
    top_reasons: int = Field(5, ge=1, le=20)
    #: Seconds an API token, once checked, is trusted without a database read; a token
    #: revoked from another process (``risk tokens revoke``) stops working within this.
    auth_cache_seconds: float = Field(2.0, ge=0, le=60)
    #: The service's SQLite store checkpoints its WAL on a background thread this often
    #: (0: inside whichever commit crosses SQLite's threshold, which then pauses).
    sqlite_checkpoint_seconds: float = Field(1.0, ge=0, le=300)
    #: A score batch stores its items in write transactions of at most this many, so a
    #: single score waits for one short transaction, not the whole batch (bench_batch.py).
    batch_write_chunk: int = Field(10, ge=1, le=10_000)
    #: Largest request body accepted, in bytes (413 above it, before any parsing).
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    #: Seconds a 503 answer (database or model unavailable) asks the client to wait.
    retry_after_seconds: int = Field(5, ge=1, le=3600)
    #: Free disk below this (bytes, where the data directory is) makes the service not ready.
    min_free_disk_bytes: int = Field(200 * 1024 * 1024, ge=0)
    #: With ``model_source = "registry"``, the service looks for a newly promoted champion
    #: this often and swaps it in by itself (0: only at start-up and POST /v1/model/reload).
    registry_poll_seconds: float = Field(30.0, ge=0, le=86400)
    #: Shadow scoring: when the registry has a ``challenger``, it scores every live
    #: application too, off the champion's path (supervisors and admins switch it at run time).
    shadow_scoring: bool = True
    #: Applications waiting for the challenger; beyond this they are dropped and counted.
    shadow_queue: int = Field(1000, ge=1, le=1_000_000)
    #: How much lower the shadow process's CPU priority is than the service's (Unix nice,
    #: 0-19): the champion's requests get the CPU first.  19 by default: at 10 the process
    #: still took the CPU from requests often enough to add 1.15 ms to the median score.
    shadow_nice: int = Field(19, ge=0, le=19)
    #: A challenger bundle folder to score in shadow instead of the registry's challenger.
    shadow_bundle_path: Path | None = None
    #: The audit chain's HMAC key; if unset, read from ``audit_key_file``.
    audit_key: SecretStr | None = None
    #: File holding the audit key (default ``data_dir/audit.key``, created 0600 if missing).
    #: Keep it, and a backup, away from the database: with both, the chain can be rewritten.
    audit_key_file: Path | None = None
    #: Append-only file of the chain's published heads (default
    #: ``data_dir/audit-checkpoints.jsonl``).
    audit_checkpoint_file: Path | None = None
    #: How often the service appends the chain's head to the checkpoint file (0: never).
    audit_checkpoint_seconds: float = Field(300.0, ge=0)


class SecuritySettings(BaseModel):
    """Sessions of the case screens, passwords, sign-in limits and the API docs page."""

    #: A session unused this long ends (the next page asks to sign in again).
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    #: A session ends this long after sign-in, however busy.
    session_absolute_hours: float = Field(12, gt=0, le=7 * 24)
    #: Mark cookies ``Secure`` (set it when a TLS proxy serves the pages; a request that
    #: arrives over https gets ``Secure`` cookies either way).
    secure_cookies: bool = False
    password_min_length: int = Field(12, ge=8, le=128)
    #: Failed sign-ins for one account within the window before it is locked.
    account_max_failures: int = Field(5, ge=1, le=1000)
    #: Failed sign-ins from one client address within the window before it is refused.
    address_max_failures: int = Field(20, ge=1, le=100_000)
    sign_in_window_minutes: int = Field(15, ge=1, le=7 * 24 * 60)
    #: Wrong codes typed for one reference on /status within the window before it is refused.
    status_reference_max_failures: int = Field(5, ge=1, le=1000)
    #: Wrong references or codes from one client address within the window before refusal.
    status_address_max_failures: int = Field(20, ge=1, le=100_000)
    #: How long an applicant's status page stays open after the code was accepted.
    applicant_session_minutes: int = Field(30, ge=1, le=24 * 60)
    #: Unanswered complaints one application may have open at once (sent from /status).
    status_max_open_complaints: int = Field(3, ge=1, le=100)
    #: Serve the interactive API docs (``/docs``, assets from the installed package).
    docs_enabled: bool = True


class EngineSettings(BaseModel):
    """Which engine runs the heavy verbs (features, training, batch scoring, reports)."""

    #: ``polars`` (one machine, the default) or ``dask`` (a Dask cluster).
    name: Literal["polars", "dask"] = "polars"
    #: ``local`` or ``local:N`` starts a LocalCluster of N worker processes (default 2)
    #: on free ports; anything else is a running scheduler's address (``tcp://host:8786``).
    scheduler: str = "local:2"
    #: Memory limit of each local worker (Dask's units: ``4GiB``, ``512MiB``).
    worker_memory: str = "4GiB"
    #: Threads per local worker (LightGBM and polars inside a task use this many).
    worker_threads: int = Field(1, ge=1, le=64)
    #: Seconds to wait for a scheduler address to answer.
    connect_timeout: float = Field(10.0, gt=0, le=600)
    #: Hash buckets of the keyed shuffles (0: two per worker, and at least one per
    #: ``partition_rows`` applications, so a bucket's memory does not grow with the world).
    buckets: int = Field(0, ge=0, le=10_000)
    #: Largest input partition in rows; a bigger file is read in row slices this long.
    partition_rows: int = Field(500_000, ge=1000)
    #: Times a task is retried when its worker is lost before the job fails.
    retries: int = Field(1, ge=0, le=10)


class Settings(BaseSettings):
    """All of Amanah's settings.

    Notes
    -----
    ``data_dir`` holds everything generated: worlds, features, bundles, the
    SQLite store and the local MLflow store.  Nothing generated is committed.
    """

    model_config = SettingsConfigDict(env_prefix="RISK_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("amanah-data")
    protected: ProtectedSettings = Field(default_factory=ProtectedSettings)
    #: Deprecated: ``RISK_AUDIT__AUDIT_ONLY_COLUMNS`` is the old name of
    #: ``RISK_PROTECTED__COLUMNS``, still honoured (with a warning) for one release.
    audit: _LegacyAuditSettings | None = Field(None, exclude=True, repr=False)
    synth: SynthSettings = Field(default_factory=SynthSettings)
    features: FeatureSettings = Field(default_factory=FeatureSettings)
    split: SplitSettings = Field(default_factory=SplitSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    fairness: FairnessSettings = Field(default_factory=FairnessSettings)
    mlflow: MLflowSettings = Field(default_factory=MLflowSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    serving: ServingSettings = Field(default_factory=ServingSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    @model_validator(mode="after")
    def _honour_legacy_protected(self) -> Settings:
        legacy = self.audit
        if legacy is None or legacy.audit_only_columns is None:
            return self
        warnings.warn(
            "RISK_AUDIT__AUDIT_ONLY_COLUMNS is deprecated and will be removed in the next"
            " release; set RISK_PROTECTED__COLUMNS instead",
            FutureWarning,
            stacklevel=2,
        )
        # The new name wins when both are given; this runs while the object is built.
        if "columns" not in self.protected.model_fields_set:
            self.protected = ProtectedSettings(columns=legacy.audit_only_columns)
        return self

    @property
    def database_url(self) -> str:
        """The store's URL: settings, else a SQLite file under ``data_dir``."""
        if self.serving.database_url:
            return self.serving.database_url
        return f"sqlite:///{(self.data_dir / 'amanah.db').resolve()}"

    @property
    def tracking_uri(self) -> str:
        """MLflow's tracking URI: settings, else a SQLite store under ``data_dir``."""
        if self.mlflow.tracking_uri:
            return self.mlflow.tracking_uri
        return f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"

    @property
    def artifact_root(self) -> Path:
        """Local artifact root used with the default tracking store."""
        return (self.data_dir / "mlartifacts").resolve()

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with top-level fields replaced (handy in tests and the CLI)."""
        return self.model_copy(update=changes)

    def with_section(self, section: str, **changes: Any) -> Settings:
        """A copy with fields of one nested section replaced, e.g. ``("serving", port=9000)``.

        The settings object (above all the cached :func:`get_settings`) is never changed
        in place: whoever needs other values makes a copy.
        """
        current = getattr(self, section)
        unknown = sorted(set(changes) - set(type(current).model_fields))
        if unknown:
            raise ValueError(f"settings section {section!r} has no field(s) {unknown}")
        return self.model_copy(update={section: current.model_copy(update=changes)})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once from the environment."""
    return Settings()
