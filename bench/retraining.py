"""Issue 8's simulations: active learning, label audit and warm start (`make bench`).

- Active learning, SemEval-2014 restaurants: 200 random training sentences, then three
  rounds of 200 chosen by `insight suggest`'s selection (`select_comments`) or at
  random; micro F1 on the official test set after each round; 3 seeds.
- Audit, SemEval-2014 restaurants train: 10% of the sentences get one category toggled
  at random (added with a random polarity where absent, removed where present); the share
  of those sentences among the audit's top 10% of suspect sentences.
- Warm start, our corpus: per language, 300 train/dev rows play the company's set; the
  base is the other train/dev rows; both models are scored on that language's test rows.
  Both fit with 3 inner folds, as every simulation fit here does (`insight train` uses 5):
  with the base over 30,000 rows, each fold is a full fit of the corpus.

Public data is read in place from ../shared/datasets, never copied.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"
SEMEVAL = SHARED / "semeval2014_restaurants"
SEEDS = (0, 1, 2)
START, STEP, STOP = 200, 200, 800
# Smaller settings than `insight train` for the many simulation fits (3 inner folds).
SIMULATION = {"cv": 3, "min_examples": 5, "n_jobs": -1}


def _subset(data: Any, index: Any) -> Any:
    keep = np.zeros(len(data.texts), dtype=bool)
    keep[list(index)] = True
    return data.subset(keep.tolist())


def _micro_f1(tagger: Any, test: Any) -> float:
    from insight.workflow import score

    return float(score(tagger, test)["micro"]["f1"])


def _random_picks(tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int) -> list[int]:
    return random.Random(1000 * seed + taken).sample(pool.tolist(), STEP)


def _suggest_picks(tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int) -> list[int]:
    from insight.suggest import select_comments

    index, _ = select_comments(tagger, [train.texts[i] for i in pool], STEP, seed=seed)
    return [int(pool[i]) for i in index]


def _uncertainties(tagger: Any, train: Any, pool: np.ndarray) -> np.ndarray:
    """Each pool comment's largest per-label uncertainty (`insight.suggest.uncertainty`)."""
    from insight.suggest import uncertainty

    probabilities = tagger.predict_proba([train.texts[i] for i in pool])
    return uncertainty(probabilities, tagger.thresholds_).max(axis=1)


def _most_uncertain(tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int) -> list[int]:
    weight = _uncertainties(tagger, train, pool)
    order = np.lexsort((np.random.default_rng(seed).random(len(pool)), -weight))
    return [int(pool[i]) for i in order[:STEP]]


def _uncertainty_sampled(
    tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int
) -> list[int]:
    weight = _uncertainties(tagger, train, pool) + 1e-6
    drawn = np.random.default_rng(1000 * seed + taken).choice(
        len(pool), STEP, replace=False, p=weight / weight.sum()
    )
    return [int(pool[i]) for i in drawn]


def _coverage_only(tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int) -> list[int]:
    from insight.suggest import pool_features, select_for_labeling

    flat = np.full((len(pool), 1), 0.5)  # every comment equally uncertain: coverage alone
    features = pool_features([train.texts[i] for i in pool], tagger.morphology)
    index = select_for_labeling(flat, np.array([0.5]), features, STEP, seed=seed)
    return [int(pool[i]) for i in index]


def _largest_loss(tagger: Any, train: Any, pool: np.ndarray, seed: int, taken: int) -> list[int]:
    """Not a strategy anyone can run: it reads the pool's gold labels (a diagnostic)."""
    labels = list(tagger.labels_)
    gold = np.array([[label in train.labels[i] for label in labels] for i in pool], dtype=float)
    loss = ((gold - tagger.predict_proba([train.texts[i] for i in pool])) ** 2).sum(axis=1)
    return [int(pool[i]) for i in np.argsort(-loss, kind="stable")[:STEP]]


STRATEGIES = {
    "suggest": _suggest_picks,
    "random": _random_picks,
    "most uncertain": _most_uncertain,
    "sampled by uncertainty": _uncertainty_sampled,
    "coverage only": _coverage_only,
    "largest loss (reads gold labels)": _largest_loss,
}


def active_learning(names: tuple[str, ...] = ("suggest", "random")) -> dict[str, Any]:
    from insight.labeled import read_labeled
    from insight.tagger import Tagger

    train, test = read_labeled(SEMEVAL / "train.csv"), read_labeled(SEMEVAL / "test.csv")
    curves: dict[str, list[list[float]]] = {name: [] for name in names}
    sizes = list(range(START, STOP + 1, STEP))
    for seed in SEEDS:
        start = random.Random(seed).sample(range(len(train.texts)), START)
        for name in names:
            chosen, curve = list(start), []
            while True:
                rows = _subset(train, chosen)
                tagger = Tagger(labels=train.label_names, random_state=seed, **SIMULATION)
                tagger.fit(rows.texts, rows.labels)
                curve.append(_micro_f1(tagger, test))
                if len(chosen) >= STOP:
                    break
                pool = np.setdiff1d(np.arange(len(train.texts)), chosen)
                chosen += STRATEGIES[name](tagger, train, pool, seed, len(chosen))
            curves[name].append(curve)
    mean = {k: np.mean(v, axis=0).round(4).tolist() for k, v in curves.items()}
    gain = round(100 * (mean["suggest"][-1] - mean["random"][-1]), 2)
    return {
        "sizes": sizes,
        "seeds": list(SEEDS),
        "curves": {k: [[round(x, 4) for x in c] for c in v] for k, v in curves.items()},
        "mean": mean,
        "gain_points_at_800": gain,
        "met": gain >= 3.0,
    }


def bench_strategies() -> dict[str, Any]:
    """Every selection strategy of `STRATEGIES` in issue 8's simulation (on request)."""
    if not (SEMEVAL / "train.csv").exists():
        return {"skipped": f"{SEMEVAL / 'train.csv'} not found"}
    started = time.perf_counter()
    out = active_learning(tuple(STRATEGIES))
    out["total_seconds"] = round(time.perf_counter() - started, 1)
    return out


def render_strategies(result: dict[str, Any]) -> str:
    """Markdown: the mean curve of each strategy."""
    lines = ["\n## Which comments to label: selection strategies (issue 8)\n"]
    if "skipped" in result:
        return "\n".join([*lines, f"- skipped ({result['skipped']})"])
    lines.append(
        "SemEval-2014 restaurants, 200 random sentences then three rounds of 200 chosen by each "
        f"strategy; micro F1 on the official test set, mean of seeds {result['seeds']}:\n"
    )
    lines.append(
        "| strategy | "
        + " | ".join(str(s) for s in result["sizes"])
        + f" | at {result['sizes'][-1]} vs random |"
    )
    lines.append("|---|" + "---:|" * (len(result["sizes"]) + 1))
    random_end = result["mean"]["random"][-1]
    for name, curve in result["mean"].items():
        lines.append(
            f"| {name} | "
            + " | ".join(f"{v:.4f}" for v in curve)
            + f" | {100 * (curve[-1] - random_end):+.2f} |"
        )
    lines.append(f"\nWall time: {result['total_seconds']} s.")
    return "\n".join(lines)


def audit(seed: int = 0, share: float = 0.10) -> dict[str, Any]:
    from insight.audit import find_suspects, out_of_fold
    from insight.labeled import LabeledData, read_labeled

    data = read_labeled(SEMEVAL / "train.csv")
    rng = random.Random(seed)
    n = len(data.texts)
    flipped = rng.sample(range(n), round(share * n))
    gold = [dict(g) for g in data.labels]
    added = 0
    for i in flipped:
        label = rng.choice(data.label_names)
        if label in gold[i]:
            del gold[i][label]
        else:
            gold[i][label] = rng.choice(["positive", "negative"])
            added += 1
    noisy = LabeledData(data.source, data.text_column, data.label_names, data.texts, gold)
    started = time.perf_counter()
    results = out_of_fold(noisy, folds=5, seed=seed, params={"n_jobs": -1})
    suspects, _ = find_suspects(gold, results, data.label_names, folds=5, seed=seed)
    seconds = time.perf_counter() - started
    ranked: list[int] = []
    for s in suspects:
        if s.row not in ranked:
            ranked.append(s.row)
    top = set(ranked[: round(share * n)])
    found = len(top & set(flipped)) / len(flipped)
    return {
        "rows": n,
        "flipped": len(flipped),
        "flipped_added": added,
        "flipped_removed": len(flipped) - added,
        "suspect_pairs": len(suspects),
        "found_in_top_share": round(found, 4),
        "seconds": round(seconds, 1),
        "met": found >= 0.60,
    }


def warm_start(company_rows: int = 300, seed: int = 0) -> dict[str, Any]:
    from insight.labeled import read_labeled
    from insight.tagger import Tagger
    from insight.workflow import fit_with_base

    corpus = read_labeled(ROOT / "data" / "corpus.csv")
    splits, languages = corpus.splits or [], corpus.languages or []
    out: dict[str, Any] = {}
    for language in ("en", "ru", "pl"):
        pool = [
            i
            for i, (s, lg) in enumerate(zip(splits, languages, strict=True))
            if s != "test" and lg == language
        ]
        company_index = set(random.Random(seed).sample(pool, company_rows))
        base_index = [i for i, s in enumerate(splits) if s != "test" and i not in company_index]
        test = _subset(
            corpus,
            [
                i
                for i, (s, lg) in enumerate(zip(splits, languages, strict=True))
                if s == "test" and lg == language
            ],
        )
        company, base = _subset(corpus, sorted(company_index)), _subset(corpus, base_index)
        started = time.perf_counter()
        alone = Tagger(
            labels=company.label_names, random_state=seed, n_jobs=-1, cv=SIMULATION["cv"]
        )
        alone.fit(company.texts, company.labels, scores=company.scores)
        alone_seconds = time.perf_counter() - started
        started = time.perf_counter()
        warm, info = fit_with_base(company, base, seed=seed, cv=SIMULATION["cv"])
        warm_seconds = time.perf_counter() - started
        a, w = _micro_f1(alone, test), _micro_f1(warm, test)
        out[language] = {
            "company_rows": company_rows,
            "base_rows": len(base.texts),
            "company_weight": info["company_weight"],
            "test_rows": len(test.texts),
            "alone_micro_f1": round(a, 4),
            "base_micro_f1": round(w, 4),
            "seconds": {"alone": round(alone_seconds, 1), "base": round(warm_seconds, 1)},
            "met": w > a,
        }
    return out


def bench_retraining() -> dict[str, Any]:
    """The three simulations; each is skipped with a reason when its data is missing."""
    out: dict[str, Any] = {}
    for name, run in (("active_learning", active_learning), ("audit", audit)):
        if not (SEMEVAL / "train.csv").exists():
            out[name] = {"skipped": f"{SEMEVAL / 'train.csv'} not found"}
            continue
        started = time.perf_counter()
        out[name] = run()
        out[name]["total_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    out["warm_start"] = warm_start()
    out["warm_start_seconds"] = round(time.perf_counter() - started, 1)
    return out


def render_retraining(result: dict[str, Any]) -> str:
    """Markdown: the active-learning curve, the audit recall, the warm-start table."""
    lines = ["\n## Retraining on a company's own labels (issue 8)\n"]
    al = result.get("active_learning", {})
    if "skipped" in al:
        lines.append(f"- active learning: skipped ({al['skipped']})")
    elif al:
        lines.append(
            f"Active learning, SemEval-2014 restaurants (micro F1 on the official test set, mean of seeds {al['seeds']}):\n"
        )
        lines.append("| labeled sentences | " + " | ".join(str(s) for s in al["sizes"]) + " |")
        lines.append("|---|" + "---:|" * len(al["sizes"]))
        for name in ("suggest", "random"):
            lines.append(f"| {name} | " + " | ".join(f"{v:.4f}" for v in al["mean"][name]) + " |")
        lines.append(
            f"\nAt 800 labels `insight suggest` is {al['gain_points_at_800']:+.2f} points over random "
            f"(target +3: {'met' if al['met'] else 'not met'})."
        )
    au = result.get("audit", {})
    if "skipped" in au:
        lines.append(f"- audit: skipped ({au['skipped']})")
    elif au:
        lines.append(
            f"\nAudit, SemEval-2014 restaurants train ({au['rows']} sentences, {au['flipped']} with one category toggled: "
            f"{au['flipped_added']} added, {au['flipped_removed']} removed): {100 * au['found_in_top_share']:.1f}% of them "
            f"are among the top 10% of suspect sentences (target 60%: {'met' if au['met'] else 'not met'}); "
            f"5-fold out-of-fold predictions in {au['seconds']} s."
        )
    ws = result.get("warm_start", {})
    if ws:
        lines.append(
            "\nWarm start, our corpus: 300 train/dev rows of one language as the company's set, the other train/dev rows as the base; that language's test rows:\n"
        )
        lines.append(
            "| language | base rows | company weight | test rows | 300 alone | `--base` | met |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---|")
        for language, r in ws.items():
            lines.append(
                f"| {language} | {r['base_rows']} | {r['company_weight']} | {r['test_rows']} | "
                f"{r['alone_micro_f1']:.4f} | {r['base_micro_f1']:.4f} | {'yes' if r['met'] else '**no**'} |"
            )
    return "\n".join(lines)
