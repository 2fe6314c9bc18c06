"""Response bodies. Request bodies live beside their routes, built per app with its limits."""

from typing import Any

from pydantic import BaseModel, Field

from insight.tagger import TagResult


class ModelRef(BaseModel):
    """Which model answered: `version` is the start of the sha256 of its weights."""

    version: str
    created_at: str | None


class Tag(BaseModel):
    polarity: str | None
    probability: float


class TagsOut(BaseModel):
    lang: str = Field(description="en, ru, pl or other")
    tags: dict[str, Tag] = Field(description="the labels the comment talks about")


class ClassifyResponse(BaseModel):
    model: ModelRef
    results: list[TagsOut]


class AnalyzeResponse(BaseModel):
    model: ModelRef
    results: list[TagsOut]
    summary: dict[str, Any] = Field(
        description="insight.scores.summarize(...).to_dict(): NPS, impact per label, trends"
    )


class ModelCard(BaseModel):
    version: str
    created_at: str | None
    insight_version: str | None
    format_version: int | None
    labels: list[str]
    polarities: dict[str, list[str]]
    thresholds: dict[str, float]
    metrics: dict[str, Any] = Field(description="cross-validated (cv) and held-out metrics")
    training_rows: int | None


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    model: ModelRef


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    error: ErrorDetail


def tags_json(result: TagResult) -> dict[str, Any]:
    """One `TagResult` as the API shows it (plain dicts: no model round-trip per comment)."""
    return {
        "lang": result.language,
        "tags": {
            label: {"polarity": polarity, "probability": probability}
            for label, (polarity, probability) in result.tags.items()
        },
    }
