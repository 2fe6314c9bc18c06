"""Every endpoint of the HTTP API through TestClient, on the tiny model."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from insight.api import Settings, create_app

with warnings.catch_warnings():
    # Newer Starlette prefers `httpx2` for its TestClient and warns once, at import, with httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(tiny_model_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(model=tiny_model_dir, api_keys=[], cors_origins=[]))
    with TestClient(app, raise_server_exceptions=False) as client:  # runs the lifespan
        yield client


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert len(ready.json()["model"]["version"]) == 12


def test_readyz_is_503_before_the_model_is_loaded(tiny_model_dir: Path) -> None:
    client = TestClient(create_app(Settings(model=tiny_model_dir)))  # no lifespan: not loaded
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "not_ready"
    assert client.post("/v1/classify", json={"texts": ["x"]}).status_code == 503


def test_classify_one_comment(client: TestClient) -> None:
    response = client.post("/v1/classify", json={"texts": ["Way too expensive"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body["model"]) == {"version", "created_at"}
    [result] = body["results"]
    assert result["lang"] == "en"
    assert result["tags"]["price"]["polarity"] == "negative"
    assert 0.0 <= result["tags"]["price"]["probability"] <= 1.0


def test_classify_batch_keeps_order_and_matches_the_tagger(client: TestClient) -> None:
    texts = ["Way too expensive", "", "the staff were lovely", "Курьер нахамил"]
    response = client.post("/v1/classify", json={"texts": texts, "scores": [2, None, 10, 0]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(texts)
    assert results[1] == {"lang": results[1]["lang"], "tags": {}}
    tagger = client.app.state.model.tagger  # type: ignore[attr-defined]
    expected = tagger.predict(texts, [2, None, 10, 0])
    for got, want in zip(results, expected, strict=True):
        assert {k: v["polarity"] for k, v in got["tags"].items()} == want.polarities


def test_model_card(client: TestClient) -> None:
    card = client.get("/v1/model").json()
    assert sorted(card["labels"]) == ["price", "service"]
    assert card["polarities"]["price"] == ["negative", "positive"]
    assert set(card["thresholds"]) == {"price", "service"}
    assert "cv" in card["metrics"]
    assert card["version"] == client.get("/readyz").json()["model"]["version"]
    assert "files" not in card and "params" not in card


def test_analyze_tags_and_summarises(client: TestClient) -> None:
    responses = [
        {"text": "Way too expensive", "score": 2, "date": "2024-01-05", "segment": "web"},
        {"text": "Great value, cheap", "score": 10, "date": "2024-02-10", "segment": "app"},
        {"text": "the operator was rude", "score": 3, "segment": "web"},
        {"text": "fine", "score": None},
    ]
    response = client.post("/v1/analyze", json={"responses": responses})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["results"]) == 4
    summary = body["summary"]
    assert summary["overall"]["n"] == 4
    assert summary["overall"]["n_missing"] == 1
    assert {row["label"] for row in summary["labels"]} <= {"price", "service"}
    assert summary["trends"]
    assert summary["segments"]


def test_analyze_without_dates_or_segments(client: TestClient) -> None:
    body = {"responses": [{"text": "Too expensive", "score": 4}]}
    summary = client.post("/v1/analyze", json=body).json()["summary"]
    assert summary["overall"]["n"] == 1
    assert summary.get("trends") is None and summary.get("segments") is None


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["X-Request-ID"] != "bad id\twith spaces"


def test_openapi_and_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/v1/classify", "/v1/analyze", "/v1/model", "/healthz", "/readyz"} <= set(
        schema["paths"]
    )


def test_cors_only_when_origins_are_set(tiny_model_dir: Path, client: TestClient) -> None:
    origin = {"Origin": "https://survey.example"}
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
    app = create_app(Settings(model=tiny_model_dir, cors_origins="https://survey.example"))
    with TestClient(app) as cors:
        preflight = cors.options(
            "/v1/classify",
            headers={**origin, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        allowed = cors.get("/healthz", headers=origin).headers
        assert allowed["access-control-allow-origin"] == "https://survey.example"
