"""The shipped corpus and sample export keep the promises of their dataset card."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from insight.checks import CANONICAL_COLUMNS, check_labeled_file
from training.corpus import (
    CORPUS,
    DATA,
    agreement,
    pair_agreement,
    read_rows,
    rule_counts,
    unmet_targets,
)
from training.splits import assign_splits

EXPORT = DATA / "examples" / "nps_export.csv"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return check_labeled_file(CORPUS, canonical=True)


def test_validator_passes_on_the_shipped_corpus(report) -> None:  # type: ignore[no-untyped-def]
    assert report.ok, report.render()
    assert report.label_columns == ["quality", "service", "convenience", "price", "emotion"]


def test_corpus_meets_every_figure_of_its_card(report) -> None:  # type: ignore[no-untyped-def]
    assert unmet_targets(report, rule_counts()) == []


def test_splits_are_about_70_15_15(report) -> None:  # type: ignore[no-untyped-def]
    shares = {k: v / report.rows for k, v in report.counts["rows_by_split"].items()}
    assert shares["train"] == pytest.approx(0.70, abs=0.01)
    assert shares["dev"] == pytest.approx(0.15, abs=0.01)
    assert shares["test"] == pytest.approx(0.15, abs=0.01)


def test_split_assignment_is_deterministic_and_stratified() -> None:
    strata = ["en|10000"] * 100 + ["ru|01000"] * 20
    first, second = assign_splits(strata, seed=1), assign_splits(strata, seed=1)
    assert first == second
    assert first[:100].count("train") == 70 and first[100:].count("test") == 3


def test_every_boundary_rule_id_names_a_corpus_row() -> None:
    ids = {r["id"] for r in read_rows(CORPUS)}
    rules = list(read_rows(DATA / "boundary_rules.csv"))
    assert rules and all(r["id"] in ids for r in rules)


def test_sample_export_is_shaped_like_a_survey_tool_export() -> None:
    rows = list(read_rows(EXPORT))
    assert len(rows) >= 3_000
    assert list(rows[0]) == [
        "response_id",
        "submitted_at",
        "score",
        "comment",
        "channel",
        "region",
        "plan",
    ]
    months = {r["submitted_at"][:7] for r in rows}
    assert len(months) >= 6
    assert sum(not r["comment"].strip() for r in rows) > 100
    assert sum("\n" in r["comment"] for r in rows) > 10
    malformed = [
        r["score"] for r in rows if not (r["score"].strip().isdigit() and int(r["score"]) <= 10)
    ]
    assert 5 <= len(malformed) <= 50
    assert any(r["response_id"].startswith("0") for r in rows)


def test_corpus_header_is_canonical() -> None:
    with open(CORPUS, encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(CANONICAL_COLUMNS)


def test_agreement_reads_an_annotation_record(tmp_path: Path) -> None:
    record = tmp_path / "record.csv"
    record.write_text(
        "id,annotation,quality,service,convenience,price,emotion\n"
        "a,writer,negative,,,,\n"
        "a,second,negative,,,,\n"
        "b,writer,,positive,,,\n"
        "b,second,,negative,,,\n"
        "b,adjudicated,,negative,,,\n"
        "c,writer,,,,,\n"
        "c,second,,,,positive,\n"
        "c,adjudicated,,,,,\n",
        encoding="utf-8",
    )
    found = agreement(record)
    assert found["rows"] == 3
    assert found["rows_differing"] == 2
    assert found["adjudicated_as"] == {"second": 1, "writer": 1}
    factors = found["factors"]
    assert isinstance(factors, dict)
    assert factors["quality"] == {"kappa": 1.0, "polarity": 1.0}
    assert factors["service"]["polarity"] == 0.0  # both saw service, with opposite polarity
    # writer pairs {a-quality, b-service}, second {a-quality, b-service, c-price}: 2*2/(2+3)
    assert found["micro_f1"] == 0.8


def test_pair_agreement_is_micro_f1_of_presence_and_polarity_where_both_tag() -> None:
    def labels(**cells: str) -> dict[str, str]:
        return {
            f: cells.get(f, "") for f in ("quality", "service", "convenience", "price", "emotion")
        }

    pairs = [
        (labels(quality="positive"), labels(quality="negative")),
        (labels(service="positive"), labels(service="positive", convenience="positive")),
    ]
    found = pair_agreement(pairs)
    assert (found["rows"], found["micro_f1"], found["rows_differing"]) == (2, 0.8, 2)
    assert found["factors"]["quality"]["polarity"] == 0.0  # one of the two shared pairs agrees
    assert found["factors"]["service"]["polarity"] == 1.0
