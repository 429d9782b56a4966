"""FastAPI dependencies as typed aliases: the store, the model, settings, the caller.

The ones that never block are ``async``: FastAPI runs a plain ``def`` dependency
in its thread pool, a hand-off that costs more than these functions themselves.
Only the token look-up (a database read, skipped for a recently checked token)
runs there.  :func:`run_write` runs a route's short write where it costs least.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from risk.clock import Clock
from risk.settings import Settings
from serving.schemas import MAX_ID, MAX_OFFSET
from serving.services import ModelHolder, Principal, TokenCache, authenticate, require
from serving.store import Store, StoreBusy

T = TypeVar("T")

__all__ = [
    "ClockDep",
    "CurrentUser",
    "HolderDep",
    "IdPath",
    "Offset",
    "SettingsDep",
    "StoreDep",
    "allow",
    "get_clock",
    "get_holder",
    "get_principal",
    "get_settings",
    "get_store",
    "run_write",
]


async def get_store(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store


async def get_holder(request: Request) -> ModelHolder:
    """The app's model holder."""
    return request.app.state.model_holder


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    """The app's clock: every time the service stamps or measures."""
    return request.app.state.clock


StoreDep = Annotated[Store, Depends(get_store)]
ClockDep = Annotated[Clock, Depends(get_clock)]
#: A database id in a path (422 past what the store's id columns hold, never a 500).
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
#: How many rows a page skips (422 past a signed 64-bit integer).
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller behind the ``Authorization: Bearer`` token (401 otherwise).

    A token checked in the last ``serving.auth_cache_seconds`` is trusted from the
    app's :class:`~serving.services.TokenCache`; otherwise the database is read in
    the thread pool.
    """
    cache: TokenCache = request.app.state.token_cache
    principal = cache.get(authorization)
    if principal is None:
        principal = await run_in_threadpool(_authenticate, request.app.state.store, authorization)
        cache.put(authorization or "", principal)
    return principal


def _authenticate(store: Store, authorization: str | None) -> Principal:
    with store.connection() as connection:
        return authenticate(connection, authorization)


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def run_write(store: Store, work: Callable[[bool], T]) -> T:
    """Run a write ``work(wait)`` inline when the store is embedded and free, else in a thread.

    A SQLite call never waits on a network, so a worker thread only adds hand-offs
    (``benchmarks/bench_serving.py`` measures them).  ``work(False)``
    runs on the event loop and must open its transaction with ``wait=False``: if
    another writer holds the store it raises :class:`~serving.store.StoreBusy`
    before doing anything, and ``work(True)`` then waits its turn in the thread
    pool, so a long lock held elsewhere never stalls the loop.  PostgreSQL work
    always runs in the thread pool.
    """
    if store.embedded:
        try:
            return work(False)
        except StoreBusy:
            pass
    return await run_in_threadpool(work, True)


def allow(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through only if their role holds ``permission``."""

    async def _check(principal: CurrentUser) -> Principal:
        return require(principal, permission)

    _check.permission = permission  # type: ignore[attr-defined]
    return _check
