"""The real server: uvicorn in a child process on loopback, and serve()'s wiring."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from insight.api import server
from insight.api.settings import Settings
from insight.errors import InsightError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_real_server_answers_over_http(tiny_model_dir: Path) -> None:
    port = _free_port()
    env = {**os.environ, "INSIGHT_MODEL": str(tiny_model_dir), "INSIGHT_API_KEYS": "k1"}
    command = [sys.executable, "-m", "uvicorn", server.FACTORY, "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.1)
        response = httpx.post(
            f"{base}/v1/classify",
            json={"texts": ["Way too expensive", "the operator was rude"]},
            headers={"Authorization": "Bearer k1"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["results"]) == 2
        assert httpx.post(f"{base}/v1/classify", json={"texts": ["x"]}).status_code == 401
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout:
            process.stdout.close()


def test_serve_runs_one_worker_with_the_app(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    server.serve(Settings(model=tiny_model_dir, port=8123))
    [(app, options)] = calls
    assert not isinstance(app, str)
    assert options["host"] == "127.0.0.1" and options["port"] == 8123


def test_serve_with_workers_uses_the_factory_and_exports_settings(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in Settings(model=tiny_model_dir).to_env():  # serve() sets them: undo afterwards
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    server.serve(Settings(model=tiny_model_dir, workers=2, api_keys="a,b", max_texts=7))
    [(app, options)] = calls
    assert app == server.FACTORY and options["factory"] and options["workers"] == 2
    rebuilt = Settings()  # what each worker process reads
    assert rebuilt.model == tiny_model_dir.resolve()
    assert rebuilt.api_keys == ["a", "b"] and rebuilt.max_texts == 7


def test_app_from_env_builds_from_variables(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSIGHT_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("INSIGHT_MAX_TEXTS", "9")
    app = server.app_from_env()
    assert app.state.settings.max_texts == 9 and app.state.model is None  # loads on start-up


def test_settings_read_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSIGHT_API_KEYS", " k1, k2 ,,")
    monkeypatch.setenv("INSIGHT_CORS_ORIGINS", "")
    settings = Settings()
    assert settings.api_keys == ["k1", "k2"] and settings.cors_origins == []
    assert "k1" not in repr(settings)


def test_serve_command_refuses_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    args = argparse.Namespace(model=str(tmp_path), host=None, port=None, workers=None)
    with pytest.raises(InsightError, match="not a model directory"):
        server.run_serve_command(args)


def test_serve_command_refuses_bad_settings(tiny_model_dir: Path) -> None:
    args = argparse.Namespace(model=str(tiny_model_dir), host=None, port=70_000, workers=0)
    with pytest.raises(InsightError, match="port"):
        server.run_serve_command(args)


def test_serve_command_passes_flags_to_serve(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr(server, "serve", seen.append)
    args = argparse.Namespace(model=str(tiny_model_dir), host="0.0.0.0", port=9001, workers=None)
    assert server.run_serve_command(args) == 0
    assert seen[0].host == "0.0.0.0" and seen[0].port == 9001 and seen[0].workers == 1
