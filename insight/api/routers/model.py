"""The model card of the loaded model: labels, polarities, thresholds, metrics, version."""

from typing import Any

from fastapi import APIRouter

from insight.api.deps import ModelDep
from insight.api.schemas import ModelCard

router = APIRouter(tags=["model"])


@router.get("/v1/model", response_model=ModelCard)
async def model_card(model: ModelDep) -> dict[str, Any]:
    """What the model tags and how well it did; file paths and checksums are left out."""
    card = model.card
    return {
        **model.ref_json,
        "insight_version": card.get("insight_version"),
        "format_version": card.get("format_version"),
        "labels": list(model.tagger.labels_),
        "polarities": model.tagger.polarities_,
        "thresholds": {
            label: round(float(t), 4)
            for label, t in zip(model.tagger.labels_, model.tagger.thresholds_, strict=True)
        },
        "metrics": {"cv": card.get("cv_metrics"), "heldout": card.get("heldout_metrics")},
        "training_rows": card.get("training", {}).get("rows"),
    }
