"""POST /v1/analyze: tag survey responses and link the tags to the NPS beside them.

No `from __future__ import annotations`: FastAPI reads the annotations of the local
request classes at run time.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from insight.api.deps import ModelDep
from insight.api.routers.classify import ERRORS
from insight.api.schemas import AnalyzeResponse, tags_json
from insight.api.settings import Settings
from insight.scores import Scale, summarize
from insight.tagger import Tagger

PRESENT = "mentioned"  # the polarity a summary shows for a label that has none


def analyze_responses(
    tagger: Tagger,
    texts: Sequence[str],
    scores: Sequence[float | None],
    dates: Sequence[dt.date | None] | None = None,
    segments: Sequence[str | None] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Tags per response and `summarize(...).to_dict()` over them, on the NPS scale."""
    results = tagger.predict(texts, scores)
    labels = {
        label: [(r.tags[label][0] or PRESENT) if label in r.tags else None for r in results]
        for label in tagger.labels_
    }
    summary = summarize(
        list(scores),
        labels,
        scale=Scale.nps(),
        dates=[d.isoformat() if d else None for d in dates] if dates is not None else None,
        segments={"segment": list(segments)} if segments is not None else None,
    )
    return [tags_json(r) for r in results], summary.to_dict()


def build_router(settings: Settings) -> APIRouter:
    """The analyze route with this app's limits on responses and text length."""

    class SurveyResponse(BaseModel):
        model_config = ConfigDict(extra="forbid")

        text: Annotated[str, StringConstraints(max_length=settings.max_text_chars)]
        score: Annotated[float, Field(ge=0, le=10)] | None = Field(
            description="the 0-10 NPS answer; null when missing"
        )
        date: dt.date | None = Field(default=None, description="ISO date, for trends")
        segment: Annotated[str, StringConstraints(max_length=200)] | None = Field(
            default=None, description="a group to compare (region, plan, channel, ...)"
        )

    class AnalyzeRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        responses: list[SurveyResponse] = Field(min_length=1, max_length=settings.max_responses)

    router = APIRouter(tags=["analyze"])

    @router.post("/v1/analyze", response_model=AnalyzeResponse, responses=ERRORS)
    async def analyze(body: AnalyzeRequest, model: ModelDep) -> dict[str, Any]:
        """Tag every response and summarise: NPS, each label's impact, trends by month
        (when dates are given) and segments (when segments are given), with 95% intervals."""
        responses = body.responses
        has_dates = any(r.date is not None for r in responses)
        has_segments = any(r.segment is not None for r in responses)
        results, summary = await run_in_threadpool(
            analyze_responses,
            model.tagger,
            [r.text for r in responses],
            [r.score for r in responses],
            [r.date for r in responses] if has_dates else None,
            [r.segment for r in responses] if has_segments else None,
        )
        return {"model": model.ref_json, "results": results, "summary": summary}

    return router
