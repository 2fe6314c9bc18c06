"""Is the new model better than the old one, label by label: `insight diff`.

Both models tag the same labeled file. For each label and overall (micro) the report gives
precision, recall and F1 of each model, the change in F1 with a 95% paired bootstrap
interval over comments (the same resampled comments score both models, so the interval
is about the change, not about either figure), and the comments whose tags changed, each
marked better, worse or different against the gold labels.

>>> result = diff_models("models/acme-v1", "models/acme-v2", "labeled.csv")  # doctest: +SKIP
>>> result["labels"]["price"]["f1_change"]                              # doctest: +SKIP
{'delta': 0.021, 'low': -0.004, 'high': 0.047, 'significant': False}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from insight.errors import LabelError
from insight.evaluation import evaluate_tags
from insight.labeled import LabeledData, read_for_model
from insight.taxonomy import POLARITY_SIGNS

log = logging.getLogger(__name__)

MICRO = "micro"
TagMap = Mapping[str, str | None]


def check_same_labels(old: Sequence[str], new: Sequence[str]) -> None:
    """Refuse to compare models whose label sets differ, naming the labels of each side."""
    only_old = [label for label in old if label not in new]
    only_new = [label for label in new if label not in old]
    if only_old or only_new:
        raise LabelError(
            f"the models have different labels: only in OLD {only_old}, only in NEW {only_new}; "
            "diff compares models of the same label set: retrain one with --labels "
            f"{','.join(label for label in old if label in new)} or compare each with "
            "`insight evaluate`"
        )


def _counts(
    gold: Sequence[TagMap], predicted: Sequence[TagMap], labels: Sequence[str]
) -> np.ndarray:
    """(comments, labels, 3) array of tp, fp, fn per comment and label."""
    out = np.zeros((len(gold), len(labels), 3), dtype=np.int64)
    for i, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        for j, label in enumerate(labels):
            out[i, j] = (
                label in g and label in p,
                label in p and label not in g,
                label in g and label not in p,
            )
    return out


def _f1(counts: np.ndarray) -> np.ndarray:
    """F1 from (..., 3) tp/fp/fn sums; 0 where there is nothing to score."""
    tp, fp, fn = counts[..., 0], counts[..., 1], counts[..., 2]
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros(tp.shape), where=denominator > 0)


def paired_bootstrap(
    old: np.ndarray, new: np.ndarray, *, n_boot: int = 1_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """F1 change per label and micro (last column), with its 95% percentile interval.

    `old` and `new` are (comments, labels, 3) tp/fp/fn counts; each resample draws the
    comments with replacement and scores both models on the same draw.
    """
    n = old.shape[0]
    both = np.concatenate([old, new], axis=2).reshape(n, -1).astype(np.float64)
    rng = np.random.default_rng(seed)
    deltas = []
    for start in range(0, n_boot, 100):
        size = min(100, n_boot - start)
        draws = rng.multinomial(n, np.full(n, 1.0 / n), size=size)
        totals = (draws @ both).reshape(size, old.shape[1], 6)
        deltas.append(_with_micro(totals[..., 3:]) - _with_micro(totals[..., :3]))
    sample = np.concatenate(deltas)
    point = _with_micro(new.sum(axis=0)[None])[0] - _with_micro(old.sum(axis=0)[None])[0]
    low, high = np.percentile(sample, [2.5, 97.5], axis=0)
    return point, low, high


def _with_micro(totals: np.ndarray) -> np.ndarray:
    """(draws, labels, 3) sums -> (draws, labels + 1) F1 with micro in the last column."""
    return np.concatenate([_f1(totals), _f1(totals.sum(axis=1))[:, None]], axis=1)


def compare_predictions(
    data: LabeledData,
    old: Sequence[TagMap],
    new: Sequence[TagMap],
    labels: Sequence[str],
    *,
    n_boot: int = 1_000,
    seed: int = 0,
    languages: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The diff of two models' predictions on the same labeled rows (pure: no I/O).

    Keys: ``n``, ``old`` and ``new`` (the metrics of `evaluate_tags`), ``labels`` {label:
    {old_f1, new_f1, f1_change {delta, low, high, significant}}}, ``micro`` (the same for
    micro F1), ``changed`` (count) and ``examples`` (every changed comment: row, text,
    old, new, gold, verdict).
    """
    old_metrics = evaluate_tags(data.labels, old, languages=languages, labels=labels)
    new_metrics = evaluate_tags(data.labels, new, languages=languages, labels=labels)
    old_counts, new_counts = _counts(data.labels, old, labels), _counts(data.labels, new, labels)
    point, low, high = paired_bootstrap(old_counts, new_counts, n_boot=n_boot, seed=seed)

    def change(k: int) -> dict[str, Any]:
        significant = bool(low[k] > 0 or high[k] < 0)
        return {
            "delta": round(float(point[k]), 4),
            "low": round(float(low[k]), 4),
            "high": round(float(high[k]), 4),
            "significant": significant,
        }

    per_label = {
        label: {
            "old": old_metrics["labels"][label],
            "new": new_metrics["labels"][label],
            "f1_change": change(j),
        }
        for j, label in enumerate(labels)
    }
    examples: list[dict[str, Any]] = []
    for i, (o, n) in enumerate(zip(old, new, strict=True)):
        if dict(o) == dict(n):
            continue
        gold = data.labels[i]
        right_old = sum(_right(o, gold, label) for label in labels)
        right_new = sum(_right(n, gold, label) for label in labels)
        verdict = (
            "better" if right_new > right_old else "worse" if right_new < right_old else "different"
        )
        examples.append(
            {
                "row": i + 1,
                "text": data.texts[i],
                "old": compact(o, labels),
                "new": compact(n, labels),
                "gold": compact(gold, labels),
                "verdict": verdict,
            }
        )
    order = {"worse": 0, "different": 1, "better": 2}
    examples.sort(key=lambda e: (order[e["verdict"]], e["row"]))
    return {
        "n": len(data.texts),
        "labels": per_label,
        MICRO: {
            "old": old_metrics["micro"],
            "new": new_metrics["micro"],
            "f1_change": change(len(labels)),
        },
        "polarity_accuracy": {
            "old": old_metrics["polarity_accuracy"],
            "new": new_metrics["polarity_accuracy"],
        },
        "bootstrap": {"resamples": n_boot, "seed": seed, "interval": 0.95},
        "changed": len(examples),
        "examples": examples,
    }


def _right(predicted: TagMap, gold: TagMap, label: str) -> int:
    """1 when the prediction agrees with gold on this label (presence and polarity)."""
    if (label in predicted) != (label in gold):
        return 0
    return int(label not in gold or predicted[label] == gold[label])


def compact(tags: TagMap, labels: Sequence[str]) -> str:
    """``price-, service+`` in label order (as `insight tag` writes its tags column)."""
    return ", ".join(
        f"{label}{POLARITY_SIGNS.get(tags[label] or '', '')}" for label in labels if label in tags
    )


def diff_models(
    old_dir: str | Path,
    new_dir: str | Path,
    path: str | Path,
    *,
    text_column: str | None = None,
    split: str | None = None,
    n_boot: int = 1_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Compare two model directories on one labeled file; see `compare_predictions`.

    The models must have the same labels (in any order) and the file a column for each.
    """
    from insight.persistence import load_model, sha256_file

    old, new = load_model(old_dir), load_model(new_dir)
    check_same_labels(old.labels_, new.labels_)
    labels = list(old.labels_)
    data = read_for_model(path, labels, text_column)
    if split is not None:
        data = data.only_split(split)
    else:
        digest = sha256_file(path)
        for name, tagger in (("OLD", old), ("NEW", new)):
            if tagger.card_.get("training", {}).get("sha256") == digest:
                log.warning(
                    "%s was trained on %s: its figures over training rows flatter it; pass "
                    "--split test for held-out rows",
                    name,
                    path,
                )
    old_results = old.predict(data.texts, scores=data.scores)
    new_results = new.predict(data.texts, scores=data.scores)
    result = compare_predictions(
        data,
        [r.polarities for r in old_results],
        [r.polarities for r in new_results],
        labels,
        n_boot=n_boot,
        seed=seed,
        languages=data.languages,
    )
    result["old_model"], result["new_model"] = str(old_dir), str(new_dir)
    return result


def render_diff(result: dict[str, Any], examples: int = 20) -> str:
    """Plain-text tables: per-label F1 of both models, the change and its interval."""
    lines = [
        f"{result['n']} comments; F1 change with a 95% paired bootstrap interval "
        f"({result['bootstrap']['resamples']} resamples)",
        f"{'label':<24} {'old P':>6} {'old R':>6} {'old F1':>7} {'new P':>6} {'new R':>6} "
        f"{'new F1':>7} {'change':>7}  95% interval",
    ]
    rows = [*result["labels"].items(), (MICRO, result[MICRO])]
    for name, entry in rows:
        o, n, c = entry["old"], entry["new"], entry["f1_change"]
        flag = "  *" if c["significant"] else ""
        lines.append(
            f"{name:<24} {o['precision']:>6.3f} {o['recall']:>6.3f} {o['f1']:>7.3f} "
            f"{n['precision']:>6.3f} {n['recall']:>6.3f} {n['f1']:>7.3f} {c['delta']:>+7.3f}  "
            f"[{c['low']:+.3f}, {c['high']:+.3f}]{flag}"
        )
    polarity = result["polarity_accuracy"]
    if polarity["old"] is not None and polarity["new"] is not None:
        lines.append(
            f"{'polarity accuracy':<24} old {polarity['old']:.3f}, new {polarity['new']:.3f}"
        )
    lines.append("(* the interval excludes 0)")
    verdicts = [e["verdict"] for e in result["examples"]]
    lines.append(
        f"\n{result['changed']} comments changed tags: {verdicts.count('worse')} worse, "
        f"{verdicts.count('better')} better, {verdicts.count('different')} different"
    )
    for e in result["examples"][:examples]:
        lines.append(
            f"  [{e['verdict']}] row {e['row']}: {e['old'] or '-'} -> {e['new'] or '-'} "
            f"(gold {e['gold'] or '-'})  {e['text'][:100]}"
        )
    return "\n".join(lines)


def has_regression(result: dict[str, Any]) -> bool:
    """True when some label's or the micro F1's interval lies wholly below 0."""
    entries = [*result["labels"].values(), result[MICRO]]
    return any(e["f1_change"]["high"] < 0 for e in entries)
