from __future__ import annotations

import json
from pathlib import Path

import pytest

from insight.cli import main
from insight.diff import check_same_labels, compare_predictions, diff_models, paired_bootstrap
from insight.errors import LabelError
from insight.labeled import LabeledData, read_labeled
from insight.persistence import save_model
from insight.tagger import Tagger

GOLD: list[dict[str, str | None]] = [
    {"price": "negative"},
    {"service": "positive"},
    {},
    {"price": "positive", "service": "negative"},
]


def _data() -> LabeledData:
    texts = ["too dear", "lovely staff", "ok", "cheap but rude"]
    return LabeledData("<test>", "comment", ["price", "service"], texts, GOLD)


def test_identical_predictions_change_nothing() -> None:
    result = compare_predictions(_data(), GOLD, GOLD, ["price", "service"], n_boot=200)
    for entry in [*result["labels"].values(), result["micro"]]:
        assert entry["f1_change"] == {"delta": 0.0, "low": 0.0, "high": 0.0, "significant": False}
    assert result["changed"] == 0 and result["examples"] == []


def test_a_lost_label_is_a_worse_example_and_a_negative_change() -> None:
    new = [{}, {"service": "positive"}, {}, {"price": "positive", "service": "negative"}]
    result = compare_predictions(_data(), GOLD, new, ["price", "service"], n_boot=200)
    assert result["labels"]["price"]["f1_change"]["delta"] == pytest.approx(2 / 3 - 1, abs=1e-4)
    assert result["labels"]["service"]["f1_change"]["delta"] == 0.0
    assert result["micro"]["new"]["recall"] == 0.75
    assert result["examples"] == [
        {
            "row": 1,
            "text": "too dear",
            "old": "price-",
            "new": "",
            "gold": "price-",
            "verdict": "worse",
        }
    ]


def test_bootstrap_is_paired_and_seeded() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    old = rng.integers(0, 2, size=(50, 2, 3))
    new = old.copy()
    new[:10, :, 0], new[:10, :, 2] = 0, 1  # ten comments lose their true positives
    a = paired_bootstrap(old, new, n_boot=300, seed=1)
    b = paired_bootstrap(old, new, n_boot=300, seed=1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    point, low, high = a
    assert (point <= 0).all() and (low <= point).all() and (point <= high).all()
    assert high[-1] < 0  # the micro F1 drop is clear


def test_mismatched_label_sets_name_both_sides() -> None:
    with pytest.raises(LabelError, match=r"only in OLD \['emotion'\], only in NEW \['delivery'\]"):
        check_same_labels(["price", "emotion"], ["price", "delivery"])
    check_same_labels(["price", "service"], ["service", "price"])  # order does not matter


def test_a_model_against_itself_reports_no_change(tiny_model_dir: Path, tiny_path: Path) -> None:
    result = diff_models(tiny_model_dir, tiny_model_dir, tiny_path, split="test", n_boot=100)
    assert result["n"] == 4 and result["changed"] == 0
    assert result["micro"]["f1_change"]["delta"] == 0.0
    assert result["micro"]["old"] == result["micro"]["new"]


def test_diff_refuses_models_with_other_labels(
    tiny_model_dir: Path, tiny_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = read_labeled(tiny_path, labels=["price"])
    price_only = Tagger(min_examples=3, cv=3, min_df=1).fit(data.texts, data.labels)
    save_model(price_only, tmp_path / "price")
    code = main(["diff", str(tiny_model_dir), str(tmp_path / "price"), str(tiny_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "only in OLD ['service'], only in NEW []" in err and "Traceback" not in err


def test_diff_cli_prints_json(
    tiny_model_dir: Path, tiny_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", str(tiny_model_dir), str(tiny_model_dir), str(tiny_path), "--split", "test"]
    assert main([*args, "--json", "--fail-on-regression"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["labels"]) == {"service", "price"} and result["changed"] == 0
    assert main(args) == 0
    assert "0 comments changed tags" in capsys.readouterr().out
