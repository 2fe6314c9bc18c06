"""Metrics over (comment, label) pairs, per label and per language, as SemEval computes them.

Detection is scored as micro precision/recall/F1 over the set of (comment, label) pairs;
polarity accuracy is measured over the pairs that both the gold labels and the prediction
contain, so that it says how often the polarity is right once the label is found.

>>> m = evaluate_tags([{"price": "negative"}, {}], [{"price": "positive"}, {"service": "negative"}])
>>> m["micro"]["precision"], m["polarity_accuracy"]
(0.5, 0.0)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

TagMap = Mapping[str, str | None]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def evaluate_tags(
    gold: Sequence[TagMap],
    predicted: Sequence[TagMap],
    languages: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Compare gold and predicted {label: polarity} per comment; return a JSON-ready dict.

    Keys: ``n``, ``micro`` {precision, recall, f1}, ``macro_f1``, ``labels`` {name:
    {precision, recall, f1, support}}, ``polarity_accuracy`` (over the pairs where both
    sides give a polarity; None when there is none),
    ``polarity_pairs``, ``by_language`` {lang: micro F1}.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions")
    names = (
        list(labels) if labels is not None else sorted({k for t in (*gold, *predicted) for k in t})
    )
    counts = {name: [0, 0, 0] for name in names}  # tp, fp, fn
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    shared = correct = 0
    for i, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        language = languages[i] if languages is not None else None
        for name in names:
            in_gold, in_pred = name in g, name in p
            slot = 0 if in_gold and in_pred else 1 if in_pred else 2 if in_gold else None
            if slot is None:
                continue
            counts[name][slot] += 1
            if language is not None:
                by_language[language][slot] += 1
            # A presence-only gold label or model gives no polarity to compare.
            if slot == 0 and g[name] is not None and p[name] is not None:
                shared += 1
                correct += g[name] == p[name]
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    per_label = {name: {**_prf(*c), "support": c[0] + c[2]} for name, c in counts.items()}
    macro = sum(m["f1"] for m in per_label.values()) / len(per_label) if per_label else 0.0
    return {
        "n": len(gold),
        "micro": _prf(tp, fp, fn),
        "macro_f1": round(macro, 4),
        "labels": per_label,
        "polarity_accuracy": round(correct / shared, 4) if shared else None,
        "polarity_pairs": shared,
        "by_language": {lang: _prf(*c)["f1"] for lang, c in sorted(by_language.items())},
    }
