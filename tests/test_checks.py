from __future__ import annotations

from pathlib import Path

import pandas as pd

from insight.checks import CANONICAL_COLUMNS, check_labeled_file, check_labeled_frame


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(CANONICAL_COLUMNS, "")
    row.update({"lang": "en", "industry": "bank", "score": "5", "split": "train"}, **values)
    return row


def test_errors_name_row_and_column() -> None:
    frame = pd.DataFrame(
        [
            _row(id="a", comment="Fees are too high", price="negative"),
            _row(id="a", comment="  ", service="great"),
            _row(id="b", comment="Slow app", score="11", split="holdout", lang="de"),
        ]
    )
    messages = [
        p.render("c.csv") for p in check_labeled_frame(frame, source="c.csv", canonical=True).errors
    ]
    assert (
        "c.csv, row 2, column 'comment': empty comment: write the comment or drop the row"
        in messages
    )
    assert "c.csv, row 2, column 'id': duplicate id 'a' (first at row 1)" in messages
    assert any(
        m.startswith("c.csv, row 2, column 'service': 'great' is not one of") for m in messages
    )
    assert "c.csv, row 3, column 'score': '11' is not a whole number from 0 to 10" in messages
    assert any("row 3, column 'split'" in m for m in messages)
    assert any("row 3, column 'lang'" in m for m in messages)


def test_near_duplicates_are_counted_and_limited() -> None:
    texts = [
        "the courier was late again and again today",
        "The courier was late again and again today!",
        "price went up",
        "love the staff",
    ]
    frame = pd.DataFrame({"comment": texts, "price": ["", "", "negative", ""]})
    report = check_labeled_frame(frame, max_near_duplicate_share=0.5)
    assert report.near_duplicate_rows == 1 and report.ok
    assert not check_labeled_frame(frame, max_near_duplicate_share=0.1).ok


def test_shingle_near_duplicates_are_found() -> None:
    a = "the courier was late again and the soup was cold when it came"
    b = "the courier was late again and the soup was cold when it came lol"
    report = check_labeled_frame(
        pd.DataFrame({"comment": [a, b], "price": ["negative", ""]}), max_near_duplicate_share=1.0
    )
    assert report.near_duplicate_rows == 1


def test_tiny_fixture_passes(tiny_path: Path) -> None:
    assert check_labeled_file(tiny_path).ok
