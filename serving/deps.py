"""FastAPI dependencies as typed aliases: the store, the model, settings, the caller.

The ones that never block are ``async``: FastAPI runs a plain ``def`` dependency
in its thread pool, a hand-off that costs more than these functions themselves.
Only the token look-up (a database read, skipped for a recently checked token)
runs there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from risk.settings import Settings
from serving.services import ModelHolder, Principal, TokenCache, authenticate, require
from serving.store import Store

__all__ = [
    "CurrentUser",
    "HolderDep",
    "SettingsDep",
    "StoreDep",
    "allow",
    "get_holder",
    "get_principal",
    "get_settings",
    "get_store",
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


StoreDep = Annotated[Store, Depends(get_store)]
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


def allow(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through only if their role holds ``permission``."""

    async def _check(principal: CurrentUser) -> Principal:
        return require(principal, permission)

    _check.permission = permission  # type: ignore[attr-defined]
    return _check
