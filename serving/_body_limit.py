"""A request body limit enforced before anything parses the body.

A declared ``Content-Length`` over the limit is answered 413 at once, without
reading a byte or running the route; a body sent without one (chunked) is
counted as it streams in and refused as soon as it passes the limit, so no
request makes the service hold more than the limit in memory.  (Starlette's own
``max_body_size`` answers the declared case in plain text; every answer here is
the ``{"error", "detail"}`` JSON of the rest of the API.)
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "too_large"]


def too_large(limit: int) -> str:
    """The 413 answer's detail."""
    return f"the request body is larger than the service accepts ({limit} bytes)"


class BodyLimit:
    """ASGI middleware refusing bodies over ``app.state.settings.serving.max_body_bytes``.

    The limit is read per request from the app's settings, so pointing the app at
    other settings (as the tests do) changes it without rebuilding the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = scope["app"].state.settings.serving.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer_413(send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read: the app's handler answers 413.
                    raise HTTPException(413, detail=too_large(limit))
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer_413(send: Send, limit: int) -> None:
    body = json.dumps({"error": "too_large", "detail": too_large(limit)}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread body is not drained
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
