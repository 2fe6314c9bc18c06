"""The retraining commands end to end through the CLI: suggest, audit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from insight.cli import main
from tests.retraining_data import write_labeled


def test_suggest_command(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text("comment\nrude staff\ncheap\n\ntoo expensive\nrude staff\n")
    out = tmp_path / "next.csv"
    assert (
        main(["suggest", str(export), "--model", str(tiny_model_dir), "-n", "2", "-o", str(out)])
        == 0
    )
    assert "2 of 3 candidates chosen" in capsys.readouterr().out
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and len({r["comment"] for r in rows}) == 2
    assert main(["suggest", str(export), "--model", str(tiny_model_dir)]) == 0
    assert (tmp_path / "export.to_label.csv").is_file()
    assert main(["suggest", str(export), "--model", str(tiny_model_dir), "-n", "0"]) == 2


def test_audit_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_labeled(tmp_path / "labeled.csv", {0: {"service": "positive"}}, copies=2)
    assert main(["audit", str(path), "--folds", "3"]) == 0
    printed = capsys.readouterr().out
    assert "3-fold out-of-fold predictions" in printed and "#1 row 1" in printed
    assert (tmp_path / "labeled.suspects.csv").is_file()
