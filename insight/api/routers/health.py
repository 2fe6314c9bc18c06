"""Liveness and readiness, always open (no key): for load balancers and orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from insight.api.errors import error_response
from insight.api.schemas import ErrorResponse, Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """The process is up and answering (it does not look at the model)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, responses={503: {"model": ErrorResponse}})
async def readyz(request: Request) -> JSONResponse | dict[str, object]:
    """200 once the model is loaded, 503 before (route traffic here only on 200)."""
    model = request.app.state.model
    if model is None:
        return error_response(503, "the model is not loaded yet")
    return {"status": "ready", "model": model.ref_json}
