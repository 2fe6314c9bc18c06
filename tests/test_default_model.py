"""The bundled default model on comments whose tags no annotator would dispute.

The table was written from the taxonomy before looking at the model's output; a failure here is
a real defect of the model, not of the test.
"""

from __future__ import annotations

import pytest

from insight.tagger import Tagger

CLEAR: list[tuple[str, dict[str, str]]] = [
    # English
    ("The operator was rude and hung up on me.", {"service": "negative"}),
    ("Way too expensive for what you get.", {"price": "negative"}),
    ("Delivery took two weeks.", {"convenience": "negative"}),
    ("The app crashes every time I try to pay.", {"quality": "negative"}),
    ("Great prices, cheapest in town.", {"price": "positive"}),
    ("The staff were so friendly and helpful.", {"service": "positive"}),
    ("I love you guys! ❤️", {"emotion": "positive"}),
    ("Never again. Switching to another provider.", {"emotion": "negative"}),
    ("n/a", {}),
    ("ok", {}),
    ("The food was delicious and fresh.", {"quality": "positive"}),
    ("Checkout is quick and easy.", {"convenience": "positive"}),
    ("The support agent solved my problem in five minutes, very patient.", {"service": "positive"}),
    ("Hidden fees everywhere, I was charged twice.", {"price": "negative"}),
    ("Booking online took thirty seconds.", {"convenience": "positive"}),
    ("The shoes fell apart after a week.", {"quality": "negative"}),
    # Russian
    ("Оператор нахамил и бросил трубку.", {"service": "negative"}),
    ("Очень дорого, цены завышены.", {"price": "negative"}),
    ("Доставка опоздала на неделю.", {"convenience": "negative"}),
    ("Приложение постоянно вылетает при оплате.", {"quality": "negative"}),
    ("Вежливые и внимательные сотрудники, всё объяснили.", {"service": "positive"}),
    ("Спасибо вам огромное! ❤️", {"emotion": "positive"}),
    ("Ухожу к конкурентам.", {"emotion": "negative"}),
    ("нет", {}),
    ("Цены низкие, всё дёшево.", {"price": "positive"}),
    ("Интернет постоянно пропадает, связь ужасная.", {"quality": "negative"}),
    ("Оператор быстро помог, очень вежливый.", {"service": "positive"}),
    ("Очередь на кассе минут сорок.", {"convenience": "negative"}),
    ("Товар пришёл бракованный, экран разбит.", {"quality": "negative"}),
    ("Спасибо, всё отлично!", {"emotion": "positive"}),
    # Polish
    ("Konsultant był niemiły i arogancki.", {"service": "negative"}),
    ("Za drogo, ceny z kosmosu.", {"price": "negative"}),
    ("Kurier spóźnił się trzy dni.", {"convenience": "negative"}),
    ("Aplikacja ciągle się zawiesza przy płatności.", {"quality": "negative"}),
    ("Bardzo miła i pomocna obsługa.", {"service": "positive"}),
    ("Dziękuję bardzo! ❤️", {"emotion": "positive"}),
    ("Nigdy więcej, rezygnuję z waszych usług.", {"emotion": "negative"}),
    ("brak uwag", {}),
    ("Tanio i uczciwe ceny.", {"price": "positive"}),
    ("Zamówienie przyszło szybko, dostawa na drugi dzień.", {"convenience": "positive"}),
    ("Jakość produktów świetna, wszystko świeże.", {"quality": "positive"}),
    ("Długo czekałem na infolinii, nikt nie odbierał.", {"service": "negative"}),
    ("Opłaty za przelewy są za wysokie.", {"price": "negative"}),
    ("Polecam wszystkim!", {"emotion": "positive"}),
    # Plain everyday words in the three languages: added after the wave-8 model was found
    # missing several of them on real restaurant reviews ("обслуживание" untagged).
    ("Terrible customer service.", {"service": "negative"}),
    ("Great service but expensive.", {"service": "positive", "price": "negative"}),
    ("Poor quality, broke after two days.", {"quality": "negative"}),
    ("Fast delivery.", {"convenience": "positive"}),
    ("Good value for money.", {"price": "positive"}),
    ("Rude staff.", {"service": "negative"}),
    ("Обслуживание ужасное.", {"service": "negative"}),
    ("Хорошее обслуживание.", {"service": "positive"}),
    ("Качество товара отличное.", {"quality": "positive"}),
    ("Доставка быстрая.", {"convenience": "positive"}),
    ("Цены высокие.", {"price": "negative"}),
    ("Вежливый персонал, но долгая доставка.", {"service": "positive", "convenience": "negative"}),
    ("Obsługa klienta tragiczna.", {"service": "negative"}),
    ("Dobra obsługa.", {"service": "positive"}),
    ("Słaba jakość.", {"quality": "negative"}),
    ("Szybka dostawa.", {"convenience": "positive"}),
    ("Ceny za wysokie.", {"price": "negative"}),
    ("Miła obsługa, ale drogo.", {"service": "positive", "price": "negative"}),
]


# Known misses of the current default model, kept in the table so they stay visible: each is
# strict, so the day the model gets one right the test fails and the mark must be removed.
KNOWN_MISSES = {
    "Długo czekałem na infolinii, nikt nie odbierał.": (
        "adds convenience to waiting for a person (p=0.88, threshold 0.39; rule R1: service only)"
    ),
    "Спасибо вам огромное! ❤️": (
        "adds service: positive at p=0.386 against a threshold of 0.35, to thanks with no "
        "person named (ruling D19: thanks to the company or to nobody is emotion alone; a miss "
        "since the model built after the thirty-second wave and the second consolidation pass, "
        "p=0.392 against 0.39; the model before them gave p=0.319 against 0.34)"
    ),
    "Miła obsługa, ale drogo.": (
        "price comes out mixed instead of negative: the polarity model reads the second clause "
        "after praise as a trade-off, since clauses drop the 'ale' and with it which side of it "
        "the price was said on (a miss since the fourteenth-wave model)"
    ),
    "Great service but expensive.": (
        "price comes out mixed instead of negative, the Polish miss above in English (a miss "
        "since the twenty-third-wave model): clauses drop the 'but', so the features cannot tell "
        "'X but expensive' (the corpus: mostly negative) from 'expensive but X' (mostly mixed)"
    ),
}
CASES = [
    pytest.param(c, e, id=c[:40], marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[c]))
    if c in KNOWN_MISSES
    else pytest.param(c, e, id=c[:40])
    for c, e in CLEAR
]


@pytest.mark.parametrize(("comment", "expected"), CASES)
def test_tags_clear_cases(default_tagger: Tagger, comment: str, expected: dict[str, str]) -> None:
    assert default_tagger.predict([comment])[0].polarities == expected


def test_languages_are_reported(default_tagger: Tagger) -> None:
    texts = ["The courier was late", "Курьер опоздал", "Kurier się spóźnił"]
    results = default_tagger.predict(texts)
    assert [r.language for r in results] == ["en", "ru", "pl"]


def test_megabyte_comment_is_cut_not_crashed(default_tagger: Tagger) -> None:
    huge = "The courier was rude. " * 50_000  # about a megabyte
    result = default_tagger.predict([huge])[0]
    assert result.language == "en"
    assert set(result.tags) <= set(default_tagger.labels_)


def test_card_holds_test_split_metrics(default_tagger: Tagger) -> None:
    card = default_tagger.card_
    assert card["heldout_metrics"]["n"] > 1_000
    assert card["training"]["rows_used"] == "train + dev splits"


@pytest.mark.parametrize(
    "comment",
    ["Курьер нахамил, но доставка быстрая", "Fast delivery, but the courier was rude."],
)
def test_polarity_comes_from_the_clause_about_the_label(
    default_tagger: Tagger, comment: str
) -> None:
    """Regression: the positive delivery clause once decided the courier's service polarity."""
    tags = default_tagger.predict([comment])[0].polarities
    assert tags == {"service": "negative", "convenience": "positive"}
