"""Check a labeled file before training on it: columns, values, empties, duplicates, counts.

Every problem names the file, the row (1-based data row; the header is row 0) and the
column, so it can be fixed in a spreadsheet. Counts per language and per label come
back too, so a card or a test can assert balance figures.

>>> frame = pd.DataFrame({"comment": ["ok", "ok", "too dear"], "price": ["", "", "negative"]})
>>> [p.render("f.csv") for p in check_labeled_frame(frame, max_near_duplicate_share=0.5).problems]
["f.csv, row 2, column 'comment': same text as row 1 after normalising (near duplicate)"]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from insight.labeled import detect_label_columns, detect_text_column, read_table
from insight.taxonomy import FACTORS, POLARITIES
from insight.text import normalize

CANONICAL_COLUMNS: tuple[str, ...] = (
    "id",
    "lang",
    "industry",
    "score",
    "comment",
    *FACTORS,
    "split",
)
SPLITS = ("train", "dev", "test")
_WORD = re.compile(r"[^\W_]+")
_COMMON_SHINGLE = 50  # shingles shared by more rows than this are too common to pair on


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def render(self, source: str) -> str:
        where = ", ".join(
            part
            for part in (
                source,
                f"row {self.row}" if self.row else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}"


@dataclass
class CheckReport:
    source: str
    rows: int
    label_columns: list[str]
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    near_duplicate_rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self, limit: int = 50) -> str:
        lines = [p.render(self.source) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)


def check_labeled_file(
    path: str | Path, *, canonical: bool = False, max_near_duplicate_share: float = 0.01
) -> CheckReport:
    return check_labeled_frame(
        read_table(path),
        source=str(path),
        canonical=canonical,
        max_near_duplicate_share=max_near_duplicate_share,
    )


def check_labeled_frame(
    frame: pd.DataFrame,
    *,
    source: str = "<frame>",
    canonical: bool = False,
    max_near_duplicate_share: float = 0.01,
) -> CheckReport:
    """Check a labeled table; `canonical` also demands our corpus layout and vocabulary."""
    problems: list[Problem] = []
    if canonical:
        missing = [c for c in CANONICAL_COLUMNS if c not in frame.columns]
        if missing or list(frame.columns) != list(CANONICAL_COLUMNS):
            problems.append(
                Problem(
                    None,
                    None,
                    f"columns must be {list(CANONICAL_COLUMNS)}, got {list(frame.columns)}",
                )
            )
            if missing:
                return CheckReport(source, len(frame), [], problems)
    text_column = "comment" if canonical else detect_text_column(list(frame.columns), source)
    labels = list(FACTORS) if canonical else detect_label_columns(frame, text_column)
    allowed = {"", *POLARITIES} if canonical else None

    texts = [str(v) for v in frame[text_column]]
    for row, text in enumerate(texts, 1):
        if not text.strip():
            problems.append(
                Problem(row, text_column, "empty comment: write the comment or drop the row")
            )
    for name in labels:
        for row, value in enumerate(frame[name], 1):
            cell = str(value).strip()
            if allowed is not None and cell not in allowed:
                problems.append(
                    Problem(row, name, f"{cell!r} is not one of {sorted(allowed - {''})} or empty")
                )
    if "id" in frame.columns:
        seen: dict[str, int] = {}
        for row, value in enumerate(frame["id"], 1):
            key = str(value).strip()
            if not key:
                problems.append(Problem(row, "id", "empty id"))
            elif key in seen:
                problems.append(
                    Problem(row, "id", f"duplicate id {key!r} (first at row {seen[key]})")
                )
            else:
                seen[key] = row
    if canonical:
        problems.extend(_check_canonical_values(frame))

    near = near_duplicates(texts)
    for row, other, how in near:
        problems.append(
            Problem(
                row,
                text_column,
                f"{how} as row {other} after normalising (near duplicate)",
                "warning",
            )
        )
    near_rows = len({row for row, _, _ in near})
    if texts and near_rows / len(texts) > max_near_duplicate_share:
        problems.append(
            Problem(
                None,
                text_column,
                f"{near_rows} rows ({near_rows / len(texts):.1%}) are near duplicates of "
                "earlier rows; "
                f"at most {max_near_duplicate_share:.0%} allowed",
            )
        )
    counts = label_counts(frame, labels, text_column)
    return CheckReport(source, len(frame), labels, problems, counts, near_rows)


def _check_canonical_values(frame: pd.DataFrame) -> list[Problem]:
    problems = []
    for row, (score, split, lang) in enumerate(
        zip(frame["score"], frame["split"], frame["lang"], strict=True), 1
    ):
        if not (str(score).isdigit() and 0 <= int(score) <= 10):
            problems.append(Problem(row, "score", f"{score!r} is not a whole number from 0 to 10"))
        if str(split) not in SPLITS:
            problems.append(Problem(row, "split", f"{split!r} is not one of {list(SPLITS)}"))
        if str(lang) not in ("en", "ru", "pl"):
            problems.append(Problem(row, "lang", f"{lang!r} is not one of en, ru, pl"))
    return problems


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text)
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def near_duplicates(texts: Sequence[str]) -> list[tuple[int, int, str]]:
    """(row, earlier row, how) for rows equal after normalising or with 3-shingle Jaccard > 0.8."""
    found: list[tuple[int, int, str]] = []
    first: dict[str, int] = {}
    normalized = [" ".join(_WORD.findall(normalize(t))) for t in texts]
    for row, (key, text) in enumerate(zip(normalized, texts, strict=True), 1):
        key = key or normalize(text)  # emoji-only answers compare on their emoji
        if not key:
            continue
        if key in first:
            found.append((row, first[key], "same text"))
        else:
            first[key] = row
    shingles = [_shingles(t) for t in normalized]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(shingles):
        for g in s:
            index[g].append(i)
    candidates: set[tuple[int, int]] = set()
    for rows in index.values():
        if 1 < len(rows) <= _COMMON_SHINGLE:
            candidates.update((a, b) for k, a in enumerate(rows) for b in rows[k + 1 :])
    exact = {(row, other) for row, other, _ in found}
    for a, b in sorted(candidates):
        if normalized[a] == normalized[b] or (b + 1, a + 1) in exact:
            continue
        union = len(shingles[a] | shingles[b])
        if union and len(shingles[a] & shingles[b]) / union > 0.8:
            found.append((b + 1, a + 1, "3-shingle Jaccard above 0.8"))
    return found


def label_counts(frame: pd.DataFrame, labels: Sequence[str], text_column: str) -> dict[str, Any]:
    """Counts a dataset card prints: per language, per label and polarity, per industry."""
    languages = [str(v) for v in frame["lang"]] if "lang" in frame.columns else ["all"] * len(frame)
    cells = {name: [str(v).strip().lower() for v in frame[name]] for name in labels}
    per_row = [sum(bool(cells[n][i]) for n in labels) for i in range(len(frame))]
    by_language: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for name in labels:
        for lang, cell in zip(languages, cells[name], strict=True):
            if cell:
                by_language[lang][name][cell] += 1
                by_language["all"][name][cell] += 1
    mentions = sum(per_row)
    counts: dict[str, Any] = {
        "rows": len(frame),
        "rows_by_language": dict(Counter(languages)),
        "no_label_share": round(per_row.count(0) / len(frame), 4) if len(frame) else 0.0,
        "two_or_more_share": round(sum(n >= 2 for n in per_row) / len(frame), 4)
        if len(frame)
        else 0.0,
        "label_share": {n: round(sum(bool(c) for c in cells[n]) / len(frame), 4) for n in labels}
        if len(frame)
        else {},
        "mixed_share_of_mentions": round(
            sum(c == "mixed" for n in labels for c in cells[n]) / mentions, 4
        )
        if mentions
        else 0.0,
        "polarity_by_language": {
            lang: {name: dict(counter) for name, counter in per_label.items()}
            for lang, per_label in sorted(by_language.items())
        },
    }
    if "industry" in frame.columns:
        counts["rows_by_industry"] = dict(Counter(str(v) for v in frame["industry"]).most_common())
    if "split" in frame.columns:
        counts["rows_by_split"] = dict(Counter(str(v) for v in frame["split"]))
    words = sorted(len(str(t).split()) for t in frame[text_column])
    if words:
        counts["words"] = {"min": words[0], "median": words[len(words) // 2], "max": words[-1]}
    return counts
