"""A small, clearly separable labeled set for the retraining commands' tests."""

from __future__ import annotations

from pathlib import Path

PRICE_NEGATIVE = [
    "too expensive",
    "prices are too high",
    "way overpriced",
    "the fees are outrageous",
    "expensive tariff",
    "I pay far too much",
    "overpriced again",
    "too expensive for me",
]
PRICE_POSITIVE = [
    "cheap and good",
    "great value",
    "low prices",
    "affordable deals",
    "cheap tariff",
    "good value for money",
    "prices are fair and cheap",
    "affordable and cheap",
]
SERVICE_NEGATIVE = [
    "rude staff",
    "the operator was rude",
    "staff ignored me",
    "rude support agent",
    "unhelpful staff",
    "the agent hung up on me, rude",
    "staff were rude again",
    "support was rude and unhelpful",
]
SERVICE_POSITIVE = [
    "lovely staff",
    "helpful agent",
    "kind people at support",
    "friendly staff",
    "the operator was helpful",
    "polite and helpful staff",
    "support agent was kind",
    "friendly and helpful support",
]
NEITHER = ["nothing to add", "ok", "no comment", "fine", "whatever", "all right"]


def rows() -> list[tuple[str, dict[str, str]]]:
    out: list[tuple[str, dict[str, str]]] = []
    for texts, label, polarity in (
        (PRICE_NEGATIVE, "price", "negative"),
        (PRICE_POSITIVE, "price", "positive"),
        (SERVICE_NEGATIVE, "service", "negative"),
        (SERVICE_POSITIVE, "service", "positive"),
    ):
        out.extend((text, {label: polarity}) for text in texts)
    out.extend((text, {}) for text in NEITHER)
    return out


def write_labeled(
    path: Path, flips: dict[int, dict[str, str]] | None = None, copies: int = 1
) -> Path:
    """Write the set as a labeled CSV (id,comment,price,service); `flips` replace row labels."""
    lines = ["id,comment,price,service"]
    for i, (text, labels) in enumerate(rows() * copies):
        labels = (flips or {}).get(i, labels)
        lines.append(f'{100 + i},"{text}",{labels.get("price", "")},{labels.get("service", "")}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
