"""The public-review transfer figures: category mapping and the ambience rule."""

import doctest
from pathlib import Path

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


def test_opinions_of_one_category_that_disagree_make_it_conflict(tmp_path: Path) -> None:
    path = tmp_path / "hotels.xml"
    path.write_text(
        '<Reviews><Review><sentences><sentence id="1"><text>Room big, bed awful.</text><Opinions>'
        '<Opinion category="ROOMS#COMFORT" polarity="positive"/>'
        '<Opinion category="ROOMS#COMFORT" polarity="negative"/>'
        "</Opinions></sentence></sentences></Review></Reviews>",
        encoding="utf-8",
    )
    rows = transfer.read_semeval_xml(path)
    assert rows == [{"comment": "Room big, bed awful.", "ROOMS#COMFORT": "conflict"}]
    assert gold_factors(rows[0], {"quality": ("ROOMS#COMFORT",)}) == {"quality": "mixed"}


def test_without_an_ambience_category_quality_false_alarms_count_in_both_figures() -> None:
    rows = [{"LOCATION#GENERAL": "positive"}]
    predicted: list[dict[str, str | None]] = [{"quality": "positive", "convenience": "positive"}]
    mapping = {"quality": ("ROOMS#GENERAL",), "convenience": ("LOCATION#GENERAL",)}
    m = score_transfer(rows, predicted, mapping, "")
    assert m["micro"]["precision"] == 0.5
    assert m["micro_f1_strict"] == m["micro"]["f1"]


def test_every_hotel_category_feeds_at_most_one_factor() -> None:
    _, mapping, _ = transfer.SETS["SemEval-2015 hotels (EN)"]
    categories = [c for columns in mapping.values() for c in columns]
    assert len(categories) == len(set(categories))
    assert "HOTEL#GENERAL" not in categories
