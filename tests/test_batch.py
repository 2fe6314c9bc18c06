from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insight.batch import added_columns, nps_group, tag_dataframe, tag_export
from insight.errors import InputError
from insight.tagger import Tagger

EXPORT = [
    ["response_id", "submitted_at", "score", "comment", "channel"],
    ["0001", "2026-05-01 08:00:00", "9", "Lovely staff, fair prices", "app"],
    ["0002", "2026-05-02 09:00:00", "2", "Too expensive and the operator was rude", "web"],
    ["0003", "2026-05-03 10:00:00", "", "", "store"],
    ["0004", "2026-05-04 11:00:00", "n/a", 'Multi-line\ncomment, with "quotes"', "app"],
]


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_every_row_and_cell_survives(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = write(tmp_path / "export.csv", EXPORT)
    summary = tag_export(source, model=tiny_model_dir, jobs=1)
    out = read(tmp_path / "export.tagged.csv")
    assert summary.rows_read == summary.rows_written == 4
    assert [row[:5] for row in out] == EXPORT
    header = out[0]
    assert header[5:] == added_columns(["service", "price"], EXPORT[0])  # taxonomy order
    assert header[5:7] == ["lang", "nps_group"]
    body = {row[0]: dict(zip(header, row, strict=True)) for row in out[1:]}
    assert body["0001"]["nps_group"] == "promoter" and body["0002"]["nps_group"] == "detractor"
    assert body["0003"]["tags"] == "" and body["0003"]["lang"] == ""
    assert (
        summary.empty_comments == 1 and summary.missing_scores == 1 and summary.invalid_scores == 1
    )
    signs = {"positive": "+", "negative": "-", "mixed": "±"}
    for row in body.values():  # the compact column says what the label columns say
        expected = [f"{k}{signs[row[k]]}" for k in ("service", "price") if row[k]]
        assert row["tags"] == ", ".join(expected)
        assert all(
            0 <= float(row[f"{k}_probability"]) <= 1 for k in ("service", "price") if row["lang"]
        )


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".xlsx", ".parquet"])
def test_round_trip_through_every_output_format(
    tmp_path: Path, tiny_model_dir: Path, suffix: str
) -> None:
    source = write(tmp_path / "export.csv", EXPORT)
    target = tmp_path / f"out{suffix}"
    tag_export(source, target, model=tiny_model_dir, jobs=1)
    again = tmp_path / f"again{suffix}"
    summary = tag_export(target, again, model=tiny_model_dir, jobs=1, text_column="comment")
    assert summary.rows_read == 4
    frame = pd.read_excel(target, dtype=str).fillna("") if suffix == ".xlsx" else None
    if frame is not None:
        assert frame["response_id"].tolist() == ["0001", "0002", "0003", "0004"]


def test_parallel_workers_give_the_same_output(tmp_path: Path, tiny_model_dir: Path) -> None:
    rows = [EXPORT[0]] + [
        [f"{i:05d}", "d", str(i % 11), f"rude staff {i}", "app"] for i in range(1, 120)
    ]
    source = write(tmp_path / "export.csv", rows)
    from insight import exports

    chunk = exports.CHUNK_ROWS
    exports.CHUNK_ROWS = 10
    try:
        tag_export(source, tmp_path / "one.csv", model=tiny_model_dir, jobs=1)
        tag_export(source, tmp_path / "two.csv", model=tiny_model_dir, jobs=2)
    finally:
        exports.CHUNK_ROWS = chunk
    assert read(tmp_path / "one.csv") == read(tmp_path / "two.csv")


def test_refuses_to_overwrite_its_input(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = write(tmp_path / "export.csv", EXPORT)
    with pytest.raises(InputError, match="would overwrite the input"):
        tag_export(source, source, model=tiny_model_dir)


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        ([["id", "x"]], {}, "no comment column found; the columns are"),
        ([["id", "comment"]], {}, "has a header but no rows"),
        ([["id", "comment"], ["1", "a"]], {"text_column": "nope"}, "no column named 'nope'"),
    ],
)
def test_error_paths(
    tmp_path: Path,
    tiny_model_dir: Path,
    rows: list[list[str]],
    kwargs: dict[str, str],
    message: str,
) -> None:
    source = write(tmp_path / "e.csv", rows)
    with pytest.raises(InputError, match=message):
        tag_export(source, tmp_path / "o.csv", model=tiny_model_dir, jobs=1, **kwargs)
    assert not (tmp_path / "o.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".o.csv")] == []


def test_strict_stops_at_the_first_bad_row(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,comment\n1,fine\n2,too,many\n")
    with pytest.raises(InputError, match="line 3: 3 fields, expected 2"):
        tag_export(source, tmp_path / "o.csv", model=tiny_model_dir, jobs=1, strict=True)
    assert not (tmp_path / "o.csv").exists()
    summary = tag_export(source, tmp_path / "o.csv", model=tiny_model_dir, jobs=1)
    assert summary.rows_written == 2 and summary.parse_problems == 1
    assert summary.problems[0].message == "line 3: 3 fields, expected 2"


def test_interrupted_run_leaves_no_output(tmp_path: Path, tiny_model_dir: Path) -> None:
    rows = [["id", "comment"]] + [
        [str(i), f"rude staff and high prices {i}"] for i in range(200_000)
    ]
    source = write(tmp_path / "big.csv", rows)
    target = tmp_path / "big.tagged.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "insight.cli",
            "tag",
            str(source),
            "-o",
            str(target),
            "--model",
            str(tiny_model_dir),
            "--jobs",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    process.stderr.readline()  # the "columns" line: reading has started
    os.kill(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    process.stderr.close()
    assert process.returncode != 0
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


def test_nps_groups() -> None:
    assert [nps_group(s)[0] for s in ["0", "6", "7", "8", "9", "10", " 9 "]] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
        "promoter",
    ]
    assert [nps_group(s)[1] for s in ["", "n/a", "11", "7.5", "-1"]] == [
        "missing",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]


def test_tag_dataframe_keeps_index_and_rows(tiny_model_dir: Path) -> None:
    frame = pd.DataFrame(
        {"comment": ["rude staff", None, "cheap"], "score": [2, None, 10]}, index=[5, 7, 9]
    )
    tagged = tag_dataframe(frame, model=tiny_model_dir)
    assert list(tagged.index) == [5, 7, 9]
    assert tagged["nps_group"].tolist() == ["detractor", "", "promoter"]
    assert tagged.loc[7, "tags"] == ""


def test_a_csat_column_is_not_read_as_the_nps_answer(tiny_model_dir: Path) -> None:
    frame = pd.DataFrame({"comment": ["rude staff", "cheap"], "csat": [1, 5]})
    tagged = tag_dataframe(frame, model=tiny_model_dir)
    assert tagged["nps_group"].tolist() == ["", ""]  # 5 of 5 is not a detractor


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=30
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=15),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_hypothesis_csvs_keep_every_row_and_cell(
    tmp_path_factory: pytest.TempPathFactory,
    tiny_tagger: Tagger,
    rows: list[tuple[str, str, str]],
    delimiter: str,
) -> None:
    directory = tmp_path_factory.mktemp("h")
    header = ["id", "comment", "note"]
    body = [[f"{i:03d}", a, b + c] for i, (a, b, c) in enumerate(rows)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL).writerows([header, *body])
    source = directory / "in.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    from insight import persistence

    model = directory / "m"
    persistence.save_model(tiny_tagger, model)
    tag_export(source, directory / "out.csv", model=model, jobs=1, text_column="comment")
    out = read(directory / "out.csv")
    assert [row[:3] for row in out] == [header, *body]


def test_summary_renders(tmp_path: Path, tiny_model_dir: Path) -> None:
    summary = tag_export(write(tmp_path / "e.csv", EXPORT), model=tiny_model_dir, jobs=1)
    text = summary.render()
    assert "rows read 4, written 4" in text and "empty comments 1" in text
    json.dumps(summary.languages)
