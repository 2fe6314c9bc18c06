"""Every error the API returns has one JSON shape: ``{"error": {"code", "message", "field"}}``.

`APIError` is what routes and the request guard raise; the handlers installed by
`install_error_handlers` turn it, FastAPI's validation errors, Starlette's 404/405 and the
library's `InsightError` into that shape, so a client needs one parser for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from insight.errors import InsightError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    500: "internal",
    503: "not_ready",
}
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})


class APIError(HTTPException):
    """An HTTP error with a stable machine-readable `code` and the request `field` at fault.

    A subclass of FastAPI's HTTPException, so it passes through FastAPI's body reading
    untouched (the request guard raises it from `receive` when a body grows too large).
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code or CODES.get(status_code, "error")
        self.field = field


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    status_code: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(code or CODES.get(status_code, "error"), message, field),
        status_code=status_code,
        headers=headers,
    )


def field_name(loc: Sequence[int | str]) -> str | None:
    """("body", "texts", 3) -> "texts[3]"; ("body", "responses", 0, "score") ->
    "responses[0].score"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = str(parts.pop(0))
        if not parts or (source == "body" and isinstance(parts[0], int)):
            return "body"  # the body as a whole (its type, or invalid JSON at a position)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or None


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
    message = str(exc.detail)
    if exc.status_code == 404 and not isinstance(exc, APIError):
        message = f"no such path: {request.url.path}; the endpoints are listed at /docs"
    elif exc.status_code == 405 and not isinstance(exc, APIError):
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed on {request.url.path}; use {allowed}"
    return error_response(
        exc.status_code,
        message,
        code=code,
        field=getattr(exc, "field", None),
        headers=dict(exc.headers) if exc.headers else None,
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return error_response(422, "the request is not valid")
    first = errors[0]
    field = field_name(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        message = "the body is not valid JSON"
        if isinstance(first.get("ctx"), dict) and "error" in first["ctx"]:
            message += f" ({first['ctx']['error']})"
    else:
        message = f"{field}: {first.get('msg', 'invalid value')}" if field else first.get("msg")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})"
    return error_response(422, str(message), field=field)


def _insight_error(request: Request, exc: Exception) -> JSONResponse:
    """The library's own errors say what was wrong with the input and how to fix it."""
    return error_response(422, str(exc), code="invalid_input")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InsightError, _insight_error)
