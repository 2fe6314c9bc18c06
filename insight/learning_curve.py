"""F1 against the number of labeled examples: will labeling more pay? (`train --learning-curve`)

The training rows are shuffled once (seeded) and models are fitted on growing prefixes of
them (10%, 25%, 50%, 75%, 100% by default), so each point's rows include the previous
point's. Every point is scored on rows it never trained on: the file's ``test`` split when
it has one, otherwise each of `folds` cross-validation folds in turn (the prefixes are
taken from the other folds, and the predictions of all folds are scored together).

>>> fit = lambda rows: Tagger().fit(rows.texts, rows.labels)
>>> print(render_curve(learning_curve(data, fit)))                 # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from insight.errors import LabelError
from insight.evaluation import evaluate_tags
from insight.labeled import LabeledData
from insight.tagger import Tagger

log = logging.getLogger(__name__)

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


def _rows(data: LabeledData, index: Sequence[int]) -> LabeledData:
    keep = np.zeros(len(data.texts), dtype=bool)
    keep[list(index)] = True
    return data.subset(keep.tolist())


def learning_curve(
    data: LabeledData,
    fit: Callable[[LabeledData], Tagger],
    *,
    fractions: Sequence[float] = FRACTIONS,
    seed: int = 0,
    folds: int = 3,
) -> list[dict[str, Any]]:
    """One point per fraction: {fraction, rows, evaluated_on, micro {P, R, F1}, macro_f1,
    polarity_accuracy}, or {fraction, rows, skipped} when a label has too few examples
    at that size to be learned."""
    rng = np.random.default_rng(seed)
    if data.splits is not None and "test" in data.splits:
        train = [i for i, s in enumerate(data.splits) if s != "test"]
        held = [i for i, s in enumerate(data.splits) if s == "test"]
        plans = [(list(rng.permutation(train)), held)]
        evaluated_on = "the test split"
    else:
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
        plans = [
            (list(rng.permutation(train)), list(test))
            for train, test in splitter.split(np.zeros(len(data.texts)))
        ]
        evaluated_on = f"{folds}-fold cross-validation"
    points = []
    for fraction in fractions:
        predicted: dict[int, dict[str, str | None]] = {}
        sizes = []
        try:
            for order, held in plans:
                size = max(1, math.ceil(fraction * len(order)))
                sizes.append(size)
                tagger = fit(_rows(data, order[:size]))
                part = _rows(data, held)
                results = tagger.predict(part.texts, scores=part.scores)
                predicted.update((i, r.polarities) for i, r in zip(held, results, strict=True))
        except LabelError as error:
            points.append(
                {"fraction": fraction, "rows": int(np.mean(sizes)), "skipped": str(error)}
            )
            log.info("learning curve: %.0f%% skipped (%s)", 100 * fraction, error)
            continue
        rows = sorted(predicted)
        metrics = evaluate_tags(
            [data.labels[i] for i in rows],
            [predicted[i] for i in rows],
            labels=data.label_names,
        )
        points.append(
            {
                "fraction": fraction,
                "rows": round(float(np.mean(sizes))),
                "evaluated_on": f"{len(rows)} rows ({evaluated_on})",
                "micro": metrics["micro"],
                "macro_f1": metrics["macro_f1"],
                "polarity_accuracy": metrics["polarity_accuracy"],
            }
        )
        log.info(
            "learning curve: %d rows -> micro F1 %.3f", points[-1]["rows"], metrics["micro"]["f1"]
        )
    return points


def render_curve(points: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: training rows, micro F1, macro F1."""
    lines = [f"{'share':>6} {'rows':>7} {'micro F1':>9} {'macro F1':>9}"]
    for p in points:
        if "skipped" in p:
            lines.append(f"{p['fraction']:>6.0%} {p['rows']:>7}  skipped: {p['skipped']}")
        else:
            lines.append(
                f"{p['fraction']:>6.0%} {p['rows']:>7} {p['micro']['f1']:>9.3f} "
                f"{p['macro_f1']:>9.3f}"
            )
    evaluated = next((p["evaluated_on"] for p in points if "evaluated_on" in p), None)
    if evaluated:
        lines.append(f"scored on {evaluated}, never on training rows")
    return "\n".join(lines)
