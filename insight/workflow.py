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

import numpy as np

from insight.errors import InputError, LabelError, ModelError
from insight.evaluation import evaluate_tags
from insight.labeled import LabeledData, read_for_model, read_labeled
from insight.persistence import load_model, save_model, sha256_file
from insight.tagger import Tagger

log = logging.getLogger(__name__)

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus.csv"


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
    base: str | Path | None = None,
    base_weight: float | None = None,
    learning_curve: bool = False,
) -> dict[str, Any]:
    """Fit a `Tagger` on a labeled file, write the model directory, return its card.

    `base` ("default" for the bundled corpus, or a labeled file) warm-starts a small
    company set: see `fit_with_base`. `learning_curve` also records held-out F1 against
    the number of training rows (`insight.learning_curve`) in the card.
    """
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
    base_data = read_base(base) if base is not None else None

    def fit(rows: LabeledData) -> Tagger:
        if base_data is None:
            tagger = Tagger(labels=rows.label_names, cv=cv, random_state=seed, **settings)
            return tagger.fit(rows.texts, rows.labels, scores=rows.scores)
        fitted, _ = fit_with_base(
            rows, base_data, weight=base_weight, cv=cv, seed=seed, params=settings
        )
        return fitted

    training: dict[str, Any] = {
        "file": Path(path).name,
        "sha256": sha256_file(path),
        "rows_in_file": len(data.texts),
        "text_column": data.text_column,
        "label_columns": data.label_names,
        "rows_used": "rows whose split is not 'test'" if heldout is not None else "all rows",
    }
    if learning_curve:
        from insight.learning_curve import learning_curve as curve

        training["learning_curve"] = curve(data, fit, seed=seed)
    if base_data is None:
        tagger = fit(train)
    else:
        tagger, training["base"] = fit_with_base(
            train, base_data, weight=base_weight, cv=cv, seed=seed, params=settings
        )
    heldout_metrics = score(tagger, heldout) if heldout is not None else None
    return save_model(tagger, out, training=training, heldout_metrics=heldout_metrics, force=force)


def read_base(base: str | Path) -> LabeledData:
    """The rows a warm start adds: the bundled corpus for "default" (its non-test rows),
    else a labeled file (its non-test rows when it has a split column)."""
    if str(base) == "default":
        path = DEFAULT_CORPUS
        if not path.is_file():
            raise InputError(
                f"--base default needs the bundled corpus, but {path} is not there (an "
                "installed copy without the data/ folder); run from a source checkout or pass "
                "--base PATH to a labeled file"
            )
    else:
        path = Path(base)
    data = read_labeled(path)
    return _split(data)[0]


def fit_with_base(
    company: LabeledData,
    base: LabeledData,
    *,
    weight: float | None = None,
    cv: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> tuple[Tagger, dict[str, Any]]:
    """Warm start: fit the company's labels on its rows together with `base`'s rows.

    A label the base also has learns from both, each company row weighing `weight` (by
    default the base's size over the company's, halved, at least 1: the company's rows
    count about a third of the total). A label of the company's own learns from its rows
    alone: in one fit with a weight column per label, the base rows weigh 0 for it, so
    they are neither examples nor counter-examples (a base row may well talk about it
    under another name). The base's other labels are not learned; the vocabulary comes
    from all rows. Returns the tagger and what the card records about the warm start.
    """
    labels = list(company.label_names)
    shared = [label for label in labels if label in base.label_names]
    own = [label for label in labels if label not in shared]
    if not shared:
        raise LabelError(
            f"none of the labels {labels} is in the base ({base.source}: {base.label_names}); "
            "a warm start needs labels in common: train without --base"
        )
    presence_only = {
        label
        for label in shared
        if all(g[label] is None for g in company.labels if label in g)
        and any(label in g for g in company.labels)
    }
    base_gold = [
        {k: (None if k in presence_only else v) for k, v in g.items() if k in shared}
        for g in base.labels
    ]
    n_company, n_base = len(company.texts), len(base.texts)
    if weight is None:
        weight = max(1.0, n_base / n_company / 2)
    if weight <= 0:
        raise InputError(f"--base-weight must be positive, got {weight}")
    row_weight = np.ones((n_company + n_base, len(labels)))
    row_weight[:n_company] = weight
    for j, label in enumerate(labels):
        if label in own:
            row_weight[n_company:, j] = 0.0
    scores = None
    if company.scores is not None or base.scores is not None:
        scores = (company.scores or [""] * n_company) + (base.scores or [""] * n_base)
    tagger = Tagger(labels=labels, cv=cv, random_state=seed, **{"n_jobs": -1, **(params or {})})
    tagger.fit(
        company.texts + base.texts,
        company.labels + base_gold,
        scores=scores,
        sample_weight=row_weight,
    )
    info = {
        "source": base.source
        if base.source != str(DEFAULT_CORPUS)
        else "default (data/corpus.csv)",
        "sha256": sha256_file(base.source),
        "base_rows": n_base,
        "company_rows": n_company,
        "company_weight": round(float(weight), 4),
        "labels_from_base_and_company": shared,
        "labels_from_company_only": own,
        "cv_metrics_cover": "company and base rows together",
    }
    log.info(
        "warm start: %d company rows (weight %.2f) with %d base rows; labels from both %s, "
        "from the company's rows only %s",
        n_company,
        weight,
        n_base,
        shared,
        own,
    )
    return tagger, info


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
    present = set(data.label_names)
    labels = [label for label in tagger.labels_ if label in present]
    return evaluate_tags(data.labels, predicted, languages=languages, labels=labels)


def evaluate_file(
    path: str | Path,
    model: str | Path | None = None,
    *,
    text_column: str | None = None,
    split: str | None = None,
) -> dict[str, Any]:
    """Score a model on a labeled file whose label columns are the model's labels (or some
    of them: the figures then cover those only)."""
    tagger = load_model(model)
    data = read_for_model(path, tagger.labels_, text_column, partial=True)
    left_out = [label for label in tagger.labels_ if label not in data.label_names]
    if left_out:
        log.warning("%s has no columns for %s: scoring only %s", path, left_out, data.label_names)
    if split is not None:
        data = data.only_split(split)
    elif tagger.card_.get("training", {}).get("sha256") == sha256_file(path):
        log.warning(
            "%s is the file this model was trained on: figures over its training rows are not "
            "accuracy; pass --split test for the held-out rows",
            path,
        )
    return score(tagger, data)
