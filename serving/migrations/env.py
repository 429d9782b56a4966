"""Alembic environment: migrations run on a connection from :func:`serving.store.upgrade`."""

from __future__ import annotations

from alembic import context

from serving.store._tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through serving.store.upgrade
    raise RuntimeError("run migrations through serving.store.upgrade(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
