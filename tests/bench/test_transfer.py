"""The public-review transfer figures: category mapping and the ambience rule."""

import doctest

from bench import transfer
from bench.transfer import gold_factors, score_transfer

MAPPING = {"quality": ("food",), "service": ("service",), "price": ("price",)}


def test_doctests() -> None:
    assert doctest.testmod(transfer, raise_on_error=False).failed == 0


def test_conflict_is_mixed_and_neutral_has_no_polarity() -> None:
    assert gold_factors({"food": "conflict", "service": "neutral"}, MAPPING) == {
        "quality": "mixed",
        "service": None,
    }


def test_categories_of_opposite_polarity_make_a_mixed_factor() -> None:
    row = {"A#QUALITY": "positive", "B#QUALITY": "negative"}
    assert gold_factors(row, {"quality": ("A#QUALITY", "B#QUALITY")}) == {"quality": "mixed"}


def test_quality_on_an_ambience_sentence_counts_only_in_the_strict_figure() -> None:
    rows = [
        {"food": "positive", "ambience": "", "service": "", "price": ""},
        {"food": "", "ambience": "positive", "service": "", "price": ""},
    ]
    predicted: list[dict[str, str | None]] = [{"quality": "positive"}, {"quality": "positive"}]
    m = score_transfer(rows, predicted, MAPPING, "ambience")
    assert m["micro"]["precision"] == 1.0
    assert m["micro_f1_strict"] < 1.0
    assert m["polarity_accuracy"] == 1.0


def test_neutral_gold_pairs_are_left_out_of_polarity() -> None:
    rows = [{"food": "neutral", "ambience": "", "service": "negative", "price": ""}]
    predicted: list[dict[str, str | None]] = [{"quality": "positive", "service": "positive"}]
    m = score_transfer(rows, predicted, MAPPING, "ambience")
    assert m["polarity_pairs"] == 1
    assert m["polarity_accuracy"] == 0.0


def test_polish_sentences_keep_only_clear_polarity_and_strip_the_label() -> None:
    lines = [
        '{"text": "Pokój brudny . __label__z_minus_m"}',
        '{"text": "Śniadanie ok , ale drogo . __label__z_amb"}',
        "",
    ]
    assert transfer.read_wccrs(lines) == [("Pokój brudny .", "negative")]


def test_a_mixed_factor_in_a_clear_sentence_counts_as_wrong() -> None:
    m = transfer.score_sentence_polarity(["negative"], [{"quality": "mixed"}])
    assert m["factor_polarity_accuracy"] == 0.0
    assert m["tagged"] == 1.0
