from __future__ import annotations

import pytest

from insight.evaluation import evaluate_tags


def test_hand_computed_table() -> None:
    gold = [{"price": "negative", "service": "positive"}, {"quality": "negative"}, {}]
    predicted = [
        {"price": "positive", "service": "positive"},
        {"service": "negative"},
        {"price": "negative"},
    ]
    m = evaluate_tags(
        gold, predicted, languages=["en", "ru", "en"], labels=["quality", "service", "price"]
    )
    # pairs: tp = (0,price), (0,service); fp = (1,service), (2,price); fn = (1,quality)
    assert m["micro"] == {
        "precision": 0.5,
        "recall": pytest.approx(0.6667),
        "f1": pytest.approx(0.5714),
    }
    assert m["labels"]["quality"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert m["labels"]["service"]["precision"] == 0.5
    assert m["labels"]["price"]["f1"] == pytest.approx(0.6667)
    assert m["polarity_accuracy"] == 0.5  # service right, price wrong
    assert m["by_language"] == {"en": 0.8, "ru": 0.0}  # en: tp 2, fp 1, fn 0; ru: tp 0
    assert m["macro_f1"] == pytest.approx((0 + 0.6667 + 0.6667) / 3, abs=1e-3)


def test_perfect_and_empty_cases() -> None:
    gold = [{"price": "negative"}, {}]
    assert evaluate_tags(gold, gold)["micro"]["f1"] == 1.0
    empty = evaluate_tags([{}, {}], [{}, {}])
    assert empty["micro"]["f1"] == 0.0 and empty["polarity_accuracy"] is None


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="2 gold label sets but 1 predictions"):
        evaluate_tags([{}, {}], [{}])


def test_polarity_is_compared_only_where_both_sides_give_one() -> None:
    gold = [{"price": None, "service": "positive"}, {"price": "negative"}]
    predicted = [{"price": "negative", "service": "positive"}, {"price": None}]
    m = evaluate_tags(gold, predicted)
    assert m["micro"]["f1"] == 1.0  # presence still counts
    assert m["polarity_pairs"] == 1 and m["polarity_accuracy"] == 1.0
    none = evaluate_tags([{"price": None}], [{"price": "negative"}])
    assert none["polarity_pairs"] == 0 and none["polarity_accuracy"] is None
