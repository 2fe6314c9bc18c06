from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from insight.errors import InputError
from insight.exports import (
    detect_delimiter,
    detect_encoding,
    find_column,
    open_export,
    require_text_column,
)

ROWS = [
    ["id", "Komentarz", "Ocena"],
    ["007", "Obsługa świetna, ale drogo", "9"],
    ["010", "Доставка опоздала; курьер грубил", "2"],
    ["011", 'He said "fine", then left\nwith my parcel', "5"],
]


def write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_all(path: Path, **kwargs: object) -> tuple[list[str], list[list[str]]]:
    reader = open_export(path, **kwargs)  # type: ignore[arg-type]
    return reader.header, [row for chunk in reader.chunks for row in chunk.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251"])
def test_russian_text_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    rows = [
        ["id", "отзыв"],
        ["1", "Оператор грубил, доставка опоздала на неделю"],
        ["2", "Всё отлично"],
    ]
    header, body = read_all(write_csv(tmp_path / "x.csv", rows, encoding))
    assert [header, *body] == rows


@pytest.mark.parametrize("encoding", ["utf-8", "cp1250", "iso-8859-2", "utf-16"])
def test_polish_text_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    rows = [["id", "uwagi"], ["1", "Zażółć gęślą jaźń, obsługa świetna"], ["2", "Kurier spóźniony"]]
    header, body = read_all(write_csv(tmp_path / "x.csv", rows, encoding))
    assert [header, *body] == rows


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    header, body = read_all(write_csv(tmp_path / "x.txt", ROWS, delimiter=delimiter))
    assert [header, *body] == ROWS


def test_ragged_rows_and_nul_bytes_keep_every_value(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,comment,score\n1,fine,9\n2,too,many,fields,3\n3\n4,nul\x00here,5\n")
    reader = open_export(path)
    chunks = list(reader.chunks)
    rows = [row for chunk in chunks for row in chunk.rows]
    assert rows == [
        ["1", "fine", "9"],
        ["2", "too", "many,fields,3"],
        ["3", "", ""],
        ["4", "nulhere", "5"],
    ]
    assert sorted(m for c in chunks for m in c.problems.values()) == [
        "line 3: 5 fields, expected 3",
        "line 4: 1 fields, expected 3",
    ]


def test_encoding_detection_prefers_the_right_code_page() -> None:
    assert detect_encoding("Оператор грубил".encode("cp1251")) == "cp1251"
    assert detect_encoding("Zażółć gęślą jaźń".encode("cp1250")) == "cp1250"
    assert detect_encoding(codecs.BOM_UTF8 + b"x") == "utf-8-sig"
    assert detect_encoding(b"plain") == "utf-8"


def test_delimiter_detection_ignores_commas_inside_text() -> None:
    assert detect_delimiter('id;comment\n1;"a, b, c"\n2;"d, e"\n') == ";"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Response ID", "Comment", "NPS"], "Comment"),
        (
            ["id", "What is the main reason for your score?"],
            "What is the main reason for your score?",
        ),
        (["id", "Комментарий клиента"], "Комментарий клиента"),
        (["id", "nothing useful"], None),
    ],
)
def test_text_column_detection(header: list[str], expected: str | None) -> None:
    from insight.exports import TEXT_HEADERS

    assert find_column(header, TEXT_HEADERS, None) == expected


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "x.csv", "the file is empty"),
        (b"a,b\n", "x.doc", "unknown format '.doc'"),
        (b"\xff\xfe\xfa", "x.jsonl", "cannot be decoded as utf-16"),
        (b"not json\n", "x.jsonl", "line 1 is not JSON"),
    ],
)
def test_clear_errors(tmp_path: Path, content: bytes, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_all(path)


def test_require_text_column_finds_it_or_lists_the_columns() -> None:
    assert require_text_column(["id", "Komentarz"], None, "e.csv") == "Komentarz"
    with pytest.raises(
        InputError,
        match=r"e.csv: no comment column found; the columns are \['id', 'x'\]; "
        "name one with --text-col",
    ):
        require_text_column(["id", "x"], None, "e.csv")
    with pytest.raises(InputError, match=r"^no comment column found; .*; pass text_column=$"):
        require_text_column(["id", "x"], None, fix="pass text_column=")
