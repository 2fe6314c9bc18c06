"""Which comments to label next: `insight suggest`.

A label teaches the model most where the model is unsure, so each comment gets, per
label, an uncertainty from the model's calibrated probability and that label's decision
threshold: 1 at the threshold, falling linearly to 0 at probability 0 or 1. Picking the
most uncertain comments alone gives near copies of one another and spends the budget on
whichever label is hardest, so the selection is greedy and shared out:

- in turn, each label picks its most uncertain comment not yet taken (so every label's
  uncertain region is covered), and every other pick goes to the comment most uncertain
  over all labels together (the sum of its uncertainties);
- a comment whose cosine similarity to one already picked exceeds `max_similarity` is
  skipped (cosine over the model's own feature rows), as are empty comments and exact
  duplicates.

Ties are broken by a seeded shuffle, so a seed gives the same selection every time.

>>> summary = suggest_file("export.csv", "to_label.csv", n=200)   # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from insight.errors import InputError
from insight.labeled import GUESS_PREFIX

log = logging.getLogger(__name__)

_ID_HEADERS = ("id", "response_id", "respondent_id")


def uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per (comment, label): 1 at the label's threshold, 0 at probability 0 or 1.

    >>> uncertainty(np.array([[0.5, 0.0, 0.75]]), np.array([0.5, 0.5, 0.5])).tolist()
    [[1.0, 0.0, 0.5]]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1 - 1e-6)
    distance = np.where(p < t, (t - p) / t, (p - t) / (1 - t))
    return np.clip(1.0 - distance, 0.0, 1.0)


def select_for_labeling(
    probabilities: np.ndarray,
    thresholds: np.ndarray,
    features: sp.csr_matrix,
    n: int,
    *,
    seed: int = 0,
    max_similarity: float = 0.8,
    label_share: float = 0.5,
    eligible: Sequence[bool] | np.ndarray | None = None,
) -> list[int]:
    """Row indices of up to `n` comments to label, most useful first.

    `probabilities` (rows x labels) are the model's calibrated probabilities, `thresholds`
    its decision thresholds, `features` its feature rows (any scale: they are
    L2-normalised here, so a dot product is a cosine). Rows with no features (empty
    comments) and rows `eligible` marks False are never picked; no row is picked twice.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    rows, n_labels = probabilities.shape
    if features.shape[0] != rows or len(thresholds) != n_labels:
        raise InputError(
            f"{rows} probability rows, {features.shape[0]} feature rows and "
            f"{len(thresholds)} thresholds for {n_labels} labels: they must agree"
        )
    unit = normalize(sp.csr_matrix(features, dtype=np.float64), norm="l2", copy=True)
    allowed = np.diff(unit.indptr) > 0
    if eligible is not None:
        allowed &= np.asarray(eligible, dtype=bool)
    doubt = uncertainty(probabilities, thresholds)
    tiebreak = np.random.default_rng(seed).permutation(rows)
    # One queue per label and one over all labels, each most uncertain first.
    queues = [np.lexsort((tiebreak, -doubt[:, j])) for j in range(n_labels)]
    queues.append(np.lexsort((tiebreak, -doubt.sum(axis=1))))
    positions = [0] * len(queues)
    nearest = np.zeros(rows)  # cosine to the closest row picked so far
    taken = np.zeros(rows, dtype=bool)
    chosen: list[int] = []
    turn = labels_turns = 0
    exhausted: set[int] = set()
    while len(chosen) < n and len(exhausted) < len(queues):
        # `label_share` of the turns go to the labels in order, the rest to the overall queue.
        label_turn = int((turn + 1) * label_share) > int(turn * label_share)
        queue = labels_turns % n_labels if label_turn else n_labels
        labels_turns += label_turn
        turn += 1
        if queue in exhausted:  # its rows are all taken or barred: another queue's turn
            remaining = [q for q in range(len(queues)) if q not in exhausted]
            queue = remaining[turn % len(remaining)]
        order = queues[queue]
        pick = None
        while positions[queue] < rows:
            candidate = int(order[positions[queue]])
            positions[queue] += 1
            if allowed[candidate] and not taken[candidate] and nearest[candidate] <= max_similarity:
                pick = candidate
                break
        if pick is None:
            exhausted.add(queue)
            continue
        chosen.append(pick)
        taken[pick] = True
        similarity = np.asarray(unit @ unit[pick].T.toarray()).ravel()
        np.maximum(nearest, similarity, out=nearest)
    return chosen


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
    from insight.exports import NPS_HEADERS, TEXT_HEADERS, find_column, open_export, write_table
    from insight.persistence import load_model
    from insight.text import normalize as normalize_text

    if n < 1:
        raise InputError(f"-n must be at least 1, got {n}")
    reader = open_export(export, encoding=encoding, sheet=sheet)
    try:
        header = reader.header
        text_name = find_column(header, TEXT_HEADERS, text_column)
        if text_name is None:
            raise InputError(
                f"{export}: no comment column found among {header}; name it with --text-col"
            )
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
    probabilities = tagger.predict_proba(texts)
    features = tagger.vectorizer_.transform(texts)
    chosen = select_for_labeling(
        probabilities,
        tagger.thresholds_,
        features,
        n,
        seed=seed,
        max_similarity=max_similarity,
        eligible=eligible,
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
