"""How far the corpus labels and the model sit from readers of the taxonomy alone.

Our labels follow `data/annotation_guide.md`, whose rulings settle what the taxonomy leaves
open. An evaluation set labelled by people who read only the taxonomy will settle those
cases their own way, and the model is then scored against their reading, not ours. The
contract view is a random sample of test rows labelled blind by two such readers (each saw
the taxonomy and the comments, nothing else); this module compares three label sets with
them: the other reader (the ceiling), the corpus labels, and the model's predictions.

python -m training.contract_view [data/annotations/contract_view.csv] [--model DIR] [--json]

The file has one row per (comment, reader): ``id``, ``reader`` and the five factor columns.
Comments, languages and corpus labels come from `data/corpus.csv` by ``id``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from insight.evaluation import evaluate_tags
from insight.persistence import load_model
from insight.tagger import Tagger
from insight.taxonomy import FACTORS
from training.corpus import CORPUS, DATA, read_rows
from training.wave import WaveError

VIEW = DATA / "annotations" / "contract_view.csv"

Tags = dict[str, str]


def tags_of(row: Mapping[str, str]) -> Tags:
    """{factor: polarity} for the factors a row labels (empty cells left out)."""
    return {f: row[f] for f in FACTORS if row[f]}


def read_view(rows: Sequence[Mapping[str, str]]) -> dict[str, dict[str, Tags]]:
    """{reader: {id: tags}}; every reader must have labelled the same comments."""
    readers: dict[str, dict[str, Tags]] = {}
    for n, row in enumerate(rows, start=2):
        mine = readers.setdefault(row["reader"], {})
        if row["id"] in mine:
            raise WaveError(f"line {n}: reader {row['reader']} labels {row['id']} twice")
        mine[row["id"]] = tags_of(row)
    ids = [set(r) for r in readers.values()]
    if len(readers) != 2 or ids[0] != ids[1]:
        raise WaveError(
            f"the view needs two readers of the same comments; found readers "
            f"{sorted(readers)} with {[len(i) for i in ids]} comments"
        )
    return readers


def _compare(
    reference: Sequence[Tags], other: Sequence[Tags], languages: Sequence[str]
) -> dict[str, Any]:
    m = evaluate_tags(reference, other, languages=languages, labels=list(FACTORS))
    return {
        "rows": m["n"],
        "micro_f1": m["micro"]["f1"],
        "precision": m["micro"]["precision"],
        "recall": m["micro"]["recall"],
        "polarity": m["polarity_accuracy"],
        "labels": {f: m["labels"][f]["f1"] for f in FACTORS},
        "by_language": m["by_language"],
    }


def view_report(
    readers: Mapping[str, Mapping[str, Tags]],
    corpus: Mapping[str, Tags],
    predicted: Mapping[str, Tags],
    languages: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Each label set against each reader (both readers' rows pooled, so a comment counts
    twice), and against the comments where the two readers agree on every label.

    Precision and recall read as the label set's against the reader's: a low precision means
    the set gives factors a reader of the taxonomy does not.
    """
    first, second = (readers[name] for name in sorted(readers))
    ids = sorted(first)
    agreed = [i for i in ids if first[i] == second[i]]
    one, other = [first[i] for i in ids], [second[i] for i in ids]
    langs = [languages[i] for i in ids]
    report = {
        "readers (one against the other)": _compare(one, other, langs),
        "model against the corpus labels": _compare(
            [corpus[i] for i in ids], [predicted[i] for i in ids], langs
        ),
    }
    for name, labels in (("corpus labels", corpus), ("model", predicted)):
        report[f"{name} against the readers"] = _compare(
            one + other, [labels[i] for i in ids] * 2, langs * 2
        )
        report[f"{name} where the readers agree"] = _compare(
            [first[i] for i in agreed], [labels[i] for i in agreed], [languages[i] for i in agreed]
        )
    return report


def predictions(tagger: Tagger, rows: Sequence[Mapping[str, str]]) -> dict[str, Tags]:
    """The model's tags for corpus rows, with their scores, by id."""
    scores = [float(r["score"]) if r.get("score") else None for r in rows]
    results = tagger.predict([r["comment"] for r in rows], scores=scores, n_jobs=-1)
    return {
        r["id"]: {k: v or "" for k, v in res.polarities.items()}
        for r, res in zip(rows, results, strict=True)
    }


def contract_report(tagger: Tagger, view: Path = VIEW) -> dict[str, dict[str, Any]]:
    """`view_report` for a view file, the corpus and a fitted model."""
    readers = read_view(read_rows(view))
    wanted = set(next(iter(readers.values())))
    rows = [r for r in read_rows(CORPUS) if r["id"] in wanted]
    missing = wanted - {r["id"] for r in rows}
    if missing:
        raise WaveError(f"ids not in {CORPUS}: {sorted(missing)[:5]}")
    return view_report(
        readers,
        {r["id"]: tags_of(r) for r in rows},
        predictions(tagger, rows),
        {r["id"]: r["lang"] for r in rows},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.contract_view", description=__doc__)
    parser.add_argument("view", nargs="?", type=Path, default=VIEW)
    parser.add_argument("--model", help="model directory (default: the default model)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    try:
        report = contract_report(load_model(args.model), args.view)
    except WaveError as error:
        print(f"{args.view}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(
        f"{'':42} {'rows':>5} {'F1':>6} {'P':>6} {'R':>6} {'pol':>6}  "
        + " ".join(f"{f[:4]:>5}" for f in FACTORS)
        + "  by language"
    )
    for name, m in report.items():
        pol = f"{m['polarity']:.3f}" if m["polarity"] is not None else "-"
        print(
            f"{name:42} {m['rows']:>5} {m['micro_f1']:.3f} {m['precision']:.3f} "
            f"{m['recall']:.3f} {pol:>6}  "
            + " ".join(f"{m['labels'][f]:.3f}" for f in FACTORS)
            + "  "
            + " ".join(f"{k} {v:.3f}" for k, v in m["by_language"].items())
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
