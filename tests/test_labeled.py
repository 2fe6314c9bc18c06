from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insight.errors import InputError, LabelError
from insight.labeled import (
    detect_label_columns,
    labeled_from_frame,
    read_for_model,
    read_labeled,
)


def test_reads_the_canonical_layout(tiny_path: Path) -> None:
    data = read_labeled(tiny_path)
    assert data.text_column == "comment"
    assert data.label_names == ["price", "service"]
    assert data.labels[8] == {"price": "negative", "service": "negative"}
    assert data.splits is not None and data.splits[-1] == "test"


def test_label_columns_are_found_and_metadata_is_not() -> None:
    frame = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "score": ["9", "3", "5"],
            "text": ["a", "b", "c"],
            "channel": ["web", "app", "web"],
            "price": ["", "neg", "pos"],
            "delivery": ["1", "0", "0"],
        }
    )
    assert detect_label_columns(frame, "text") == ["price", "delivery"]
    data = labeled_from_frame(frame)
    assert data.labels == [{"delivery": None}, {"price": "negative"}, {"price": "positive"}]
    assert data.scores == ["9", "3", "5"]


def test_bad_polarity_names_row_and_column() -> None:
    frame = pd.DataFrame({"comment": ["a", "b"], "price": ["negative", "very bad!"]})
    with pytest.raises(LabelError, match=r"row 2, column 'price': 'very bad!' is not a polarity"):
        labeled_from_frame(frame, labels=["price"], source="x.csv")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"words": ["a"], "price": ["negative"]}), "no comment column found among"),
        (
            pd.DataFrame({"comment": ["a"], "note": ["long free text here"]}),
            "no label columns found",
        ),
    ],
)
def test_clear_errors_for_unusable_tables(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(InputError, match=message):
        labeled_from_frame(frame, source="x.csv")


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_labeled(tmp_path / "nope.csv")
    (tmp_path / "x.doc").write_text("hi")
    with pytest.raises(InputError, match=r"unknown format '\.doc'"):
        read_labeled(tmp_path / "x.doc")


def test_labeled_files_share_the_export_reader(tmp_path: Path) -> None:
    path = tmp_path / "ru.csv"
    path.write_bytes("id;отзыв;price\n1;Очень дорого;negative\n2;Норм;\n".encode("cp1251"))
    data = read_labeled(path)
    assert data.texts == ["Очень дорого", "Норм"] and data.labels == [{"price": "negative"}, {}]


def test_a_shifted_row_in_a_labeled_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,comment,price\n1,too dear,negative\n2,cheap, really,positive\n")
    with pytest.raises(InputError, match="line 3: 4 fields, expected 3"):
        read_labeled(path)


def test_columns_match_a_models_labels_whatever_their_case(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Comment, Price ,SERVICE\ntoo dear,negative,\nrude,,negative\n")
    data = read_for_model(path, ["service", "price"])
    assert data.label_names == ["service", "price"]
    assert data.labels == [{"price": "negative"}, {"service": "negative"}]


def test_a_file_with_some_of_the_labels_is_read_only_when_partial(tmp_path: Path) -> None:
    path = tmp_path / "some.csv"
    path.write_text("comment,price\ntoo dear,negative\nfine,\n")
    with pytest.raises(InputError, match=r"missing \['service'\], unknown \[\]"):
        read_for_model(path, ["service", "price"])
    assert read_for_model(path, ["service", "price"], partial=True).label_names == ["price"]
    misspelt = tmp_path / "misspelt.csv"
    misspelt.write_text("comment,prize\ntoo dear,negative\nfine,\n")
    with pytest.raises(InputError, match=r"unknown \['prize'\]"):
        read_for_model(misspelt, ["service", "price"], partial=True)
