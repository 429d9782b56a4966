"""The FastAPI application factory."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from risk.clock import Clock, WallClock
from risk.settings import Settings, get_settings
from serving import web
from serving._body_limit import BodyLimit
from serving._errors import install_error_handlers
from serving._security import SecurityHeaders, install_docs
from serving.routers import ROUTERS
from serving.services import (
    CheckpointLoop,
    ModelHolder,
    RegistryPoller,
    ShadowScorer,
    TokenCache,
    append_audit,
    audit_checkpoint_path,
    load_audit_key,
)
from serving.store import Store

__all__ = ["create_app"]


def _poller(
    settings: Settings, store: Store, holder: ModelHolder, clock: Clock
) -> RegistryPoller | None:
    """Follow the registry's champion in the background, auditing each swap as a reload."""
    seconds = settings.serving.registry_poll_seconds
    if settings.serving.model_source != "registry" or seconds <= 0:
        return None

    def swapped(before: str | None, after: str | None) -> None:
        with store.transaction() as session:
            append_audit(
                session,
                clock=clock,
                actor="registry-poll",
                action="model.reload",
                entity_type="model",
                entity_id=holder.version or "none",
                details={"from": before, "to": after, "trigger": "registry poll"},
            )

    return RegistryPoller(holder, seconds, swapped).start()


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    model_holder: ModelHolder | None = None,
    load_model: bool = True,
    seed: int | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    settings
        Defaults to :func:`risk.settings.get_settings`.
    store
        The store to use (default: one on ``settings.database_url``, checkpointing its WAL in
        the background and closed when the app shuts down); migrated at start-up.
    model_holder
        The model holder (default: a new one loading from the configured source).
    load_model
        Load the configured model in the lifespan (skip when the holder is already loaded).
    seed
        Seed of the blind random sample (default: unseeded).
    clock
        The one clock every time the service stamps or measures is read from
        (default: the wall clock; a simulation passes a settable one).
    """
    settings = settings or get_settings()
    owns_store = store is None
    store = store or Store(
        settings.database_url,
        checkpoint_seconds=settings.serving.sqlite_checkpoint_seconds,
        audit_key=load_audit_key(settings),
    )
    holder = model_holder or ModelHolder(settings)
    clock = clock or WallClock()
    # The challenger scores in a process of its own, off the champion's path.
    shadow = ShadowScorer(settings.serving.shadow_queue, settings.serving.shadow_nice)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            # Migrations run only through ``risk db upgrade``: a store behind refuses to start.
            store.check_schema()
            if load_model and not holder.loaded:
                holder.load_configured()
                with store.transaction() as session:
                    append_audit(
                        session,
                        clock=clock,
                        actor="system",
                        action="model.load",
                        entity_type="model",
                        entity_id=holder.version or "none",
                        details={"source": holder.source, "error": holder.last_error},
                    )
            schedule = _start_schedule(app, settings)
            if load_model and settings.serving.shadow_bundle_path is not None:
                shadow.load_from_bundle(settings.serving.shadow_bundle_path)
            elif load_model and settings.serving.model_source == "registry":
                shadow.load_from_registry(settings)
                shadow.watch_registry(settings, settings.serving.registry_poll_seconds)
            shadow.start()
            poller = _poller(settings, store, holder, clock)
            heads = _checkpoints(store, settings, clock) if owns_store else None
            try:
                yield
            finally:
                if schedule is not None:
                    schedule.stop()
                if poller is not None:
                    poller.stop()
                if heads is not None:
                    heads.stop()
                shadow.stop()
        finally:
            if owns_store:  # stop its checkpointer and close its connections
                store.dispose()

    app = FastAPI(
        title="Amanah",
        version="0.1.0",
        lifespan=lifespan,
        summary="Explainable risk triage: flags for human review, never refuses.",
        docs_url=None,  # served by install_docs from local files, or not at all
        redoc_url=None,
    )
    app.state.settings, app.state.store, app.state.model_holder = settings, store, holder
    app.state.rng = random.Random(seed)
    app.state.clock = clock
    app.state.token_cache = TokenCache(settings.serving.auth_cache_seconds)
    app.state.shadow = shadow
    install_error_handlers(app)
    app.add_middleware(BodyLimit)  # 413 before any route reads (and parses) a body
    for router in ROUTERS:
        app.include_router(router)
    web.install(app)  # the case screens and oversight pages, /static
    if settings.security.docs_enabled:
        install_docs(app)
    app.add_middleware(SecurityHeaders)
    return app


def _start_schedule(app: FastAPI, settings: Settings) -> Any:
    """The monitoring schedule, when ``monitor.schedule_seconds`` asks for one."""
    if settings.monitor.schedule_seconds <= 0:
        return None
    from serving._schedule import MonitorSchedule

    schedule = MonitorSchedule(app, settings.monitor.schedule_seconds)
    app.state.monitor_schedule = schedule
    schedule.start()
    return schedule


def _checkpoints(store: Store, settings: Settings, clock: Clock) -> CheckpointLoop | None:
    """Start appending the audit chain's head to its checkpoint file (if configured)."""
    seconds = settings.serving.audit_checkpoint_seconds
    if seconds <= 0:
        return None
    loop = CheckpointLoop(store, audit_checkpoint_path(settings), seconds, now=clock.now)
    loop.start()
    return loop
