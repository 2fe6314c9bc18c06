"""Landing a corpus wave: staging, blind files, agreement, adjudication and new corpus rows."""

from __future__ import annotations

import pytest

from training.wave import (
    WaveError,
    annotation_record,
    blind_parts,
    disagreements,
    final_labels,
    landed_already,
    new_corpus_rows,
    stage,
    validate_writer_rows,
)


def _row(comment: str, lang: str = "en", **labels: str) -> dict[str, str]:
    cells = {
        f: labels.get(f, "") for f in ("quality", "service", "convenience", "price", "emotion")
    }
    return {"lang": lang, "industry": "bagel_shop", "score": "9", "comment": comment, **cells}


PARTS = {
    "en_a": [
        _row("The sesame bagels were stale by noon", quality="negative"),
        _row("ok"),
        _row("Lovely girl at the till, remembered my order", service="positive"),
    ],
    "en_b": [
        _row("lovely girl at the till remembered my order!!", service="positive"),
        _row("Queue out the door every Saturday", convenience="negative"),
    ],
}


def test_staging_drops_rows_the_corpus_or_an_earlier_writer_already_has() -> None:
    kept, dropped = stage(PARTS, ["OK", "Prices went up again"])
    assert [r["key"] for r in kept] == ["en_a-001", "en_a-003", "en_b-002"]
    reasons = {r["key"]: r["reason"] for r in dropped}
    assert reasons == {
        "en_a-002": "same text as corpus row",
        "en_b-001": "same text as wave row en_a-003",
    }


def test_writer_rows_with_bad_cells_are_named_by_file_row_and_column() -> None:
    bad = [_row("fine", lang="ru", quality="good"), {**_row(" "), "score": "11"}]
    problems = validate_writer_rows("en_a", bad)
    assert problems == [
        "out/en_a.csv, row 2, column 'lang': 'ru', expected 'en'",
        "out/en_a.csv, row 2, column 'quality': 'good' is not one of "
        "['positive', 'negative', 'mixed'] or empty",
        "out/en_a.csv, row 3, column 'score': '11' is not 0-10",
        "out/en_a.csv, row 3, column 'comment': empty; write it or drop the row",
    ]


def test_blind_parts_hold_every_row_once_without_labels() -> None:
    staged, _ = stage(PARTS, [])
    files = blind_parts(staged, parts=2, seed=3)
    assert set(files) <= {"en_a_1", "en_a_2", "en_b_1", "en_b_2"}
    keys = [r["key"] for rows in files.values() for r in rows]
    assert sorted(keys) == sorted(r["key"] for r in staged)
    assert all(r["quality"] == r["service"] == "" for rows in files.values() for r in rows)
    assert blind_parts(staged, parts=2, seed=3) == files
    fewer = blind_parts([r for r in staged if r["key"] != "en_a-001"], parts=2, seed=3)
    for name, rows in fewer.items():  # dropping a row moves no other row
        assert rows == [r for r in files[name] if r["key"] != "en_a-001"]


FACTORS = ("quality", "service", "convenience", "price", "emotion")


def _shown(labels: tuple[str, ...]) -> str:
    return "; ".join(f"{f}: {v}" for f, v in zip(FACTORS, labels, strict=True) if v) or "(none)"


def test_a_choice_takes_the_labels_shown_on_that_side() -> None:
    staged, _ = stage({"en_a": PARTS["en_a"]}, [])
    second = {r["key"]: ("", "", "", "", "") for r in staged}
    shown = {r["key"]: r for r in disagreements(staged, second)}
    assert sorted(shown) == ["en_a-001", "en_a-003"]  # "ok" has no factor in both
    for choice in ("a", "b"):
        picks = {key: (choice, ("",) * 5) for key in shown}
        final, sides = final_labels(staged, second, picks)
        assert all(_shown(final[key]) == row[choice] for key, row in shown.items())
        assert sum(sides.values()) == 2
    third = {key: ("other", ("", "", "", "", "mixed")) for key in shown}
    final, sides = final_labels(staged, second, third)
    assert sides == {"other": 2} and final["en_a-001"] == ("", "", "", "", "mixed")


def test_a_disagreement_without_adjudication_is_an_error() -> None:
    staged, _ = stage({"en_a": PARTS["en_a"]}, [])
    second = {r["key"]: ("", "", "", "", "") for r in staged}
    with pytest.raises(WaveError, match="en_a-001 differs"):
        final_labels(staged, second, {})


def test_new_rows_continue_each_languages_ids_and_record_both_annotations() -> None:
    staged, _ = stage(
        {"en_a": PARTS["en_a"], "ru_a": [_row("Дорого", lang="ru", price="negative")]}, []
    )
    second = {r["key"]: tuple(r[f] for f in FACTORS) for r in staged}
    second["en_a-001"] = ("mixed", "", "", "", "")
    final, _ = final_labels(staged, second, {"en_a-001": ("other", ("negative", "", "", "", ""))})
    existing = [{"id": "en-0041"}, {"id": "ru-0007"}]
    rows = new_corpus_rows(staged, final, existing, seed=1)
    assert [r["id"] for r in rows] == ["en-0042", "en-0043", "en-0044", "ru-0008"]
    assert {r["split"] for r in rows} <= {"train", "dev", "test"}
    record = annotation_record(rows, {r["key"]: r for r in staged}, second)
    kinds = [(r["id"], r["annotation"]) for r in record if r["id"] == "en-0042"]
    assert kinds == [("en-0042", "writer"), ("en-0042", "second"), ("en-0042", "adjudicated")]
    assert len(record) == 2 * len(rows) + 1


def test_a_wave_is_never_appended_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    staged, _ = stage({"en_a": PARTS["en_a"]}, [])
    record = tmp_path / "wave99.csv"
    assert landed_already(staged, [{"comment": "something else"}], record) is None
    again = landed_already(staged, [{"comment": staged[0]["comment"]}], record)
    assert again is not None and "already in the corpus" in again
    record.write_text("id\n")
    assert "already landed" in (landed_already(staged, [], record) or "")
