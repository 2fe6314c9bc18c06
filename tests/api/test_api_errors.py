"""Every error path of the HTTP API has one JSON shape; keys, limits, and a fuzz of bodies."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insight.api import Settings, create_app
from insight.errors import InputError

with warnings.catch_warnings():
    # Newer Starlette prefers `httpx2` for its TestClient and warns once, at import, with httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

KEY = "s3cret-key"
AUTH = {"X-API-Key": KEY}
LIMITS = {"max_body_bytes": 5_000, "max_texts": 3, "max_text_chars": 50, "max_responses": 2}


@pytest.fixture(scope="module")
def client(tiny_model_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(model=tiny_model_dir, api_keys=[KEY, "other-key"], **LIMITS))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def open_client(tiny_model_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(model=tiny_model_dir, api_keys=[], **LIMITS))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert "X-Request-ID" in response.headers
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    error: dict[str, Any] = body["error"]
    return error


# -- keys -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}, {"X-API-Key": "other-key"}],
)
def test_a_valid_key_is_accepted(client: TestClient, headers: dict[str, str]) -> None:
    assert client.post("/v1/classify", json={"texts": ["pricey"]}, headers=headers).is_success
    assert client.get("/v1/model", headers=headers).is_success


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "wrong"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"X-API-Key": ""},
    ],
)
def test_a_missing_or_wrong_key_is_401(client: TestClient, headers: dict[str, str]) -> None:
    error = _error(client.post("/v1/classify", json={"texts": ["x"]}, headers=headers), 401)
    assert error["code"] == "unauthorized"
    assert _error(client.get("/v1/model", headers=headers), 401)["code"] == "unauthorized"
    assert _error(client.post("/v1/classify", content=b"{", headers=headers), 401)


def test_health_and_docs_stay_open_with_keys(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_no_keys_means_no_auth(open_client: TestClient) -> None:
    assert open_client.post("/v1/classify", json={"texts": ["pricey"]}).status_code == 200


# -- limits and content type ------------------------------------------------------------
def test_body_over_the_limit_by_content_length_is_413(client: TestClient) -> None:
    body = json.dumps({"texts": ["x" * 6_000]}).encode()
    error = _error(
        client.post(
            "/v1/classify", content=body, headers={**AUTH, "Content-Type": "application/json"}
        ),
        413,
    )
    assert error["code"] == "payload_too_large" and "5,000 bytes" in error["message"]


def test_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they come
        yield b'{"texts": ["'
        for _ in range(10):
            yield b"x" * 1_000
        yield b'"]}'

    response = client.post(
        "/v1/classify", content=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert _error(response, 413)["code"] == "payload_too_large"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_post_that_is_not_json_is_415(client: TestClient, content_type: str | None) -> None:
    headers = {**AUTH, "Content-Type": content_type} if content_type else AUTH
    error = _error(client.post("/v1/classify", content=b'{"texts": ["x"]}', headers=headers), 415)
    assert error["code"] == "unsupported_media_type" and error["field"] == "Content-Type"


def test_json_with_a_charset_is_accepted(client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json; charset=utf-8"}
    assert client.post("/v1/classify", content=b'{"texts": ["x"]}', headers=headers).is_success


# -- validation -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": ["ok", "fine", 3]}, "texts[2]"),
        ({"texts": []}, "texts"),
        ({"texts": ["a", "b", "c", "d"]}, "texts"),  # over max_texts
        ({"texts": ["ok", "x" * 51]}, "texts[1]"),  # over max_text_chars
        ({"texts": "just one string"}, "texts"),
        ({}, "texts"),
        ({"texts": ["a"], "model": "/etc/passwd"}, "model"),  # no request names a model
        ({"texts": ["a", "b"], "scores": [5]}, "scores"),
        ({"texts": ["a", "b"], "scores": [5, 11]}, "scores[1]"),
        ({"texts": ["a"], "scores": ["nine"]}, "scores[0]"),
        ([1, 2], "body"),
    ],
)
def test_classify_validation_names_the_field(client: TestClient, body: object, field: str) -> None:
    error = _error(client.post("/v1/classify", json=body, headers=AUTH), 422)
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert field in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"responses": [{"text": "a", "score": 3}] * 3}, "responses"),  # over max_responses
        ({"responses": [{"text": "a"}]}, "responses[0].score"),
        ({"responses": [{"text": "a", "score": 3, "date": "soon"}]}, "responses[0].date"),
        ({"responses": [{"text": "a", "score": 3}, {"text": 1, "score": 3}]}, "responses[1].text"),
    ],
)
def test_analyze_validation_names_the_field(client: TestClient, body: object, field: str) -> None:
    assert _error(client.post("/v1/analyze", json=body, headers=AUTH), 422)["field"] == field


def test_invalid_json_is_422(client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    error = _error(client.post("/v1/classify", content=b'{"texts": [', headers=headers), 422)
    assert error["field"] == "body" and "JSON" in error["message"]


# -- routing ----------------------------------------------------------------------------
def test_unknown_path_is_404_and_wrong_method_405(client: TestClient) -> None:
    assert _error(client.get("/nowhere"), 404)["code"] == "not_found"
    assert _error(client.get("/v1/nowhere", headers=AUTH), 404)["code"] == "not_found"
    response = client.get("/v1/classify", headers=AUTH)
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


# -- failures inside ----------------------------------------------------------------------
def test_an_unexpected_error_is_a_500_with_the_request_id(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(Settings(model=tiny_model_dir)), raise_server_exceptions=False) as c:
        tagger = c.app.state.model.tagger  # type: ignore[attr-defined]

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("secret internals")

        monkeypatch.setattr(tagger, "predict", broken)
        with caplog.at_level(logging.ERROR, logger="insight.api"):
            response = c.post("/v1/classify", json={"texts": ["x"]}, headers={"X-Request-ID": "r1"})
    error = _error(response, 500)
    assert error == {"code": "internal", "message": "internal error; request id r1", "field": None}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert any("r1" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_library_input_error_is_422(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(Settings(model=tiny_model_dir)), raise_server_exceptions=False) as c:
        tagger = c.app.state.model.tagger  # type: ignore[attr-defined]

        def refuse(*args: object, **kwargs: object) -> None:
            raise InputError("item 0 is bad, expected good")

        monkeypatch.setattr(tagger, "predict", refuse)
        error = _error(c.post("/v1/classify", json={"texts": ["x"]}), 422)
    assert error["code"] == "invalid_input" and "expected good" in error["message"]


# -- fuzz -------------------------------------------------------------------------------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=60),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)
BODIES = JSON | st.fixed_dictionaries(
    {"texts": JSON | st.lists(st.text(max_size=60) | JSON, max_size=5)},
    optional={"scores": JSON | st.lists(st.none() | st.floats() | st.integers(), max_size=5)},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES)
def test_fuzzed_classify_bodies_never_get_a_5xx(open_client: TestClient, body: object) -> None:
    content = json.dumps(body, allow_nan=True).encode()  # NaN and Infinity too, as some send
    response = open_client.post(
        "/v1/classify", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 413, 422)
