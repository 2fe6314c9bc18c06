from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insight.text import (
    _CONTROL,
    MAX_CHARS,
    analyze,
    clauses,
    detect_language,
    latin_guess,
    latin_trigrams,
    normalize,
    tokenize,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sooo SLOW!!!", "soo slow!!"),
        ("Ёлки-палки", "елки-палки"),
        ("call +48 600 700 800 now", "call _phone_ now"),
        ("write to jan.kowalski@mail.pl", "write to _email_"),
        ("see https://example.com/x?y=1 ok", "see _url_ ok"),
        ("paid 1299.99 zł", "paid _num_ zł"),
        ("great 👍🏻❤️", "great 👍❤"),
        ("ｆｕｌｌ ｗｉｄｔｈ", "full width"),
        ("tabs\tand\nnew lines\x00", "tabs and new lines"),
        ("ДОРОГО!!!!!!", "дорого!!"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The courier was rude and late", "en"),
        ("Fast delivery, but the courier was rude.", "en"),
        ("ok", "en"),
        ("Оператор ответил через 40 минут", "ru"),
        ("норм", "ru"),
        ("Приложение Ozon лагает", "ru"),
        ("vse ploho, operator ne otvechaet", "ru"),
        ("Aplikacja ciągle się zawiesza przy płatności.", "pl"),
        ("nie polecam, obsluga tragiczna", "pl"),
        ("Kurier spoznil sie 2 dni", "pl"),
        ("Wszystko ok", "pl"),
        # Short answers without a deciding function word: the letter trigrams decide.
        ("dobry produkt", "pl"),
        ("brak uwag", "pl"),
        ("towar uszkodzony", "pl"),
        ("strona nieczytelna", "pl"),
        ("nothing to add", "en"),
        ("easy to use website", "en"),
        ("spasibo bolshoe", "ru"),
        ("10/10 nothing else to say", "en"),
        ("Das ist sehr gut und nicht teuer", "other"),
        ("Das Essen war lecker", "other"),
        ("Дуже дякую, все працює", "other"),
        ("12345", "other"),
        ("👍👍", "other"),
        ("", "other"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_shipped_trigram_table_is_the_one_the_corpus_builds(tmp_path: Path) -> None:
    """Rebuild it after a corpus change: python -m training.language_table."""
    from training.language_table import OUT, build

    build(out=tmp_path / "table.json")
    assert (tmp_path / "table.json").read_bytes() == OUT.read_bytes()


def test_latin_guess_needs_letters_and_a_clear_lead() -> None:
    assert latin_guess([]) is None
    assert latin_guess(["xq"]) is None  # two trigrams say too little to lead by 2 nats
    assert latin_trigrams(["ok"]) == [" ok", "ok "]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("not bad at all", "en", ["not", "NEG_bad", "NEG_at", "NEG_all"]),
        ("the operators were helpful", "en", ["the", "operator", "be", "helpful"]),
        ("didn't like it, but cheap", "en", ["didn't", "NEG_like", "NEG_it", "cheap"]),
        ("не очень быстро", "ru", ["не", "NEG_очень", "NEG_быстро"]),
        ("операторы грубили", "ru", ["оператор", "грубить"]),
        ("nie polecam", "pl", ["nie", "NEG_polec"]),
        ("obsługa tragiczna", "pl", ["obsług", "tragiczn"]),
        ("wow!", "en", ["wow", "!"]),
    ],
)
def test_analyze_marks_negation_and_base_forms(
    text: str, language: str, expected: list[str]
) -> None:
    assert analyze(text, language) == expected


def test_clauses_split_at_punctuation_and_contrast() -> None:
    tokens = tokenize(normalize("fast delivery, but the courier was rude. ok"))
    assert clauses(tokens) == [["fast", "delivery"], ["the", "courier", "was", "rude"], ["ok"]]


def test_long_input_is_cut_at_the_documented_limit() -> None:
    assert len(normalize("a" * (MAX_CHARS * 3))) <= MAX_CHARS


@given(st.text(max_size=300))
def test_text_processing_never_crashes_on_any_unicode(text: str) -> None:
    normalized = normalize(text)
    assert normalize(normalized) == normalized
    assert detect_language(text) in {"en", "ru", "pl", "other"}
    analyze(text, detect_language(text))


def test_every_character_the_control_pass_removes_is_unprintable() -> None:
    # normalize skips that pass for printable text, which is exact only if this holds
    assert not [c for c in map(chr, range(0x110000)) if _CONTROL.match(c) and c.isprintable()]
