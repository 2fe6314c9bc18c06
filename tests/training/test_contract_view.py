"""The contract view: two taxonomy-only readers against the corpus labels and the model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from insight.tagger import Tagger
from training.contract_view import contract_report, read_view, view_report
from training.wave import WaveError

FACTORS = ("quality", "service", "convenience", "price", "emotion")


def _row(id_: str, reader: str, **labels: str) -> dict[str, str]:
    return {"id": id_, "reader": reader, **{f: labels.get(f, "") for f in FACTORS}}


VIEW = [
    _row("a", "1", price="negative"),
    _row("b", "1", service="positive", emotion="positive"),
    _row("a", "2", price="negative"),
    _row("b", "2", service="positive"),
]


def test_read_view_keeps_each_readers_labels() -> None:
    readers = read_view(VIEW)
    assert readers["1"]["b"] == {"service": "positive", "emotion": "positive"}
    assert readers["2"]["a"] == {"price": "negative"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (VIEW[:3], "two readers of the same comments"),
        ([*VIEW, _row("a", "1")], "labels a twice"),
        ([*VIEW, _row("a", "3"), _row("b", "3")], "two readers"),
    ],
)
def test_read_view_refuses_an_uneven_view(rows: list[dict[str, str]], message: str) -> None:
    with pytest.raises(WaveError, match=message):
        read_view(rows)


def test_report_compares_each_label_set_with_both_readers() -> None:
    readers = read_view(VIEW)
    corpus = {"a": {"price": "negative"}, "b": {"service": "positive", "emotion": "positive"}}
    model = {"a": {"price": "negative", "quality": "negative"}, "b": {"service": "positive"}}
    report = view_report(readers, corpus, model, {"a": "en", "b": "pl"})
    # Reader 1 has 3 labels, reader 2 has 2, two shared: F1 = 2*2/5.
    assert report["readers (one against the other)"]["micro_f1"] == 0.8
    # Pooled: the corpus matches reader 1 fully and gives reader 2 one extra (emotion).
    corpus_view = report["corpus labels against the readers"]
    assert corpus_view["rows"] == 4
    assert corpus_view["recall"] == 1.0 and corpus_view["precision"] == 0.8333
    # Only comment "a" has both readers agreeing; the model adds quality there.
    agreed = report["model where the readers agree"]
    assert agreed["rows"] == 1
    assert agreed["precision"] == 0.5 and agreed["labels"]["quality"] == 0.0
    assert report["model against the readers"]["by_language"]["pl"] == pytest.approx(0.8, abs=1e-4)


def test_contract_report_names_comments_missing_from_the_corpus(tmp_path: Path) -> None:
    view = tmp_path / "view.csv"
    with view.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "reader", *FACTORS])
        writer.writeheader()
        writer.writerows([_row("zz-0001", "1"), _row("zz-0001", "2", price="negative")])
    with pytest.raises(WaveError, match=r"ids not in .*zz-0001"):
        contract_report(Tagger(), view)  # refused before the model is asked anything
