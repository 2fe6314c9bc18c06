"""Train and evaluate from labeled files: what `insight train` and `insight evaluate` run.

A file with a ``split`` column is trained on its non-``test`` rows and scored on its
``test`` rows, so the held-out figures in the model card are never computed on data the
model saw.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from insight.errors import InputError, ModelError
from insight.evaluation import evaluate_tags
from insight.labeled import LabeledData, read_labeled
from insight.persistence import load_model, save_model, sha256_file
from insight.tagger import Tagger

log = logging.getLogger(__name__)


def train_from_file(
    path: str | Path,
    out: str | Path,
    *,
    labels: Sequence[str] | None = None,
    text_column: str | None = None,
    cv: int = 5,
    seed: int = 0,
    force: bool = False,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit a `Tagger` on a labeled file, write the model directory, return its card."""
    if Path(out).exists() and not force:
        raise ModelError(
            f"{out} already exists; choose another --out or pass --force to replace it"
        )
    data = read_labeled(path, text_column, labels)
    log.info(
        "training on %s: comment column %r, labels %s", path, data.text_column, data.label_names
    )
    train, heldout = _split(data)
    settings = {"n_jobs": -1, **(params or {})}  # a command may use every core
    tagger = Tagger(labels=data.label_names, cv=cv, random_state=seed, **settings)
    tagger.fit(train.texts, train.labels, scores=train.scores)
    heldout_metrics = score(tagger, heldout) if heldout is not None else None
    training = {
        "file": Path(path).name,
        "sha256": sha256_file(path),
        "rows_in_file": len(data.texts),
        "text_column": data.text_column,
        "label_columns": data.label_names,
        "rows_used": "rows whose split is not 'test'" if heldout is not None else "all rows",
    }
    return save_model(tagger, out, training=training, heldout_metrics=heldout_metrics, force=force)


def _split(data: LabeledData) -> tuple[LabeledData, LabeledData | None]:
    if data.splits is None or "test" not in data.splits:
        return data, None
    is_test = [s == "test" for s in data.splits]
    return data.subset([not t for t in is_test]), data.subset(is_test)


def score(tagger: Tagger, data: LabeledData) -> dict[str, Any]:
    """Metrics of `tagger` on labeled data (languages from its ``lang`` column when present)."""
    results = tagger.predict(data.texts, scores=data.scores, n_jobs=-1)
    languages = data.languages or [r.language for r in results]
    predicted = [r.polarities for r in results]
    return evaluate_tags(data.labels, predicted, languages=languages, labels=tagger.labels_)


def evaluate_file(
    path: str | Path,
    model: str | Path | None = None,
    *,
    text_column: str | None = None,
    split: str | None = None,
) -> dict[str, Any]:
    """Score a model on a labeled file whose label columns are the model's labels."""
    tagger = load_model(model)
    data = read_labeled(path, text_column)
    missing = [label for label in tagger.labels_ if label not in data.label_names]
    extra = [label for label in data.label_names if label not in tagger.labels_]
    if missing or extra:
        raise InputError(
            f"{path}: the label columns {data.label_names} do not match the model's labels "
            f"{tagger.labels_} (missing {missing}, unknown {extra}); evaluate with a model "
            "trained on these labels"
        )
    data = read_labeled(path, data.text_column, tagger.labels_)
    if split is not None:
        if data.splits is None:
            raise InputError(f"{path}: --split {split} given but the file has no 'split' column")
        data = data.subset([s == split for s in data.splits])
        if not data.texts:
            raise InputError(f"{path}: no rows with split = {split!r}")
    elif tagger.card_.get("training", {}).get("sha256") == sha256_file(path):
        log.warning(
            "%s is the file this model was trained on: figures over its training rows are not "
            "accuracy; pass --split test for the held-out rows",
            path,
        )
    return score(tagger, data)
