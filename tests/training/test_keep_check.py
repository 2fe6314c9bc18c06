"""The keep check compares fits without and with new rows on rows neither fit saw."""

from __future__ import annotations

from pathlib import Path

from insight.labeled import read_labeled
from training.keep_check import compare

TINY = {"min_examples": 3, "cv": 3, "min_df": 1}


def test_held_out_rows_are_removed_from_both_fits_and_scored(tiny_path: Path) -> None:
    data = read_labeled(tiny_path)
    ids = [str(i) for i in range(1, len(data.texts) + 1)]
    held = {"x": {"19", "20", "21"}}  # two train rows and one test row
    results = compare(data, ids, new={"1", "11"}, held=held, params=TINY)
    assert [r["set"] for r in results] == ["wave x held out"]  # the tiny file has no dev split
    assert results[0]["rows"] == 3
    assert 0.0 <= results[0]["micro_without"] <= 1.0
    assert 0.0 <= results[0]["micro_with"] <= 1.0
