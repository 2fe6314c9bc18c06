"""The request guard: one pure-ASGI middleware that every request passes first.

It gives each request an id (echoed as ``X-Request-ID``), checks the API key on ``/v1/``
paths, refuses bodies over the size limit (by Content-Length, and by counting the bytes
as they arrive, for chunked bodies) and POSTs that are not JSON, and turns an unexpected
exception into a 500 that names the request id, logging the traceback under that id.
Pure ASGI rather than `BaseHTTPMiddleware`: it adds no task or stream per request, which
keeps a single-comment call lean.
"""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from collections.abc import Collection, Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insight.api.errors import APIError, error_response

log = logging.getLogger("insight.api")

PROTECTED_PREFIX = "/v1/"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: Sequence[str],
        max_body_bytes: int,
        json_paths: Collection[str],
    ) -> None:
        self.app = app
        self.keys = [key.encode() for key in api_keys]
        self.max_body_bytes = max_body_bytes
        self.json_paths = frozenset(json_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # names are lower-case bytes; a repeated name: last wins
        request_id = _request_id(headers.get(b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        refusal = self._refusal(scope, headers)
        if refusal is not None:
            response = error_response(
                refusal.status_code,
                str(refusal.detail),
                code=refusal.code,
                field=refusal.field,
                headers=dict(refusal.headers) if refusal.headers else None,
            )
            await response(scope, receive, send_with_id)
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _too_large(self.max_body_bytes)
            return message

        try:
            await self.app(scope, counted_receive, send_with_id)
        except Exception:
            log.exception("unexpected error; request id %s", request_id)
            if started:  # too late for a clean 500: let the server drop the connection
                raise
            response = error_response(500, f"internal error; request id {request_id}")
            await response(scope, receive, send_with_id)

    def _refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> APIError | None:
        """The error this request gets before the app sees it, if any: 401, 413, 415."""
        path: str = scope["path"]
        if (
            self.keys
            and path.startswith(PROTECTED_PREFIX)
            and scope["method"] != "OPTIONS"
            and not self._authorized(headers)
        ):
            return APIError(
                401,
                "missing or invalid API key: send 'Authorization: Bearer <key>' "
                "or 'X-API-Key: <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        length = headers.get(b"content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                return APIError(400, "Content-Length is not a number", field="Content-Length")
            if size > self.max_body_bytes:
                return _too_large(self.max_body_bytes)
        if scope["method"] == "POST" and path in self.json_paths:
            media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if media_type != b"application/json":
                found = media_type.decode("latin-1") or "none"
                return APIError(
                    415,
                    f"the body must be JSON sent as Content-Type: application/json, got {found}",
                    field="Content-Type",
                )
        return None

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        given = headers.get(b"x-api-key")
        if given is None:
            scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
            if scheme.lower() != b"bearer":
                return False
            given = token.strip()
        # compare_digest with every key, no early exit: timing tells nothing about which key
        matched = False
        for key in self.keys:
            matched |= hmac.compare_digest(given, key)
        return matched


def _too_large(limit: int) -> APIError:
    return APIError(413, f"the body is larger than the limit of {limit:,} bytes; send fewer texts")


def _request_id(given: bytes | None) -> str:
    """The client's X-Request-ID when it is a short safe token (to join logs), else a new one."""
    if given is not None:
        text = given.decode("latin-1")
        if _CLIENT_ID.fullmatch(text):
            return text
    return uuid.uuid4().hex
