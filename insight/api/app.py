"""`create_app(settings)`: the HTTP API as a FastAPI app; nothing is loaded at import time.

The model is loaded once, in the lifespan, from `settings.model`: no request can name a
file to load (a model directory is trusted code's data, never a client's).

>>> from insight.api import Settings, create_app
>>> app = create_app(Settings(model="models/default"))  # loads the model when served
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from insight import __version__
from insight.api.deps import LoadedModel
from insight.api.errors import install_error_handlers
from insight.api.guard import RequestGuard
from insight.api.routers import analyze, classify, health, model
from insight.api.settings import Settings
from insight.persistence import load_model

log = logging.getLogger("insight.api")


def create_app(settings: Settings) -> FastAPI:
    """Build the app: routes, one error shape, the request guard, CORS when origins are set."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tagger = load_model(settings.model)  # a failure here stops the server from starting
        app.state.model = LoadedModel.of(tagger)
        log.info(
            "loaded model %s (%s) from %s",
            app.state.model.ref.version,
            ", ".join(tagger.labels_),
            settings.model,
        )
        try:
            yield
        finally:
            app.state.model = None

    app = FastAPI(
        title="insight",
        version=__version__,
        summary="Tags survey comments with CX factors and links them to the NPS.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.model = None
    routers = [
        health.router,
        model.router,
        classify.build_router(settings),
        analyze.build_router(settings),
    ]
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)

    # Read from the routers, not app.routes: newer FastAPI keeps included routers nested.
    json_paths = {
        route.path
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    }
    app.add_middleware(
        RequestGuard,
        api_keys=settings.api_keys,
        max_body_bytes=settings.max_body_bytes,
        json_paths=json_paths,
    )
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        # Added last, so it is outermost: preflights skip the key check, and errors carry
        # CORS headers a browser needs to read them.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    return app
