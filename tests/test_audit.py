from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from insight.audit import HEADER, audit_file, find_suspects, label_probabilities
from insight.errors import InputError, LabelError
from insight.tagger import TagResult
from tests.retraining_data import write_labeled

SMALL = {"min_examples": 2, "cv": 2, "min_df": 1, "n_jobs": 1}
# Planted flips: a price complaint labeled as service praise, a kind agent labeled as a
# price complaint, and "great value" labeled as a price complaint (a polarity flip).
FLIPS = {0: {"service": "positive"}, 30: {"price": "negative"}, 9: {"price": "negative"}}


def test_find_suspects_ranks_confident_disagreements_first() -> None:
    gold: list[dict[str, str | None]] = [{"price": "negative"}, {}, {"price": "positive"}, {}]
    results = [
        TagResult("en", {}, {"price": 0.05}),  # given price, model sure it is absent
        TagResult("en", {"price": ("negative", 0.9)}, {"price": 0.9}),  # price missing
        TagResult("en", {"price": ("negative", 0.8)}, {"price": 0.8}),  # other polarity
        TagResult("en", {}, {"price": 0.1}),  # agrees
    ]
    suspects, thresholds = find_suspects(gold, results, ["price"])
    assert [(s.row, s.given, s.model, s.kind) for s in suspects] == [
        (0, "negative", "absent", "presence"),
        (1, "absent", "negative", "presence"),
        (2, "positive", "negative", "polarity"),
    ]
    assert suspects[0].confidence == pytest.approx(0.95)
    assert suspects[2].confidence is None
    assert thresholds["price"] == {"present": pytest.approx(0.425), "absent": pytest.approx(0.5)}


def test_agreeing_labels_have_no_suspects() -> None:
    gold: list[dict[str, str | None]] = [{"price": "negative"}, {}]
    results = [
        TagResult("en", {"price": ("negative", 0.9)}, {"price": 0.9}),
        TagResult("en", {}, {"price": 0.1}),
    ]
    assert find_suspects(gold, results, ["price"])[0] == []


def _one_label_per_row(seed: int = 0) -> tuple[list[dict[str, str | None]], list[TagResult]]:
    """60 rows, each given exactly one of a and b; the text is only moderately sure."""
    rng = np.random.default_rng(seed)
    gold: list[dict[str, str | None]] = []
    results = []
    for i in range(60):
        label, other = ("a", "b") if i % 2 else ("b", "a")
        gold.append({label: "positive"})
        given, not_given = rng.uniform(0.35, 0.9), rng.uniform(0.05, 0.4)
        results.append(TagResult("en", {}, {label: round(given, 4), other: round(not_given, 4)}))
    return gold, results


def test_a_row_left_without_labels_is_suspect_where_rows_always_have_one() -> None:
    gold, results = _one_label_per_row()
    gold[0] = {}  # its b was dropped; the text alone leans the other way (0.45)
    results[0] = TagResult("en", {}, {"a": 0.05, "b": 0.45})
    suspects, _ = find_suspects(gold, results, ["a", "b"])
    assert [(s.row, s.label, s.given, s.model) for s in suspects[:1]] == [
        (0, "b", "absent", "present")
    ]
    assert suspects[0].confidence is not None and suspects[0].confidence > 0.9


def test_label_probabilities_are_deterministic_and_fall_back_to_the_text() -> None:
    gold, results = _one_label_per_row()
    first = label_probabilities(gold, results, ["a", "b"], folds=3, seed=1)
    np.testing.assert_array_equal(
        first, label_probabilities(gold, results, ["a", "b"], folds=3, seed=1)
    )
    assert first.shape == (60, 2) and ((first >= 0) & (first <= 1)).all()
    rare = [{"c": None} if i < 2 else {} for i in range(60)]  # 2 rows with c: fewer than 3 folds
    text = label_probabilities(rare, results, ["c"], folds=3)
    np.testing.assert_array_equal(text, np.zeros((60, 1)))  # results carry no c: 0, as given


def test_audit_finds_planted_flips(tmp_path: Path) -> None:
    path = write_labeled(tmp_path / "labeled.csv", FLIPS)
    report = audit_file(path, tmp_path / "suspects.csv", folds=4, params=SMALL)
    assert {s.row for s in report.suspects[:4]} == {0, 30}  # both labels of each swap
    assert set(FLIPS) <= {s.row for s in report.suspects}
    assert any(s.row == 9 and s.label == "price" and s.kind == "polarity" for s in report.suspects)
    with open(tmp_path / "suspects.csv", encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert tuple(written[0]) == HEADER
    first = dict(zip(HEADER, written[1], strict=True))
    assert first["rank"] == "1" and first["id"] == str(100 + report.suspects[0].row)
    assert first["given"] != first["model"] and 0.5 < float(first["confidence"]) <= 1.0


def test_audit_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    path = write_labeled(tmp_path / "labeled.csv")
    with pytest.raises(InputError, match="would overwrite the input"):
        audit_file(path, path, folds=2, params=SMALL)


def test_too_many_folds_for_a_rare_label_says_so(tmp_path: Path) -> None:
    path = tmp_path / "labeled.csv"
    path.write_text(
        "comment,price\ntoo dear,negative\ncheap,positive\nok,\nfine,\nexpensive,negative\n"
    )
    with pytest.raises(LabelError, match="fold 1 of 2 cannot be trained"):
        audit_file(path, tmp_path / "s.csv", folds=2, params={"min_examples": 2, "cv": 2})
