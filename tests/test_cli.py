from __future__ import annotations

import json
from pathlib import Path

import pytest

from insight.cli import main


def test_train_then_evaluate_and_classify(
    tiny_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    rows = tiny_path.read_text().splitlines()
    few = tmp_path / "few.csv"
    few.write_text("\n".join(rows[:13]) + "\n")  # 6 price and 6 service examples
    assert main(["train", str(few), "--out", str(out), "--cv", "3"]) == 2
    assert "has 6 comments with it; at least 10 with and 10 without" in capsys.readouterr().err
    assert not out.exists()
    csv = tmp_path / "bigger.csv"
    body = [f"{i}{line[line.index(',') :]}" for i, line in enumerate(rows[1:] * 3, 1)]
    csv.write_text("\n".join([rows[0], *body]) + "\n")
    assert main(["train", str(csv), "--out", str(out), "--cv", "3"]) == 0
    printed = capsys.readouterr().out
    assert "cross-validated on" in printed and "held out (split = test" in printed
    assert main(["train", str(csv), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err

    assert main(["evaluate", str(csv), "--model", str(out), "--json", "--split", "test"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert {"n", "micro", "macro_f1", "labels", "polarity_accuracy", "by_language"} <= set(metrics)
    assert metrics["n"] == 12 and set(metrics["micro"]) == {"precision", "recall", "f1"}

    assert main(["classify", "--model", str(out), "--json", "rude staff", "way too expensive"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["rude staff", "way too expensive"]
    assert all({"lang", "tags"} <= set(line) for line in lines)


def test_errors_are_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", str(tmp_path / "missing.csv"), "--model", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("insight: error:") and "Traceback" not in err and err.count("\n") == 1


def test_classify_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Курьер нахамил\nall good\n"))
    assert main(["classify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("[ru]")


def test_check_reports_problems_with_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("id,comment,price\n1,too dear,negative\n2,cheap,positive\n3,ok,\n")
    assert main(["check", str(good)]) == 0
    assert "3 rows, labels ['price'], 0 errors" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,comment,price\n1,too dear,negative\n1, ,positive\n3,ok,\n")
    assert main(["check", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    messages = {(p["row"], p["column"]) for p in report["problems"]}
    assert (2, "id") in messages and (2, "comment") in messages


def test_evaluate_scores_the_labels_a_file_has(
    tiny_path: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import csv

    with open(tiny_path, encoding="utf-8", newline="") as h:
        rows = list(csv.DictReader(h))
    path = tmp_path / "prices.csv"
    path.write_text(
        "Comment,Price\n" + "".join(f'"{r["comment"]}",{r["price"]}\n' for r in rows),
        encoding="utf-8",
    )
    assert main(["evaluate", str(path), "--model", str(tiny_model_dir), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert list(metrics["labels"]) == ["price"]
    assert metrics["labels"]["price"]["support"] == sum(bool(r["price"]) for r in rows)
    assert "no columns for ['service']" in caplog.text
