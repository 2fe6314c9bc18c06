"""Read labeled comment files: find the text column and the label columns, check the values.

A labeled file is a table with one comment per row and one column per label whose cell
is empty (label absent) or the label's polarity (``positive``, ``negative``, ``mixed``,
``neutral``, ``conflict`` or a company's own short words); a column of 1/0 gives a
presence-only label. Our corpus uses the canonical layout
``id,lang,industry,score,comment,quality,service,convenience,price,emotion,split``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from insight.errors import InputError, LabelError
from insight.exports import NPS_HEADERS, TEXT_HEADERS
from insight.taxonomy import POLARITY_ALIASES

# Columns that describe a row rather than label it; never taken as labels.
META_COLUMNS = frozenset(
    "id response_id respondent_id lang language industry score nps rating csat ces split date "
    "created created_at submitted submitted_at timestamp segment channel region plan source "
    "country city product customer_id user_id email name".split()
)
GUESS_PREFIX = "guess_"  # a model's guesses beside the labels (`insight suggest`), never labels
_PRESENT = frozenset({"1", "true", "yes", "x", "y"})
_ABSENT = frozenset({"", "0", "false", "no", "n"})
_POLARITY_WORD = re.compile(r"^[a-z][a-z_]{0,15}$|^[+\-±~]$")
MAX_POLARITY_VALUES = 8


@dataclass(frozen=True)
class LabeledData:
    """Comments with their gold labels, ready for `Tagger.fit` and `evaluate_tags`."""

    source: str
    text_column: str
    label_names: list[str]
    texts: list[str]
    labels: list[dict[str, str | None]]
    languages: list[str] | None = None
    splits: list[str] | None = None
    scores: list[str] | None = None

    def only_split(self, split: str) -> LabeledData:
        """The rows whose `split` column is `split` (`--split` of evaluate and diff)."""
        if self.splits is None:
            raise InputError(
                f"{self.source}: --split {split} given but the file has no 'split' column"
            )
        chosen = self.subset([s == split for s in self.splits])
        if not chosen.texts:
            raise InputError(f"{self.source}: no rows with split = {split!r}")
        return chosen

    def subset(self, keep: Sequence[bool]) -> LabeledData:
        def pick(values: list[str] | None) -> list[str] | None:
            return None if values is None else [v for v, k in zip(values, keep, strict=True) if k]

        return LabeledData(
            self.source,
            self.text_column,
            self.label_names,
            [t for t, k in zip(self.texts, keep, strict=True) if k],
            [y for y, k in zip(self.labels, keep, strict=True) if k],
            pick(self.languages),
            pick(self.splits),
            pick(self.scores),
        )


def read_table(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a labeled table as text through the same reader as `insight tag` (formats,
    encodings, delimiters); a row that cannot be parsed is an error here, since a labeled
    file with a shifted row would teach the model wrong labels."""
    from insight.exports import open_export

    reader = open_export(path, encoding=encoding)
    rows: list[list[str]] = []
    try:
        for chunk in reader.chunks:
            if chunk.problems:
                first = min(chunk.problems)
                raise InputError(f"{path}: {chunk.problems[first]}; fix the row and run again")
            rows.extend(chunk.rows)
    finally:
        reader.close()
    if not rows:
        raise InputError(f"{path}: has no data rows")
    return pd.DataFrame(rows, columns=reader.header, dtype=str)


def detect_text_column(columns: Sequence[str], source: str = "") -> str:
    lowered = {str(c).strip().lower(): str(c) for c in columns}
    for name in TEXT_HEADERS:  # exact names only: a label column may contain one
        if name in lowered:
            return lowered[name]
    raise InputError(
        f"{source}: no comment column found among {list(columns)}; name it with --text-col"
    )


def detect_label_columns(frame: pd.DataFrame, text_column: str) -> list[str]:
    """Columns whose values are all empty, 1/0 or one short polarity word, with some empty."""
    found = []
    for column in frame.columns:
        name = str(column).strip().lower()
        if column == text_column or name in META_COLUMNS or name.startswith(GUESS_PREFIX):
            continue
        values = {str(v).strip().lower() for v in frame[column]}
        if len(values) > MAX_POLARITY_VALUES + 1:
            continue
        if (values <= _PRESENT | _ABSENT and values & _PRESENT) or (
            "" in values and all(_POLARITY_WORD.match(v) for v in values - {""}) and len(values) > 1
        ):
            found.append(str(column))
    return found


def labeled_from_frame(
    frame: pd.DataFrame,
    text_column: str | None = None,
    labels: Sequence[str] | None = None,
    source: str = "<frame>",
) -> LabeledData:
    """Turn a table into `LabeledData`; errors name the source, the row and the column."""
    text_column = text_column or detect_text_column(list(frame.columns), source)
    if text_column not in frame.columns:
        raise InputError(f"{source}: no column {text_column!r}; columns are {list(frame.columns)}")
    names = list(labels) if labels else detect_label_columns(frame, text_column)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: label columns {missing} not found; columns are {list(frame.columns)}"
        )
    if not names:
        raise InputError(
            f"{source}: no label columns found (columns whose cells are empty, 1/0 or a polarity "
            f"word); columns are {list(frame.columns)}; name them with --labels"
        )
    gold: list[dict[str, str | None]] = [{} for _ in range(len(frame))]
    for name in names:
        cells = [str(v).strip().lower() for v in frame[name]]
        presence_only = set(cells) <= _PRESENT | _ABSENT
        for row, cell in enumerate(cells):
            if presence_only:
                if cell in _PRESENT:
                    gold[row][name] = None
                continue
            if not cell:
                continue
            if not _POLARITY_WORD.match(cell):
                raise LabelError(
                    f"{source}: row {row + 1}, column {name!r}: {cell!r} is not a polarity "
                    "(expected empty, positive, negative, mixed, neutral, conflict or 1/0)"
                )
            gold[row][name] = POLARITY_ALIASES.get(cell, cell)
    texts = [str(v) for v in frame[text_column]]
    lowered = {str(c).lower(): c for c in frame.columns}
    languages = [str(v) for v in frame[lowered["lang"]]] if "lang" in lowered else None
    splits = (
        [str(v).strip().lower() for v in frame[lowered["split"]]] if "split" in lowered else None
    )
    score_column = next((lowered[c] for c in NPS_HEADERS if c in lowered), None)
    scores = [str(v) for v in frame[score_column]] if score_column is not None else None
    return LabeledData(source, text_column, names, texts, gold, languages, splits, scores)


def read_labeled(
    path: str | Path, text_column: str | None = None, labels: Sequence[str] | None = None
) -> LabeledData:
    return labeled_from_frame(read_table(path), text_column, labels, source=str(path))


def read_for_model(
    path: str | Path,
    labels: Sequence[str],
    text_column: str | None = None,
    *,
    partial: bool = False,
) -> LabeledData:
    """Read a labeled file to score a model whose labels are `labels`.

    Label columns match the model's labels ignoring case and surrounding spaces: exports
    and spreadsheets capitalise headers ("Quality"), and that is no reason to refuse a
    file. `partial` accepts a file that labels only some of them (the others are left out
    of the figures); a column that matches no label is always an error, since it is most
    likely a misspelt one.
    """
    frame = read_table(path)  # read once: the second pass below only picks columns
    data = labeled_from_frame(frame, text_column, source=str(path))
    wanted = {label.strip().casefold(): label for label in labels}
    column_of = {}
    unknown = []
    for name in data.label_names:
        label = wanted.get(name.strip().casefold())
        if label is None:
            unknown.append(name)
        else:
            column_of[label] = name
    missing = [label for label in labels if label not in column_of]
    if unknown or (missing and not (partial and column_of)):
        raise InputError(
            f"{path}: the label columns {data.label_names} do not match the model's labels "
            f"{list(labels)} (missing {missing}, unknown {unknown}); rename the columns or "
            "use a model trained on these labels"
        )
    present = [label for label in labels if label in column_of]
    data = labeled_from_frame(
        frame, data.text_column, [column_of[label] for label in present], source=str(path)
    )
    label_of = {column: label for label, column in column_of.items()}
    return replace(
        data,
        label_names=present,
        labels=[{label_of[k]: v for k, v in row.items()} for row in data.labels],
    )
