"""Run the API with uvicorn: `serve(settings)`, and `run_serve_command(args)` for the CLI.

With more than one worker uvicorn starts fresh processes, which cannot be handed an app
object: they import `insight.api.server:app_from_env`, a factory that rebuilds the
settings from the `INSIGHT_*` variables that `serve` exports for them.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING

from pydantic import ValidationError

from insight.api.settings import Settings
from insight.errors import InputError
from insight.persistence import read_card

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("insight.api")
FACTORY = "insight.api.server:app_from_env"


def app_from_env() -> FastAPI:
    """The app built from `INSIGHT_*` variables (uvicorn's ``--factory`` entry point)."""
    from insight.api.app import create_app

    return create_app(Settings())


def serve(settings: Settings) -> None:
    """Serve until interrupted; the model loads at start-up, and a bad one stops the start."""
    import uvicorn

    host, port = settings.host, settings.port
    if settings.workers > 1:
        os.environ.update(settings.to_env())
        uvicorn.run(
            FACTORY,
            factory=True,
            workers=settings.workers,
            host=host,
            port=port,
            server_header=False,
        )
    else:
        from insight.api.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, server_header=False)


def run_serve_command(args: argparse.Namespace) -> int:
    """`insight serve`: flags (model, host, port, workers) override `INSIGHT_*` variables.

    A wrong setting or a directory that is not a model raises an `InsightError` at once,
    before the server starts, so the CLI prints one line and exits 2.
    """
    given = {
        name: value
        for name in ("model", "host", "port", "workers")
        if (value := getattr(args, name, None)) is not None
    }
    try:
        settings = Settings(**given)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InputError(f"invalid server settings: {problems}") from None
    read_card(settings.model)  # ModelError with the fix when it is not a model directory
    log.info("serving %s on http://%s:%d", settings.model, settings.host, settings.port)
    try:
        serve(settings)
    except SystemExit as stop:  # uvicorn exits 3 when the app fails to start
        return stop.code if isinstance(stop.code, int) else 1
    return 0
