"""Read and write comment exports as they really come: formats, encodings, delimiters, chunks.

Every cell is read as text and written back unchanged (IDs with leading zeros, dates and
numbers stay exactly as they were); rows stream in chunks, so a file of any size fits in
memory. A row the parser cannot make sense of is kept, flagged, and reported with its
line number; nothing is ever dropped.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from insight.errors import InputError

log = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
DELIMITERS = (",", ";", "\t", "|")
TEXT_FORMATS = (".csv", ".tsv", ".txt")
FORMATS = (*TEXT_FORMATS, ".xlsx", ".jsonl", ".ndjson", ".parquet")
OUTPUT_FORMATS = (".csv", ".tsv", ".xlsx", ".jsonl", ".parquet")
_SAMPLE_BYTES = 256 * 1024
csv.field_size_limit(64 * 1024 * 1024)  # a comment may be long; a cell is never cut while reading

TEXT_HEADERS = (
    "comment",
    "comments",
    "sentence",
    "feedback",
    "verbatim",
    "reason",
    "text",
    "answer",
    "review",
    "open answer",
    "why",
    "комментарий",
    "комментарии",
    "отзыв",
    "текст",
    "причина",
    "komentarz",
    "uwagi",
    "opinia",
    "uzasadnienie",
)
NPS_HEADERS = (
    "score",
    "nps",
    "nps score",
    "rating",
    "likelihood to recommend",
    "recommend",
    "оценка",
    "балл",
    "ocena",
)
"""Headers of the 0-10 answer: the only score the tagger's polarity prior may read."""
SCORE_HEADERS = (*NPS_HEADERS, "csat", "ces")
"""Headers of any score the report can link tags to (with `--scale csat` or `ces`)."""


@dataclass
class RowProblem:
    """A row the parser could not read cleanly: kept in the output, reported here."""

    line: int
    message: str


@dataclass
class Chunk:
    """A block of rows, each a list of cells aligned with the header."""

    rows: list[list[str]]
    problems: dict[int, str] = field(default_factory=dict)  # row index in chunk -> message


@dataclass
class ExportReader:
    """An open export: its header, how it was read, and a stream of row chunks."""

    path: Path
    header: list[str]
    encoding: str | None
    delimiter: str | None
    chunks: Iterator[Chunk]
    size_bytes: int
    progress: Any = None  # callable giving bytes read so far, when known
    closer: Any = None  # releases the open file, whether or not the chunks were read

    def close(self) -> None:
        if isinstance(self.chunks, Generator):
            self.chunks.close()
        if self.closer is not None:
            self.closer()

    def describe(self) -> str:
        parts = [f"{self.path.name}: {len(self.header)} columns"]
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.delimiter:
            parts.append(f"delimiter {self.delimiter!r}")
        return ", ".join(parts)


# -- detection ----------------------------------------------------------------------------
def detect_encoding(sample: bytes) -> str:
    """BOMs first; then strict UTF-8; then cp1251 (Russian Excel) or cp1250 (Polish) by letters."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"  # UTF-16 without BOM: every other byte is zero for Latin text
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    return max(_LEGACY_ENCODINGS, key=lambda encoding: _plausibility(sample, encoding))


_LEGACY_ENCODINGS = ("cp1251", "cp1250", "iso-8859-2")
_POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_UNLIKELY = frozenset("¶±¼½¾Ľľ¤§¦¨©®°µ·¸¹º»¿ŠšŤťŽž¬¯")


def _plausibility(sample: bytes, encoding: str) -> int:
    """How much a decoding looks like Russian or Polish text: letters of the language that
    code page serves, minus control characters and symbols that text rarely contains."""
    text = sample.decode(encoding, "replace")
    if encoding == "cp1251":
        good = sum(1 for ch in text if "а" <= ch.lower() <= "я")
    else:
        good = sum(1 for ch in text if ch in _POLISH)
    bad = sum(1 for ch in text if "\x80" <= ch <= "\x9f" or ch in _UNLIKELY or ch == "\ufffd")
    return good - 5 * bad


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first records into the most consistent
    number of fields (more than one)."""
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        try:
            rows = list(_limited(csv.reader(io.StringIO(text), delimiter=delimiter), 50))
        except csv.Error:
            continue
        if len(rows) > 1 and text and not text.endswith("\n"):
            rows = rows[:-1]  # the last record may be cut by the sample
        counts = Counter(len(r) for r in rows if r)
        if not counts:
            continue
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        score = hits / sum(counts.values()) + 0.001 * width
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _limited(rows: Iterator[list[str]], n: int) -> Iterator[list[str]]:
    for i, row in enumerate(rows):
        if i >= n:
            return
        yield row


def find_column(header: Sequence[str], wanted: Sequence[str], given: str | None) -> str | None:
    """A column by explicit name, else by known headers (exact, then contained); None if absent."""
    if given is not None:
        if given in header:
            return given
        raise InputError(f"no column named {given!r}; the columns are {list(header)}")
    lowered = [h.strip().lower() for h in header]
    for name in wanted:
        if name in lowered:
            return header[lowered.index(name)]
    for name in wanted:
        for index, column in enumerate(lowered):
            if len(name) > 3 and name in column:
                return header[index]
    return None


def require_text_column(
    header: Sequence[str],
    given: str | None,
    source: object = None,
    fix: str = "name one with --text-col",
) -> str:
    """The comment column (`find_column` over `TEXT_HEADERS`), or an error that lists the
    columns there are and says how to name one (`fix`), prefixed with `source` when given."""
    found = find_column(header, TEXT_HEADERS, given)
    if found is None:
        where = f"{source}: " if source is not None else ""
        raise InputError(f"{where}no comment column found; the columns are {list(header)}; {fix}")
    return found


# -- reading ------------------------------------------------------------------------------
class _CountingReader(io.RawIOBase):
    """Wraps a binary file to count bytes read (progress) and drop NUL bytes."""

    def __init__(self, raw: IO[bytes], strip_nul: bool) -> None:
        self.raw, self.count, self.strip_nul = raw, 0, strip_nul

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.strip_nul:
            data = data.replace(b"\0", b"")
        buffer[: len(data)] = data
        return len(data)


def open_export(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ExportReader:
    """Open an export for streaming; errors name the file and say how to fix it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: unknown format {suffix or '(none)'!r}; use one of {', '.join(FORMATS)}"
        )
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if suffix in TEXT_FORMATS:
        return _open_text(path, encoding, chunk_rows)
    if suffix == ".xlsx":
        return _open_xlsx(path, sheet, chunk_rows)
    if suffix == ".parquet":
        return _open_parquet(path, chunk_rows)
    return _open_jsonl(path, encoding, chunk_rows)


def _open_text(path: Path, encoding: str | None, chunk_rows: int) -> ExportReader:
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise InputError(
            f"unknown encoding {encoding!r}; try utf-8, utf-16, cp1251 or cp1250"
        ) from error
    utf16 = encoding.startswith("utf-16")
    sample_text = sample.decode(encoding, errors="ignore")
    if not utf16:
        sample_text = sample_text.replace("\0", "")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else detect_delimiter(sample_text)
    raw = open(path, "rb")  # noqa: SIM115 - closed by the chunk generator
    counter = _CountingReader(raw, strip_nul=not utf16)
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise InputError(f"{path}: the file is empty") from None
    except UnicodeDecodeError as error:
        raw.close()
        raise _decode_error(path, encoding, error) from error
    if utf16:
        header = [h.replace("\0", "") for h in header]
    header = [h.lstrip("\ufeff") for h in header]
    if not any(h.strip() for h in header):
        raw.close()
        raise InputError(f"{path}: the first line (the header) is empty")

    def chunks() -> Iterator[Chunk]:
        width = len(header)
        try:
            chunk = Chunk([])
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    chunk.problems[len(chunk.rows)] = f"line {reader.line_num}: {error}"
                    row = []
                if len(row) != width and row:
                    message = f"line {reader.line_num}: {len(row)} fields, expected {width}"
                    chunk.problems[len(chunk.rows)] = message
                    row = _fit(row, width, delimiter)
                elif not row:
                    if len(chunk.problems) and len(chunk.rows) in chunk.problems:
                        row = [""] * width
                    else:
                        continue  # a blank line between records carries no row
                chunk.rows.append(row)
                if len(chunk.rows) >= chunk_rows:
                    yield chunk
                    chunk = Chunk([])
            if chunk.rows:
                yield chunk
        except UnicodeDecodeError as error:
            raise _decode_error(path, encoding, error) from error
        finally:
            raw.close()

    return ExportReader(
        path,
        header,
        encoding,
        delimiter,
        chunks(),
        path.stat().st_size,
        progress=lambda: counter.count,
        closer=raw.close,
    )


def _fit(row: list[str], width: int, delimiter: str) -> list[str]:
    """A ragged row made header-wide without losing a value.

    Short rows are padded; extra fields are joined into the last cell with the delimiter.
    """
    if len(row) < width:
        return row + [""] * (width - len(row))
    return [*row[: width - 1], delimiter.join(row[width - 1 :])]


def _decode_error(path: Path, encoding: str, error: UnicodeDecodeError) -> InputError:
    return InputError(
        f"{path}: cannot be decoded as {encoding} (byte {error.start} of a block: {error.reason}); "
        "name the encoding with --encoding (utf-8, utf-16, cp1251, cp1250, iso-8859-2)"
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat())
    return str(value)


def _open_xlsx(path: Path, sheet: str | None, chunk_rows: int) -> ExportReader:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - openpyxl is a dependency
        raise InputError("reading .xlsx needs openpyxl: pip install openpyxl") from error
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise InputError(f"{path}: not a readable .xlsx workbook ({error})") from error
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(f"{path}: no sheet {sheet!r}; sheets are {book.sheetnames}")
    worksheet = book[sheet] if sheet else book.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(rows)]
    except StopIteration:
        raise InputError(f"{path}: the sheet {worksheet.title!r} is empty") from None
    while header and not header[-1]:
        header.pop()

    def chunks() -> Iterator[Chunk]:
        chunk = Chunk([])
        width = len(header)
        for values in rows:
            cells = [_cell(v) for v in values]
            if not any(cells):
                continue
            if len(cells) > width and any(cells[width:]):
                chunk.problems[len(chunk.rows)] = (
                    f"row {len(chunk.rows) + 2}: values beyond the header"
                )
            chunk.rows.append(
                (cells + [""] * width)[:width] if len(cells) <= width else _fit(cells, width, " ")
            )
            if len(chunk.rows) >= chunk_rows:
                yield chunk
                chunk = Chunk([])
        if chunk.rows:
            yield chunk
        book.close()

    return ExportReader(path, header, None, None, chunks(), path.stat().st_size, closer=book.close)


def _open_parquet(path: Path, chunk_rows: int) -> ExportReader:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as error:
        raise InputError(f"{path}: not a readable Parquet file ({error})") from error
    header = list(table.schema_arrow.names)

    def chunks() -> Iterator[Chunk]:
        for batch in table.iter_batches(batch_size=chunk_rows):
            columns = [
                [_cell(v) for v in batch.column(i).to_pylist()] for i in range(batch.num_columns)
            ]
            yield Chunk([list(row) for row in zip(*columns, strict=True)])

    return ExportReader(path, header, None, None, chunks(), path.stat().st_size)


def _open_jsonl(path: Path, encoding: str | None, chunk_rows: int) -> ExportReader:
    with open(path, "rb") as handle:
        encoding = encoding or detect_encoding(handle.read(_SAMPLE_BYTES))
    header: list[str] = []
    try:
        header = _jsonl_header(path, encoding)
    except UnicodeDecodeError as error:
        raise _decode_error(path, encoding, error) from error
    if not header:
        raise InputError(f"{path}: no JSON objects found")

    def chunks() -> Iterator[Chunk]:
        try:
            yield from _jsonl_chunks(path, encoding, header, chunk_rows)
        except UnicodeDecodeError as error:
            raise _decode_error(path, encoding, error) from error

    return ExportReader(path, header, encoding, None, chunks(), path.stat().st_size)


def _jsonl_header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding=encoding, errors="strict") as handle:
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}: line 1 is not JSON ({error.msg})") from error
                if not isinstance(first, dict):
                    raise InputError(f"{path}: each line must be a JSON object")
                return list(first)
    return []


def _jsonl_chunks(path: Path, encoding: str, header: list[str], chunk_rows: int) -> Iterator[Chunk]:
    chunk = Chunk([])
    with open(path, encoding=encoding) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
                extra = [k for k in record if k not in header]
                if extra:
                    chunk.problems[len(chunk.rows)] = (
                        f"line {number}: keys {extra} not in the first line"
                    )
                chunk.rows.append([_cell(record.get(k)) for k in header])
            except (json.JSONDecodeError, ValueError) as error:
                chunk.problems[len(chunk.rows)] = f"line {number}: not a JSON object ({error})"
                chunk.rows.append([""] * len(header))
            if len(chunk.rows) >= chunk_rows:
                yield chunk
                chunk = Chunk([])
    if chunk.rows:
        yield chunk


# -- writing ------------------------------------------------------------------------------
class ExportWriter:
    """Writes rows to a temporary file next to the output and renames it into place on
    `commit`, so an error, a kill or Ctrl-C never leaves a partial output behind."""

    def __init__(self, path: str | Path, header: Sequence[str], *, bom: bool = False) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in OUTPUT_FORMATS:
            raise InputError(
                f"{self.path}: cannot write {self.suffix or '(none)'!r}; "
                f"use one of {', '.join(OUTPUT_FORMATS)}"
            )
        self.header = list(header)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        os.close(handle)
        self.temp = Path(name)
        self._rows_for_table: list[list[str]] = []
        self._closed = False
        self._file: IO[str] | None = None
        self._parquet: Any = None
        if self.suffix in (".csv", ".tsv"):
            self._file = open(self.temp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._file, delimiter="\t" if self.suffix == ".tsv" else ",")
            self._csv.writerow(self.header)
        elif self.suffix == ".jsonl":
            self._file = open(self.temp, "w", encoding="utf-8")  # noqa: SIM115
        elif self.suffix == ".xlsx":
            import openpyxl

            self._book = openpyxl.Workbook(write_only=True)
            self._sheet = self._book.create_sheet("tagged")
            self._sheet.append(self.header)

    def write(self, rows: Sequence[Sequence[str]]) -> None:
        if self.suffix in (".csv", ".tsv"):
            self._csv.writerows(rows)
        elif self.suffix == ".jsonl":
            assert self._file is not None
            for row in rows:
                self._file.write(
                    json.dumps(dict(zip(self.header, row, strict=True)), ensure_ascii=False) + "\n"
                )
        elif self.suffix == ".xlsx":
            for row in rows:
                self._sheet.append([self._excel_cell(v) for v in row])
        else:
            self._write_parquet(rows)

    def _excel_cell(self, value: str) -> Any:
        """A text cell: a comment starting with "=" is kept as text, never run as a formula."""
        if not value.startswith("="):
            return value
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"
        return cell

    def _write_parquet(self, rows: Sequence[Sequence[str]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns: list[Sequence[str]] = (
            list(zip(*rows, strict=True)) if rows else [[] for _ in self.header]
        )
        table = pa.table(
            {
                name: pa.array(list(col), type=pa.string())
                for name, col in zip(self.header, columns, strict=True)
            }
        )
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.temp, table.schema)
        self._parquet.write_table(table)

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self.suffix == ".parquet" and self._parquet is None:
            self._write_parquet([])  # a header-only table still has its columns
        self._close()
        os.replace(self.temp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._close()
        self.temp.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._file is not None:
            self._file.close()
        if self.suffix == ".xlsx":
            self._book.save(self.temp)
        if self._parquet is not None:
            self._parquet.close()


def write_table(
    path: str | Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write a whole table atomically (any output format); refuse to overwrite an input.

    For the small tables that `insight suggest` and `insight audit` write: the rows go to a
    temporary file that is renamed into place only when complete.
    """
    target = Path(path)
    for source in inputs:
        if target.exists() and Path(source).exists() and target.resolve() == Path(source).resolve():
            raise InputError(f"{target}: the output would overwrite the input; choose another -o")
    writer = ExportWriter(target, header)
    try:
        writer.write(rows)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return target
