"""Warm start (`train --base`) and the learning curve (`train --learning-curve`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insight import workflow
from insight.cli import main
from insight.errors import InputError, LabelError
from insight.labeled import LabeledData, read_labeled
from insight.learning_curve import learning_curve, render_curve
from insight.persistence import load_model
from insight.tagger import Tagger
from insight.workflow import fit_with_base, read_base, train_from_file
from tests.retraining_data import write_labeled

SMALL = {"min_examples": 2, "min_df": 1, "n_jobs": 1}

COMPANY = """id,comment,price,delivery
1,too expensive,negative,
2,prices are too high,negative,
3,cheap and good,positive,
4,great value,positive,
5,parcel came late,,negative
6,courier was two days late,,negative
7,parcel arrived fast,,positive
8,quick delivery,,positive
9,ok,,
10,nothing,,
11,expensive and late parcel,negative,negative
12,fast and cheap,positive,positive
"""


@pytest.fixture()
def company(tmp_path: Path) -> Path:
    path = tmp_path / "company.csv"
    path.write_text(COMPANY, encoding="utf-8")
    return path


def test_base_teaches_shared_labels_and_keeps_own_labels_to_company_rows(
    company: Path, tmp_path: Path
) -> None:
    base = write_labeled(tmp_path / "base.csv")
    # Without the naive-Bayes scaling: on 12 rows it makes chance character overlaps
    # ("are" in "prices are too high") strong enough to blur what the base rows teach.
    params = {**SMALL, "nb_smoothing": None}
    card = train_from_file(company, tmp_path / "m", cv=2, base=base, params=params)
    info = card["training"]["base"]
    assert info["company_rows"] == 12 and info["base_rows"] == 38
    assert info["company_weight"] == pytest.approx(38 / 12 / 2, abs=1e-4)
    assert info["labels_from_base_and_company"] == ["price"]
    assert info["labels_from_company_only"] == ["delivery"]
    assert card["labels"] == ["price", "delivery"]
    # "outrageous" and "fees" occur only in the base rows: the price detector learned them.
    phrase = ["the fees are outrageous"]
    with_base = load_model(tmp_path / "m").predict(phrase)[0]
    assert "price" in with_base.tags and "delivery" not in with_base.tags
    train_from_file(company, tmp_path / "alone", cv=2, params=params)
    alone = load_model(tmp_path / "alone").predict(phrase)[0]
    assert with_base.probabilities["price"] > alone.probabilities["price"] + 0.1


def test_presence_only_company_labels_take_the_base_without_polarity(tmp_path: Path) -> None:
    data = read_labeled(write_labeled(tmp_path / "base.csv"))
    presence = LabeledData(
        "<company>",
        "comment",
        ["price"],
        data.texts[:20],
        [{k: None for k in g if k == "price"} for g in data.labels[:20]],
    )
    tagger, _ = fit_with_base(presence, data, cv=2, params=SMALL)
    assert tagger.polarities_ == {"price": []}


def test_no_label_in_common_is_refused(tmp_path: Path) -> None:
    base = read_labeled(write_labeled(tmp_path / "base.csv"))
    other = LabeledData("<c>", "comment", ["delivery"], ["late", "fast"], [{"delivery": "x"}, {}])
    with pytest.raises(LabelError, match="none of the labels \\['delivery'\\] is in the base"):
        fit_with_base(other, base, params=SMALL)


def test_missing_bundled_corpus_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(workflow, "DEFAULT_CORPUS", tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match="--base default needs the bundled corpus"):
        read_base("default")


def test_default_base_is_the_corpus_without_its_test_rows() -> None:
    base = read_base("default")
    assert base.splits is not None and "test" not in base.splits and len(base.texts) > 1_000


def test_learning_curve_grows_and_never_scores_training_rows(tmp_path: Path) -> None:
    data = read_labeled(write_labeled(tmp_path / "l.csv", copies=2))
    seen: list[set[str]] = []

    def fit(rows: LabeledData) -> Tagger:
        seen.append(set(rows.texts))
        return Tagger(cv=2, **SMALL).fit(rows.texts, rows.labels)  # type: ignore[arg-type]

    split = LabeledData(
        data.source,
        data.text_column,
        data.label_names,
        [f"{t} #{i}" for i, t in enumerate(data.texts)],  # every row its own text
        data.labels,
        splits=["test" if i % 4 == 0 else "train" for i in range(len(data.texts))],
    )
    test_texts = {t for t, s in zip(split.texts, split.splits or [], strict=True) if s == "test"}
    points = learning_curve(split, fit, fractions=(0.05, 0.5, 1.0))
    assert "skipped" in points[0] and "label" in points[0]["skipped"]
    assert [p["rows"] for p in points[1:]] == [29, 57]
    assert all(p["evaluated_on"] == "19 rows (the test split)" for p in points[1:])
    assert all(not (texts & test_texts) for texts in seen)
    assert "scored on 19 rows (the test split)" in render_curve(points)

    folds = learning_curve(data, fit, fractions=(1.0,), folds=3)
    assert folds[0]["evaluated_on"] == "76 rows (3-fold cross-validation)"
    assert 0.5 < folds[0]["micro"]["f1"] <= 1.0


def test_train_command_with_base_and_learning_curve(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_labeled(tmp_path / "base.csv")
    out = tmp_path / "m"
    args = ["train", str(company), "--out", str(out), "--cv", "2", "--base", str(base)]
    assert main([*args, "--base-weight", "3"]) == 2  # min_examples 10 > 6 delivery rows
    assert "'delivery' has 6 comments with it" in capsys.readouterr().err
    assert not out.exists()
    card = train_from_file(
        company, out, cv=2, base=base, base_weight=3.0, learning_curve=True, params=SMALL
    )
    assert card["training"]["base"]["company_weight"] == 3.0
    curve = card["training"]["learning_curve"]
    assert [p["fraction"] for p in curve] == [0.1, 0.25, 0.5, 0.75, 1.0]
    assert "skipped" in curve[0] and "micro" in curve[-1]
    stored = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert stored["training"]["learning_curve"] == curve
