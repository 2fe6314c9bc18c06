"""Does a new corpus wave help on data the model never saw? Checked before a wave is kept.

Each comparison fits the default model's configuration twice on train rows, without and with
the new wave's train rows, and scores both on the same rows: the dev rows from before the new
wave, and each older wave held out in turn (all its rows, and its rows removed from both fits;
a held-out wave is a set of industries neither fit has seen). Test rows are never used.

    python -m training.keep_check --new 28 --held 27 26 25
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from insight.labeled import LabeledData, labeled_from_frame, read_table
from insight.persistence import DEFAULT_MODEL_DIR, read_card
from insight.tagger import Tagger
from insight.workflow import score
from training.build_default import CORPUS, SEED
from training.corpus import DATA, read_rows


def wave_ids(number: int) -> set[str]:
    return {r["id"] for r in read_rows(DATA / "annotations" / f"wave{number}.csv")}


def compare(
    data: LabeledData,
    ids: Sequence[str],
    new: set[str],
    held: dict[str, set[str]],
    params: dict[str, Any],
) -> list[dict[str, Any]]:
    """One row per evaluation set: micro F1 and polarity without and with the new rows."""
    rows = list(zip(ids, data.splits or [], strict=True))
    sets: dict[str, tuple[set[str], list[bool]]] = {
        "dev before the new rows": (set(), [s == "dev" and i not in new for i, s in rows])
    }
    for name, wave in held.items():
        sets[f"wave {name} held out"] = (wave, [i in wave for i in ids])
    results = []
    for name, (hidden, evaluate) in sets.items():
        if not any(evaluate):
            continue
        base = [s == "train" and i not in hidden for i, s in rows]
        without = [b and i not in new for b, i in zip(base, ids, strict=True)]
        figures = {}
        for variant, use in (("without", without), ("with", base)):
            fit_rows = data.subset(use)
            tagger = Tagger(random_state=SEED, n_jobs=-1, **params)
            tagger.fit(fit_rows.texts, fit_rows.labels, scores=fit_rows.scores)
            metrics = score(tagger, data.subset(evaluate))
            figures[variant] = (metrics["micro"]["f1"], metrics["polarity_accuracy"] or 0.0)
        results.append(
            {
                "set": name,
                "rows": sum(evaluate),
                "micro_without": round(figures["without"][0], 4),
                "micro_with": round(figures["with"][0], 4),
                "polarity_without": round(figures["without"][1], 4),
                "polarity_with": round(figures["with"][1], 4),
            }
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new", type=int, nargs="+", required=True, help="the new waves")
    parser.add_argument("--held", type=int, nargs="+", required=True, help="older waves")
    args = parser.parse_args(argv)
    params = read_card(DEFAULT_MODEL_DIR)["training"]["chosen"]
    frame = read_table(CORPUS)  # read once: the ids and the labeled rows come from one frame
    data = labeled_from_frame(frame, source=str(CORPUS))
    ids = frame["id"].tolist()
    assert len(ids) == len(data.texts), "a corpus row was left out of the labeled rows"
    new = set().union(*(wave_ids(n) for n in args.new))
    held = {str(n): wave_ids(n) for n in args.held}
    results = compare(data, ids, new, held, params)
    for r in results:
        print(json.dumps(r))
    gain = sum(r["micro_with"] - r["micro_without"] for r in results) / len(results)
    print(f"mean change in micro F1: {100 * gain:+.2f} points (params {params or 'defaults'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
