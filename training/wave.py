"""Land a corpus wave: writers' files -> blind second annotation -> adjudication -> corpus.

A wave lives in one directory while it is made (the data card's "How it was written" and
"How it was checked" describe the process; the briefs are in `data/briefs/`):

    out/{part}.csv          the writers' rows, one file per writer (`part` is e.g. `en_a`)
    staged.csv              every kept row with a `key`, after `stage`
    blind/{part}_{k}.csv    the same rows without labels, for the annotators, after `blind`
    second/{part}_{k}.csv   the annotators' files (the blind files with labels filled in)
    adj/disagreements_{lang}.csv   rows whose two annotations differ, after `compare`;
                            the adjudicators fill the final label columns

python -m training.wave stage DIR
python -m training.wave blind DIR [--parts 2] [--seed N]
python -m training.wave compare DIR [--lang ru ...]
python -m training.wave integrate DIR --wave 28 --seed N [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from insight.checks import near_duplicates
from insight.exports import write_table
from insight.taxonomy import FACTORS, POLARITIES
from training.corpus import CORPUS, DATA, pair_agreement, read_rows
from training.splits import assign_splits

WRITER_COLUMNS = ("lang", "industry", "score", "comment", *FACTORS)
STAGED_COLUMNS = ("key", *WRITER_COLUMNS)
ADJ_COLUMNS = ("key", "lang", "industry", "score", "comment", "a", "b", "choice", *FACTORS, "note")
CORPUS_COLUMNS = ("id", "lang", "industry", "score", "comment", *FACTORS, "split")
LANGUAGES = ("en", "pl", "ru")  # the order new rows are appended in
_PART = re.compile(r"^(en|ru|pl)_[a-z]$")
_INDUSTRY = re.compile(r"^[a-z][a-z0-9_]*$")

Labels = tuple[str, ...]


class WaveError(ValueError):
    """A wave file that cannot be used as it is; the message says where and how to fix it."""


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Write a CSV atomically (`insight.exports.write_table`), so an interrupted run never
    leaves half a file; a column a row lacks is written empty."""
    write_table(path, columns, [[row.get(c, "") for c in columns] for row in rows])


def labels_of(row: Mapping[str, str]) -> Labels:
    return tuple(row.get(f, "").strip() for f in FACTORS)


def validate_writer_rows(part: str, rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Every problem of one writer file, as 'out/PART.csv, row N, column C: ...' lines."""
    lang = part[:2]
    problems = []
    for n, row in enumerate(rows, 2):
        where = f"out/{part}.csv, row {n}"
        missing = [c for c in WRITER_COLUMNS if c not in row]
        if missing:
            return [
                f"out/{part}.csv: missing columns {missing}; the header must be "
                f"{','.join(WRITER_COLUMNS)}"
            ]
        if row["lang"] != lang:
            problems.append(f"{where}, column 'lang': {row['lang']!r}, expected {lang!r}")
        if not _INDUSTRY.match(row["industry"]):
            problems.append(f"{where}, column 'industry': {row['industry']!r} is not snake_case")
        if not (row["score"].isdigit() and int(row["score"]) <= 10):
            problems.append(f"{where}, column 'score': {row['score']!r} is not 0-10")
        if not row["comment"].strip():
            problems.append(f"{where}, column 'comment': empty; write it or drop the row")
        for factor, value in zip(FACTORS, labels_of(row), strict=True):
            if value and value not in POLARITIES:
                problems.append(
                    f"{where}, column {factor!r}: {value!r} is not one of "
                    f"{list(POLARITIES)} or empty"
                )
    return problems


def stage(
    parts: Mapping[str, Sequence[Mapping[str, str]]], corpus_texts: Sequence[str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(kept, dropped): rows equal or near to a corpus row or an earlier wave row are dropped.

    Near means what `insight check` means by it (same text after normalising, or 3-shingle
    Jaccard above 0.8), so the corpus stays within its near-duplicate limit.
    """
    rows = [
        {"key": f"{part}-{n:03d}", **{c: row[c].strip() for c in WRITER_COLUMNS}}
        for part in sorted(parts)
        for n, row in enumerate(parts[part], 1)
    ]
    texts = [*corpus_texts, *(r["comment"] for r in rows)]
    offset = len(corpus_texts)
    reason: dict[int, str] = {}
    for row, other, how in near_duplicates(texts):
        if row > offset and row - 1 - offset not in reason:
            origin = (
                "corpus row" if other <= offset else "wave row " + rows[other - 1 - offset]["key"]
            )
            reason[row - 1 - offset] = f"{how} as {origin}"
    kept = [r for i, r in enumerate(rows) if i not in reason]
    dropped = [{**rows[i], "reason": why} for i, why in sorted(reason.items())]
    return kept, dropped


def blind_parts(
    staged: Sequence[Mapping[str, str]], parts: int, seed: int
) -> dict[str, list[dict[str, str]]]:
    """Each writer's rows cut into `parts` files in a random order, label cells emptied.

    A row's file and place depend on its key and the seed only, so the files already handed
    to annotators stay the same when rows are added or dropped elsewhere.
    """
    draws = {row["key"]: _draw(seed, row["key"]) for row in staged}
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sorted(staged, key=lambda r: draws[r["key"]]):
        part = row["key"].rsplit("-", 1)[0]
        name = f"{part}_{draws[row['key']] % parts + 1}"
        out[name].append({**{c: row[c] for c in STAGED_COLUMNS}, **dict.fromkeys(FACTORS, "")})
    return dict(sorted(out.items()))


def _draw(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}-{key}".encode()).digest()[:8], "big")


def read_second(wave: Path, staged: Sequence[Mapping[str, str]]) -> dict[str, Labels]:
    """The second annotation of every staged row; an error names any row missing or invalid."""
    second: dict[str, Labels] = {}
    for path in sorted((wave / "second").glob("*.csv")):
        for n, row in enumerate(read_rows(path), 2):
            labels = labels_of(row)
            bad = [v for v in labels if v and v not in POLARITIES]
            if bad:
                raise WaveError(f"{path}, row {n}: {bad} not one of {list(POLARITIES)}")
            if row["key"] in second:
                raise WaveError(f"{path}, row {n}: key {row['key']} annotated twice")
            second[row["key"]] = labels
    missing = [r["key"] for r in staged if r["key"] not in second]
    if missing:
        raise WaveError(
            f"{len(missing)} staged rows have no second annotation in "
            f"{wave / 'second'}, e.g. {missing[:5]}"
        )
    return second


def _b_is_writer(key: str) -> bool:
    """Which side the writer's labels are shown on: random per row, fixed by its key.

    The adjudicator sees the two annotations as A and B without knowing whose is whose, so it
    cannot learn to side with the writer or with the second annotator.
    """
    return random.Random(key).random() < 0.5


def disagreements(
    staged: Sequence[Mapping[str, str]], second: Mapping[str, Labels]
) -> list[dict[str, str]]:
    """Rows for the adjudicators: the two annotations as A and B, a choice to fill."""
    out = []
    for row in staged:
        writer, other = labels_of(row), second[row["key"]]
        if writer == other:
            continue
        a, b = (other, writer) if _b_is_writer(row["key"]) else (writer, other)
        out.append(
            {
                "key": row["key"],
                "lang": row["lang"],
                "industry": row["industry"],
                "score": row["score"],
                "comment": row["comment"],
                "a": _render(a),
                "b": _render(b),
                "choice": "",
                **dict.fromkeys(FACTORS, ""),
                "note": "",
            }
        )
    return out


def _render(labels: Labels) -> str:
    return "; ".join(f"{f}: {v}" for f, v in zip(FACTORS, labels, strict=True) if v) or "(none)"


def read_adjudications(wave: Path) -> dict[str, tuple[str, Labels]]:
    """{key: (choice, labels)} from adj/adjudicated_*.csv; `labels` count only for `other`."""
    adjudicated: dict[str, tuple[str, Labels]] = {}
    for path in sorted((wave / "adj").glob("adjudicated_*.csv")):
        for n, row in enumerate(read_rows(path), 2):
            choice, labels = row.get("choice", "").strip().lower(), labels_of(row)
            if choice not in ("a", "b", "other"):
                raise WaveError(
                    f"{path}, row {n}, column 'choice': {choice!r}; write a, b or "
                    "other (other: fill the label cells)"
                )
            bad = [v for v in labels if v and v not in POLARITIES]
            if bad:
                raise WaveError(f"{path}, row {n}: {bad} not one of {list(POLARITIES)}")
            adjudicated[row["key"]] = (choice, labels)
    return adjudicated


def final_labels(
    staged: Sequence[Mapping[str, str]],
    second: Mapping[str, Labels],
    adjudicated: Mapping[str, tuple[str, Labels]],
) -> tuple[dict[str, Labels], Counter[str]]:
    """The label of every row, and whose side each adjudication took."""
    final: dict[str, Labels] = {}
    sides: Counter[str] = Counter()
    for row in staged:
        key, writer, other = row["key"], labels_of(row), second[row["key"]]
        if writer == other:
            final[key] = writer
            continue
        if key not in adjudicated:
            raise WaveError(
                f"row {key} differs between the annotations and has no adjudication "
                "in adj/adjudicated_*.csv"
            )
        choice, labels = adjudicated[key]
        if choice == "other":
            final[key] = labels
        else:
            final[key] = writer if (choice == "b") == _b_is_writer(key) else other
        sides[
            "second" if final[key] == other else "writer" if final[key] == writer else "other"
        ] += 1
    return final, sides


def new_corpus_rows(
    staged: Sequence[Mapping[str, str]],
    final: Mapping[str, Labels],
    existing: Sequence[Mapping[str, str]],
    seed: int,
) -> list[dict[str, str]]:
    """Ids continue each language's numbering; the split is a stratified draw of its own."""
    last = Counter[str]()
    for row in existing:
        lang, number = row["id"].split("-")
        last[lang] = max(last[lang], int(number))
    ordered = sorted(staged, key=lambda r: (LANGUAGES.index(r["lang"]), r["key"]))
    rows = []
    for row in ordered:
        last[row["lang"]] += 1
        labels = final[row["key"]]
        rows.append(
            {
                "id": f"{row['lang']}-{last[row['lang']]:04d}",
                "key": row["key"],
                **{c: row[c] for c in ("lang", "industry", "score", "comment")},
                **dict(zip(FACTORS, labels, strict=True)),
            }
        )
    strata = [r["lang"] + "|" + "+".join(f for f in FACTORS if r[f]) for r in rows]
    for row, split in zip(rows, assign_splits(strata, seed), strict=True):
        row["split"] = split
    return rows


def annotation_record(
    rows: Sequence[Mapping[str, str]],
    staged: Mapping[str, Mapping[str, str]],
    second: Mapping[str, Labels],
) -> list[dict[str, str]]:
    """The `data/annotations/waveNN.csv` rows: writer, second and, where they differ, final."""
    out = []
    for row in rows:
        writer, other = labels_of(staged[row["key"]]), second[row["key"]]
        out.append(
            {"id": row["id"], "annotation": "writer", **dict(zip(FACTORS, writer, strict=True))}
        )
        out.append(
            {"id": row["id"], "annotation": "second", **dict(zip(FACTORS, other, strict=True))}
        )
        if writer != other:
            out.append(
                {"id": row["id"], "annotation": "adjudicated", **{f: row[f] for f in FACTORS}}
            )
    return out


def _stage_command(wave: Path) -> int:
    parts = {
        p.stem: read_rows(p) for p in sorted((wave / "out").glob("*.csv")) if _PART.match(p.stem)
    }
    problems = [line for part, rows in parts.items() for line in validate_writer_rows(part, rows)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    corpus = read_rows(CORPUS)
    known = {r["industry"] for r in corpus}
    kept, dropped = stage(parts, [r["comment"] for r in corpus])
    write_rows(wave / "staged.csv", STAGED_COLUMNS, kept)
    write_rows(wave / "dropped.csv", (*STAGED_COLUMNS, "reason"), dropped)
    industries = Counter((r["lang"], r["industry"]) for r in kept)
    print(
        json.dumps(
            {
                "kept": len(kept),
                "dropped": len(dropped),
                "by_language": Counter(r["lang"] for r in kept),
                "industries": {
                    f"{lang} {name}": n for (lang, name), n in sorted(industries.items())
                },
                "industries_already_in_corpus": sorted({n for _, n in industries} & known),
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    return 0


def _blind_command(wave: Path, parts: int, seed: int, force: bool) -> int:
    """Write the blind files; one already handed out is kept unless `force`."""
    written = {}
    for name, rows in blind_parts(read_rows(wave / "staged.csv"), parts, seed).items():
        path = wave / "blind" / f"{name}.csv"
        if path.exists() and not force:
            continue
        write_rows(path, STAGED_COLUMNS, rows)
        written[name] = len(rows)
    print(json.dumps({"written": written}, indent=1))
    return 0


def _as_pair(
    row: Mapping[str, str], second: Mapping[str, Labels]
) -> tuple[dict[str, str], dict[str, str]]:
    """The writer's and the second annotator's labels of a staged row, as {factor: polarity}."""
    return (
        dict(zip(FACTORS, labels_of(row), strict=True)),
        dict(zip(FACTORS, second[row["key"]], strict=True)),
    )


def _compare_command(wave: Path, languages: Sequence[str]) -> int:
    staged = [r for r in read_rows(wave / "staged.csv") if r["lang"] in languages]
    second = read_second(wave, staged)
    report = {}
    for lang in languages:
        rows = [r for r in staged if r["lang"] == lang]
        report[lang] = pair_agreement([_as_pair(r, second) for r in rows])
        todo = disagreements(rows, second)
        write_rows(
            wave / "adj" / f"disagreements_{lang}.csv",
            ADJ_COLUMNS,
            todo,
        )
    report["all"] = pair_agreement([_as_pair(r, second) for r in staged])
    print(json.dumps(report, indent=1))
    return 0


def landed_already(
    staged: Sequence[Mapping[str, str]], existing: Sequence[Mapping[str, str]], record: Path
) -> str | None:
    """Why this wave must not be appended (again), or None.

    Staging drops every row equal to a corpus row, so a staged comment found in the corpus means
    the wave was appended before, perhaps by a run that stopped before writing its record.
    """
    if record.exists():
        return f"{record} exists: wave already landed; pick the next wave number"
    texts = {r["comment"] for r in existing}
    found = [r["key"] for r in staged if r["comment"] in texts]
    if found:
        return (
            f"{len(found)} staged rows are already in the corpus (e.g. {found[:3]}): this wave "
            "was appended before; restore data/corpus.csv from git or finish by hand"
        )
    return None


def _integrate_command(wave: Path, number: int, seed: int, write: bool) -> int:
    staged = read_rows(wave / "staged.csv")
    second = read_second(wave, staged)
    final, sides = final_labels(staged, second, read_adjudications(wave))
    existing = read_rows(CORPUS)
    record_path = DATA / "annotations" / f"wave{number}.csv"
    problem = landed_already(staged, existing, record_path)
    if problem:
        raise WaveError(problem)
    rows = new_corpus_rows(staged, final, existing, seed)
    record = annotation_record(rows, {r["key"]: r for r in staged}, second)
    print(
        json.dumps(
            {
                "rows": len(rows),
                "splits": Counter(r["split"] for r in rows),
                "by_language": Counter(r["lang"] for r in rows),
                "adjudicated": sides,
            },
            indent=1,
        )
    )
    write_rows(wave / "new_rows.csv", (*CORPUS_COLUMNS, "key"), rows)
    if write:
        write_rows(CORPUS, CORPUS_COLUMNS, [*existing, *rows])
        write_rows(record_path, ("id", "annotation", *FACTORS), record)
        print(f"appended {len(rows)} rows to {CORPUS}; wrote data/annotations/wave{number}.csv")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.wave", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("stage", "blind", "compare", "integrate"):
        p = sub.add_parser(name)
        p.add_argument("wave", type=Path, help="the wave's directory")
        if name == "compare":
            p.add_argument("--lang", nargs="+", choices=LANGUAGES, help="only these languages")
        if name == "blind":
            p.add_argument("--parts", type=int, default=2)
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--force", action="store_true", help="rewrite existing blind files")
        if name == "integrate":
            p.add_argument("--wave", dest="number", type=int, required=True)
            p.add_argument("--seed", type=int, required=True)
            p.add_argument("--write", action="store_true", help="append to the corpus")
    args = parser.parse_args(argv)
    try:
        if args.command == "stage":
            return _stage_command(args.wave)
        if args.command == "blind":
            return _blind_command(args.wave, args.parts, args.seed, args.force)
        if args.command == "compare":
            return _compare_command(args.wave, args.lang or LANGUAGES)
        return _integrate_command(args.wave, args.number, args.seed, args.write)
    except (WaveError, FileNotFoundError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
