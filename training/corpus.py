"""Check the shipped corpus against the figures it promises, and print the card's tables.

python -m training.corpus            # Markdown tables for data/README.md
python -m training.corpus --check    # exit 1 and list every unmet target
python -m training.corpus --agreement data/annotations/wave4.csv   # the card's agreement table
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from insight.checks import CheckReport, check_labeled_file
from insight.taxonomy import FACTORS

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = DATA / "corpus.csv"
RULES = DATA / "boundary_rules.csv"
RULE_IDS = tuple(f"R{i}" for i in range(1, 17))

# The figures issue #2 sets for the corpus.
MIN_ROWS = {"all": 4_500, "en": 1_800, "ru": 1_800, "pl": 900}
MIN_POLARITY = {"en": 120, "ru": 120, "pl": 60}
MIN_RULE_EXAMPLES = 15
MIN_INDUSTRIES, MAX_INDUSTRY_SHARE = 14, 0.12
FACTOR_SHARE = (0.20, 0.40)
NO_FACTOR_SHARE = (0.10, 0.15)
MIN_TWO_OR_MORE, MIN_MIXED = 0.35, 0.03
MAX_NEAR_DUPLICATES = 0.01


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rule_counts(rules: Path = RULES, corpus: Path = CORPUS) -> dict[str, Counter[str]]:
    """Boundary-rule illustrations per language: {rule: Counter(lang)}."""
    language = {r["id"]: r["lang"] for r in read_rows(corpus)}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_rows(rules):
        counts[row["rule"]][language[row["id"]]] += 1
    return counts


def unmet_targets(report: CheckReport, rules: dict[str, Counter[str]]) -> list[str]:
    """Every figure of the corpus issue that the corpus misses, as readable lines."""
    c = report.counts
    problems = [p.render(report.source) for p in report.errors]
    rows = c["rows_by_language"]
    if c["rows"] < MIN_ROWS["all"]:
        problems.append(f"{c['rows']} rows, fewer than {MIN_ROWS['all']}")
    for lang in ("en", "ru", "pl"):
        if rows.get(lang, 0) < MIN_ROWS[lang]:
            problems.append(f"{lang}: {rows.get(lang, 0)} rows, fewer than {MIN_ROWS[lang]}")
        for factor in FACTORS:
            counts = c["polarity_by_language"].get(lang, {}).get(factor, {})
            for polarity in ("positive", "negative"):
                found = counts.get(polarity, 0)
                if found < MIN_POLARITY[lang]:
                    problems.append(f"{lang} {factor} {polarity}: {found} < {MIN_POLARITY[lang]}")
        for rule in RULE_IDS:
            examples = rules.get(rule, Counter())[lang]
            if examples < MIN_RULE_EXAMPLES:
                problems.append(f"{lang} rule {rule}: {examples} examples < {MIN_RULE_EXAMPLES}")
    industries = c["rows_by_industry"]
    if len(industries) < MIN_INDUSTRIES:
        problems.append(f"{len(industries)} industries, fewer than {MIN_INDUSTRIES}")
    for industry, n in industries.items():
        if n / c["rows"] > MAX_INDUSTRY_SHARE:
            problems.append(
                f"industry {industry}: {n / c['rows']:.1%} of rows > {MAX_INDUSTRY_SHARE:.0%}"
            )
    for factor, share in c["label_share"].items():
        if not FACTOR_SHARE[0] <= share <= FACTOR_SHARE[1]:
            problems.append(f"{factor} in {share:.1%} of rows, outside 20-40%")
    if not NO_FACTOR_SHARE[0] <= c["no_label_share"] <= NO_FACTOR_SHARE[1]:
        problems.append(f"no factor in {c['no_label_share']:.1%} of rows, outside 10-15%")
    if c["two_or_more_share"] < MIN_TWO_OR_MORE:
        problems.append(f"two or more factors in {c['two_or_more_share']:.1%} of rows, below 35%")
    if c["mixed_share_of_mentions"] < MIN_MIXED:
        problems.append(f"mixed is {c['mixed_share_of_mentions']:.1%} of mentions, below 3%")
    if report.near_duplicate_rows / c["rows"] > MAX_NEAR_DUPLICATES:
        problems.append(f"{report.near_duplicate_rows} near-duplicate rows, above 1%")
    return problems


def card_tables(report: CheckReport, rules: dict[str, Counter[str]]) -> str:
    """The counts of the dataset card as Markdown."""
    c = report.counts
    out = ["| language | rows | train | dev | test |", "|---|---:|---:|---:|---:|"]
    by_split: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_rows(CORPUS):
        by_split[row["lang"]][row["split"]] += 1
    for lang in ("en", "ru", "pl"):
        s = by_split[lang]
        out.append(
            f"| {lang} | {sum(s.values()):,} | {s['train']:,} | {s['dev']:,} | {s['test']:,} |"
        )
    split = c["rows_by_split"]
    out.append(
        f"| all | {c['rows']:,} | {split['train']:,} | {split['dev']:,} | {split['test']:,} |"
    )
    out += [
        "",
        "| factor | share of rows | "
        + " | ".join(f"{lang} +/−/± " for lang in ("en", "ru", "pl"))
        + " |",
        "|---|---:|---:|---:|---:|",
    ]
    for factor in FACTORS:
        cells = []
        for lang in ("en", "ru", "pl"):
            p = c["polarity_by_language"][lang][factor]
            cells.append(f"{p.get('positive', 0)} / {p.get('negative', 0)} / {p.get('mixed', 0)}")
        out.append(f"| {factor} | {c['label_share'][factor]:.1%} | " + " | ".join(cells) + " |")
    out += [
        "",
        f"No factor: {c['no_label_share']:.1%} of rows; two or more factors: "
        f"{c['two_or_more_share']:.1%}; `mixed`: {c['mixed_share_of_mentions']:.1%} of factor "
        f"mentions; words per comment: {c['words']['min']}–{c['words']['max']}, median "
        f"{c['words']['median']}; near-duplicate rows: {report.near_duplicate_rows} "
        f"({report.near_duplicate_rows / c['rows']:.2%}).",
        "",
    ]
    industries = c["rows_by_industry"]
    out.append(
        f"Industries ({len(industries)}): "
        + ", ".join(f"{name} {n} ({n / c['rows']:.1%})" for name, n in industries.items())
        + "."
    )
    out += ["", "| rule | " + " | ".join(RULE_IDS) + " |", "|---|" + "---:|" * len(RULE_IDS)]
    for lang in ("en", "ru", "pl"):
        out.append(
            f"| {lang} | " + " | ".join(str(rules.get(r, Counter())[lang]) for r in RULE_IDS) + " |"
        )
    return "\n".join(out)


def agreement(path: Path) -> dict[str, object]:
    """Agreement of the writer's and the second annotator's labels in an annotation record.

    The record has one row per (comment, annotation): ``writer``, ``second`` and, where they
    differ, ``adjudicated``.
    """
    by_id: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in read_rows(path):
        by_id[row["id"]][row["annotation"]] = {f: row[f] for f in FACTORS}
    adjudicated = [a for a in by_id.values() if "adjudicated" in a]
    return {
        **pair_agreement([(a["writer"], a["second"]) for a in by_id.values()]),
        "adjudicated_as": dict(
            Counter(
                "writer"
                if a["adjudicated"] == a["writer"]
                else "second"
                if a["adjudicated"] == a["second"]
                else "neither"
                for a in adjudicated
            )
        ),
    }


def pair_agreement(pairs: Sequence[tuple[Mapping[str, str], Mapping[str, str]]]) -> dict[str, Any]:
    """Agreement of two annotations of the same comments, each {factor: polarity or ""}.

    Kappa is Cohen's on each factor's presence; polarity agreement is over the comments where
    both annotations have the factor; micro F1 is over (comment, factor) pairs.
    """
    factors: dict[str, dict[str, float]] = {}
    for f in FACTORS:
        first = [bool(w[f]) for w, _ in pairs]
        other = [bool(s[f]) for _, s in pairs]
        shared = [(w[f], s[f]) for w, s in pairs if w[f] and s[f]]
        factors[f] = {
            "kappa": round(_kappa(first, other), 3),
            "polarity": round(sum(a == b for a, b in shared) / max(len(shared), 1), 3),
        }
    writer = {(i, f) for i, (w, _) in enumerate(pairs) for f in FACTORS if w[f]}
    second = {(i, f) for i, (_, s) in enumerate(pairs) for f in FACTORS if s[f]}
    return {
        "rows": len(pairs),
        "factors": factors,
        "micro_f1": round(2 * len(writer & second) / max(len(writer) + len(second), 1), 3),
        "rows_differing": sum(w != s for w, s in pairs),
    }


def _kappa(first: list[bool], other: list[bool]) -> float:
    n = len(first)
    observed = sum(a == b for a, b in zip(first, other, strict=True)) / n
    p, q = sum(first) / n, sum(other) / n
    expected = p * q + (1 - p) * (1 - q)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check data/corpus.csv and print its card tables.")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on unmet targets")
    parser.add_argument(
        "--agreement",
        type=Path,
        metavar="RECORD",
        help="print the agreement in an annotation record",
    )
    args = parser.parse_args(argv)
    if args.agreement:
        print(json.dumps(agreement(args.agreement), indent=1))
        return 0
    report = check_labeled_file(CORPUS, canonical=True)
    rules = rule_counts()
    problems = unmet_targets(report, rules)
    if not args.check:
        print(card_tables(report, rules))
    for problem in problems:
        print(f"UNMET: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
