"""Tag whole exports: every row in, every row out, in order, with the tags beside it.

`tag_export` streams a file of any size through the model on all cores and writes the
result atomically; `tag_dataframe` does the same for a pandas DataFrame in a notebook.

>>> summary = tag_export("data/examples/nps_export.csv")          # doctest: +SKIP
>>> summary.rows_read == summary.rows_written
True
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight.errors import InputError
from insight.exports import (
    NPS_HEADERS,
    ExportReader,
    ExportWriter,
    RowProblem,
    find_column,
    open_export,
    require_text_column,
)
from insight.gcpause import gc_paused
from insight.nps import nps_group as group_of
from insight.nps import nps_score
from insight.taxonomy import POLARITY_SIGNS
from insight.text import MAX_CHARS

if TYPE_CHECKING:
    import pandas as pd

    from insight.tagger import Tagger, TagResult

log = logging.getLogger(__name__)

_WORKER_TAGGER: Tagger | None = None  # set in each worker process (inherited by fork)
MAX_PROBLEMS_KEPT = 100


@dataclass
class TagSummary:
    """What a tagging run did: the figures an analyst checks before trusting the output."""

    input: str
    output: str
    text_column: str
    score_column: str | None
    rows_read: int = 0
    rows_written: int = 0
    empty_comments: int = 0
    invalid_scores: int = 0
    missing_scores: int = 0
    parse_problems: int = 0
    truncated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    label_counts: dict[str, Counter[str]] = field(default_factory=dict)
    languages: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def render(self) -> str:
        rate = self.rows_read / self.seconds if self.seconds else 0.0
        lines = [
            f"rows read {self.rows_read:,}, written {self.rows_written:,} -> {self.output}",
            f"comment column {self.text_column!r}, score column {self.score_column!r}",
            f"empty comments {self.empty_comments:,}; scores missing {self.missing_scores:,}, "
            f"invalid {self.invalid_scores:,}; rows with parse problems {self.parse_problems:,}",
            f"comments longer than {MAX_CHARS:,} characters (tagged on their first {MAX_CHARS:,}, "
            f"written whole) {self.truncated:,}",
            "languages: " + ", ".join(f"{k} {v:,}" for k, v in self.languages.most_common()),
        ]
        for label, counts in self.label_counts.items():
            detail = ", ".join(f"{p or 'present'} {n:,}" for p, n in counts.most_common())
            lines.append(f"  {label:<16} {sum(counts.values()):>8,}  ({detail})")
        for problem in self.problems[:10]:
            lines.append(f"  problem: {problem.message}")
        if self.parse_problems > 10:
            lines.append(f"  ... {self.parse_problems - 10} more parse problems")
        lines.append(f"time {self.seconds:.1f} s ({rate:,.0f} rows/s)")
        return "\n".join(lines)


def added_columns(labels: Sequence[str], existing: Sequence[str]) -> list[str]:
    """The columns tagging adds; names already in the export get an ``insight_`` prefix."""
    names = ["lang", "nps_group"]
    for label in labels:
        names += [label, f"{label}_probability"]
    names.append("tags")
    taken = set(existing)
    return [f"insight_{n}" if n in taken else n for n in names]


def nps_group(score: str) -> tuple[str, str]:
    """(group, status) for a raw score cell: status is ok, missing or invalid."""
    if not score.strip():
        return "", "missing"
    number = nps_score(score)
    if number is None:
        return "", "invalid"
    return group_of(number), "ok"


def _tag_cells(tagger: Tagger, texts: list[str], scores: list[str] | None) -> list[list[str]]:
    """The added cells of each row, in `added_columns` order."""
    with gc_paused():
        return _cells_of(tagger, tagger.predict(texts, scores=scores), scores)


def _cells_of(
    tagger: Tagger, results: list[TagResult], scores: list[str] | None
) -> list[list[str]]:
    groups = [nps_group(s)[0] for s in scores] if scores is not None else [""] * len(results)
    rows = []
    for result, group in zip(results, groups, strict=True):
        cells = [result.language if result.probabilities else "", group]
        compact = []
        for label in tagger.labels_:
            polarity, probability = result.tags.get(label, (None, None))
            present = label in result.tags
            cells.append((polarity or "present") if present else "")
            shown = result.probabilities.get(label, probability)
            cells.append(f"{shown:.3f}" if shown is not None else "")
            if present:
                compact.append(f"{label}{POLARITY_SIGNS.get(polarity or '', '')}")
        cells.append(", ".join(compact))
        rows.append(cells)
    return rows


def _worker_init(model_dir: str | None) -> None:
    global _WORKER_TAGGER
    if _WORKER_TAGGER is None:
        from insight.persistence import load_model

        _WORKER_TAGGER = load_model(model_dir)


def _worker_tag(texts: list[str], scores: list[str] | None) -> list[list[str]]:
    assert _WORKER_TAGGER is not None
    return _tag_cells(_WORKER_TAGGER, texts, scores)


class _Progress:
    """A one-line progress bar on a terminal; silent when piped or under CI."""

    def __init__(self, reader: ExportReader, enabled: bool | None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.enabled, self.reader, self.start, self.last = enabled, reader, time.monotonic(), 0.0

    def update(self, rows: int, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.5 and not final):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        line = f"\r{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        done = self.reader.progress() if self.reader.progress else None
        if done and self.reader.size_bytes and not final:
            remaining = elapsed * (self.reader.size_bytes - done) / done
            line += f"  {100 * done / self.reader.size_bytes:.0f}%  ETA {remaining:,.0f} s"
        sys.stderr.write(line + ("\n" if final else "   "))
        sys.stderr.flush()


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.tagged.csv")


def tag_export(
    path: str | Path,
    output: str | Path | None = None,
    *,
    text_column: str | None = None,
    score_column: str | None = None,
    model: str | Path | None = None,
    jobs: int | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    strict: bool = False,
    bom: bool = False,
    progress: bool | None = None,
) -> TagSummary:
    """Tag every row of an export and write it with the tag columns added.

    Rows written always equal rows read: a row that cannot be parsed is kept with empty
    tags and reported (or, with `strict`, stops the run with an error naming its line).
    """
    source = Path(path)
    target = Path(output) if output is not None else default_output(source)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise InputError(f"{target}: the output would overwrite the input; choose another -o")
    reader = open_export(source, encoding=encoding, sheet=sheet)
    try:
        return _tag_reader(
            reader, source, target, text_column, score_column, model, jobs, strict, bom, progress
        )
    finally:
        reader.close()


def _tag_reader(
    reader: ExportReader,
    source: Path,
    target: Path,
    text_column: str | None,
    score_column: str | None,
    model: str | Path | None,
    jobs: int | None,
    strict: bool,
    bom: bool,
    progress: bool | None,
) -> TagSummary:
    header = reader.header
    text_col = require_text_column(header, text_column, source)
    score_col = find_column(header, NPS_HEADERS, score_column)
    log.info("%s; comment column %r, score column %r", reader.describe(), text_col, score_col)

    from insight.persistence import load_model

    tagger = load_model(model)
    extra = added_columns(tagger.labels_, header)
    summary = TagSummary(str(source), str(target), text_col, score_col)
    summary.label_counts = {label: Counter() for label in tagger.labels_}
    text_index = header.index(text_col)
    score_index = header.index(score_col) if score_col is not None else None
    workers = _jobs(jobs)
    started = time.monotonic()
    bar = _Progress(reader, progress)
    writer = ExportWriter(target, [*header, *extra], bom=bom)
    pool = None
    try:
        if workers > 1:
            global _WORKER_TAGGER
            _WORKER_TAGGER = tagger  # inherited by forked workers: no reload
            context = multiprocessing.get_context(
                "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            )
            pool = context.Pool(
                jobs, initializer=_worker_init, initargs=(str(model) if model else None,)
            )
        pending: deque[tuple[list[list[str]], Any]] = deque()

        def drain(limit: int) -> None:
            while len(pending) > limit:
                rows, result = pending.popleft()
                tagged = result.get() if pool is not None else result
                writer.write([row + cells for row, cells in zip(rows, tagged, strict=True)])
                summary.rows_written += len(rows)
                for cells in tagged:
                    _count(summary, tagger.labels_, cells)
                bar.update(summary.rows_written)

        for chunk in reader.chunks:
            for index, message in sorted(chunk.problems.items()):
                summary.parse_problems += 1
                if strict:
                    raise InputError(
                        f"{source}: {message} (run without --strict to keep such rows)"
                    )
                if len(summary.problems) < MAX_PROBLEMS_KEPT:
                    summary.problems.append(RowProblem(summary.rows_read + index + 2, message))
            summary.rows_read += len(chunk.rows)
            texts = [
                "" if i in chunk.problems else row[text_index] for i, row in enumerate(chunk.rows)
            ]
            scores = [row[score_index] for row in chunk.rows] if score_index is not None else None
            _count_inputs(summary, texts, scores)
            if pool is not None:
                pending.append((chunk.rows, pool.apply_async(_worker_tag, (texts, scores))))
                drain(2 * workers)
            else:
                pending.append((chunk.rows, _tag_cells(tagger, texts, scores)))
                drain(0)
        drain(0)
        if summary.rows_read == 0:
            raise InputError(f"{source}: has a header but no rows")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    summary.seconds = time.monotonic() - started
    bar.update(summary.rows_written, final=True)
    return summary


def _jobs(jobs: int | None) -> int:
    from insight.tagger import available_cores  # lazy: importing batch stays light

    available = available_cores()
    if jobs is None or jobs <= 0:
        return available
    return min(jobs, available * 4)


def _count_inputs(summary: TagSummary, texts: list[str], scores: list[str] | None) -> None:
    summary.empty_comments += sum(1 for t in texts if not t.strip())
    summary.truncated += sum(1 for t in texts if len(t) > MAX_CHARS)
    if scores is None:
        return
    status = Counter(nps_group(s)[1] for s in scores)
    summary.missing_scores += status["missing"]
    summary.invalid_scores += status["invalid"]


def _count(summary: TagSummary, labels: Sequence[str], cells: list[str]) -> None:
    if cells[0]:
        summary.languages[cells[0]] += 1
    for offset, label in enumerate(labels):
        value = cells[2 + 2 * offset]
        if value:
            summary.label_counts[label][value] += 1


def tag_dataframe(
    frame: pd.DataFrame,
    *,
    text_column: str | None = None,
    score_column: str | None = None,
    model: str | Path | None = None,
    tagger: Tagger | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with the tag columns added (same rows, same order, same index)."""
    import pandas as pd

    header = [str(c) for c in frame.columns]
    text_col = require_text_column(header, text_column, fix="pass text_column=")
    score_col = find_column(header, NPS_HEADERS, score_column)
    if tagger is None:
        from insight.persistence import load_model

        tagger = load_model(model)
    texts = ["" if pd.isna(v) else str(v) for v in frame[text_col]]
    scores = ["" if pd.isna(v) else str(v) for v in frame[score_col]] if score_col else None
    cells = _tag_cells(tagger, texts, scores)
    result = frame.copy()
    for position, name in enumerate(added_columns(tagger.labels_, header)):
        result[name] = [row[position] for row in cells]
    return result
