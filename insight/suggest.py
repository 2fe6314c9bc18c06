"""Which comments to label next: `insight suggest`.

A label teaches the model most where the model is unsure, so each comment gets, per
label, an uncertainty from the model's calibrated probability and that label's decision
threshold: 1 at the threshold, falling linearly to 0 at probability 0 or 1; its weight is
the mean over the labels. Picking the most uncertain comments alone gives near copies of
one another and a few odd comments nobody else writes, so the picks must *cover* the
uncertain part of the export instead (weighted facility location): the chosen set
maximises the sum, over the export's comments, of each comment's weight times its cosine
similarity to the closest pick. Greedily, each pick is the comment that adds most to that
sum: one that stands for many unsure comments not yet stood for. A near copy of a pick
adds nothing, and a comment whose cosine to a pick exceeds `max_similarity` is skipped
outright, as are empty comments and exact duplicates (they still count among the comments
to cover).

Similarity is measured on word TF-IDF fitted on the export itself (`pool_features`), not
on the model's features: a model trained on a few hundred rows has never seen most of the
export's words, so in its own feature space comments about those words all look alike.
An export larger than `MAX_POOL` comments is covered through a seeded sample of
`MAX_POOL` of them, and the picks come from its `MAX_POOL` most uncertain comments.

Ties are broken by a seeded shuffle, so a seed gives the same selection every time.

>>> summary = suggest_file("export.csv", "to_label.csv", n=200)   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from insight.errors import InputError
from insight.labeled import GUESS_PREFIX

if TYPE_CHECKING:
    from insight.tagger import Tagger

log = logging.getLogger(__name__)

_ID_HEADERS = ("id", "response_id", "respondent_id")
MAX_POOL = 4_000  # comments covered, and candidates: 4,000 x 4,000 float32 is 64 MB


def uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per (comment, label): 1 at the label's threshold, 0 at probability 0 or 1.

    >>> uncertainty(np.array([[0.5, 0.0, 0.75]]), np.array([0.5, 0.5, 0.5])).tolist()
    [[1.0, 0.0, 0.5]]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1 - 1e-6)
    distance = np.where(p < t, (t - p) / t, (p - t) / (1 - t))
    return np.clip(1.0 - distance, 0.0, 1.0)


def pool_features(texts: Sequence[str], morphology: str = "stem") -> sp.csr_matrix:
    """Word TF-IDF rows (L2-normalised) fitted on `texts` themselves: which comments are alike.

    Words are the base forms the tagger uses (`morphology`), without negation marks (what
    a comment is about, not how it feels), every word of the export (a word only one
    comment uses still tells that comment apart). Sublinear term frequency, smoothed IDF.

    >>> rows = pool_features(["rude staff", "staff not rude", "cheap"])
    >>> [round(float(c), 2) for c in (rows @ rows[0].T).toarray().ravel()]
    [1.0, 0.73, 0.0]
    """
    from insight.features import check_texts, prepare
    from insight.text import word_form

    documents: list[Counter[str]] = []
    for text in check_texts(texts):
        item = prepare(text)
        documents.append(
            Counter(
                word_form(token, item.language, morphology)
                for token in item.tokens
                if any(ch.isalnum() for ch in token)
            )
        )
    df: Counter[str] = Counter()
    for words in documents:
        df.update(words.keys())
    vocabulary = {w: i for i, w in enumerate(sorted(df))}
    n = len(documents)
    idf = np.array([math.log((1 + n) / (1 + df[w])) + 1 for w in sorted(df)])
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for r, words in enumerate(documents):
        for w, count in words.items():
            c = vocabulary.get(w)
            if c is not None:
                rows.append(r)
                cols.append(c)
                values.append((1 + math.log(count)) * idf[c])
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(n, len(vocabulary)))
    return normalize(matrix, norm="l2", copy=False) if vocabulary else matrix


def select_for_labeling(
    probabilities: np.ndarray,
    thresholds: np.ndarray,
    features: sp.csr_matrix,
    n: int,
    *,
    seed: int = 0,
    max_similarity: float = 0.8,
    eligible: Sequence[bool] | np.ndarray | None = None,
) -> list[int]:
    """Row indices of up to `n` comments to label, in the order picked (most useful first).

    `probabilities` (rows x labels) are the model's calibrated probabilities, `thresholds`
    its decision thresholds, `features` the rows to measure similarity on (any scale: they
    are L2-normalised here, so a dot product is a cosine; `pool_features` in
    `insight suggest`). Rows with no features (empty comments) and rows `eligible` marks
    False are never picked; no row is picked twice.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    rows, n_labels = probabilities.shape
    if features.shape[0] != rows or len(thresholds) != n_labels:
        raise InputError(
            f"{rows} probability rows, {features.shape[0]} feature rows and "
            f"{len(thresholds)} thresholds for {n_labels} labels: they must agree"
        )
    if not features.shape[1]:  # no comment has a word
        return []
    unit = normalize(sp.csr_matrix(features, dtype=np.float64), norm="l2", copy=True)
    allowed = np.diff(unit.indptr) > 0
    if eligible is not None:
        allowed &= np.asarray(eligible, dtype=bool)
    weight = uncertainty(probabilities, thresholds).mean(axis=1)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(rows)  # the order in which ties are decided
    # The comments to cover (a seeded sample of a large export) and the candidates (the
    # most uncertain allowed rows of a large export, in tie-breaking order).
    targets = np.arange(rows) if rows <= MAX_POOL else rng.choice(rows, MAX_POOL, replace=False)
    candidates = shuffled[allowed[shuffled]]
    if len(candidates) > MAX_POOL:
        candidates = candidates[np.argsort(-weight[candidates], kind="stable")[:MAX_POOL]]
    if not len(candidates):
        return []
    unit_candidates, unit_targets = unit[candidates], unit[targets]
    # candidates x targets, float32: a row per candidate, so its gain is one dot product.
    similarity = (unit_candidates @ unit_targets.T).toarray().astype(np.float32)
    target_weight = weight[targets].astype(np.float32)
    covered = np.zeros(len(targets), dtype=np.float32)  # similarity to the closest pick
    nearest = np.zeros(len(candidates))  # cosine of each candidate to the closest pick
    # Lazy greedy: a candidate's gain only shrinks as picks are added (the objective is
    # submodular), so a stale gain is an upper bound, refreshed only when it comes first.
    gain = (np.maximum(similarity, 0.0) @ target_weight).astype(np.float64)
    chosen: list[int] = []
    while len(chosen) < n:
        k = int(np.argmax(gain))
        if gain[k] == -np.inf:
            break
        if gain[k] > 0:
            fresh = float(np.maximum(similarity[k] - covered, 0.0) @ target_weight)
            if fresh < gain[k]:
                gain[k] = fresh
                continue
        else:  # no candidate adds coverage any more: the most uncertain one next
            k = int(np.argmax(np.where(gain > -np.inf, weight[candidates], -1.0)))
        gain[k] = -np.inf
        if nearest[k] > max_similarity:
            continue
        chosen.append(int(candidates[k]))
        np.maximum(covered, similarity[k], out=covered)
        cosine = np.asarray((unit_candidates @ unit_candidates[k].T).toarray()).ravel()
        np.maximum(nearest, cosine, out=nearest)
    return chosen


def select_comments(
    tagger: Tagger,
    texts: Sequence[str],
    n: int,
    *,
    seed: int = 0,
    max_similarity: float = 0.8,
    eligible: Sequence[bool] | np.ndarray | None = None,
) -> tuple[list[int], np.ndarray]:
    """`select_for_labeling` for a fitted tagger and raw comments: (picked rows, probabilities).

    What `insight suggest` runs; the retraining benchmark calls it too, so what is measured
    is what ships.
    """
    probabilities = tagger.predict_proba(texts)
    chosen = select_for_labeling(
        probabilities,
        tagger.thresholds_,
        pool_features(texts, tagger.morphology),
        n,
        seed=seed,
        max_similarity=max_similarity,
        eligible=eligible,
    )
    return chosen, probabilities


@dataclass
class SuggestSummary:
    """What `suggest_file` read and wrote."""

    input: str
    output: str
    text_column: str
    rows_read: int
    candidates: int
    chosen: int
    empty: int
    duplicates: int

    def render(self) -> str:
        return (
            f"{self.rows_read:,} rows read from {self.input} (comment column "
            f"{self.text_column!r}); {self.empty:,} empty and {self.duplicates:,} exact "
            f"duplicates skipped; {self.chosen:,} of {self.candidates:,} candidates chosen "
            f"-> {self.output}\nfill in the label columns, then: insight train {self.output} ..."
        )


def suggest_file(
    export: str | Path,
    output: str | Path | None = None,
    *,
    model: str | Path | None = None,
    n: int = 200,
    seed: int = 0,
    max_similarity: float = 0.8,
    text_column: str | None = None,
    score_column: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> SuggestSummary:
    """Pick `n` comments of an export to label next and write them ready for a spreadsheet.

    The output (default ``<export stem>.to_label.csv``, written atomically, never over
    the input) has the labeled-file layout ``id, lang, score, comment``, one empty column
    per label of the model to fill in, and the model's guesses beside them:
    ``guess_<label>`` (its polarity, ``present``, or empty) and
    ``guess_<label>_probability``. `insight train` ignores ``guess_`` columns.
    """
    from insight.exports import (
        NPS_HEADERS,
        find_column,
        open_export,
        require_text_column,
        write_table,
    )
    from insight.persistence import load_model
    from insight.text import normalize as normalize_text

    if n < 1:
        raise InputError(f"-n must be at least 1, got {n}")
    reader = open_export(export, encoding=encoding, sheet=sheet)
    try:
        header = reader.header
        text_name = require_text_column(header, text_column, export)
        score_name = find_column(header, NPS_HEADERS, score_column)
        id_name = find_column(header, _ID_HEADERS, None)
        columns = [header.index(c) if c is not None else None for c in (text_name, score_name)]
        id_index = header.index(id_name) if id_name is not None else None
        texts: list[str] = []
        scores: list[str] = []
        ids: list[str] = []
        skipped_rows: set[int] = set()
        for chunk in reader.chunks:
            for k, row in enumerate(chunk.rows):
                if k in chunk.problems:
                    skipped_rows.add(len(texts))
                texts.append(row[columns[0]] if columns[0] is not None else "")
                scores.append(row[columns[1]] if columns[1] is not None else "")
                ids.append(row[id_index] if id_index is not None else str(len(texts)))
    finally:
        reader.close()
    if not texts:
        raise InputError(f"{export}: has no data rows")

    seen: set[str] = set()
    eligible = np.ones(len(texts), dtype=bool)
    empty = duplicates = 0
    for i, text in enumerate(texts):
        key = normalize_text(text).strip()
        if not key or i in skipped_rows:
            eligible[i] = False
            empty += bool(not key)
        elif key in seen:
            eligible[i] = False
            duplicates += 1
        else:
            seen.add(key)
    tagger = load_model(model)
    chosen, probabilities = select_comments(
        tagger, texts, n, seed=seed, max_similarity=max_similarity, eligible=eligible
    )
    picked_scores = [scores[i] for i in chosen] if score_name is not None else None
    guesses = tagger.predict([texts[i] for i in chosen], scores=picked_scores)
    labels = list(tagger.labels_)
    out_header = ["id", "lang", "score", "comment", *labels]
    for label in labels:
        out_header += [f"{GUESS_PREFIX}{label}", f"{GUESS_PREFIX}{label}_probability"]
    rows = []
    for i, result in zip(chosen, guesses, strict=True):
        cells = [ids[i], result.language, scores[i], texts[i], *([""] * len(labels))]
        for j, label in enumerate(labels):
            tagged = result.tags.get(label)
            cells.append("" if tagged is None else tagged[0] or "present")
            cells.append(f"{probabilities[i, j]:.3f}")
        rows.append(cells)
    target = Path(output) if output is not None else Path(export).with_suffix("")
    if output is None:
        target = target.with_name(f"{target.name}.to_label.csv")
    write_table(target, out_header, rows, inputs=[export])
    return SuggestSummary(
        str(export),
        str(target),
        text_name,
        len(texts),
        int(eligible.sum()),
        len(chosen),
        empty,
        duplicates,
    )
