"""Request limits and response headers for a service exposed on an untrusted network.

One ASGI middleware, in front of everything:

- **Body size.** A body over ``max_body_bytes`` is refused with 413, by its ``Content-Length``
  before anything is read, or as soon as the bytes received pass the limit.
- **Half-sent bodies.** The whole body must arrive within ``body_timeout_s`` of the first byte
  being awaited; a client that stops sending gets 408 instead of holding the request forever.
- **Security headers** on every response: a Content-Security-Policy with no script but the site's
  own (and no framing), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer``. The API documentation pages (served from local files) may
  also run their one inline start-up script.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from guidepath.errors import BadInput, parse_json

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_POLICY = (  # Swagger UI and ReDoc start from an inline script; their files are local
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class TooLarge(Exception):
    """The body passed the size limit."""


def _headers(path: str) -> list[tuple[bytes, bytes]]:
    policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else SITE_POLICY
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *_headers(""),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Receive, limit: int, timeout: float) -> list[Message]:
    """Every body message, within the size limit and the time allowed."""
    messages: list[Message] = []
    size = 0
    async with asyncio.timeout(timeout):
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > limit:
                raise TooLarge
            if not message.get("more_body", False):
                return messages


class Guard:
    """The middleware (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_s: float) -> None:
        self.app, self.limit, self.timeout = app, max_body_bytes, body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(send, 413, f"request body over {self.limit} bytes")
            return
        try:
            buffered = await _read_body(receive, self.limit, self.timeout)
        except TooLarge:
            await _refuse(send, 413, f"request body over {self.limit} bytes")
            return
        except TimeoutError:
            await _refuse(send, 408, "the request body did not arrive in time")
            return
        await self.app(scope, _replay(buffered, receive), _with_headers(send, scope["path"]))


def _replay(buffered: list[Message], receive: Receive) -> Receive:
    """The buffered body first, then the live channel (for the disconnect message)."""
    pending = list(buffered)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def _with_headers(send: Send, path: str) -> Send:
    extra = _headers(path)

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", ())}
            message["headers"] = [
                *message.get("headers", ()),
                *[(name, value) for name, value in extra if name not in present],
            ]
        await send(message)

    return sending


class JsonRequest(Request):
    """A request whose JSON body is read by :func:`guidepath.errors.parse_json`: nesting too deep,
    numbers too long and ``NaN``/``Infinity`` become a JSON error (422 naming the body), not a
    bare 400 or a 500."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = parse_json(await self.body(), "body")
            except BadInput as error:
                raise json.JSONDecodeError(error.problems[0][1], "", 0) from None
        return self._json


class JsonRoute(APIRoute):
    """API routes read their JSON bodies with :class:`JsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            return await handler(JsonRequest(request.scope, request.receive))

        return guarded
