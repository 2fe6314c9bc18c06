"""A consolidation pass: checked files, scope, blind review and the relabelled corpus."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from training.consolidate import (
    labels_before,
    labels_before_passes,
    parse_scopes,
    probe_report,
    read_checked,
    record_rows,
    relabelled,
    transitions,
)
from training.wave import WaveError, disagreements, final_labels

FACTORS = ("quality", "service", "convenience", "price", "emotion")
COLUMNS = ("id", "lang", "industry", "score", "comment", *FACTORS)


def _row(id_: str, comment: str, **labels: str) -> dict[str, str]:
    cells = {f: labels.get(f, "") for f in FACTORS}
    return {
        "id": id_,
        "lang": "en",
        "industry": "cafe",
        "score": "8",
        "comment": comment,
        **cells,
        "split": "train",
    }


CORPUS = [
    _row("en-0001", "Pricey, but I keep coming back", price="mixed", emotion="positive"),
    _row("en-0002", "Pricey but worth every penny", price="mixed"),
    _row("en-0003", "Dr Lee is a great dentist", service="positive"),
]


def _write(path: Path, rows: list[dict[str, str]], extra: tuple[str, ...] = ()) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, (*COLUMNS, *extra), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _pass(tmp_path: Path, checked: dict[str, list[dict[str, str]]]) -> Path:
    for name, rows in checked.items():
        ids = {r["id"] for r in rows}
        _write(tmp_path / "cand" / f"{name}.csv", [r for r in CORPUS if r["id"] in ids])
        _write(tmp_path / "checked" / f"{name}.csv", rows, ("note",))
    return tmp_path


def test_scopes_name_real_factors() -> None:
    assert parse_scopes(["t4=price, emotion"]) == {"t4": frozenset({"price", "emotion"})}
    with pytest.raises(WaveError, match="factors from"):
        parse_scopes(["t4=cost"])


def test_a_change_outside_the_scope_is_named_by_file_row_and_column(tmp_path: Path) -> None:
    changed = {**CORPUS[0], "price": "negative", "quality": "positive"}
    directory = _pass(tmp_path, {"t4_en1": [changed, CORPUS[1]]})
    with pytest.raises(WaveError, match=r"t4_en1.csv, row 2, column 'quality'"):
        read_checked(directory, parse_scopes(["t4=price,emotion"]), CORPUS)


def test_only_the_reviewers_choice_reaches_the_corpus(tmp_path: Path) -> None:
    directory = _pass(
        tmp_path,
        {
            "t4_en1": [{**CORPUS[0], "price": "negative"}, CORPUS[1]],
            "t6_en1": [{**CORPUS[2], "quality": "positive", "service": ""}],
        },
    )
    rows, proposed = read_checked(
        directory, parse_scopes(["t4=price,emotion", "t6=quality,service"]), CORPUS
    )
    assert transitions(rows, proposed) == {
        "price mixed->negative": 1,
        "quality -->positive": 1,
        "service positive->-": 1,
    }
    todo = disagreements(rows, proposed)
    assert [r["key"] for r in todo] == ["en-0001", "en-0003"]
    # The reviewer takes the proposal for the dentist and keeps the price as it was.
    choices = {}
    for row in todo:
        proposal = "quality: positive" if row["key"] == "en-0003" else "price: negative"
        wants_proposal = row["key"] == "en-0003"
        side = "a" if (proposal in row["a"]) == wants_proposal else "b"
        choices[row["key"]] = (side, ("",) * 5)
    final, sides = final_labels(rows, proposed, choices)
    assert sides == {"second": 1, "writer": 1}
    after = relabelled(CORPUS, final)
    assert [(r["price"], r["quality"], r["service"]) for r in after] == [
        ("mixed", "", ""),
        ("mixed", "", ""),
        ("", "positive", ""),
    ]
    assert [r["split"] for r in after] == ["train"] * 3
    record = record_rows(rows, proposed, final)
    assert [(r["id"], r["annotation"]) for r in record][:3] == [
        ("en-0001", "before"),
        ("en-0001", "proposed"),
        ("en-0001", "final"),
    ]
    assert len(record) == 6


def test_the_labels_before_the_pass_come_back_for_measuring() -> None:
    frame = pd.DataFrame(CORPUS)
    frame.loc[0, "price"] = "negative"
    record = [
        {"id": "en-0001", "annotation": "before", **{f: CORPUS[0][f] for f in FACTORS}},
        {"id": "en-0001", "annotation": "final", **{f: "" for f in FACTORS}},
    ]
    restored = labels_before(frame, labels_before_passes([record]))
    assert restored["price"].tolist() == ["mixed", "mixed", ""]
    assert frame.loc[0, "price"] == "negative"


def test_a_row_relabelled_since_the_cut_is_named_not_overwritten(tmp_path: Path) -> None:
    directory = _pass(tmp_path, {"t4_en1": [{**CORPUS[1], "price": "positive"}]})
    moved = [CORPUS[0], {**CORPUS[1], "price": "negative"}, CORPUS[2]]
    with pytest.raises(WaveError, match=r"row 2, column 'price': the corpus has 'negative'"):
        read_checked(directory, parse_scopes(["t4=price"]), moved)
    # A factor the checker left alone, or one outside the scope, is kept as the corpus has it.
    unchanged = _pass(tmp_path / "kept", {"t4_en1": [CORPUS[1]]})
    _, proposed = read_checked(unchanged, parse_scopes(["t4=price"]), moved)
    assert proposed["en-0002"][3] == "negative"
    elsewhere = [CORPUS[0], {**CORPUS[1], "emotion": "positive"}, CORPUS[2]]
    _, proposed = read_checked(directory, parse_scopes(["t4=price"]), elsewhere)
    assert proposed["en-0002"] == ("", "", "", "positive", "positive")


def test_the_probe_compares_each_guide_s_annotators_and_the_labels_before_and_after() -> None:
    empty = dict.fromkeys(FACTORS, "")
    price = {**empty, "price": "negative"}
    mixed = {**empty, "price": "mixed"}
    probe = [
        {"id": "en-0001", "relabelled": "1", "guide": g, "annotator": a, **labels}
        for g, a, labels in (
            ("after", "1", price),
            ("after", "2", price),
            ("before", "1", mixed),
            ("before", "2", price),
        )
    ]
    report = probe_report(probe, {"en-0001": mixed}, {"en-0001": price})
    after = report["guide after, relabelled"]
    assert after["annotators"]["labels_f1"] == 1.0
    assert after["vs labels after"]["rows_same"] == 1.0
    assert after["vs labels before"]["labels_f1"] == 0.0
    assert report["guide before, relabelled"]["annotators"]["rows_same"] == 0.0
    assert report["guide before, all"]["vs labels before"]["rows_same"] == 0.5
    assert "guide after, left alone" not in report  # no such rows in this probe


def test_the_probe_reports_a_third_group_of_annotators_too() -> None:
    empty = dict.fromkeys(FACTORS, "")
    price = {**empty, "price": "negative"}
    probe = [
        {"id": "en-0001", "relabelled": "0", "guide": g, "annotator": a, **price}
        for g in ("after", "before", "taxonomy")
        for a in ("1", "2")
    ]
    report = probe_report(probe, {"en-0001": price}, {"en-0001": price})
    assert list(report)[:2] == ["guide after, left alone", "guide after, all"]
    assert report["guide taxonomy, left alone"]["annotators"]["rows_same"] == 1.0
