"""Relabel corpus rows against a new ruling: checked files -> blind review -> corpus.

A consolidation pass settles one of the guide's open tensions (`data/guide_tensions.md`) with a
ruling, then brings every corpus row the ruling touches into line with it. It lives in one
directory while it is made:

    cand/{tag}_{part}.csv      candidate rows with their current labels, cut by the pass's filter
    checked/{tag}_{part}.csv   the checkers' files: the same rows, the labels in the ruling's
                               scope corrected where it calls for it, and a `note`
    adj/disagreements_{lang}.csv   every changed row with the current and the proposed labels
                               as A and B, in an order fixed per row, after `review`
    adj/adjudicated_{lang}.csv the blind reviewers' files (`choice` a, b or other)

Only the reviewers' choice reaches the corpus, so a change lands when a second reader, who
cannot tell the current labels from the proposal, prefers it.

python -m training.consolidate review DIR --scope t4=price,emotion --scope t6=quality,service
python -m training.consolidate apply DIR --scope ... --name consolidation1 [--write]
python -m training.consolidate measure --name consolidation1 [consolidation2 ...]
python -m training.consolidate probe data/annotations/consolidation_probe.csv --name ...

`measure` fits the default model's configuration on the train rows twice, with the labels from
before the passes and after them, and scores both fits on the dev rows under either labeling. Test
rows are never used. `probe` reads a blind re-annotation of a sample of the pass's candidates,
two annotators under the guide before the pass and two under the guide after it, and prints how
well each pair agrees, and how well the annotators agree with the corpus labels before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from insight.labeled import labeled_from_frame, read_table
from insight.persistence import DEFAULT_MODEL_DIR, read_card
from insight.tagger import Tagger
from insight.taxonomy import FACTORS, POLARITIES
from insight.workflow import score
from training.build_default import SEED
from training.corpus import CORPUS, DATA, pair_agreement, read_rows
from training.wave import (
    ADJ_COLUMNS,
    CORPUS_COLUMNS,
    LANGUAGES,
    Labels,
    WaveError,
    disagreements,
    final_labels,
    labels_of,
    read_adjudications,
    write_rows,
)


def parse_scopes(specs: Sequence[str]) -> dict[str, frozenset[str]]:
    """{'t4': {'price', 'emotion'}} from ['t4=price,emotion']: which factors a tag may change."""
    scopes = {}
    for spec in specs:
        tag, _, factors = spec.partition("=")
        chosen = frozenset(f.strip() for f in factors.split(",") if f.strip())
        unknown = sorted(chosen - set(FACTORS))
        if not tag or not chosen or unknown:
            raise WaveError(
                f"--scope {spec!r}: write TAG=factor,factor with factors from {list(FACTORS)}"
            )
        scopes[tag] = chosen
    return scopes


def read_checked(
    directory: Path, scopes: Mapping[str, frozenset[str]], corpus: Sequence[Mapping[str, str]]
) -> tuple[list[dict[str, str]], dict[str, Labels]]:
    """(rows as they stand in the corpus, keyed by id; the checkers' proposed labels).

    Every checked file must hold its candidate file's ids in order, and may change only the
    factors in its tag's scope; an error names the file, row and column. A proposal is the row's
    corpus labels with the scope's factors taken from the checker, so a pass applied since the
    cut may have changed other factors, or scope factors the checker left alone; if the checker
    changed a factor the corpus no longer has as they saw it, the row is named. A row checked
    under two tags takes each one's changes.
    """
    by_id = {row["id"]: row for row in corpus}
    current: dict[str, dict[str, str]] = {}
    proposed: dict[str, Labels] = {}
    for path in sorted((directory / "checked").glob("*.csv")):
        tag = path.stem.split("_")[0]
        if tag not in scopes:
            raise WaveError(f"{path}: no --scope given for tag {tag!r}")
        cut = read_rows(directory / "cand" / path.name)
        rows = read_rows(path)
        if [r["id"] for r in rows] != [r["id"] for r in cut]:
            raise WaveError(f"{path}: ids differ from {directory / 'cand' / path.name}")
        for n, (seen, row) in enumerate(zip(cut, rows, strict=True), 2):
            if row["id"] not in by_id:
                raise WaveError(f"{path}, row {n}: id {row['id']} is not in {CORPUS}")
            before = labels_of(by_id[row["id"]])
            after = []
            for factor, now, old, new in zip(
                FACTORS, before, labels_of(seen), labels_of(row), strict=True
            ):
                if new and new not in POLARITIES:
                    raise WaveError(
                        f"{path}, row {n}, column {factor!r}: {new!r} not one of {list(POLARITIES)}"
                    )
                if factor not in scopes[tag]:
                    if old != new:
                        raise WaveError(
                            f"{path}, row {n}, column {factor!r}: changed {old!r} -> {new!r}, "
                            f"but tag {tag} may change only {sorted(scopes[tag])}"
                        )
                    after.append(now)
                    continue
                if now != old and new != old:
                    raise WaveError(
                        f"{path}, row {n}, column {factor!r}: the corpus has {now!r} where the "
                        f"checker saw {old!r}; cut and check this row again"
                    )
                after.append(now if new == old else new)
            proposal = tuple(after)
            if row["id"] in proposed and proposed[row["id"]] != before:
                proposal = _merge(proposed[row["id"]], proposal, before)
            proposed[row["id"]] = proposal
            current[row["id"]] = {**by_id[row["id"]], "key": row["id"]}
    return list(current.values()), proposed


def _merge(first: Labels, second: Labels, before: Labels) -> Labels:
    """Two checks of one row under different tags: take each one's changes."""
    return tuple(b if a == old else a for a, b, old in zip(first, second, before, strict=True))


def transitions(rows: Sequence[Mapping[str, str]], proposed: Mapping[str, Labels]) -> Counter[str]:
    """How many times each factor went from one value to another, e.g. 'price mixed->negative'."""
    counts: Counter[str] = Counter()
    for row in rows:
        for factor, old, new in zip(FACTORS, labels_of(row), proposed[row["key"]], strict=True):
            if old != new:
                counts[f"{factor} {old or '-'}->{new or '-'}"] += 1
    return counts


def relabelled(
    corpus: Sequence[Mapping[str, str]], final: Mapping[str, Labels]
) -> list[dict[str, str]]:
    """The corpus with each reviewed row's final labels; order, ids and splits unchanged."""
    out = []
    for row in corpus:
        labels = final.get(row["id"])
        out.append({**row, **dict(zip(FACTORS, labels, strict=True))} if labels else dict(row))
    return out


def record_rows(
    rows: Sequence[Mapping[str, str]],
    proposed: Mapping[str, Labels],
    final: Mapping[str, Labels],
) -> list[dict[str, str]]:
    """The `data/annotations/{name}.csv` rows: before, proposed and final, for changed rows."""
    out = []
    for row in rows:
        before = labels_of(row)
        if proposed[row["key"]] == before:
            continue
        for name, labels in (
            ("before", before),
            ("proposed", proposed[row["key"]]),
            ("final", final[row["key"]]),
        ):
            out.append(
                {"id": row["id"], "annotation": name, **dict(zip(FACTORS, labels, strict=True))}
            )
    return out


def labels_before_passes(
    records: Sequence[Sequence[Mapping[str, str]]],
) -> dict[str, dict[str, str]]:
    """{id: labels} of every row the passes relabelled, as they were before the first of them
    (`records` in the order the passes were applied) that touched it."""
    before: dict[str, dict[str, str]] = {}
    for record in reversed(records):  # the latest first, so an earlier pass's labels win
        for row in record:
            if row["annotation"] == "before":
                before[row["id"]] = {f: row[f] for f in FACTORS}
    return before


def labels_before(frame: pd.DataFrame, before: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The corpus frame with each relabelled row's labels as they were before the passes."""
    out = frame.copy()
    rows = out["id"].isin(before)
    for factor in FACTORS:
        out.loc[rows, factor] = [before[i][factor] for i in out.loc[rows, "id"]]
    return out


def _records(names: Sequence[str]) -> list[list[dict[str, str]]]:
    return [read_rows(DATA / "annotations" / f"{name}.csv") for name in names]


def _measure_command(names: Sequence[str]) -> int:
    after = read_table(CORPUS)
    before = labels_before(after, labels_before_passes(_records(names)))
    frames = {"after": after, "before": before}
    data = {k: labeled_from_frame(f, source=str(CORPUS)) for k, f in frames.items()}
    params = read_card(DEFAULT_MODEL_DIR)["training"]["chosen"]
    splits = data["after"].splits or []
    train = [s == "train" for s in splits]
    dev = [s == "dev" for s in splits]
    for fitted_on in ("before", "after"):
        rows = data[fitted_on].subset(train)
        tagger = Tagger(random_state=SEED, n_jobs=-1, **params)
        tagger.fit(rows.texts, rows.labels, scores=rows.scores)
        for scored_on in ("before", "after"):
            metrics = score(tagger, data[scored_on].subset(dev))
            print(
                json.dumps(
                    {
                        "fit on train, labels": fitted_on,
                        "dev labels": scored_on,
                        "micro_f1": round(metrics["micro"]["f1"], 4),
                        "polarity": round(metrics["polarity_accuracy"] or 0.0, 4),
                        "by_label": {k: round(v["f1"], 4) for k, v in metrics["labels"].items()},
                    }
                )
            )
    return 0


def label_agreement(pairs: Sequence[tuple[Mapping[str, str], Mapping[str, str]]]) -> dict[str, Any]:
    """Presence micro F1 (`pair_agreement`), micro F1 over (factor, polarity) and identical rows."""
    counted = pair_agreement(pairs)
    first = {(n, f, a[f]) for n, (a, _) in enumerate(pairs) for f in FACTORS if a[f]}
    other = {(n, f, b[f]) for n, (_, b) in enumerate(pairs) for f in FACTORS if b[f]}
    return {
        "rows": len(pairs),
        "presence_f1": counted["micro_f1"],
        "labels_f1": round(2 * len(first & other) / max(len(first) + len(other), 1), 3),
        "rows_same": round(1 - counted["rows_differing"] / max(len(pairs), 1), 3),
    }


def probe_report(
    probe: Sequence[Mapping[str, str]],
    before: Mapping[str, Mapping[str, str]],
    after: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """{"guide after, relabelled": {"annotators": ..., "vs labels before": ..., ...}, ...}, for
    every guide the probe's annotators read, "after" and "before" first."""
    by: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    changed = {}
    for row in probe:
        by.setdefault((row["guide"], row["annotator"]), {})[row["id"]] = {
            f: row[f] for f in FACTORS
        }
        changed[row["id"]] = row["relabelled"] == "1"
    report = {}
    # "after" and "before" first, then any other group the file holds (e.g. "taxonomy").
    guides = dict.fromkeys(["after", "before", *(guide for guide, _ in by)])
    for guide in guides:
        first, second = (by[(guide, a)] for a in ("1", "2"))
        for subset, keep in (("relabelled", True), ("left alone", False), ("all", None)):
            ids = [i for i in first if keep is None or changed[i] == keep]
            if not ids:
                continue
            both = [first, second]
            report[f"guide {guide}, {subset}"] = {
                "annotators": label_agreement([(first[i], second[i]) for i in ids]),
                "vs labels before": label_agreement([(a[i], before[i]) for a in both for i in ids]),
                "vs labels after": label_agreement([(a[i], after[i]) for a in both for i in ids]),
            }
    return report


def _probe_command(path: Path, names: Sequence[str]) -> int:
    probe = read_rows(path)
    after = {r["id"]: {f: r[f] for f in FACTORS} for r in read_rows(CORPUS)}
    before = {**after, **labels_before_passes(_records(names))}
    for name, figures in probe_report(probe, before, after).items():
        print(name, json.dumps(figures))
    return 0


def _review_command(directory: Path, scopes: Mapping[str, frozenset[str]]) -> int:
    rows, proposed = read_checked(directory, scopes, read_rows(CORPUS))
    report: dict[str, object] = {"checked": len(rows)}
    for lang in LANGUAGES:
        mine = [r for r in rows if r["lang"] == lang]
        todo = disagreements(mine, proposed)
        path = directory / "adj" / f"disagreements_{lang}.csv"
        if path.exists() and read_rows(path) != [{c: r[c] for c in ADJ_COLUMNS} for r in todo]:
            raise WaveError(
                f"{path} exists with other rows and may be in a reviewer's hands; "
                "start a new pass directory for new checks"
            )
        write_rows(path, ADJ_COLUMNS, todo)
        report[lang] = {"checked": len(mine), "changed": len(todo)}
    report["transitions"] = dict(transitions(rows, proposed).most_common())
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


def _apply_command(
    directory: Path, scopes: Mapping[str, frozenset[str]], name: str, write: bool
) -> int:
    corpus = read_rows(CORPUS)
    rows, proposed = read_checked(directory, scopes, corpus)
    final, sides = final_labels(rows, proposed, read_adjudications(directory))
    record_path = DATA / "annotations" / f"{name}.csv"
    if record_path.exists():
        raise WaveError(f"{record_path} exists: this pass was applied; pick another --name")
    kept = [r for r in rows if final[r["key"]] != labels_of(r)]
    print(
        json.dumps(
            {
                "checked": len(rows),
                "reviewed": sum(sides.values()),
                "review took": {
                    "proposed": sides["second"],
                    "current": sides["writer"],
                    "other": sides["other"],
                },
                "rows relabelled": len(kept),
                "by_split": Counter(r["split"] for r in kept),
                "transitions": dict(transitions(kept, final).most_common()),
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    if write:
        write_rows(CORPUS, CORPUS_COLUMNS, relabelled(corpus, final))
        write_rows(record_path, ("id", "annotation", *FACTORS), record_rows(rows, proposed, final))
        print(f"relabelled {len(kept)} rows of {CORPUS}; wrote {record_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.consolidate", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    probe = sub.add_parser("probe")
    probe.add_argument("record", type=Path, help="the re-annotation, e.g. consolidation_probe.csv")
    probe.add_argument("--name", nargs="+", required=True, help="the passes' records, in order")
    measure = sub.add_parser("measure")
    measure.add_argument(
        "--name", nargs="+", required=True, help="records: data/annotations/NAME.csv, in order"
    )
    for command in ("review", "apply"):
        p = sub.add_parser(command)
        p.add_argument("directory", type=Path, help="the pass's directory")
        p.add_argument(
            "--scope",
            action="append",
            required=True,
            metavar="TAG=F,F",
            help="the factors files named TAG_* may change, e.g. t4=price,emotion",
        )
        if command == "apply":
            p.add_argument("--name", required=True, help="record: data/annotations/NAME.csv")
            p.add_argument("--write", action="store_true", help="relabel the corpus")
    args = parser.parse_args(argv)
    try:
        if args.command == "measure":
            return _measure_command(args.name)
        if args.command == "probe":
            return _probe_command(args.record, args.name)
        scopes = parse_scopes(args.scope)
        if args.command == "review":
            return _review_command(args.directory, scopes)
        return _apply_command(args.directory, scopes, args.name, args.write)
    except (WaveError, FileNotFoundError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
