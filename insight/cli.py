"""The `insight` command: thin commands that parse, call one library function, and print.

Errors that `insight` raises on purpose print as one line on stderr with exit code 2;
nothing prints a traceback unless it is a bug.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from insight import __version__
from insight.errors import InsightError

log = logging.getLogger("insight")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    try:
        code: int = args.run(args)
        return code
    except InsightError as error:
        print(f"insight: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("insight: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="insight",
        description="Tag customer-survey comments with CX factors and link them to scores.",
    )
    parser.add_argument("--version", action="version", version=f"insight {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    classify = commands.add_parser(
        "classify", help="tag comments given as arguments or stdin lines"
    )
    classify.add_argument(
        "texts", nargs="*", metavar="TEXT", help="comments (default: one per stdin line)"
    )
    classify.add_argument(
        "--model", metavar="DIR", help="model directory (default: the bundled model)"
    )
    classify.add_argument("--json", action="store_true", help="print one JSON object per comment")
    classify.set_defaults(run=_classify)

    tag = commands.add_parser("tag", help="tag every row of an export (CSV/TSV/XLSX/JSONL/Parquet)")
    tag.add_argument("input", metavar="INPUT", help="the export to tag")
    tag.add_argument(
        "-o", "--output", metavar="OUTPUT", help="output file (default INPUT-stem.tagged.csv)"
    )
    tag.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    tag.add_argument("--score-col", metavar="NAME", help="0-10 score column (default: detected)")
    tag.add_argument("--model", metavar="DIR", help="model directory (default: the bundled model)")
    tag.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    tag.add_argument("--encoding", metavar="ENC", help="input encoding (default: detected)")
    tag.add_argument("--sheet", metavar="NAME", help="XLSX sheet (default: the first)")
    tag.add_argument(
        "--bom", action="store_true", help="write a UTF-8 BOM so Excel opens the CSV right"
    )
    tag.add_argument(
        "--strict", action="store_true", help="stop at the first row that cannot be parsed"
    )
    tag.set_defaults(run=_tag)

    report = commands.add_parser("report", help="link tags to scores: HTML and JSON report")
    report.add_argument(
        "input", metavar="INPUT", help="a tagged file from `insight tag`, or a raw export"
    )
    report.add_argument(
        "-o", "--output", metavar="HTML", help="HTML report (default INPUT-stem.report.html)"
    )
    report.add_argument("--json", metavar="JSON", help="also write the numbers as JSON")
    report.add_argument("--scale", choices=("nps", "csat", "ces"), default="nps")
    report.add_argument("--date-col", metavar="NAME", help="date column (default: detected)")
    report.add_argument("--period", choices=("week", "month", "quarter"), default="month")
    report.add_argument(
        "--segment-col", metavar="NAME", nargs="*", default=[], help="segment columns"
    )
    report.add_argument("--model", metavar="DIR", help="model for a raw export (default: bundled)")
    report.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    report.add_argument("--score-col", metavar="NAME", help="score column (default: detected)")
    report.set_defaults(run=_report)

    serve = commands.add_parser("serve", help="serve the tagger over HTTP (FastAPI)")
    serve.add_argument(
        "--model", metavar="DIR", help="model directory (default: INSIGHT_MODEL or bundled)"
    )
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    serve.set_defaults(run=_serve)

    train = commands.add_parser("train", help="train a model on a labeled file")
    train.add_argument("labeled", metavar="LABELED", help="labeled CSV/TSV/JSONL/Parquet/XLSX file")
    train.add_argument("--out", required=True, metavar="DIR", help="model directory to write")
    train.add_argument("--labels", metavar="A,B,C", help="label columns (default: detected)")
    train.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    train.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--force", action="store_true", help="replace an existing model directory")
    train.add_argument(
        "--base",
        metavar="default|PATH",
        help="warm start: learn shared labels with the bundled corpus (default) or a labeled file",
    )
    train.add_argument(
        "--base-weight",
        type=float,
        metavar="W",
        help="weight of each company row with --base (default: base rows / company rows / 2)",
    )
    train.add_argument(
        "--learning-curve",
        action="store_true",
        help="also report held-out F1 against the number of training rows (in the card)",
    )
    train.set_defaults(run=_train)

    check = commands.add_parser("check", help="check a labeled file before training on it")
    check.add_argument("labeled", metavar="LABELED", help="labeled CSV/TSV/JSONL/Parquet/XLSX file")
    check.add_argument("--canonical", action="store_true", help="also demand the corpus layout")
    check.add_argument("--json", action="store_true", help="print counts and problems as JSON")
    check.set_defaults(run=_check)

    evaluate = commands.add_parser("evaluate", help="score a model against a labeled file")
    evaluate.add_argument("labeled", metavar="LABELED", help="labeled file with gold labels")
    evaluate.add_argument(
        "--model", metavar="DIR", help="model directory (default: the bundled model)"
    )
    evaluate.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    evaluate.add_argument("--split", metavar="NAME", help="only rows whose `split` column is NAME")
    evaluate.add_argument(
        "--json", action="store_true", help="print the metrics as one JSON object"
    )
    evaluate.set_defaults(run=_evaluate)

    suggest = commands.add_parser("suggest", help="pick the comments of an export to label next")
    suggest.add_argument("export", metavar="EXPORT", help="an unlabeled export")
    suggest.add_argument("--model", metavar="DIR", help="model directory (default: bundled)")
    suggest.add_argument("-n", type=int, default=200, help="comments to pick (default 200)")
    suggest.add_argument(
        "-o", "--output", metavar="OUTPUT", help="output (default EXPORT-stem.to_label.csv)"
    )
    suggest.add_argument("--seed", type=int, default=0, help="seed for ties (default 0)")
    suggest.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    suggest.add_argument("--score-col", metavar="NAME", help="score column (default: detected)")
    suggest.add_argument("--encoding", metavar="ENC", help="input encoding (default: detected)")
    suggest.add_argument("--sheet", metavar="NAME", help="XLSX sheet (default: the first)")
    suggest.set_defaults(run=_suggest)

    audit = commands.add_parser("audit", help="rank the labels a model confidently disputes")
    audit.add_argument("labeled", metavar="LABELED", help="labeled file to audit")
    audit.add_argument(
        "-o", "--output", metavar="OUTPUT", help="suspects (default LABELED-stem.suspects.csv)"
    )
    audit.add_argument("--labels", metavar="A,B,C", help="label columns (default: detected)")
    audit.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    audit.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    audit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    audit.set_defaults(run=_audit)

    diff = commands.add_parser("diff", help="compare two models label by label on a labeled file")
    diff.add_argument("old", metavar="OLD_DIR", help="the current model directory")
    diff.add_argument("new", metavar="NEW_DIR", help="the candidate model directory")
    diff.add_argument("labeled", metavar="LABELED", help="labeled file both models are scored on")
    diff.add_argument("--text-col", metavar="NAME", help="comment column (default: detected)")
    diff.add_argument("--split", metavar="NAME", help="only rows whose `split` column is NAME")
    diff.add_argument("--examples", type=int, default=20, help="changed comments shown (20)")
    diff.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    diff.add_argument("--json", action="store_true", help="print the comparison as JSON")
    diff.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 1 when some F1 interval lies wholly below 0",
    )
    diff.set_defaults(run=_diff)
    return parser


def _classify(args: argparse.Namespace) -> int:
    from insight.persistence import load_model

    texts = list(args.texts) or [line.rstrip("\n") for line in sys.stdin]
    tagger = load_model(args.model)
    for text, result in zip(texts, tagger.predict(texts, n_jobs=-1), strict=True):
        if args.json:
            record = {
                "text": text,
                "lang": result.language,
                "tags": {k: {"polarity": p, "probability": q} for k, (p, q) in result.tags.items()},
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            tags = ", ".join(f"{k} {p or 'present'} {q:.2f}" for k, (p, q) in result.tags.items())
            print(f"[{result.language}] {tags or '(no tags)'}  <- {text}")
    return 0


def _tag(args: argparse.Namespace) -> int:
    from insight.batch import tag_export

    summary = tag_export(
        args.input,
        args.output,
        text_column=args.text_col,
        score_column=args.score_col,
        model=args.model,
        jobs=args.jobs,
        encoding=args.encoding,
        sheet=args.sheet,
        strict=args.strict,
        bom=args.bom,
    )
    print(summary.render(), file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    from insight.report import run_report_command

    return run_report_command(args)


def _serve(args: argparse.Namespace) -> int:
    from insight.api.server import run_serve_command

    return run_serve_command(args)


def _train(args: argparse.Namespace) -> int:
    from insight.workflow import train_from_file

    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    card = train_from_file(
        args.labeled,
        args.out,
        labels=labels,
        text_column=args.text_col,
        cv=args.cv,
        seed=args.seed,
        force=args.force,
        base=args.base,
        base_weight=args.base_weight,
        learning_curve=args.learning_curve,
    )
    base = card["training"].get("base")
    if base:
        print(
            f"warm start from {base['source']}: {base['company_rows']} company rows "
            f"(weight {base['company_weight']}) with {base['base_rows']} base rows; labels of "
            f"the company's own: {base['labels_from_company_only'] or 'none'}"
        )
    print(f"cross-validated on {card['training']['rows']} rows ({args.cv} folds):")
    print(format_metrics(card["cv_metrics"]))
    if card.get("heldout_metrics"):
        print(f"\nheld out (split = test, {card['heldout_metrics']['n']} rows):")
        print(format_metrics(card["heldout_metrics"]))
    if "learning_curve" in card["training"]:
        from insight.learning_curve import render_curve

        print("\nlearning curve:")
        print(render_curve(card["training"]["learning_curve"]))
    print(f"\nmodel written to {args.out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from insight.checks import check_labeled_file

    report = check_labeled_file(args.labeled, canonical=args.canonical)
    if args.json:
        problems = [
            {"row": p.row, "column": p.column, "message": p.message, "severity": p.severity}
            for p in report.problems
        ]
        print(
            json.dumps(
                {"ok": report.ok, "counts": report.counts, "problems": problems}, ensure_ascii=False
            )
        )
    else:
        if report.problems:
            print(report.render(), file=sys.stderr)
        counts = report.counts
        print(
            f"{report.rows} rows, labels {report.label_columns}, "
            f"{len(report.errors)} errors, {report.near_duplicate_rows} near-duplicate rows"
        )
        for label, share in counts.get("label_share", {}).items():
            print(f"  {label:<24} in {share:.1%} of rows")
    return 0 if report.ok else 1


def _evaluate(args: argparse.Namespace) -> int:
    from insight.workflow import evaluate_file

    metrics = evaluate_file(args.labeled, args.model, text_column=args.text_col, split=args.split)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        print(format_metrics(metrics))
    return 0


def _suggest(args: argparse.Namespace) -> int:
    from insight.suggest import suggest_file

    summary = suggest_file(
        args.export,
        args.output,
        model=args.model,
        n=args.n,
        seed=args.seed,
        text_column=args.text_col,
        score_column=args.score_col,
        encoding=args.encoding,
        sheet=args.sheet,
    )
    print(summary.render())
    return 0


def _audit(args: argparse.Namespace) -> int:
    from insight.audit import audit_file

    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    report = audit_file(
        args.labeled,
        args.output,
        text_column=args.text_col,
        labels=labels,
        folds=args.folds,
        seed=args.seed,
    )
    print(report.render())
    return 0


def _diff(args: argparse.Namespace) -> int:
    from insight.diff import diff_models, has_regression, render_diff

    result = diff_models(
        args.old,
        args.new,
        args.labeled,
        text_column=args.text_col,
        split=args.split,
        seed=args.seed,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(render_diff(result, examples=args.examples))
    return 1 if args.fail_on_regression and has_regression(result) else 0


def format_metrics(metrics: dict[str, Any]) -> str:
    """A plain-text table of per-label and overall precision, recall and F1."""
    lines = [f"{'label':<24} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for name, m in metrics["labels"].items():
        lines.append(
            f"{name:<24} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>7.3f} "
            f"{m['support']:>8}"
        )
    micro = metrics["micro"]
    lines.append(
        f"{'micro':<24} {micro['precision']:>9.3f} {micro['recall']:>7.3f} {micro['f1']:>7.3f}"
    )
    lines.append(f"{'macro F1':<24} {metrics['macro_f1']:>25.3f}")
    polarity = metrics.get("polarity_accuracy")
    if polarity is not None:
        lines.append(
            f"{'polarity accuracy':<24} {polarity:>25.3f}  ({metrics['polarity_pairs']} pairs)"
        )
    if metrics.get("by_language"):
        by_language = ", ".join(f"{k} {v:.3f}" for k, v in metrics["by_language"].items())
        lines.append(f"{'micro F1 by language':<24} {by_language}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
