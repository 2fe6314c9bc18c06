"""Typed dependencies the routes share: the loaded model, looked up once per process."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from insight.api.errors import APIError
from insight.api.schemas import ModelRef
from insight.tagger import Tagger


@dataclass(frozen=True)
class LoadedModel:
    """The tagger and what responses say about it, built once at start-up."""

    tagger: Tagger
    card: dict[str, Any]
    ref: ModelRef
    ref_json: dict[str, Any]

    @classmethod
    def of(cls, tagger: Tagger) -> "LoadedModel":
        card: dict[str, Any] = dict(getattr(tagger, "card_", None) or {})
        weights = str(card.get("files", {}).get("weights.npz", ""))
        ref = ModelRef(version=weights[:12] or "unsaved", created_at=card.get("created_at"))
        return cls(tagger, card, ref, ref.model_dump())


async def loaded_model(request: Request) -> LoadedModel:
    """The model the lifespan loaded; 503 before it has (async: no thread hop per request)."""
    model: LoadedModel | None = request.app.state.model
    if model is None:
        raise APIError(503, "the model is not loaded yet; retry when /readyz answers 200")
    return model


ModelDep = Annotated[LoadedModel, Depends(loaded_model)]
