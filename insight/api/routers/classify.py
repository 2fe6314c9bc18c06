"""POST /v1/classify: tag comments with labels, polarities and probabilities.

No `from __future__ import annotations`: FastAPI reads the annotations of the local
request class at run time.
"""

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from insight.api.deps import ModelDep
from insight.api.schemas import ClassifyResponse, ErrorResponse, tags_json
from insight.api.settings import Settings

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 413, 415, 422, 503)
}


def build_router(settings: Settings) -> APIRouter:
    """The classify route with this app's limits on texts, so OpenAPI shows them."""

    class ClassifyRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        texts: list[Annotated[str, StringConstraints(max_length=settings.max_text_chars)]] = Field(
            min_length=1, max_length=settings.max_texts, description="the comments to tag"
        )
        scores: list[Annotated[float, Field(ge=0, le=10)] | None] | None = Field(
            default=None,
            description="the 0-10 score beside each comment (null where missing); it "
            "settles polarity where the text is unsure, never which labels are tagged",
        )

        @field_validator("scores")
        @classmethod
        def _one_per_text(cls, value: list[float | None] | None, info: ValidationInfo) -> Any:
            texts = info.data.get("texts")
            if value is not None and texts is not None and len(value) != len(texts):
                raise ValueError(f"got {len(texts)} texts but {len(value)} scores; give one each")
            return value

    router = APIRouter(tags=["classify"])

    @router.post("/v1/classify", response_model=ClassifyResponse, responses=ERRORS)
    async def classify(body: ClassifyRequest, model: ModelDep) -> dict[str, Any]:
        """Tag each comment: its language and {label: {polarity, probability}}.

        One comment is tagged right on the event loop: its fast path takes about a
        millisecond, less than a hop to a worker thread costs. A batch runs in the thread
        pool, so a long one does not hold up /healthz or other requests.
        """
        predict = model.tagger.predict
        if len(body.texts) == 1:
            results = predict(body.texts, body.scores)
        else:
            results = await run_in_threadpool(predict, body.texts, body.scores)
        return {"model": model.ref_json, "results": [tags_json(r) for r in results]}

    return router
