"""Which labels of a labeled file are probably wrong: `insight audit`.

Every row is tagged by a `Tagger` fitted on the other folds (out-of-fold predictions), so
the model's view of a row never comes from having seen its label. Then, in the spirit of
confident learning (Northcutt, Jiang and Chuang, 2021), each label is a two-class problem
(present / absent) with a per-class threshold: the mean probability the model gives that
class on the rows labeled with it. A row is suspect for a label when the model's
probability of the *other* class reaches that class's threshold and beats the given one;
suspects are ranked by how little the model believes the given label (its
self-confidence), lowest first. Polarity disagreements (the model finds the label but
reads the other polarity) follow, ranked by the detection probability: the polarity model
gives no probability of its own, so their confidence cell is empty.

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
from sklearn.model_selection import KFold

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
    confidence: float | None  # the model's probability of its own view (presence only)
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


def find_suspects(
    gold: Sequence[dict[str, str | None]],
    results: Sequence[TagResult],
    labels: Sequence[str],
) -> tuple[list[Suspect], dict[str, dict[str, float]]]:
    """Rank the (row, label) pairs whose given label the out-of-fold model disputes.

    Pure function of the gold labels and the out-of-fold results; returns the suspects,
    best first, and each label's confident-learning thresholds {present, absent}.
    """
    presence: list[tuple[float, int, Suspect]] = []
    polarity: list[tuple[float, int, Suspect]] = []
    thresholds: dict[str, dict[str, float]] = {}
    for label in labels:
        p = np.array([r.probabilities.get(label, 0.0) for r in results])
        given = np.array([label in g for g in gold])
        t_present = float(p[given].mean()) if given.any() else 1.0
        t_absent = float((1 - p[~given]).mean()) if (~given).any() else 1.0
        thresholds[label] = {"present": round(t_present, 4), "absent": round(t_absent, 4)}
        for i, (probability, is_given) in enumerate(zip(p, given, strict=True)):
            own, other = (
                (probability, 1 - probability) if is_given else (1 - probability, probability)
            )
            other_threshold = t_absent if is_given else t_present
            if other >= other_threshold and other > own:
                view = _view(results[i], label) if not is_given else ABSENT
                suspect = Suspect(
                    i, label, _given(gold[i], label), view, round(float(other), 4), "presence"
                )
                presence.append((float(own), i, suspect))
            elif is_given and label in results[i].tags:
                said, found = gold[i][label], results[i].tags[label][0]
                if said is not None and found is not None and said != found:
                    suspect = Suspect(i, label, said, found, None, "polarity")
                    polarity.append((-float(probability), i, suspect))
    presence.sort(key=lambda item: (item[0], item[1], labels.index(item[2].label)))
    polarity.sort(key=lambda item: (item[0], item[1], labels.index(item[2].label)))
    return [s for _, _, s in presence] + [s for _, _, s in polarity], thresholds


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
    suspects, thresholds = find_suspects(data.labels, results, data.label_names)
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
