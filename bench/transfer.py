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
test the polarity of the factors found in them. Nothing is tuned on these sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"

_SEMEVAL16 = {
    "quality": ("FOOD#QUALITY", "DRINKS#QUALITY", "FOOD#STYLE_OPTIONS", "DRINKS#STYLE_OPTIONS"),
    "service": ("SERVICE#GENERAL",),
    "price": ("FOOD#PRICES", "DRINKS#PRICES", "RESTAURANT#PRICES"),
}
SETS: dict[str, tuple[str, dict[str, tuple[str, ...]], str]] = {
    "SemEval-2014 restaurants": (
        "semeval2014_restaurants",
        {"quality": ("food",), "service": ("service",), "price": ("price",)},
        "ambience",
    ),
    "SemEval-2016 restaurants EN": ("semeval2016_restaurants_en", _SEMEVAL16, "AMBIENCE#GENERAL"),
    "SemEval-2016 restaurants RU": ("semeval2016_restaurants_ru", _SEMEVAL16, "AMBIENCE#GENERAL"),
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
        {k: v for k, v in p.items() if not (k == "quality" and r.get(ambience) and k not in g)}
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
    import csv

    from insight.persistence import load_model

    tagger = load_model(ROOT / "models" / "default")
    out: dict[str, Any] = {}
    for title, (folder, mapping, ambience) in SETS.items():
        with open(SHARED / folder / "test.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
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
        "## The default model on public restaurant reviews, not retrained\n",
        "Their categories mapped to quality, service and price (`bench/transfer.py`); micro F1 over "
        "those three factors, quality's count without sentences about ambience alone, and the "
        "strict figure that counts them:\n",
        "| data set | sentences | micro P | micro R | micro F1 | strict F1 | quality F1 | "
        "service F1 | price F1 | polarity acc. |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    polish = results.get("polish_sentences")
    for title, m in results.items():
        if m is polish:
            continue
        f1 = {k: v["f1"] for k, v in m["labels"].items()}
        lines.append(
            f"| {title} | {m['sentences']} | {m['micro']['precision']:.3f} | "
            f"{m['micro']['recall']:.3f} | {m['micro']['f1']:.3f} | {m['micro_f1_strict']:.3f} | "
            f"{f1['quality']:.3f} | {f1['service']:.3f} | {f1['price']:.3f} | "
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
