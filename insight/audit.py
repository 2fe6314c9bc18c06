"""Which labels of a labeled file are probably wrong: `insight audit`.

Every row is tagged by a `Tagger` fitted on the other folds (out-of-fold predictions), so
the model's view of a row never comes from having seen its label. The text is not the only
evidence, though: label sets follow patterns of their own (a catch-all label rarely sits
beside the others; a labeling guide may ask for at least one label per row), so a row's
other labels say something about each of its labels. Per label, a small logistic
regression reads the out-of-fold probabilities of every label (as log-odds: strong evidence
for one label can speak against another), the row's other given labels and whether it has
none of them; it is cross-validated too (same folds and seed), so a row's own given label
never shapes its estimate. A label with too few rows with or without it for those folds
keeps its out-of-fold text probability.

Then, in the spirit of confident learning (Northcutt, Jiang and Chuang, 2021), each label
is a two-class problem (present / absent) with a per-class threshold: the mean probability
of that class on the rows labeled with it. A (row, label) is suspect when the probability
of the *other* class reaches that class's threshold and beats the given one; suspects are
ranked by how little the evidence supports the given label (its self-confidence), lowest
first. The label patterns have a blind spot: where a labeler put the wrong label in place
of the right one, the wrong one argues against the right one. So the pairs that the text
alone disputes (the same test on the out-of-fold text probabilities) but the combined
evidence does not follow, ranked the same way. Polarity disagreements (the model finds the
label but reads the other polarity) come last, ranked by the detection probability: the
polarity model gives no probability of its own, so their confidence cell is empty.

>>> report = audit_file("labeled.csv", "suspects.csv")          # doctest: +SKIP
>>> print(report.render())                                      # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from insight.errors import InputError, LabelError
from insight.labeled import LabeledData, labeled_from_frame, read_table
from insight.tagger import Tagger, TagResult

log = logging.getLogger(__name__)

ABSENT = "absent"
PRESENT = "present"  # the view of a presence-only label
HEADER = ("rank", "row", "id", "text", "label", "given", "model", "confidence", "kind")
_ID_COLUMNS = ("id", "response_id", "respondent_id")


@dataclass(frozen=True, slots=True)
class Suspect:
    """One (row, label) whose given label the model disputes; `row` is 0-based here."""

    row: int
    label: str
    given: str
    model: str
    confidence: float | None  # the probability of the model's view (presence only)
    kind: str  # "presence" or "polarity"


@dataclass
class AuditReport:
    """What `audit_file` found and wrote."""

    source: str
    output: str | None
    rows: int
    labels: list[str]
    folds: int
    suspects: list[Suspect]
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)

    def render(self, limit: int = 10) -> str:
        presence = sum(s.kind == "presence" for s in self.suspects)
        lines = [
            f"{self.source}: {self.rows} rows, labels {self.labels}, {self.folds}-fold "
            f"out-of-fold predictions",
            f"{presence} presence suspects and {len(self.suspects) - presence} polarity suspects"
            + (f" -> {self.output}" if self.output else ""),
        ]
        for label in self.labels:
            count = sum(s.label == label for s in self.suspects)
            lines.append(f"  {label:<24} {count:>6}")
        for rank, s in enumerate(self.suspects[:limit], 1):
            confidence = f"{s.confidence:.2f}" if s.confidence is not None else "-"
            lines.append(
                f"  #{rank} row {s.row + 1}, {s.label}: given {s.given}, model {s.model} "
                f"({confidence})"
            )
        return "\n".join(lines)


def out_of_fold(
    data: LabeledData,
    *,
    folds: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> list[TagResult]:
    """Tag every row with a `Tagger` fitted on the other `folds - 1` folds.

    Each fold's tagger has the same parameters (`params`, the labels of `data`, `seed`).
    """
    n = len(data.texts)
    if folds < 2 or folds > n:
        raise InputError(f"--folds must be between 2 and the number of rows ({n}), got {folds}")
    results: list[TagResult | None] = [None] * n
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(np.zeros(n)), 1):
        part = data.subset(np.isin(np.arange(n), train).tolist())
        tagger = Tagger(**{"labels": data.label_names, "random_state": seed, **(params or {})})
        try:
            tagger.fit(part.texts, part.labels, scores=part.scores)
        except LabelError as error:
            raise LabelError(
                f"{data.source}: fold {fold} of {folds} cannot be trained ({error}); "
                "audit with fewer --folds, or label more examples"
            ) from error
        held = data.subset(np.isin(np.arange(n), test).tolist())
        for i, result in zip(test, tagger.predict(held.texts, scores=held.scores), strict=True):
            results[int(i)] = result
        log.info("audit: fold %d of %d done", fold, folds)
    return [r for r in results if r is not None]


def label_probabilities(
    gold: Sequence[dict[str, str | None]],
    results: Sequence[TagResult],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """P(label present) per (row, label) from the text and whether the row has other labels.

    Columns in `labels` order. Each label's estimate is cross-validated over `folds`
    stratified folds (`seed`), so no row's own given label takes part in its estimate; a
    label with fewer than `folds` rows with it or without it keeps its out-of-fold text
    probability.

    >>> gold = [{"price": "negative"}, {}]
    >>> results = [TagResult("en", {}, {"price": 0.2}), TagResult("en", {}, {"price": 0.1})]
    >>> label_probabilities(gold, results, ["price"]).tolist()  # too few rows: text alone
    [[0.2], [0.1]]
    """
    text = _text_probabilities(results, labels)
    given = np.array([[label in g for label in labels] for g in gold], dtype=bool)
    clipped = np.clip(text, 1e-4, 1 - 1e-4)
    log_odds = np.log(clipped / (1 - clipped))
    out = text.copy()
    for j in range(len(labels)):
        present = int(given[:, j].sum())
        if min(present, len(given) - present) < max(folds, 2):
            continue
        others = np.delete(given, j, axis=1)
        alone = ~others.any(axis=1, keepdims=True)
        features = np.hstack([log_odds, others, alone]).astype(np.float64)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(features, given[:, j]):
            model = LogisticRegression(max_iter=1_000).fit(features[train], given[train, j])
            out[test, j] = model.predict_proba(features[test])[:, 1]
    return out


def find_suspects(
    gold: Sequence[dict[str, str | None]],
    results: Sequence[TagResult],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> tuple[list[Suspect], dict[str, dict[str, float]]]:
    """Rank the (row, label) pairs whose given label the out-of-fold evidence disputes.

    Pure function of the gold labels and the out-of-fold results (`folds` and `seed` fix
    the cross-validation of `label_probabilities`); returns the suspects, best first, and
    each label's confident-learning thresholds {present, absent} on the combined evidence.
    """
    text = _text_probabilities(results, labels)
    combined = label_probabilities(gold, results, labels, folds=folds, seed=seed)
    thresholds: dict[str, dict[str, float]] = {}
    ranked: list[list[tuple[float, int, int, Suspect]]] = [[], [], []]
    for j, label in enumerate(labels):
        given = np.array([label in g for g in gold], dtype=bool)
        by_both, thresholds[label] = _disputed(combined[:, j], given)
        by_text, _ = _disputed(text[:, j], given)
        for i, is_given in enumerate(given.tolist()):
            if by_both[i] or by_text[i]:
                tier = 0 if by_both[i] else 1
                p = float((combined if tier == 0 else text)[i, j])
                own, other = (p, 1 - p) if is_given else (1 - p, p)
                view = ABSENT if is_given else _view(results[i], label)
                suspect = Suspect(
                    i, label, _given(gold[i], label), view, round(other, 4), "presence"
                )
                ranked[tier].append((own, i, j, suspect))
            elif is_given and label in results[i].tags:
                said, (found, probability) = gold[i][label], results[i].tags[label]
                if said is not None and found is not None and said != found:
                    suspect = Suspect(i, label, said, found, None, "polarity")
                    ranked[2].append((-probability, i, j, suspect))
    return [s for tier in ranked for *_, s in sorted(tier, key=lambda t: t[:3])], thresholds


def _text_probabilities(results: Sequence[TagResult], labels: Sequence[str]) -> np.ndarray:
    return np.array([[r.probabilities.get(label, 0.0) for label in labels] for r in results])


def _disputed(p: np.ndarray, given: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """Confident learning on one label: the rows where the other answer reaches its
    threshold (its mean probability on the rows given it) and beats the given one."""
    t_present = float(p[given].mean()) if given.any() else 1.0
    t_absent = float((1 - p[~given]).mean()) if (~given).any() else 1.0
    own = np.where(given, p, 1 - p)
    other = 1 - own
    disputed = (other >= np.where(given, t_absent, t_present)) & (other > own)
    return disputed, {"present": round(t_present, 4), "absent": round(t_absent, 4)}


def _given(gold: dict[str, str | None], label: str) -> str:
    if label not in gold:
        return ABSENT
    return gold[label] or PRESENT


def _view(result: TagResult, label: str) -> str:
    """The model's polarity when it tags the label, else plain "present"."""
    if label in result.tags:
        return result.tags[label][0] or PRESENT
    return PRESENT


def audit_file(
    path: str | Path,
    output: str | Path | None = None,
    *,
    text_column: str | None = None,
    labels: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> AuditReport:
    """Audit a labeled file and write its suspects (ranked) to `output`.

    `output` defaults to ``<file stem>.suspects.csv`` beside the file; it is written
    atomically and never over the input. Columns: rank, row (1 = first data row), id (the
    file's id column, else the row), text, label, given, model, confidence, kind.
    """
    from insight.exports import write_table

    frame = read_table(path)
    data = labeled_from_frame(frame, text_column, labels, source=str(path))
    settings = {"n_jobs": -1, **(params or {})}
    results = out_of_fold(data, folds=folds, seed=seed, params=settings)
    suspects, thresholds = find_suspects(
        data.labels, results, data.label_names, folds=folds, seed=seed
    )
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    id_column = next((lowered[c] for c in _ID_COLUMNS if c in lowered), None)
    ids = [str(v) for v in frame[id_column]] if id_column is not None else None
    target = Path(output) if output is not None else _default_output(Path(path))
    rows = [
        [
            str(rank),
            str(s.row + 1),
            ids[s.row] if ids is not None else str(s.row + 1),
            data.texts[s.row],
            s.label,
            s.given,
            s.model,
            f"{s.confidence:.4f}" if s.confidence is not None else "",
            s.kind,
        ]
        for rank, s in enumerate(suspects, 1)
    ]
    write_table(target, HEADER, rows, inputs=[path])
    return AuditReport(
        str(path), str(target), len(data.texts), data.label_names, folds, suspects, thresholds
    )


def _default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.suspects.csv")
