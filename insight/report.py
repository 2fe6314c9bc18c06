"""Insights → a JSON document and one self-contained HTML report.

`build_report` runs the statistics of `insight.scores` over a tagged table (what
`insight tag` writes) and adds what numbers cannot show: the most representative comments
per (label, polarity), with personal data masked, and the phrases that set each group apart.
`render_html` draws it as one HTML file with inline CSS and SVG only (it opens offline, in a
mail attachment, on an intranet); `write_report` writes it atomically.

The HTML never grows with the number of rows: every part is an aggregate, a fixed number of
quotes, or a fixed number of phrases, so 100 rows and 1,000,000 rows give pages of one size.

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "comment": ["too expensive", "great staff", "pricey", ""],
...     "score": ["3", "10", "6", "9"],
...     "price": ["negative", "", "negative", ""], "price_probability": ["0.9", "", "0.8", ""],
... })
>>> report = build_report(frame, text_column="comment", score_column="score", labels=["price"])
>>> report.to_dict()["overall"]["score"], report.quotes[("price", "negative")][0].text
(0.0, 'too expensive')
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight.errors import InputError
from insight.gcpause import gc_paused
from insight.scores import Insights, Period, Scale, ShareChange, summarize
from insight.text import normalize, tokenize

if TYPE_CHECKING:
    import argparse

    import pandas as pd

log = logging.getLogger(__name__)

N_QUOTES = 3  # per (label, polarity)
N_PHRASES = 8  # per (label, polarity)
MAX_QUOTE_CHARS = 400  # a quote longer than this is cut with an ellipsis
MAX_SIMILARITY = 0.5  # word-3-shingle Jaccard above which two quotes count as the same
MAX_QUOTE_CANDIDATES = 500  # the most probable comments looked at per group before giving up
MAX_PHRASE_ROWS = 200_000  # phrases on a seeded sample beyond this: the ranking is stable by then
MIN_PHRASE_COMMENTS = 3  # a phrase must come from at least this many comments of the group
MIN_Z = 1.96  # a phrase must stand out at about the 5% level, or it is not shown
PRIOR_MASS = 0.1  # Dirichlet prior: this share of the background counts (Monroe et al. 2008)

DATE_HEADERS = (
    "date",
    "submitted_at",
    "submitted",
    "created",
    "created_at",
    "timestamp",
    "time",
    "дата",
    "data",
)
SCALES: dict[str, Callable[[], Scale]] = {"nps": Scale.nps, "csat": Scale.csat, "ces": Scale.ces}

# Function words only: a phrase made of these alone says nothing about a factor.
STOP_WORDS = frozenset(
    """
    a an the and or but if so of to in on at by for with from as is are was were be been being
    am do does did have has had i me my we our you your he she it its they them their this that
    these those there here what which who whom when where why how all any some no not very too
    just also only than then can could would should will shall may might must s t don didn
    doesn isn wasn aren weren won wouldn couldn shouldn haven hasn hadn it's i'm i've i'd i'll
    about into out up down over again more most much many such own same other each few one
    и в во не на я с со что а то как но по к ко у о об из за от до же ли бы мы вы он она оно
    они их его ее мне меня нас вам вас это этот эта эти так все всё уже еще ещё был была были
    было быть есть для при где когда там тут вот ну да нет или если чтобы очень только даже
    себя свой своя свои который которая которые тоже также просто
    i w we z ze na nie to że się jest są był była było być do od po za o a ale jak co czy
    dla przy tak już jeszcze tylko bardzo mi mnie nas was ich jego jej ten ta te tym tego
    tej który która które oraz lub albo bo gdy kiedy też też no może
    """.split()
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)")  # 13-19 digits, in groups or not
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){8,14}(?!\w)")  # 9-15 digits
_WORD = re.compile(r"[^\W_]")


def mask_pii(text: str) -> str:
    """Replace e-mail addresses, card numbers and phone numbers with ``[email]``, ``[card]``
    and ``[phone]``, so quotes can be shown to people who should not see who wrote them.

    Card numbers (13-19 digits, alone or in groups of digits; up to 15 digits only when the
    Luhn checksum holds) are masked before phones (9-15 digits, maybe with ``+``, brackets,
    spaces, dots or dashes), so a card is never half a phone.

    >>> mask_pii("Call +7 (701) 234-56-78 or mail ann.lee@example.com, card 4111 1111 1111 1111")
    'Call [phone] or mail [email], card [card]'
    """
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub("[phone]", text)


def _card(match: re.Match[str]) -> str:
    """A card if the Luhn checksum holds or it is too long for a phone; else left for phones."""
    digits = [int(c) for c in match.group() if c.isdigit()]
    if len(digits) > 15:
        return "[card]"
    total = sum(
        d if i % 2 == 0 else (2 * d if d < 5 else 2 * d - 9) for i, d in enumerate(digits[::-1])
    )
    return "[card]" if total % 10 == 0 else match.group()


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Quote:
    """One comment shown as an example of a (label, polarity): masked, maybe cut, its score."""

    text: str
    score: str
    probability: float | None


@dataclass(frozen=True)
class Phrase:
    """A 1-2-gram characteristic of a group: its z-score and how many of its comments use it."""

    phrase: str
    z: float
    comments: int


@dataclass(frozen=True)
class Report:
    """The statistics (`Insights`) plus quotes, phrases and where the data came from.

    ``quotes`` and ``phrases`` are keyed by (label, polarity). ``polarity_trends`` and
    ``polarity_segments`` hold the share of each (label, polarity) per period and per
    segment value, tested as `insight.scores` tests label shares. ``meta`` holds the
    columns used, the date range and the model version when known.
    """

    insights: Insights
    quotes: dict[tuple[str, str], tuple[Quote, ...]]
    phrases: dict[tuple[str, str], tuple[Phrase, ...]]
    polarity_trends: tuple[ShareChange, ...] | None = None
    polarity_segments: dict[str, tuple[ShareChange, ...]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: ``insights.to_dict()`` plus quotes, phrases and meta.

        ``trends`` and ``segments`` (when asked for) also get ``polarities``: the share of
        each (label, polarity) per period or segment value, with its test.
        """
        data = self.insights.to_dict()
        if "trends" in data and self.polarity_trends is not None:
            data["trends"]["polarities"] = [
                _polarity_share(c, "period", "share_previous") for c in self.polarity_trends
            ]
        for table in data.get("segments", []):
            changes = self.polarity_segments.get(table["column"], ())
            table["polarities"] = [_polarity_share(c, "value", "share_rest") for c in changes]
        data["quotes"] = [
            {
                "label": label,
                "polarity": polarity,
                "quotes": [
                    {"text": q.text, "score": q.score, "probability": q.probability} for q in quotes
                ],
            }
            for (label, polarity), quotes in self.quotes.items()
        ]
        data["phrases"] = [
            {
                "label": label,
                "polarity": polarity,
                "phrases": [
                    {"phrase": p.phrase, "z": round(p.z, 2), "comments": p.comments}
                    for p in phrases
                ],
            }
            for (label, polarity), phrases in self.phrases.items()
        ]
        data["meta"] = dict(self.meta)
        return data


def _polarity_share(c: ShareChange, group_key: str, other_key: str) -> dict[str, Any]:
    label, _, polarity = c.label.rpartition("\x1f")
    return {
        "label": label,
        "polarity": polarity,
        group_key: c.group,
        "mentions": c.mentions,
        "n": c.n,
        "share": _round(c.share, 4),
        other_key: _round(c.share_other, 4),
        "change": _round(c.change, 4),
        "p_value": None if c.p_value is None else float(f"{c.p_value:.3g}"),
        "q_value": None if c.q_value is None else float(f"{c.q_value:.3g}"),
        "significant": c.significant,
    }


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits) + 0.0


def _scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    if scale not in SCALES:
        raise InputError(f"scale {scale!r} is unknown; use one of {', '.join(SCALES)}")
    return SCALES[scale]()


def build_report(
    frame: pd.DataFrame,
    *,
    text_column: str,
    score_column: str | None,
    labels: Sequence[str],
    scale: str | Scale = "nps",
    date_column: str | None = None,
    period: Period = "month",
    segment_columns: Sequence[str] = (),
    seed: int = 0,
    model_version: str | None = None,
) -> Report:
    """The report of a tagged table: statistics, quotes and phrases per (label, polarity).

    ``frame`` has the text column, the score column (text or numbers; None when the export
    has no scores), and per label a polarity column (empty when absent) and
    ``<label>_probability``. Rows without a comment still count in the score.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"comment": ["rude staff", "ok"], "score": ["2", "9"],
    ...                       "service": ["negative", ""], "service_probability": ["0.8", "0.1"]})
    >>> build_report(frame, text_column="comment", score_column="score",
    ...              labels=["service"]).to_dict()["labels"][1]["impact"]
    -100.0
    """
    import pandas as pd

    columns = [text_column, *labels, *segment_columns]
    if score_column is not None:
        columns.append(score_column)
    if date_column is not None:
        columns.append(date_column)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"no column named {missing[0]!r}; the columns are {list(frame.columns)}")
    the_scale = _scale(scale)
    n = len(frame)
    scores = frame[score_column] if score_column is not None else pd.Series([""] * n)
    polarity = {label: _polarity_column(frame[label]) for label in labels}
    dates = frame[date_column] if date_column is not None else None
    segments = {c: _segment_column(frame[c]) for c in segment_columns} or None
    insights = summarize(
        scores, polarity, scale=the_scale, dates=dates, period=period, segments=segments, seed=seed
    )
    # The same tests per (label, polarity): "price negative rose in August" is the news, not
    # "price was mentioned more". No bootstrap: only the share tables of this run are used.
    present = {label: _present(values) for label, values in polarity.items()}
    pairs = {
        f"{label}\x1f{p}": values.where(values == p, "")
        for label, values in polarity.items()
        for p in present[label]
    }
    by_pair = None
    if pairs and (dates is not None or segments):
        by_pair = summarize(
            scores, pairs, scale=the_scale, dates=dates, period=period, segments=segments,
            seed=seed, n_boot=0,
        )  # fmt: skip
    texts = frame[text_column].fillna("").astype(str)
    has_text = texts.str.strip().ne("").to_numpy()
    quotes: dict[tuple[str, str], tuple[Quote, ...]] = {}
    groups: dict[tuple[str, str], Any] = {}
    for label in labels:
        probability = _probability_column(frame, label)
        for p in present[label]:
            mask = (polarity[label] == p).to_numpy() & has_text
            groups[(label, p)] = mask
            quotes[(label, p)] = pick_quotes(texts, scores, probability, mask)
    phrases = characteristic_phrases(texts, has_text, groups, seed=seed)
    meta = {
        "text_column": text_column,
        "score_column": score_column,
        "date_column": date_column,
        "segment_columns": list(segment_columns),
        "labels": list(labels),
        "comments": int(has_text.sum()),
        "date_range": _date_range(dates) if dates is not None else None,
        "model_version": model_version,
    }
    return Report(
        insights=insights,
        quotes=quotes,
        phrases=phrases,
        polarity_trends=by_pair.trends.labels if by_pair and by_pair.trends else None,
        polarity_segments=(
            {t.column: t.labels for t in by_pair.segments} if by_pair and by_pair.segments else {}
        ),
        meta=meta,
    )


def _polarity_key(polarity: str) -> tuple[int, str]:
    order = ("positive", "negative", "mixed", "neutral", "conflict")
    return (order.index(polarity) if polarity in order else len(order), polarity)


def _present(values: pd.Series) -> list[str]:
    """The polarities a column holds, in report order (`unique`: one pass in C, not a Python
    loop over a million cells)."""
    return sorted({str(v) for v in values.unique()} - {""}, key=_polarity_key)


def _polarity_column(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.lower()


def _segment_column(values: pd.Series) -> pd.Series:
    """Segment values as stripped text; blanks are missing, not a segment of their own."""
    text = values.astype(object).where(values.notna(), None)
    stripped = text.map(lambda v: None if v is None or not str(v).strip() else str(v).strip())
    return stripped


def _probability_column(frame: pd.DataFrame, label: str) -> Any:
    import numpy as np
    import pandas as pd

    name = f"{label}_probability"
    if name not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[name], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def _date_range(dates: pd.Series) -> list[str] | None:
    import pandas as pd

    stamps = pd.to_datetime(dates, errors="coerce", format="ISO8601", utc=True).dropna()
    if stamps.empty:
        return None
    return [stamps.min().date().isoformat(), stamps.max().date().isoformat()]


# --------------------------------------------------------------------------- quotes


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = [t for t in tokenize(normalize(text)) if _WORD.match(t)]
    if len(words) < 3:
        return frozenset({tuple(words)})
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def pick_quotes(
    texts: pd.Series, scores: pd.Series, probability: Any, mask: Any, k: int = N_QUOTES
) -> tuple[Quote, ...]:
    """Up to ``k`` comments of the rows in ``mask``: most probable first, no near-repeats.

    A comment is skipped when its word-3-shingle Jaccard similarity with a chosen one is
    above ``MAX_SIMILARITY`` (this also drops exact duplicates). Texts are masked with
    `mask_pii` and cut at ``MAX_QUOTE_CHARS``.
    """
    import numpy as np

    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return ()
    order = rows[np.argsort(-probability[rows], kind="stable")][:MAX_QUOTE_CANDIDATES]
    chosen: list[Quote] = []
    seen: list[frozenset[tuple[str, ...]]] = []
    for row in order:
        text = " ".join(str(texts.iloc[row]).split())
        shingles = _shingles(text)
        if any(_jaccard(shingles, s) > MAX_SIMILARITY for s in seen):
            continue
        seen.append(shingles)
        if len(text) > MAX_QUOTE_CHARS:
            text = text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"
        score = scores.iloc[row]
        chosen.append(
            Quote(
                text=mask_pii(text),
                score="" if score is None or score != score else str(score).strip(),
                probability=round(float(probability[row]), 3),
            )
        )
        if len(chosen) == k:
            break
    return tuple(chosen)


# --------------------------------------------------------------------------- phrases


def ngrams(text: str) -> list[str]:
    """The distinct word 1-2-grams of a comment, lower-cased; none made of stop words only.

    Masks (``_num_`` ...) and punctuation break a bigram, so none spans them.

    >>> ngrams("The price, the PRICE went up!")
    ['price', 'the price', 'went', 'price went', 'went up']
    """
    grams: dict[str, None] = {}
    run: list[str] = []
    for token in [*tokenize(normalize(text)), "."]:
        if not _WORD.match(token) or token.startswith("_"):
            run = []
            continue
        if token not in STOP_WORDS:
            grams[token] = None
        if run and not (run[-1] in STOP_WORDS and token in STOP_WORDS):
            grams[f"{run[-1]} {token}"] = None
        run.append(token)
    return list(grams)


def log_odds_z(group: Any, rest: Any, prior: Any) -> Any:
    """Weighted log-odds ratio with an informative Dirichlet prior, as z-scores.

    Monroe, Colaresi and Quinn (2008), "Fightin' words", eq. 16-22: for each word w,
    delta = log((y_g + a_w) / (n_g + a0 - y_g - a_w)) - log((y_r + a_w) / (n_r + a0 - y_r - a_w)),
    var ~ 1 / (y_g + a_w) + 1 / (y_r + a_w), z = delta / sqrt(var). A large positive z marks
    words the group uses more than the rest, with rare words shrunk towards the prior.
    """
    import numpy as np

    a0 = prior.sum()
    n_g, n_r = group.sum(), rest.sum()
    delta = np.log((group + prior) / (n_g + a0 - group - prior)) - np.log(
        (rest + prior) / (n_r + a0 - rest - prior)
    )
    variance = 1.0 / (group + prior) + 1.0 / (rest + prior)
    return delta / np.sqrt(variance)


def characteristic_phrases(
    texts: pd.Series,
    has_text: Any,
    groups: Mapping[tuple[str, str], Any],
    *,
    seed: int = 0,
    k: int = N_PHRASES,
) -> dict[tuple[str, str], tuple[Phrase, ...]]:
    """Per group of rows, the ``k`` 1-2-grams that most set it apart from all other comments.

    Counts are per comment (a phrase repeated in one comment counts once), so one long or
    pasted comment cannot dominate. The prior is ``PRIOR_MASS`` times the counts over all
    comments. Only phrases with z >= ``MIN_Z`` and at least ``MIN_PHRASE_COMMENTS`` comments
    in the group are kept. Beyond ``MAX_PHRASE_ROWS`` comments, a seeded sample is used.
    """
    import numpy as np
    from scipy import sparse

    rows = np.flatnonzero(has_text)
    if rows.size > MAX_PHRASE_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_PHRASE_ROWS, replace=False))
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    values = texts.to_numpy(dtype=object)  # one conversion: `iloc` per row costs 50 µs
    for row in rows:
        for gram in ngrams(str(values[row])):
            indices.append(vocabulary.setdefault(gram, len(vocabulary)))
        indptr.append(len(indices))
    result: dict[tuple[str, str], tuple[Phrase, ...]] = {key: () for key in groups}
    if not vocabulary:
        return result
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocabulary)))
    total = np.asarray(matrix.sum(axis=0)).ravel()
    prior = PRIOR_MASS * total + 0.01
    names = np.array(list(vocabulary), dtype=object)
    for key, mask in groups.items():
        inside = np.asarray(mask)[rows]
        if not inside.any() or inside.all():
            continue
        group = np.asarray(matrix[inside].sum(axis=0)).ravel()
        z = log_odds_z(group, total - group, prior)
        z[group < MIN_PHRASE_COMMENTS] = -np.inf
        best = [j for j in np.argsort(-z, kind="stable")[:k] if z[j] >= MIN_Z]
        result[key] = tuple(Phrase(str(names[j]), float(z[j]), int(group[j])) for j in best)
    return result


# --------------------------------------------------------------------------- files


def tag_columns(header: Sequence[str]) -> list[str]:
    """The label columns of a tagged file: each name that also has ``<name>_probability``."""
    names = set(header)
    return [h for h in header if f"{h}_probability" in names and h != "tags"]


def read_frame(path: str | Path) -> tuple[pd.DataFrame, str]:
    """An export (any format `insight.exports` reads) as a DataFrame of text, and how read."""
    import pandas as pd

    from insight.exports import open_export

    reader = open_export(path)
    try:
        rows = [row for chunk in reader.chunks for row in chunk.rows]
    finally:
        reader.close()
    frame = pd.DataFrame(rows, columns=reader.header, dtype=object)
    return frame, reader.describe()


def report_from_file(
    path: str | Path,
    *,
    model: str | Path | None = None,
    text_column: str | None = None,
    score_column: str | None = None,
    scale: str | Scale = "nps",
    date_column: str | None = None,
    period: Period = "month",
    segment_columns: Sequence[str] = (),
    seed: int = 0,
) -> Report:
    """The report of a tagged file, or of a raw export, which is tagged first (not written).

    Columns are detected as `insight tag` detects them; the date column from common headers
    (``date``, ``submitted_at``, ``created``, ``timestamp``, ``дата``, ``data``) when not given.
    """
    from insight.exports import SCORE_HEADERS, find_column, require_text_column

    with gc_paused():  # a million rows of lists and strings, no cycles: see insight.gcpause
        frame, described = read_frame(path)
        log.info("%s", described)
        header = [str(c) for c in frame.columns]
        text_col = require_text_column(header, text_column, path)
        score_col = find_column(header, SCORE_HEADERS, score_column)
        labels = tag_columns(header)
        model_version = None
        if not labels:
            from insight.batch import tag_dataframe
            from insight.persistence import load_model

            tagger = load_model(model)
            model_version = _model_version(getattr(tagger, "card_", None), model)
            log.info("%s has no tag columns: tagging it with model %s", path, model_version)
            # Only a 0-10 answer may weigh in on polarity: a CSAT or CES column is not one.
            nps_col = score_col if _scale(scale).name == "nps" else None
            frame = tag_dataframe(frame, text_column=text_col, score_column=nps_col, tagger=tagger)
            labels = tag_columns([str(c) for c in frame.columns])
        date_col = date_column if date_column is not None else _find_date_column(header)
        if date_col is not None and date_col not in header:
            raise InputError(f"{path}: no date column named {date_col!r}; the columns are {header}")
        return build_report(
            frame,
            text_column=text_col,
            score_column=score_col,
            labels=labels,
            scale=scale,
            date_column=date_col,
            period=period,
            segment_columns=segment_columns,
            seed=seed,
            model_version=model_version,
        )


def _find_date_column(header: Sequence[str]) -> str | None:
    lowered = [h.strip().lower() for h in header]
    for name in DATE_HEADERS:
        if name in lowered:
            return header[lowered.index(name)]
    return None


def _model_version(card: Mapping[str, Any] | None, model: str | Path | None) -> str | None:
    if not card:
        return None
    name = Path(model).name if model is not None else "default"
    created = str(card.get("created_at", ""))[:10]
    return f"{name} (insight {card.get('insight_version', '?')}, {created})"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(
    report: Report, html_path: str | Path | None = None, json_path: str | Path | None = None
) -> None:
    """Write the HTML and/or JSON report; each file appears whole or not at all."""
    if html_path is not None:
        _atomic_write(Path(html_path), render_html(report))
    if json_path is not None:
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        _atomic_write(Path(json_path), text + "\n")


def default_report_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.report.html")


def summary_text(report: Report) -> str:
    """One paragraph: the score with its CI and the three strongest negative drivers."""
    data = report.to_dict()
    o = data["overall"]
    parts = [f"{o['scale'].upper()} {_fmt(o['score'])}"]
    if o["ci"]:
        parts[0] += f" (95% CI {_fmt(o['ci'][0])} to {_fmt(o['ci'][1])})"
    parts[0] += f" over {o['n_scored']:,} scored rows of {o['n']:,}"
    drivers = sorted(
        (s for s in data["labels"] if s["polarity"] == "negative" and s["impact"] is not None),
        key=lambda s: s["impact"],
    )[:3]
    drivers = [s for s in drivers if s["impact"] < 0]
    if drivers:
        listed = ", ".join(
            f"{s['label']} ({_fmt(s['impact'])} points, {s['share']:.0%} of rows)" for s in drivers
        )
        parts.append(f"top negative drivers by impact: {listed}")
    else:
        parts.append("no negative driver lowers the score")
    return "; ".join(parts) + "."


def run_report_command(args: argparse.Namespace) -> int:
    """`insight report`: read, tag if needed, write HTML (and JSON), print a summary."""
    source = Path(args.input)
    output = Path(args.output) if getattr(args, "output", None) else default_report_path(source)
    if output.resolve() == source.resolve():
        raise InputError(f"{output} is the input file; choose another --output")
    report = report_from_file(
        source,
        model=getattr(args, "model", None),
        text_column=getattr(args, "text_col", None),
        score_column=getattr(args, "score_col", None),
        scale=getattr(args, "scale", None) or "nps",
        date_column=getattr(args, "date_col", None),
        period=getattr(args, "period", None) or "month",
        segment_columns=tuple(getattr(args, "segment_col", None) or ()),
    )
    write_report(report, output, getattr(args, "json", None))
    print(summary_text(report))
    print(f"report: {output}" + (f", JSON: {args.json}" if getattr(args, "json", None) else ""))
    return 0


# --------------------------------------------------------------------------- HTML

_E = html.escape
_NEG, _POS, _MIX, _INK, _GRID, _MUTED = (
    "#c0392b",
    "#1e8449",
    "#b9770e",
    "#1f2933",
    "#d9dee3",
    "#6b7785",
)
_POLARITY_COLOUR = {"negative": _NEG, "positive": _POS}
_SIGN = {"positive": "+", "negative": "−", "mixed": "±"}
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933;
margin:0;background:#f4f6f8}
main{max-width:1120px;margin:0 auto;padding:24px}
section{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:18px 22px;
margin:0 0 18px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 10px}
h3{font-size:15px;margin:14px 0 6px}
.muted{color:#6b7785}.small{font-size:13px}
.headline{display:flex;gap:36px;align-items:baseline;flex-wrap:wrap}
.big{font-size:54px;font-weight:700;line-height:1}
.kpi{font-size:14px;color:#6b7785}.kpi b{display:block;font-size:20px;color:#1f2933}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #eef0f3;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{color:#6b7785;font-weight:600}
.heat td.c{text-align:center;min-width:48px;padding:4px 4px}
.heat th{padding:4px 4px;white-space:normal}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}
.card{border:1px solid #e1e5ea;border-radius:6px;padding:10px 14px}
.card h3{margin:0 0 6px}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #d9dee3;font-size:14px;
overflow-wrap:anywhere}
.chips span{display:inline-block;background:#eef2f6;border-radius:10px;padding:1px 8px;
margin:2px 3px 2px 0;font-size:13px}
.neg{color:#c0392b}.pos{color:#1e8449}.mix{color:#b9770e}
svg{max-width:100%;height:auto;display:block}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
footer{font-size:13px;color:#6b7785;padding:0 4px 24px}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
"""


def _fmt(x: float | None, digits: int = 1, signed: bool = False) -> str:
    if x is None:
        return "–"
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    return text.replace("-", "−")


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def _name(label: str, polarity: str | None) -> str:
    return label if polarity is None else f"{label} {_SIGN.get(polarity, polarity)}"


def _colour(polarity: str | None) -> str:
    return _POLARITY_COLOUR.get(polarity or "", _MIX if polarity == "mixed" else _MUTED)


def _scale_unit(scale: str) -> str:
    return {"nps": "NPS points", "csat": "CSAT %", "ces": "CES (1–7)"}.get(scale, "points")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, no external resource."""
    data = report.to_dict()
    o = data["overall"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_E(o['scale'].upper())} report</title><style>{_CSS}</style></head><body><main>",
        _headline(data),
        _drivers(data),
        _quadrant(data),
    ]
    if "trends" in data:
        parts.append(_trends(data["trends"], o["scale"]))
    for table in data.get("segments", []):
        parts.append(_heatmap(table, data["overall"]["scale"]))
    parts += [_voices(data), _how_to_read(o["scale"]), "</main>", _footer(data), "</body></html>"]
    return "\n".join(parts)


def _headline(data: Mapping[str, Any]) -> str:
    o = data["overall"]
    ci = o["ci"]
    ci_text = f"95% CI {_fmt(ci[0])} to {_fmt(ci[1])}" if ci else "no interval (too few scores)"
    groups = " · ".join(f"{_E(k)} {_pct(v, 0)}" for k, v in o["groups"].items())
    meta = data.get("meta", {})
    return (
        "<section><h1>Survey comments report</h1>"
        f'<p class="muted small">{_E(str(meta.get("comments", 0)))} comments tagged with '
        f"{_E(', '.join(meta.get('labels', [])))}</p>"
        '<div class="headline">'
        f'<div><div class="kpi">{_E(o["scale"].upper())}</div>'
        f'<div class="big">{_fmt(o["score"])}</div>'
        f'<div class="muted">{_E(ci_text)}</div></div>'
        f'<div class="kpi"><b>{o["n_scored"]:,}</b>scored rows of {o["n"]:,}</div>'
        f'<div class="kpi"><b>{groups or "–"}</b>score groups</div>'
        "</div></section>"
    )


def _axis_ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    ticks = []
    value = start
    while value <= high + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _driver_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [s for s in data["labels"] if s["polarity"] is not None and s["mentions"] > 0]


def _drivers(data: Mapping[str, Any]) -> str:
    rows = sorted(
        (s for s in _driver_rows(data) if s["impact"] is not None), key=lambda s: s["impact"]
    )
    unit = _scale_unit(data["overall"]["scale"])
    if not rows:
        return "<section><h2>Drivers</h2><p class='muted'>No tagged comments.</p></section>"
    values = [0.0]
    for s in rows:
        values.append(s["impact"])
        if s["impact_ci"]:
            values += [v for v in s["impact_ci"] if v is not None]
    low, high = min(values), max(values)
    pad = 0.08 * (high - low or 1.0)
    low, high = low - pad, high + pad
    width, left, right, row_h, top = 760, 150, 24, 24, 26
    plot = width - left - right
    height = top + row_h * len(rows) + 30

    def x(v: float) -> float:
        return left + (v - low) / (high - low) * plot

    svg = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Impact per label">',
    ]
    for t in _axis_ticks(low, high):
        svg.append(
            f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 24}" '
            f'stroke="{_GRID}" stroke-width="{1.6 if t == 0 else 0.8}"/>'
            f'<text x="{x(t):.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
            f'fill="{_MUTED}">{_fmt(t, 1 if abs(t) < 10 else 0)}</text>'
        )
    svg.append(
        f'<text x="{x(low):.1f}" y="14" font-size="11" fill="{_NEG}">◀ lowers the score</text>'
        f'<text x="{x(high):.1f}" y="14" font-size="11" fill="{_POS}" text-anchor="end">'
        "raises the score ▶</text>"
    )
    for i, s in enumerate(rows):
        y = top + i * row_h + row_h / 2
        colour = _colour(s["polarity"])
        opacity = 0.35 if s["too_few"] else 0.85
        x0, x1 = sorted((x(0.0), x(s["impact"])))
        svg.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{_E(_name(s['label'], s['polarity']))}</text>"
            f'<rect x="{x0:.1f}" y="{y - 7:.1f}" width="{max(x1 - x0, 1):.1f}" height="14" '
            f'fill="{colour}" opacity="{opacity}"><title>{_E(_name(s["label"], s["polarity"]))}: '
            f"impact {_fmt(s['impact'], 2)}, {s['mentions']:,} mentions</title></rect>"
        )
        if s["impact_ci"] and None not in s["impact_ci"]:
            a, b = x(s["impact_ci"][0]), x(s["impact_ci"][1])
            svg.append(
                f'<path d="M{a:.1f} {y:.1f}H{b:.1f}M{a:.1f} {y - 4:.1f}V{y + 4:.1f}'
                f'M{b:.1f} {y - 4:.1f}V{y + 4:.1f}" stroke="{_INK}" stroke-width="1.2" '
                'fill="none"/>'
            )
    svg.append("</svg>")
    table = [
        "<table><tr><th>label</th><th>mentions</th><th>share</th><th>score</th>"
        "<th>impact</th><th>95% CI</th><th>Shapley</th><th>what if</th></tr>"
    ]
    for s in data["labels"]:
        ci = s["impact_ci"]
        ci_text = f"{_fmt(ci[0], 1)} … {_fmt(ci[1], 1)}" if ci and None not in ci else "–"
        style = ' style="font-weight:600"' if s["polarity"] is None else ""
        note = " <span class='muted'>(few)</span>" if s["too_few"] and s["mentions"] else ""
        table.append(
            f"<tr{style}><td>{_E(_name(s['label'], s['polarity']))}{note}</td>"
            f"<td>{s['mentions']:,}</td><td>{_pct(s['share'])}</td><td>{_fmt(s['score'])}</td>"
            f"<td>{_fmt(s['impact'], 2, True)}</td><td>{ci_text}</td>"
            f"<td>{_fmt(s['shapley'], 2, True) if s['shapley'] is not None else ''}</td>"
            f"<td>{_fmt(s['what_if']) if s['what_if'] is not None else ''}</td></tr>"
        )
    table.append("</table>")
    return (
        "<section><h2>What moves the score</h2>"
        f'<p class="muted small">Impact: the overall score minus the score without the comments '
        f"that mention a label, in {unit}, with its 95% bootstrap interval. "
        "Pale bars: too few mentions to judge.</p>" + "".join(svg) + "".join(table) + "</section>"
    )


def _quadrant(data: Mapping[str, Any]) -> str:
    rows = [
        s
        for s in _driver_rows(data)
        if s["impact"] is not None and s["share"] is not None and not s["too_few"]
    ]
    if not rows:
        return ""
    width, height, left, bottom, top, right = 760, 380, 60, 40, 20, 30
    max_share = max(s["share"] for s in rows) * 1.1 or 1.0
    impacts = [s["impact"] for s in rows] + [0.0]
    low, high = min(impacts), max(impacts)
    pad = 0.1 * (high - low or 1.0)
    low, high = low - pad, high + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(v: float) -> float:
        return left + v / max_share * plot_w

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * plot_h

    mid_share = sorted(s["share"] for s in rows)[len(rows) // 2]
    svg = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Mentions and impact">']
    svg.append(
        f'<rect x="{left}" y="{y(0):.1f}" width="{plot_w}" height="{y(low) - y(0):.1f}" '
        'fill="#fbeeee"/>'
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" '
        f'stroke="{_MUTED}"/>'
        f'<line x1="{x(mid_share):.1f}" y1="{top}" x2="{x(mid_share):.1f}" y2="{height - bottom}" '
        f'stroke="{_GRID}" stroke-dasharray="4 3"/>'
        f'<text x="{width - right - 4}" y="{y(low) - 6:.1f}" font-size="11" text-anchor="end" '
        f'fill="{_NEG}">fix first: frequent and costly</text>'
        f'<text x="{width - right - 4}" y="{top + 12}" font-size="11" text-anchor="end" '
        f'fill="{_POS}">strengths: frequent and helpful</text>'
    )
    for t in _axis_ticks(0, max_share, 5):
        svg.append(
            f'<text x="{x(t):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
            f'fill="{_MUTED}">{_pct(t, 0)}</text>'
        )
    for t in _axis_ticks(low, high, 5):
        svg.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{_MUTED}">{_fmt(t, 1 if abs(t) < 10 else 0)}</text>'
        )
    svg.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="12" text-anchor="middle">'
        "share of rows that mention it</text>"
        f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">impact on the score</text>'
    )
    for s in rows:
        cx, cy = x(s["share"]), y(s["impact"])
        anchor = "end" if cx > width - right - 90 else "start"
        dx = -8 if anchor == "end" else 8
        svg.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5.5" fill="{_colour(s["polarity"])}" '
            f'opacity="{0.4 if s["too_few"] else 0.9}">'
            f"<title>{_E(_name(s['label'], s['polarity']))}"
            f": {_pct(s['share'])} of rows, impact {_fmt(s['impact'], 2)}</title></circle>"
            f'<text x="{cx + dx:.1f}" y="{cy + 4:.1f}" font-size="11" text-anchor="{anchor}">'
            f"{_E(_name(s['label'], s['polarity']))}</text>"
        )
    svg.append("</svg>")
    return (
        "<section><h2>Mentions × impact</h2>"
        '<p class="muted small">Each dot is a label with one polarity. Bottom right: talked about '
        "often and costly — where a fix pays most. Labels with too few mentions are left out.</p>"
        + "".join(svg)
        + "</section>"
    )


def _line_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    band: Sequence[tuple[float, float] | None] | None = None,
    percent: bool = False,
    width: int = 760,
    height: int = 240,
    zero_line: bool = False,
) -> str:
    """A small SVG line chart over periods; each series is (name, colour, values)."""
    left, right, top, bottom = 52, 28, 12, 34
    values = [v for _, _, vs in series for v in vs if v is not None]
    if band:
        values += [v for b in band if b for v in b]
    if not values:
        return ""
    low, high = min(values), max(values)
    if percent:
        low = 0.0
    if zero_line:
        low, high = min(low, 0.0), max(high, 0.0)
    pad = 0.08 * (high - low or 1.0)
    low, high = (low if percent else low - pad), high + pad
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * plot_h

    svg = [f'<svg viewBox="0 0 {width} {height}" role="img">']
    for t in _axis_ticks(low, high, 4):
        label = _pct(t, 0) if percent else _fmt(t, 0)
        svg.append(
            f'<line x1="{left}" y1="{y(t):.1f}" x2="{width - right}" y2="{y(t):.1f}" '
            f'stroke="{_MUTED if zero_line and t == 0 else _GRID}" stroke-width="0.8"/>'
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{_MUTED}">{label}</text>'
        )
    every = max(1, math.ceil(len(periods) / max(plot_w // 64, 1)))  # ~64 px per date label
    for i, name in enumerate(periods):
        if i % every == 0:
            anchor = "end" if i == len(periods) - 1 and len(periods) > 1 else "middle"
            anchor = "start" if i == 0 and len(periods) > 1 else anchor
            svg.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" font-size="11" text-anchor="{anchor}" '
                f'fill="{_MUTED}">{_E(name)}</text>'
            )
    if band:
        upper = [(x(i), y(b[1])) for i, b in enumerate(band) if b]
        lower = [(x(i), y(b[0])) for i, b in enumerate(band) if b]
        if len(upper) > 1:
            outline = " ".join(f"{a:.1f},{b:.1f}" for a, b in [*upper, *reversed(lower)])
            svg.append(f'<polygon points="{outline}" fill="{series[0][1]}" opacity="0.15"/>')
    for name, colour, vs in series:
        points = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
            svg.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        if len(points) <= 40:
            for i, v in enumerate(vs):
                if v is not None:
                    shown = _pct(v) if percent else _fmt(v)
                    svg.append(
                        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                        f"<title>{_E(name)} {_E(periods[i])}: {shown}</title></circle>"
                    )
    svg.append("</svg>")
    return "".join(svg)


def _legend(items: Iterable[tuple[str, str]]) -> str:
    return (
        '<p class="small">'
        + " ".join(
            f'<span style="white-space:nowrap;margin-right:12px"><span style="display:inline-block;'
            f'width:12px;height:3px;background:{c};vertical-align:middle"></span> {_E(n)}</span>'
            for n, c in items
        )
        + "</p>"
    )


def _trends(trends: Mapping[str, Any], scale: str) -> str:
    periods = [p for p in trends["periods"]]
    if not periods:
        return ""
    names = [p["period"] for p in periods]
    scores = [p["score"] for p in periods]
    band = [tuple(p["ci"]) if p["ci"] and None not in p["ci"] else None for p in periods]
    marks = ", ".join(
        f"{_E(p['period'])} ({_fmt(p['change'], 1, True)})" for p in periods if p["significant"]
    )
    out = [
        f"<section><h2>Trend by {_E(trends['period'])}</h2>",
        f"<h3>{_E(scale.upper())} with its 95% interval</h3>",
        _line_chart(names, [(scale.upper(), "#1f77b4", scores)], band=band, zero_line=True),
    ]
    if marks:
        out.append(f'<p class="small">Significant change from the previous period: {marks}.</p>')
    shares: dict[tuple[str, str], list[float | None]] = {}
    index = {name: i for i, name in enumerate(names)}
    for c in trends.get("polarities", []):
        if c["polarity"] in ("positive", "negative"):
            row = shares.setdefault((c["label"], c["polarity"]), [None] * len(names))
            row[index[c["period"]]] = c["share"]
    flagged = {
        (c["label"], c["polarity"], c["period"])
        for c in trends.get("polarities", [])
        if c["significant"]
    }
    if shares:
        labels = list(dict.fromkeys(label for label, _ in shares))
        out.append(
            "<h3>Share of rows per label</h3>"
            + _legend([("negative", _NEG), ("positive", _POS)])
            + '<div class="grid2">'
        )
        for label in labels:
            series = [
                (f"{label} {p}", _POLARITY_COLOUR[p], shares[(label, p)])
                for p in ("negative", "positive")
                if (label, p) in shares
            ]
            jumps = [
                f"{per}" for (lb, p, per) in sorted(flagged) if lb == label and p == "negative"
            ]
            note = f" <span class='neg small'>negative changed: {_E(', '.join(jumps))}</span>"
            out.append(
                f"<div><b>{_E(label)}</b>{note if jumps else ''}"
                + _line_chart(names, series, percent=True, width=380, height=170)
                + "</div>"
            )
        out.append("</div>")
    elif trends.get("labels"):
        labels = list(dict.fromkeys(c["label"] for c in trends["labels"]))
        series = []
        for j, label in enumerate(labels):
            line: list[float | None] = [None] * len(names)
            for c in trends["labels"]:
                if c["label"] == label:
                    line[index[c["period"]]] = c["share"]
            series.append((label, _PALETTE[j % len(_PALETTE)], line))
        out.append(
            "<h3>Share of rows per label</h3>"
            + _legend((n, c) for n, c, _ in series)
            + _line_chart(names, series, percent=True)
        )
    if trends.get("n_undated"):
        out.append(f'<p class="muted small">{trends["n_undated"]:,} rows have no usable date.</p>')
    out.append("</section>")
    return "".join(out)


def _heat_colour(share: float | None, polarity: str, top: float) -> str:
    if share is None or top <= 0:
        return "#ffffff"
    t = min(share / top, 1.0)
    base = (192, 57, 43) if polarity == "negative" else (30, 132, 73)
    if polarity not in ("negative", "positive"):
        base = (185, 119, 14)
    r, g, b = (round(255 + (c - 255) * t * 0.75) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def _heatmap(table: Mapping[str, Any], scale: str) -> str:
    changes = table.get("polarities") or [
        {**c, "polarity": "", "share_rest": c.get("share_rest")} for c in table["labels"]
    ]
    # Mixed mentions are rare: their columns would double the table and show noise.
    changes = [c for c in changes if c["polarity"] in ("positive", "negative", "")]
    columns = list(dict.fromkeys((c["label"], c["polarity"]) for c in changes))
    if not table["values"] or not columns:
        return ""
    cell = {(c["value"], c["label"], c["polarity"]): c for c in changes}
    top = {
        col: max((c["share"] or 0.0) for c in changes if (c["label"], c["polarity"]) == col)
        for col in columns
    }
    head = "".join(
        f"<th style='text-align:center'>{_E(label)}<br>"
        f"<span class='{_css_polarity(p)}'>{_E(_SIGN.get(p, p) or 'any')}</span></th>"
        for label, p in columns
    )
    rows = []
    for v in table["values"]:
        sig = " ▲" if v["significant"] and (v["difference"] or 0) > 0 else ""
        sig = " ▼" if v["significant"] and (v["difference"] or 0) < 0 else sig
        cells = []
        for label, p in columns:
            c = cell.get((v["value"], label, p))
            if c is None:
                cells.append("<td class='c'>–</td>")
                continue
            mark = ""
            if c["significant"] and c["change"] is not None:
                mark = " ▲" if c["change"] > 0 else " ▼"
            tip = (
                f"{v['value']} · {label} {p}: {_pct(c['share'])} vs {_pct(c['share_rest'])} "
                f"in the rest (q={c['q_value']})"
            )
            cells.append(
                f"<td class='c' style='background:{_heat_colour(c['share'], p, top[(label, p)])}' "
                f"title='{_E(tip)}'>{_pct(c['share'], 0)}<b>{mark}</b></td>"
            )
        rows.append(
            f"<tr><td>{_E(v['value'])}</td><td>{v['n']:,}</td>"
            f"<td>{_fmt(v['score'])}{sig}</td>{''.join(cells)}</tr>"
        )
    missing = (
        f'<p class="muted small">{table["n_missing"]:,} rows have no value.</p>'
        if table["n_missing"]
        else ""
    )
    return (
        f"<section><h2>By {_E(table['column'])}</h2>"
        f'<p class="muted small">Share of each value\'s rows that mention a label with a '
        "polarity (+ positive, − negative); darker = higher within the column. "
        "▲ / ▼: significantly above / below the rest "
        f"of the rows (Benjamini–Hochberg q ≤ 0.05). {_E(scale.upper())} ▲ / ▼ likewise.</p>"
        f'<div style="overflow-x:auto"><table class="heat"><tr><th>{_E(table["column"])}</th>'
        f"<th>rows</th><th>{_E(scale.upper())}</th>{head}</tr>{''.join(rows)}</table></div>"
        f"{missing}</section>"
    )


def _css_polarity(polarity: str | None) -> str:
    return {"negative": "neg", "positive": "pos", "mixed": "mix"}.get(polarity or "", "muted")


def _voices(data: Mapping[str, Any]) -> str:
    phrases = {(p["label"], p["polarity"]): p["phrases"] for p in data["phrases"]}
    stats = {(s["label"], s["polarity"]): s for s in data["labels"]}
    cards = []
    for group in data["quotes"]:
        key = (group["label"], group["polarity"])
        s = stats.get(key)
        words = phrases.get(key, [])
        if not group["quotes"] and not words:
            continue
        chips = "".join(
            f"<span title='{p['comments']:,} comments, z={p['z']}'>{_E(p['phrase'])}</span>"
            for p in words
        )
        quotes = "".join(
            f"<blockquote>“{_E(q['text'])}”{_score_note(q['score'])}</blockquote>"
            for q in group["quotes"]
        )
        count = f"{s['mentions']:,} mentions" if s else ""
        cards.append(
            f'<div class="card"><h3><span class="{_css_polarity(key[1])}">'
            f"{_E(_name(*key))}</span> <span class='muted small'>{count}</span></h3>"
            f'<div class="chips">{chips}</div>{quotes}</div>'
        )
    if not cards:
        return ""
    return (
        "<section><h2>In their words</h2>"
        '<p class="muted small">Characteristic phrases (weighted log-odds against all other '
        "comments) and the most representative comments per label; e-mails, phone and card "
        'numbers are masked.</p><div class="cards">' + "".join(cards) + "</div></section>"
    )


def _score_note(score: str) -> str:
    return f" <span class='muted'>— score {_E(score)}</span>" if score else ""


def _how_to_read(scale: str) -> str:
    definition = {
        "nps": "NPS = % promoters (9–10) − % detractors (0–6), from −100 to +100.",
        "csat": "CSAT = % of satisfied answers (4–5 on 1–5).",
        "ces": "CES = the mean effort score on 1–7 (7 = easiest).",
    }.get(scale, "")
    return (
        "<section><h2>How to read this</h2><ul class='small'>"
        f"<li>{_E(definition)} Intervals are 95% bootstrap intervals: a range that plausibly "
        "holds the true value for the whole population of respondents.</li>"
        "<li><b>Impact</b> of a label is the overall score minus the score of the rows that do "
        "not mention it: −5 means the comments about it pull the score down by 5 points. It is "
        "an association, not proof of cause.</li>"
        "<li><b>Shapley</b> splits the gap between the overall score and the score of comments "
        "with no label among the labels, so the parts add up.</li>"
        "<li><b>What if</b>: the score if the low-score rows with a negative mention moved to the "
        "middle group.</li>"
        "<li>Tags come from a statistical model and are wrong now and then; read the quotes "
        "before acting. Labels with few mentions are pale and should not be judged.</li>"
        "<li>▲ / ▼ mark differences that hold after correcting for the many comparisons "
        "(Benjamini–Hochberg, 5% false discovery rate).</li></ul></section>"
    )


def _footer(data: Mapping[str, Any]) -> str:
    o = data["overall"]
    meta = data.get("meta", {})
    parts = [
        f"{o['n']:,} rows",
        f"{o['n_scored']:,} scored",
        f"{o['n_invalid']:,} invalid scores",
        f"{o['n_missing']:,} missing scores",
    ]
    if meta.get("date_range"):
        parts.append(f"dates {meta['date_range'][0]} to {meta['date_range'][1]}")
    if meta.get("model_version"):
        parts.append(f"model {meta['model_version']}")
    from insight import __version__

    parts.append(f"insight {__version__}")
    return f"<footer><main>{_E(' · '.join(parts))}</main></footer>"
