"""Turn comments into one sparse TF-IDF matrix of word and character n-grams.

Words carry meaning across inflections (lemmas or stems, negation marked); character
n-grams carry typos, transliteration, slang and emoji that no dictionary knows. Both
blocks are L2-normalised on their own, so neither drowns the other.

A comment is featurised clause by clause (clauses end at punctuation and at "but", "но",
"ale"): word n-grams, lexicon matches and negation scope never cross a clause break, and
each token gives the character n-grams of its own. So the features of any run of a
comment's clauses (the polarity model's view of one label) are the sum of its clauses'
features, computed once per comment and reused for every label.

>>> vec = CommentVectorizer(min_df=1).fit(["fast delivery", "rude courier"])
>>> vec.transform(["fast courier"]).shape[0]
1
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike

from insight.errors import InputError, NotFittedError
from insight.estimator import Estimator
from insight.lexicon import (
    SENTIMENT_SCOPE,
    Lexicon,
    clause_features,
    default_lexicon,
    negated_tag,
)
from insight.text import (
    MORPHOLOGY_MODES,
    NEGATION_SCOPE,
    SCOPE_FREE,
    analyze_clauses,
    clauses,
    fold_polish,
    is_negator,
    language_of,
    normalize,
    tokenize,
    word_form,
)

_WORD_CACHE_LIMIT = 200_000


class Prepared(NamedTuple):
    """A comment after normalisation, tokens, language and clauses: computed once per comment.

    A named tuple, not a frozen dataclass: one is made per comment on every path, and a
    frozen dataclass's ``__init__`` costs several times a tuple's.
    """

    language: str
    normalized: str
    tokens: list[str]
    clauses: list[list[str]]
    marks: list[str]  # the "!" and "?" between clauses: they are features of the whole comment


def check_texts(texts: object) -> list[str]:
    """Return `texts` as a list of str; missing values (None, NaN) become empty comments.

    Anything else that is not a str is refused with its index, because silently turning
    a number or a dict into text hides a bug in the caller.
    """
    if isinstance(texts, str | bytes) or not isinstance(texts, Iterable):
        raise InputError(
            f"expected a sequence of comments (list of str), got {type(texts).__name__}; "
            "wrap a single comment in a list"
        )
    checked: list[str] = []
    for index, text in enumerate(texts):
        if isinstance(text, str):
            checked.append(text)
        elif text is None or (isinstance(text, float) and math.isnan(text)):
            checked.append("")
        else:
            raise InputError(f"item {index} is {type(text).__name__}, expected str")
    return checked


def prepare(text: str) -> Prepared:
    normalized = normalize(text)
    tokens = tokenize(normalized)
    language = language_of(normalized, tokens) if normalized else "other"
    marks = [t for t in tokens if t == "!" or t == "?"]
    return Prepared(language, normalized, tokens, clauses(tokens), marks)


def char_ngrams(normalized: str, low: int, high: int) -> list[str]:
    """Character n-grams inside word boundaries (scikit-learn's ``char_wb``)."""
    grams: list[str] = []
    for word in normalized.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if n > size:
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    grams = list(tokens) if low <= 1 else []
    for n in range(max(low, 2), high + 1):
        if n == 2:  # the common case, without a slice and a join per pair
            grams += [a + " " + b for a, b in itertools.pairwise(tokens)]
        else:
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


class _TokenRecord(NamedTuple):
    """What one token contributes to a clause's features, looked up once per token."""

    word: str  # its word feature: the base form, or the negator itself
    word_index: int | None  # of `word` in the vocabulary
    negated_word: str  # "NEG_<form>", its feature inside a negation's scope
    negated_word_index: int | None
    negator: bool
    scope_free: bool  # inside a negation's scope, it does not use the scope up
    tags: tuple[str, ...]  # its own lexicon tags (phrases starting at it come on top)
    starts_phrase: bool
    tag_indices: list[int]
    negated_tags: list[int]  # the tags' indices inside a sentiment scope (NEG_SENT_...)
    chars: list[int]  # its character n-grams' indices, as a row of a segment holds them


class Segments(NamedTuple):
    """Feature indices of one comment: its own (language, marks) and each clause's.

    An entry of `n_features_` or more stands for a token's whole run of character n-grams
    (see `CommentVectorizer.weigh`): a token costs one entry, not twenty.
    """

    head: list[int]  # features of the whole comment: its language and its "!" / "?"
    language: list[int]  # the language feature alone: every view of the comment has it
    clauses: list[list[int]]

    def whole(self) -> list[int]:
        indices = list(self.head)
        for clause in self.clauses:
            indices += clause  # list extension runs in C; a comprehension per index does not
        return indices

    def view(self, chosen: Sequence[int]) -> list[int]:
        """The comment reduced to the clauses at positions `chosen`."""
        indices = list(self.language)
        clauses = self.clauses
        for k in chosen:
            indices += clauses[k]
        return indices


class _Units:
    """The character n-gram runs of cached tokens, and a sparse matrix that expands them.

    A segment holds one entry per token for its run, so the matrix turns a batch's entries
    into feature counts in one sparse product in C (see `CommentVectorizer.weigh`) instead
    of twenty-odd Python list entries per token. Its first `n_features` rows are the
    identity, so an entry is its own row number whether it is a feature or a run. The
    matrix lives in buffers that double when full, so a long-running server that meets a
    few new words per request pays for those words, not for every run it has seen. Only
    appends change it, under a lock: a server tags from several threads.
    """

    def __init__(self) -> None:
        self.rows: list[list[int]] = []
        self._lock = threading.Lock()
        self._n_rows = 0  # rows in the buffers: the identity's, then the runs written so far
        self._indptr = np.zeros(1, dtype=np.int32)
        self._indices = np.empty(0, dtype=np.int32)
        self._ones = np.empty(0)

    def add(self, chars: list[int]) -> int:
        """Store a token's run; its number among the runs."""
        with self._lock:
            self.rows.append(chars)
            return len(self.rows) - 1

    def matrix(self, n_features: int) -> sp.csr_matrix:
        """The identity over the features, then every run so far as a row of n-gram counts."""
        with self._lock:
            if not self._n_rows:
                self._write(np.arange(n_features, dtype=np.int32), np.ones(n_features, np.int64))
            new = self.rows[self._n_rows - n_features :]
            if new:
                lengths = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
                flat = itertools.chain.from_iterable(new)
                self._write(np.fromiter(flat, dtype=np.int32, count=int(lengths.sum())), lengths)
            nnz = int(self._indptr[self._n_rows])
            return sp.csr_matrix(
                (self._ones[:nnz], self._indices[:nnz], self._indptr[: self._n_rows + 1]),
                shape=(self._n_rows, n_features),
            )

    def _write(self, indices: np.ndarray, lengths: np.ndarray) -> None:
        """Append rows (their `lengths` and concatenated `indices`) to the buffers."""
        start = int(self._indptr[self._n_rows])
        end = start + len(indices)
        self._indices = _room(self._indices, end)
        self._ones = _room(self._ones, end, fill=1.0)
        self._indptr = _room(self._indptr, self._n_rows + len(lengths) + 1)
        self._indices[start:end] = indices
        self._indptr[self._n_rows + 1 : self._n_rows + len(lengths) + 1] = start + np.cumsum(
            lengths
        )
        self._n_rows += len(lengths)


def _room(buffer: np.ndarray, size: int, fill: float | None = None) -> np.ndarray:
    """`buffer`, or a copy at least twice as long when it is shorter than `size`."""
    if len(buffer) >= size:
        return buffer
    grown = np.empty(max(size, 2 * len(buffer)), dtype=buffer.dtype)
    grown[: len(buffer)] = buffer
    if fill is not None:
        grown[len(buffer) :] = fill
    return grown


class CommentVectorizer(Estimator):
    """Word and character n-gram TF-IDF over normalised comments, in one matrix.

    Parameters are stored as given (scikit-learn convention); the vocabularies and IDF
    weights learned by `fit` end in ``_`` and are plain dicts and arrays, so a model can be
    saved without pickle.
    """

    def __init__(
        self,
        morphology: str = "stem",
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        char_weight: float = 1.0,
        language_feature: bool = True,
        lexicon: bool = True,
        fold_diacritics: bool = True,
    ) -> None:
        self.morphology = morphology
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.char_weight = char_weight
        self.language_feature = language_feature
        self.lexicon = lexicon
        self.fold_diacritics = fold_diacritics

    # -- learning ---------------------------------------------------------------------
    def fit(self, X: Sequence[str], y: object = None) -> CommentVectorizer:
        return self.fit_prepared([prepare(t) for t in check_texts(X)])

    def fit_prepared(self, prepared: Sequence[Prepared]) -> CommentVectorizer:
        if self.morphology not in MORPHOLOGY_MODES:
            raise InputError(
                f"morphology must be one of {MORPHOLOGY_MODES}, got {self.morphology!r}"
            )
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        low, high = self.char_ngram_range
        grams_of: dict[str, frozenset[str]] = {}  # a token's n-grams, built once per token
        for item in prepared:
            seen_words = set(self._head_features(item))
            for grams in self._clause_words(item):
                seen_words.update(grams)
            word_df.update(seen_words)
            seen_chars: set[str] = set()
            for clause in item.clauses:
                for token in clause:
                    found = grams_of.get(token)
                    if found is None:
                        found = frozenset(char_ngrams(self._folded(token), low, high))
                        grams_of[token] = found
                    seen_chars |= found
            char_df.update(seen_chars)
        n = len(prepared)
        words = sorted(f for f, c in word_df.items() if c >= self.min_df)
        chars = sorted(f for f, c in char_df.items() if c >= self.min_df)
        df = np.array([word_df[f] for f in words] + [char_df[f] for f in chars], dtype=np.float64)
        return self.restore(words, chars, np.log((1.0 + n) / (1.0 + df)) + 1.0)

    def restore(self, words: list[str], chars: list[str], idf: np.ndarray) -> CommentVectorizer:
        """Rebuild a fitted vectorizer from saved vocabularies (see `insight.persistence`)."""
        self.vocabulary_ = {f: i for i, f in enumerate(words)}
        self.char_vocabulary_ = {f: i + len(words) for i, f in enumerate(chars)}
        self.idf_ = np.asarray(idf, dtype=np.float64)
        self.n_word_features_ = len(words)
        self.clear_caches()
        return self

    def clear_caches(self) -> None:
        """Forget the per-token and per-pair lookups (benchmarks of a cold start use it)."""
        self._token_records: dict[str, dict[str, _TokenRecord]] = {}
        self._pair_cache: dict[tuple[str, str], int] = {}
        self._units = _Units()

    # -- features ---------------------------------------------------------------------
    @property
    def n_features_(self) -> int:
        self._check_fitted()
        return len(self.idf_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        self._check_fitted()
        names = [*self.vocabulary_, *(f"char:{g}" for g in self.char_vocabulary_)]
        return np.array(names, dtype=object)

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        return self.transform_prepared([prepare(t) for t in check_texts(X)])

    def fit_transform(self, X: Sequence[str], y: object = None) -> sp.csr_matrix:
        prepared = [prepare(t) for t in check_texts(X)]
        return self.fit_prepared(prepared).transform_prepared(prepared)

    def transform_prepared(self, prepared: Sequence[Prepared]) -> sp.csr_matrix:
        """Rows of whole comments."""
        return self.weigh([self.segments(item).whole() for item in prepared])

    def segments(self, item: Prepared) -> Segments:
        """The comment's feature indices, clause by clause: the work every row and view shares.

        The same features `fit` counted (`_clause_words` and each token's character n-grams),
        found through one cached `_TokenRecord` per token instead of building each feature's
        string: this is the hot path of every prediction.
        """
        self._check_fitted()
        get = self.vocabulary_.get
        language = [i for i in map(get, self._language_features(item)) if i is not None]
        head = language + [i for i in map(get, item.marks) if i is not None]
        records = self._token_records.setdefault(item.language, {})
        lexicon = self.matcher()
        low, high = self.word_ngram_range
        unigrams = low <= 1
        found = []
        for clause in item.clauses:
            indices: list[int] = []
            words: list[str] = []
            scope = sentiment_scope = 0
            for i, token in enumerate(clause):
                record = records.get(token)
                if record is None:
                    record = self._token_record(token, item.language, records)
                word, index = record.word, record.word_index
                if record.negator:
                    scope = NEGATION_SCOPE
                elif scope:
                    word, index = record.negated_word, record.negated_word_index
                    if not record.scope_free:
                        scope -= 1
                words.append(word)
                if unigrams and index is not None:
                    indices.append(index)
                if record.starts_phrase:
                    assert lexicon is not None
                    tags = lexicon.tags_at(clause, i, record.tags)
                    if sentiment_scope:
                        tags = tuple(negated_tag(t) for t in tags)
                    indices += [k for k in map(get, tags) if k is not None]
                elif record.tags:
                    indices += record.negated_tags if sentiment_scope else record.tag_indices
                if record.negator:
                    sentiment_scope = SENTIMENT_SCOPE
                elif sentiment_scope:
                    sentiment_scope -= 1
                indices += record.chars
            if high >= 2:
                indices += self._ngram_indices(words, max(low, 2), high)
            found.append(indices)
        return Segments(head, language, found)

    def _ngram_indices(self, words: list[str], low: int, high: int) -> list[int]:
        """Indices of the word n-grams of length `low`..`high` (>= 2); pairs cached by tuple,
        which hashes two already-hashed strings instead of a new joined one."""
        found: list[int] = []
        if low == 2:
            pairs = self._pair_cache
            get = self.vocabulary_.get
            for pair in itertools.pairwise(words):
                index = pairs.get(pair)
                if index is None:
                    index = get(pair[0] + " " + pair[1], -1)
                    if len(pairs) < _WORD_CACHE_LIMIT:
                        pairs[pair] = index
                if index >= 0:
                    found.append(index)
            low = 3
        if high >= low:
            found += [
                i for i in map(self.vocabulary_.get, word_ngrams(words, low, high)) if i is not None
            ]
        return found

    def _token_record(
        self, token: str, language: str, records: dict[str, _TokenRecord]
    ) -> _TokenRecord:
        """Everything `segments` needs of one token of a comment in `language`, cached."""
        get = self.vocabulary_.get
        negator = is_negator(token)
        folded = self._folded(token)
        form = self.form(token, language)
        word = folded if negator else form  # a negator is a feature as itself
        negated = "NEG_" + form
        tags: tuple[str, ...] = ()
        starts_phrase = False
        lexicon = self.matcher()
        if lexicon:
            tags, starts_phrase, _ = lexicon.token_plan(token)
        char_get = self.char_vocabulary_.get
        chars = [
            i for i in map(char_get, char_ngrams(folded, *self.char_ngram_range)) if i is not None
        ]
        cached = len(records) < _WORD_CACHE_LIMIT
        if cached:  # one entry for the whole run: `weigh` expands it with a sparse product
            chars = [len(self.idf_) + self._units.add(chars)]
        record = _TokenRecord(
            word=word,
            word_index=get(word),
            negated_word=negated,
            negated_word_index=get(negated),
            negator=negator,
            scope_free=token in SCOPE_FREE,
            tags=tags,
            starts_phrase=starts_phrase,
            tag_indices=[i for i in map(get, tags) if i is not None],
            negated_tags=[i for i in map(get, map(negated_tag, tags)) if i is not None],
            chars=chars,
        )
        if cached:
            records[token] = record
        return record

    def matcher(self) -> Lexicon | None:
        """The lexicon whose matches are features (both spellings when letters are folded), or
        None when `lexicon` is off."""
        return default_lexicon(self.fold_diacritics) if self.lexicon else None

    def form(self, token: str, language: str) -> str:
        """The base form a token's word feature uses (before any negation mark)."""
        return self._folded(word_form(token, language, self.morphology))

    def _folded(self, text: str) -> str:
        """`text` as the features see it: Polish letters folded when `fold_diacritics` is on.

        Folding after stemming keeps the Polish stemmer's suffix rules, which need the
        letters; a word typed without them still meets its stem in most cases.
        """
        return fold_polish(text) if self.fold_diacritics else text

    def weigh(self, rows: Sequence[list[int]], dtype: DTypeLike = np.float64) -> sp.csr_matrix:
        """TF-IDF rows from lists of feature indices (a feature repeats as often as it occurs).

        Sublinear term frequency times IDF; the word and the character block of each row are
        L2-normalised on their own, the character block scaled by `char_weight`. Prediction
        asks for float32 here: a cast afterwards would sort every row's indices first.
        """
        self._check_fitted()
        counts = self._counts(rows)
        n_rows = counts.shape[0]
        data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
        # L2-normalise the word and the character block of each row in place: one sum of
        # squares per (row, block), without slicing the matrix into two and stacking it back.
        block = 2 * np.repeat(np.arange(n_rows), np.diff(counts.indptr))
        block += counts.indices >= self.n_word_features_
        squares = np.bincount(block, weights=data * data, minlength=2 * n_rows).astype(float)
        scale = np.divide(1.0, np.sqrt(squares), out=np.zeros_like(squares), where=squares > 0)
        scale[1::2] *= self.char_weight
        data *= scale[block]
        return sp.csr_matrix(
            (data.astype(dtype, copy=False), counts.indices, counts.indptr),
            shape=counts.shape,
        )

    def _counts(self, rows: Sequence[list[int]]) -> sp.csr_matrix:
        """How often each feature occurs in each row, token n-gram runs expanded.

        Indices come out unsorted within a row, which nothing downstream needs.
        """
        # One flat Python list and one conversion at the end: per-row appends to a typed
        # array convert every index on its own and cost more than the features.
        cols: list[int] = []
        ends = np.empty(len(rows) + 1, dtype=np.int64)
        ends[0] = 0
        for row, indices in enumerate(rows, start=1):
            cols += indices
            ends[row] = len(cols)
        units = self._units.matrix(len(self.idf_))
        entries = sp.csr_matrix(
            (np.ones(len(cols)), np.fromiter(cols, dtype=np.int32, count=len(cols)), ends),
            shape=(len(rows), units.shape[0]),
        )
        return entries @ units  # sums repeats: a feature counts as often as it occurs

    def expand(self, indices: list[int]) -> list[int]:
        """`indices` with each token's n-gram run (see `Segments`) written out as features."""
        n = len(self.idf_)
        runs = self._units.rows
        found: list[int] = []
        for i in indices:
            if i < n:
                found.append(i)
            else:
                found += runs[i - n]
        return found

    def weigh_one(self, indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """One row of `weigh` as (feature indices, values), without a sparse matrix.

        The single-comment path of the API: its latency depends on it.
        """
        indices = self.expand(indices)
        if not indices:
            return np.empty(0, dtype=np.int64), np.empty(0)
        index, counts = np.unique(
            np.fromiter(indices, dtype=np.int64, count=len(indices)), return_counts=True
        )
        values = (1.0 + np.log(counts)) * self.idf_[index]
        # `index` is sorted and word features come first: each block is a slice (a view).
        split = int(np.searchsorted(index, self.n_word_features_))
        for block, weight in ((values[:split], 1.0), (values[split:], self.char_weight)):
            norm = math.sqrt(float(block @ block))
            if norm:
                block *= weight / norm
        return index, values

    def weigh_few(self, rows: Sequence[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A few rows of `weigh` as (row, feature index, value) triples, without a sparse
        matrix: the clauses of one comment in the single-comment path, in one pass of numpy
        calls rather than a `weigh_one` each."""
        n = self.idf_.shape[0]
        rows = [self.expand(r) for r in rows]
        lengths = [len(r) for r in rows]
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=sum(lengths))
        keys, counts = np.unique(
            np.repeat(np.arange(len(rows), dtype=np.int64), lengths) * n + flat, return_counts=True
        )
        row, index = np.divmod(keys, n)
        values = (1.0 + np.log(counts)) * self.idf_[index]
        is_char = index >= self.n_word_features_
        block = 2 * row + is_char
        norms = np.sqrt(np.bincount(block, weights=values * values, minlength=2 * len(rows)))
        values *= np.where(is_char, self.char_weight, 1.0) / norms[block]
        return row, index, values

    def transform_one(self, item: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """`weigh_one` of a whole comment."""
        return self.weigh_one(self.segments(item).whole())

    def _language_features(self, item: Prepared) -> list[str]:
        return [f"LANG_{item.language}"] if self.language_feature and item.normalized else []

    def _head_features(self, item: Prepared) -> list[str]:
        return self._language_features(item) + item.marks

    def _clause_words(self, item: Prepared) -> list[list[str]]:
        """Word n-grams (base forms, negation marked) and lexicon matches of each clause."""
        words = analyze_clauses(item.clauses, item.language, self.morphology)
        if self.fold_diacritics:
            words = [[fold_polish(w) for w in clause] for clause in words]
        low, high = self.word_ngram_range
        grams = [word_ngrams(w, low, high) for w in words]
        lexicon = self.matcher()
        if lexicon:
            for found, matches in zip(grams, clause_features(item.clauses, lexicon), strict=True):
                found += matches
        return grams

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _check_fitted(self) -> None:
        if not hasattr(self, "idf_"):
            raise NotFittedError("this CommentVectorizer is not fitted yet; call fit() first")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_token_records"] = {}
        state["_pair_cache"] = {}
        state["_units"] = _Units()
        return state
