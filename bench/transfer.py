"""The shipped default model, not retrained, on public reviews (`--only transfer`).

Real reviews by people we never wrote for: the nearest thing here to the comments of a company
the corpus has never seen. Their categories are mapped to three of our factors as
`../shared/datasets/README.md` suggests (food -> quality, service -> service, prices -> price);
the other categories have no factor of ours, so their sentences count as comments without
those three factors. Ambience has no factor either, but our guide may call it quality, so a
sentence whose only link to quality is an ambience category is left out of quality's count
("ambience left out"); the strict figure counts it as a false alarm. Polarity: accuracy over
the (sentence, factor) pairs that gold and prediction share, where the gold polarity is one of
ours (`conflict` is `mixed`; `neutral` has no equivalent and is skipped). Polish has no
category-labelled reviews here: its hotel-review sentences, labelled with a sentiment each,
test the polarity of the factors found in them. Two more sets leave the restaurant sentence:
SemEval-2015 hotels (English sentences of another industry, where LOCATION maps to convenience)
and SentiRuEval-2015 (whole Russian restaurant reviews, labelled per review: long comments).
Nothing is tuned on these sets.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"

_SEMEVAL16 = {
    "quality": ("FOOD#QUALITY", "DRINKS#QUALITY", "FOOD#STYLE_OPTIONS", "DRINKS#STYLE_OPTIONS"),
    "service": ("SERVICE#GENERAL",),
    "price": ("FOOD#PRICES", "DRINKS#PRICES", "RESTAURANT#PRICES"),
}
# Hotel categories per the datasets README: rooms, their amenities, facilities, food and the
# hotel's own comfort, cleanliness and design are what the stay delivers (quality); HOTEL#GENERAL
# and MISCELLANEOUS have no factor, as RESTAURANT#GENERAL has none above.
_HOTEL_QUALITY = (
    *(
        f"{entity}#{attribute}"
        for entity in ("ROOMS", "ROOMS_AMENITIES", "FACILITIES", "HOTEL")
        for attribute in ("GENERAL", "QUALITY", "COMFORT", "CLEANLINESS", "DESIGN_FEATURES")
        if not (entity == "HOTEL" and attribute == "GENERAL")
    ),
    "FOOD_DRINKS#QUALITY",
    "FOOD_DRINKS#STYLE_OPTIONS",
)
_SEMEVAL15_HOTELS = {
    "quality": _HOTEL_QUALITY,
    "service": ("SERVICE#GENERAL",),
    "convenience": ("LOCATION#GENERAL",),
    "price": tuple(
        f"{e}#PRICES" for e in ("HOTEL", "ROOMS", "ROOMS_AMENITIES", "FACILITIES", "FOOD_DRINKS")
    ),
}


def read_semeval_xml(source: Path | IO[str]) -> list[dict[str, str]]:
    """Rows of a SemEval-2015/16 sentence file in the canonical CSVs' shape: `comment`, and each
    category with its polarity (`conflict` when its opinions disagree). Sentences marked
    OutOfScope are dropped, as the official evaluation does.

    >>> from io import StringIO
    >>> xml = ('<Reviews><Review><sentences><sentence id="1"><text>Nice room, rude staff.</text>'
    ...        '<Opinions><Opinion category="ROOMS#GENERAL" polarity="positive"/>'
    ...        '<Opinion category="SERVICE#GENERAL" polarity="negative"/></Opinions></sentence>'
    ...        '<sentence id="2" OutOfScope="TRUE"><text>n/a</text></sentence>'
    ...        '</sentences></Review></Reviews>')
    >>> read_semeval_xml(StringIO(xml))
    [{'comment': 'Nice room, rude staff.', 'ROOMS#GENERAL': 'positive', 'SERVICE#GENERAL': 'negative'}]
    """
    from bench.peers import read_category_xml

    texts, labels = read_category_xml(source, "Opinion")
    return [{"comment": text, **found} for text, found in zip(texts, labels, strict=True)]


_SENTIRUEVAL = {"quality": ("Food",), "service": ("Service",), "price": ("Price",)}
_REVIEW_SENTIMENT = {"both": "conflict", "absence": ""}


def read_sentirueval(source: Path | IO[str]) -> list[dict[str, str]]:
    """Whole reviews of SentiRuEval-2015 with their review-level sentiment per category
    (`absence`: not discussed, so empty; `both` is `conflict`).

    >>> from io import StringIO
    >>> xml = ('<reviews><review id="1"><text>Вкусно, но дорого.</text><categories>'
    ...        '<category name="Food" sentiment="positive"/><category name="Price" '
    ...        'sentiment="both"/><category name="Service" sentiment="absence"/>'
    ...        '</categories></review></reviews>')
    >>> read_sentirueval(StringIO(xml))
    [{'comment': 'Вкусно, но дорого.', 'Food': 'positive', 'Price': 'conflict', 'Service': ''}]
    """
    rows = []
    for review in ET.parse(source).iter("review"):
        row = {"comment": review.findtext("text", default="")}
        for category in review.iter("category"):
            sentiment = category.get("sentiment", "")
            row[category.get("name", "")] = _REVIEW_SENTIMENT.get(sentiment, sentiment)
        rows.append(row)
    return rows


def _canonical_test(folder: str) -> list[dict[str, str]]:
    with open(SHARED / folder / "test.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# title: (rows of the test set, category mapping, the category whose sentences quality may
# leave out, or "" for none)
SETS: dict[str, tuple[Callable[[], list[dict[str, str]]], dict[str, tuple[str, ...]], str]] = {
    "SemEval-2014 restaurants": (
        lambda: _canonical_test("semeval2014_restaurants"),
        {"quality": ("food",), "service": ("service",), "price": ("price",)},
        "ambience",
    ),
    "SemEval-2016 restaurants EN": (
        lambda: _canonical_test("semeval2016_restaurants_en"),
        _SEMEVAL16,
        "AMBIENCE#GENERAL",
    ),
    "SemEval-2016 restaurants RU": (
        lambda: _canonical_test("semeval2016_restaurants_ru"),
        _SEMEVAL16,
        "AMBIENCE#GENERAL",
    ),
    "SemEval-2015 hotels (EN)": (
        lambda: read_semeval_xml(SHARED / "semeval2015_hotels" / "ABSA15_Hotels_Test.xml"),
        _SEMEVAL15_HOTELS,
        "",
    ),
    "SentiRuEval-2015 restaurant reviews (RU)": (
        lambda: read_sentirueval(
            SHARED / "sentirueval2015_restaurants" / "SentiRuEval_rest_markup_test.xml"
        ),
        _SENTIRUEVAL,
        "Interior",
    ),
}
_POLARITY = {"positive": "positive", "negative": "negative", "conflict": "mixed"}


def gold_factors(row: dict[str, Any], mapping: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """{factor: polarity} of one test sentence; a factor fed by categories of different
    polarities is `mixed`, one whose only polarity is `neutral` has None.

    >>> gold_factors({"food": "positive", "price": "negative", "service": ""},
    ...              {"quality": ("food",), "price": ("price",), "service": ("service",)})
    {'quality': 'positive', 'price': 'negative'}
    """
    out: dict[str, str | None] = {}
    for factor, columns in mapping.items():
        values = {str(row[c]) for c in columns if row.get(c)}
        if not values:
            continue
        ours = {_POLARITY[v] for v in values if v in _POLARITY}
        out[factor] = ours.pop() if len(ours) == 1 else ("mixed" if ours else None)
    return out


def score_transfer(
    rows: list[dict[str, Any]],
    predicted: list[dict[str, str | None]],
    mapping: dict[str, tuple[str, ...]],
    ambience: str,
) -> dict[str, Any]:
    """Detection (strict and ambience left out) and polarity of predictions on mapped rows."""
    from insight.evaluation import evaluate_tags

    factors = list(mapping)
    gold = [gold_factors(r, mapping) for r in rows]
    mine = [{k: v for k, v in p.items() if k in mapping} for p in predicted]
    strict = evaluate_tags(gold, mine, labels=factors)
    lenient = [
        {
            k: v
            for k, v in p.items()
            if not (k == "quality" and ambience and r.get(ambience) and k not in g)
        }
        for r, g, p in zip(rows, gold, mine, strict=True)
    ]
    kept = evaluate_tags(gold, lenient, labels=factors)
    pairs = [
        (g[k], p[k])
        for g, p in zip(gold, mine, strict=True)
        for k in factors
        if k in g and k in p and g[k] is not None
    ]
    return {
        "sentences": len(rows),
        "micro_f1_strict": strict["micro"]["f1"],
        "micro": kept["micro"],
        "labels": kept["labels"],
        "polarity_accuracy": (
            round(sum(a == b for a, b in pairs) / len(pairs), 4) if pairs else None
        ),
        "polarity_pairs": len(pairs),
    }


# Polish: the only human-labelled Polish reviews here carry a sentiment per sentence, not
# categories (PolEmo 2.0's hotel sentences, via Polish-ASTE); its clearly positive and clearly
# negative sentences test the polarity of whatever factors the model finds in them.
POLISH = "polish_aste_wccrs"
_SENTENCE_POLARITY = {"z_plus_m": "positive", "z_minus_m": "negative"}


def read_wccrs(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(sentence, polarity) of the clearly positive and negative sentences of a WCCRS file.

    >>> read_wccrs(['{"text": "Obsługa miła . __label__z_plus_m"}',
    ...             '{"text": "Hotel w centrum . __label__z_zero"}'])
    [('Obsługa miła .', 'positive')]
    """
    out = []
    for line in lines:
        if line.strip():
            text, _, label = json.loads(line)["text"].rpartition(" __label__")
            if label in _SENTENCE_POLARITY:
                out.append((text, _SENTENCE_POLARITY[label]))
    return out


def score_sentence_polarity(
    gold: list[str], predicted: list[dict[str, str | None]]
) -> dict[str, Any]:
    """How often a factor found in a sentence takes the sentence's own polarity.

    >>> score_sentence_polarity(["positive", "negative", "negative"],
    ...                         [{"service": "positive"}, {"quality": "negative",
    ...                           "price": "mixed"}, {}])
    {'sentences': 3, 'tagged': 0.6667, 'factors': 3, 'factor_polarity_accuracy': 0.6667}
    """
    pairs = [(g, v) for g, p in zip(gold, predicted, strict=True) for v in p.values()]
    return {
        "sentences": len(gold),
        "tagged": round(sum(bool(p) for p in predicted) / len(gold), 4) if gold else None,
        "factors": len(pairs),
        "factor_polarity_accuracy": (
            round(sum(g == v for g, v in pairs) / len(pairs), 4) if pairs else None
        ),
    }


def bench_transfer() -> dict[str, Any]:
    from insight.persistence import load_model

    tagger = load_model(ROOT / "models" / "default")
    out: dict[str, Any] = {}
    for title, (read, mapping, ambience) in SETS.items():
        rows = read()
        results = tagger.predict([r["comment"] for r in rows])
        predicted = [{k: v[0] for k, v in r.tags.items()} for r in results]
        out[title] = score_transfer(rows, predicted, mapping, ambience)
    with open(SHARED / POLISH / "hotels_main_all.jsonl", encoding="utf-8") as handle:
        sentences = read_wccrs(handle)
    results = tagger.predict([text for text, _ in sentences])
    out["polish_sentences"] = score_sentence_polarity(
        [polarity for _, polarity in sentences],
        [{k: v[0] for k, v in r.tags.items()} for r in results],
    )
    return out


def render_transfer(results: dict[str, Any]) -> str:
    lines = [
        "## The default model on public reviews, not retrained\n",
        "Their categories mapped to our factors (`bench/transfer.py`); micro F1 over the mapped "
        "factors, quality's count without texts about ambience (or interior) alone, and the "
        "strict figure that counts them; convenience is mapped for hotels only (LOCATION):\n",
        "| data set | texts | micro P | micro R | micro F1 | strict F1 | quality F1 | "
        "service F1 | convenience F1 | price F1 | polarity acc. |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    polish = results.get("polish_sentences")
    for title, m in results.items():
        if m is polish:
            continue
        f1 = {k: f"{v['f1']:.3f}" for k, v in m["labels"].items()}
        lines.append(
            f"| {title} | {m['sentences']} | {m['micro']['precision']:.3f} | "
            f"{m['micro']['recall']:.3f} | {m['micro']['f1']:.3f} | {m['micro_f1_strict']:.3f} | "
            f"{f1['quality']} | {f1['service']} | {f1.get('convenience', '–')} | {f1['price']} | "
            f"{m['polarity_accuracy']:.3f} |"
        )
    if polish:
        lines += [
            "",
            "Polish hotel-review sentences (PolEmo 2.0 via Polish-ASTE; sentence sentiment, no "
            f"categories): of {polish['sentences']:,} clearly positive or negative sentences, "
            f"{polish['tagged']:.1%} get a factor, and {polish['factor_polarity_accuracy']:.1%} "
            f"of the {polish['factors']:,} factors found take the sentence's polarity.",
        ]
    return "\n".join(lines) + "\n"
