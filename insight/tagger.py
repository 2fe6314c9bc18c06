"""Tagger: which labels a comment talks about, each with a polarity and a probability.

One `CommentVectorizer` feeds two kinds of linear heads. A detector per label: logistic
regression over features scaled by their naive-Bayes log-count ratio, Platt-calibrated on
out-of-fold scores, with a decision threshold tuned on those same out-of-fold
probabilities; the detectors are stacked into one weight matrix, so detection for a batch is
one sparse product (two: a comment's score blends its whole row with its best clause). For
labels with polarity values, a polarity model: a linear SVM over the whole comment and over
the clauses that carry the label's cue words, plus a prior from the 0-10 score when one is
given.

>>> tagger = Tagger(min_examples=2, cv=2).fit(
...     ["rude staff", "staff were lovely", "too expensive", "cheap and good",
...      "the operator was rude", "great prices"],
...     [{"service": "negative"}, {"service": "positive"}, {"price": "negative"},
...      {"price": "positive"}, {"service": "negative"}, {"price": "positive"}])
>>> sorted(tagger.labels_)
['price', 'service']
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from insight.errors import InputError, LabelError, NotFittedError
from insight.estimator import Estimator
from insight.evaluation import evaluate_tags
from insight.features import CommentVectorizer, Prepared, Segments, check_texts, prepare
from insight.gcpause import gc_paused
from insight.nps import nps_score
from insight.taxonomy import FACTORS

if TYPE_CHECKING:  # fitting imports scikit-learn when it runs: predicting never needs it
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

log = logging.getLogger(__name__)

MIXED_POLARITIES = frozenset({"mixed", "conflict"})
"""The polarity values that mean "both": ours, and the SemEval data sets'."""

Strengths = list[tuple[list[str], dict[str, float]]]
"""Each clause of a comment with, per label, the detector weight of its strongest cue."""

Labels = Mapping[str, str | None]
"""The gold labels of one comment: {label: polarity}; polarity None for presence-only labels."""


@dataclass(frozen=True, slots=True)
class TagResult:
    """Tags of one comment: its language and {label: (polarity, probability)}."""

    language: str
    tags: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)  # every label, tagged or not

    @property
    def polarities(self) -> dict[str, str | None]:
        return {label: polarity for label, (polarity, _) in self.tags.items()}


class Tagger(Estimator):
    """Multi-label CX-factor tagger with a polarity per detected label.

    Parameters are stored as given, so `clone` and grid search work; everything learned
    ends in ``_``. `fit` takes texts and, per text, a mapping {label: polarity} of the
    labels it carries (an empty mapping for none); polarity None marks a presence-only
    label, as a 1/0 column gives.

    The character block weighs 1.4 in detection and 1.0 in the polarity models: chosen on
    industries held out of training (corpus waves 4-6 left out in turn: micro F1 0.761 ->
    0.767 at C=2), on dev and by cross-validation on the public training sets, never on a test
    split; a heavier block carries detection to new vocabularies and costs polarity.

    `clause_weight` blends each detector's score on the whole comment with its score on the
    comment's best clause. 0.3 was chosen on dev (fitted on train: micro F1 0.8153 at 0,
    0.8186 at 0.2, 0.8221 at 0.3, 0.8207 at 0.4, 0.8206 at 0.5); it moved cross-validated
    micro F1 on the public training sets by -0.15 (SemEval-2014), +0.06 (2016 EN) and +0.65
    (2016 RU) points. 0 reads the whole comment alone, as models saved before it did.

    `mixed_needs_two_clauses`: a label's polarity is `mixed` (or `conflict`) only in a comment
    of two clauses or more, since one clause says one thing of a factor ("Pokój czysty" came
    out mixed because rooms are often mixed in the corpus). On dev, 10 of the 11 `mixed`
    guesses on one-clause comments were wrong (scratch).

    `fold_diacritics` writes Polish letters as plain ones in the word and character features
    and matches the lexicon in both spellings ("obsługa" and "obsluga" become one), since
    about one Polish comment in five is typed without them. Fitted on train (scratch,
    fourteenth-wave corpus): dev micro F1 0.8247 -> 0.8292, and 0.8207 -> 0.8284 on dev with
    every Polish letter stripped; waves 14, 12 and 9 held out in turn 0.8007 -> 0.8003,
    0.7524 -> 0.7557, 0.7626 -> 0.7632.
    """

    card_: dict[str, Any]  # the model card, set by `insight.persistence` on save and load

    def __init__(
        self,
        labels: Sequence[str] | None = None,
        morphology: str = "stem",
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        char_weight: float = 1.4,
        polarity_char_weight: float | None = 1.0,
        C: float = 4.0,
        nb_smoothing: float | None = 0.1,
        nb_power: float = 0.5,
        polarity_C: float = 0.5,
        class_weight: str | None = "balanced",
        clause_weight: float = 0.3,
        mixed_needs_two_clauses: bool = True,
        cv: int = 5,
        min_examples: int = 10,
        lexicon: bool = True,
        fold_diacritics: bool = True,
        n_cues: int = 150,
        use_scores: bool = True,
        n_jobs: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.labels = labels
        self.morphology = morphology
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.char_weight = char_weight
        self.polarity_char_weight = polarity_char_weight
        self.C = C
        self.nb_smoothing = nb_smoothing
        self.nb_power = nb_power
        self.polarity_C = polarity_C
        self.class_weight = class_weight
        self.clause_weight = clause_weight
        self.mixed_needs_two_clauses = mixed_needs_two_clauses
        self.cv = cv
        self.min_examples = min_examples
        self.lexicon = lexicon
        self.fold_diacritics = fold_diacritics
        self.n_cues = n_cues
        self.use_scores = use_scores
        self.n_jobs = n_jobs
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------------------
    def fit(
        self,
        X: Sequence[str],
        y: Sequence[Labels],
        scores: Sequence[object] | None = None,
        sample_weight: Sequence[float] | np.ndarray | None = None,
    ) -> Tagger:
        """Learn the vocabulary, a detector per label and a polarity model per label.

        `scores` (0-10, optional) give each polarity model its prior P(polarity | NPS group)
        and the weight of that prior, tuned on out-of-fold margins; the text models are
        trained on text alone, so tagging without scores stays sound.

        `sample_weight` (optional, non-negative) weighs each row in the detectors' and the
        polarity models' fits, in their Platt calibration and in the threshold choice; a
        2-D array of shape (rows, labels), columns in the order of the `labels` parameter,
        gives each label its own weights. A weight of 0 leaves the row out of that label's
        heads altogether (it is unknown for the label: neither an example nor a
        counter-example), which is how a warm start keeps corpus rows out of a company's own
        labels. The polarity prior and its weight stay unweighted.
        """
        texts = check_texts(X)
        gold = _check_labels(y, len(texts))
        self.labels_ = self._resolve_labels(gold)
        row_weight = _check_weights(
            sample_weight, len(texts), self.labels_, self.labels is not None
        )
        self.polarities_ = {
            label: _polarity_values(
                [g for g, w in zip(gold, row_weight[:, j], strict=True) if w > 0], label
            )
            for j, label in enumerate(self.labels_)
        }
        self._check_enough_examples(gold, row_weight)
        groups = _score_groups(scores, len(texts))

        prepared = [prepare(t) for t in texts]
        self.vectorizer_ = self.new_vectorizer().fit_prepared(prepared)
        segments = [self.vectorizer_.segments(item) for item in prepared]
        features = self.vectorizer_.weigh([s.whole() for s in segments])
        polarity_scale = self._polarity_scale()  # checked before any model is fitted
        self._check_clause_weight()
        clause_views = self._clause_views(segments)

        from joblib import Parallel, delayed

        # liblinear releases the GIL, so threads fit several labels at once.
        pool = Parallel(n_jobs=self.n_jobs, prefer="threads")
        fitted = pool(
            delayed(self._fit_detector)(
                features,
                clause_views,
                np.array([label in g for g in gold], dtype=int),
                row_weight[:, j],
            )
            for j, label in enumerate(self.labels_)
        )
        weights = [w for w, _, _, _ in fitted]
        biases = [b for _, b, _, _ in fitted]
        thresholds = [t for _, _, t, _ in fitted]
        oof_detect = np.column_stack([oof for _, _, _, oof in fitted])
        self.coef_ = np.column_stack(weights).astype(np.float32)
        self.intercept_ = np.asarray(biases, dtype=np.float64)
        self.thresholds_ = np.asarray(thresholds, dtype=np.float64)
        self.cues_ = {label: self._learn_cues(j) for j, label in enumerate(self.labels_)}
        self._cue_cache: dict[str, dict[str, dict[str, float]]] = {}
        self._cue_weight_cache: dict[str, dict[str, float]] | None = None

        self.polarity_coef_: dict[str, np.ndarray] = {}
        self.polarity_intercept_: dict[str, np.ndarray] = {}
        oof_polarity: list[dict[str, str | None]] = [{} for _ in texts]
        with_polarity = [label for label in self.labels_ if len(self.polarities_[label]) >= 2]
        polarity_fits = pool(
            delayed(self._fit_polarity)(
                features,
                prepared,
                segments,
                groups,
                gold,
                label,
                row_weight[:, self.labels_.index(label)],
                polarity_scale,
            )
            for label in with_polarity
        )
        self.polarity_prior_: dict[str, np.ndarray] = {}
        self.polarity_alpha_: dict[str, float] = {}
        for label, fit in zip(with_polarity, polarity_fits, strict=True):
            coef, intercept, prior, alpha, oof = fit
            self.polarity_coef_[label] = coef
            self.polarity_intercept_[label] = intercept
            self.polarity_prior_[label] = prior
            self.polarity_alpha_[label] = alpha
            for i, polarity in oof.items():
                oof_polarity[i][label] = polarity

        self.n_train_ = len(texts)
        predicted = [
            {
                label: oof_polarity[i].get(label, self._default_polarity(label))
                for j, label in enumerate(self.labels_)
                if oof_detect[i, j] >= self.thresholds_[j]
            }
            for i in range(len(texts))
        ]
        languages = [p.language for p in prepared]
        column = {label: j for j, label in enumerate(self.labels_)}
        known = [  # a row counts only for the labels it was weighed in on
            {k: v for k, v in g.items() if k not in column or row_weight[i, column[k]] > 0}
            for i, g in enumerate(gold)
        ]
        self.cv_metrics_ = evaluate_tags(known, predicted, languages=languages, labels=self.labels_)
        return self

    def new_vectorizer(self) -> CommentVectorizer:
        """An unfitted vectorizer with this tagger's feature parameters (fit and load share it)."""
        return CommentVectorizer(
            morphology=self.morphology,
            word_ngram_range=self.word_ngram_range,
            char_ngram_range=self.char_ngram_range,
            min_df=self.min_df,
            char_weight=self.char_weight,
            lexicon=self.lexicon,
            fold_diacritics=self.fold_diacritics,
        )

    def _resolve_labels(self, gold: list[dict[str, str | None]]) -> list[str]:
        found: dict[str, None] = {}
        for g in gold:
            found.update(dict.fromkeys(g))
        if self.labels is not None:
            unknown = [label for label in self.labels if label not in found]
            if unknown:
                raise LabelError(
                    f"labels {unknown} were asked for but never occur in the training data"
                )
            return list(self.labels)
        ordered = [f for f in FACTORS if f in found] + [f for f in found if f not in FACTORS]
        if not ordered:
            raise LabelError(
                "the training data has no labels at all: every comment's label set is empty"
            )
        return ordered

    def _check_enough_examples(
        self, gold: list[dict[str, str | None]], weights: np.ndarray
    ) -> None:
        minimum = max(self.min_examples, self.cv)
        for j, label in enumerate(self.labels_):
            counted = weights[:, j] > 0
            n = int(counted.sum())
            count = sum(label in g for g, c in zip(gold, counted, strict=True) if c)
            if count < minimum or n - count < minimum:
                which = (
                    f"{count} comments with it" if count < minimum else f"{n - count} without it"
                )
                raise LabelError(
                    f"label {label!r} has {which}; at least {minimum} with and {minimum} without "
                    "are needed to learn it: label more comments, or leave it out (--labels)"
                )

    def _detector(self) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression

        # The dual problem: with far more features than rows (always, for text) liblinear
        # solves it several times faster than the primal, to the same optimum.
        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            solver="liblinear",
            dual=True,
            max_iter=1_000,
            random_state=self.random_state,
        )

    def _fit_detector(
        self,
        features: sp.csr_matrix,
        clause_views: ClauseViews,
        present: np.ndarray,
        weight: np.ndarray,
    ) -> tuple[np.ndarray, float, float, np.ndarray]:
        """Detector of one label on the rows of positive weight; out-of-fold probabilities
        of the other rows are NaN (never above a threshold).

        Calibration and threshold are fitted on the out-of-fold scores prediction uses:
        the whole comment's, blended with its best clause's (`clause_weight`)."""
        from sklearn.model_selection import StratifiedKFold

        oof_proba = np.full(len(present), np.nan)
        rows = np.flatnonzero(weight > 0)
        kept, present, weight = features[rows], present[rows], weight[rows]
        splitter = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        oof_score = np.zeros(len(present))
        for train, test in splitter.split(np.zeros(len(present)), present):
            scale = self._nb_scale(kept[train], present[train], weight[train])
            model = self._detector().fit(
                kept[train] @ scale, present[train], sample_weight=weight[train]
            )
            # The scaling folded into the weights: scaling every row (and every clause row)
            # first would copy both matrices in each fold for the same scores.
            coef, bias = scale @ model.coef_.ravel(), float(model.intercept_[0])
            scores = features @ coef + bias
            if len(clause_views.owners):
                clause = clause_views.features @ coef + bias
                scores = blend_clauses(scores, clause, clause_views, self.clause_weight)
            oof_score[test] = scores[rows[test]]
        slope, offset = _platt(oof_score, present, weight)
        oof_proba[rows] = _sigmoid(slope * oof_score + offset)
        threshold = _best_threshold(oof_proba[rows], present, weight)
        scale = self._nb_scale(kept, present, weight)
        final = self._detector().fit(kept @ scale, present, sample_weight=weight)
        # The scaling folded in: predicting is unchanged. The blend commutes with it while the
        # slope is positive (a detector whose out-of-fold scores anti-correlate with the label
        # would take its worst clause instead: such a detector is noise either way).
        w = scale @ final.coef_.ravel() * slope
        b = float(final.intercept_[0]) * slope + offset
        return w, b, threshold, oof_proba

    def _check_clause_weight(self) -> None:
        if not 0.0 <= self.clause_weight < 1.0:
            raise InputError(
                f"clause_weight must be at least 0 and below 1, got {self.clause_weight!r}"
            )

    def _barred(self, classes: Sequence[str]) -> list[int]:
        """The polarities a comment of one clause may not take: `mixed` and `conflict` (see
        `mixed_needs_two_clauses`)."""
        if not self.mixed_needs_two_clauses:
            return []
        return [k for k, c in enumerate(classes) if c in MIXED_POLARITIES]

    def _no_mixed(self, classes: Sequence[str], items: Sequence[Prepared]) -> np.ndarray:
        """A (comments, classes) mask of `_barred` polarities in comments of one clause."""
        mask = np.zeros((len(items), len(classes)), dtype=bool)
        barred = self._barred(classes)
        if barred:
            one = np.array([len(item.clauses) <= 1 for item in items], dtype=bool)
            mask[np.ix_(one, np.asarray(barred, dtype=np.int64))] = True
        return mask

    def _clause_views(self, segments: Sequence[Segments]) -> ClauseViews:
        """Every clause, as a view of its own, of the comments whose clause differs from
        the whole: those of several clauses, or with a "!" or "?" outside their clause."""
        rows: list[list[int]] = []
        owners: list[int] = []
        starts: list[int] = []
        if self.clause_weight:
            for i, segment in enumerate(segments):
                if _has_clause_views(segment):
                    owners.append(i)
                    starts.append(len(rows))
                    rows += [segment.language + clause for clause in segment.clauses]
        return ClauseViews(
            self.vectorizer_.weigh(rows, np.float32)
            if rows
            else sp.csr_matrix((0, self.vectorizer_.n_features_), dtype=np.float32),
            np.asarray(owners, dtype=np.int64),
            np.asarray(starts, dtype=np.int64),
        )

    def _detection_logits(
        self, whole: np.ndarray, clause: np.ndarray, views: ClauseViews
    ) -> np.ndarray:
        """Each comment's calibrated log-odds of each label from the detectors' scores of its
        rows and of its clause views: the whole row blended with the best clause (the batch
        form of `_predict_one`'s)."""
        n_labels = len(self.labels_)
        logits = whole[:, :n_labels] + self.intercept_
        if not len(views.owners):
            return logits
        return blend_clauses(
            logits, clause[:, :n_labels] + self.intercept_, views, self.clause_weight
        )

    def _nb_scale(
        self, features: sp.csr_matrix, present: np.ndarray, weight: np.ndarray
    ) -> sp.dia_matrix:
        """Naive-Bayes log-count-ratio scaling of the features (Wang and Manning, 2012).

        Each feature is scaled by sign(r) |r| ** nb_power, where r is the log ratio of its
        smoothed share of the feature mass in rows with the label and in rows without it:
        a feature that tells the label apart enters the regression already large. When it
        was added it raised cross-validated micro F1 on the corpus (0.797 -> 0.804) and on the
        public training sets, and was neutral on 300 rows. The identity when `nb_smoothing` is
        None.
        """
        n = features.shape[1]
        if self.nb_smoothing is None:
            return sp.identity(n, format="dia")
        if not self.nb_smoothing > 0:
            raise InputError(
                f"nb_smoothing must be a positive number or None, got {self.nb_smoothing!r}"
            )
        mass = sp.diags(weight) @ features
        positive = np.asarray(mass[present == 1].sum(axis=0)).ravel() + self.nb_smoothing
        negative = np.asarray(mass[present == 0].sum(axis=0)).ravel() + self.nb_smoothing
        ratio = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
        return sp.diags(np.sign(ratio) * np.abs(ratio) ** self.nb_power)

    def _learn_cues(self, j: int) -> frozenset[str]:
        """The words that most signal label j to its detector: they mark the clauses that
        talk about the label, where its polarity is said."""
        vocabulary = self.vectorizer_.vocabulary_
        weights = self.coef_[:, j]
        single = [
            (float(weights[i]), f.removeprefix("NEG_"))
            for f, i in vocabulary.items()
            if " " not in f and "_" not in f.removeprefix("NEG_") and weights[i] > 0
        ]
        single.sort(reverse=True)
        return frozenset(form for _, form in single[: self.n_cues])

    def _local(
        self,
        item: Prepared,
        label: str,
        strengths: Strengths | None = None,
    ) -> tuple[int, ...]:
        """The positions of the clauses of a comment that talk most about `label` (all if none).

        A clause's strength for a label is the detector weight of its strongest cue (a learned
        cue word or the lexicon's cue of that factor); clauses reaching half of the comment's
        strongest are kept, so in "courier was rude, but delivery fast" the service clause is
        the first one only, though "delivery" is a weak service cue too. `strengths` lets a
        caller that asks for several labels of one comment weigh its clauses once.
        """
        if strengths is None:
            strengths = self._clause_strengths(item)
        best = 0.0
        for _, weights in strengths:
            weight = weights.get(label, 0.0)
            if weight > best:
                best = weight
        if best <= 0.0 or len(strengths) == 1:
            return tuple(range(len(strengths)))
        cut = _CLAUSE_SHARE * best
        return tuple(k for k, (_, w) in enumerate(strengths) if w.get(label, 0.0) >= cut)

    def _view(
        self, item: Prepared, label: str, strengths: Strengths | None
    ) -> tuple[tuple[int, ...] | None, Strengths | None]:
        """The clauses the polarity model of `label` reads, or None when they are the whole
        comment (whose weighted row prediction has already); and the comment's clause
        strengths, computed on first need (a one-clause comment never needs them)."""
        if len(item.clauses) == 1:
            chosen: tuple[int, ...] = (0,)
        else:
            if strengths is None:
                strengths = self._clause_strengths(item)
            chosen = self._local(item, label, strengths)
        whole = len(chosen) == len(item.clauses) and not item.marks
        return (None if whole else chosen), strengths

    def _clause_strengths(self, item: Prepared) -> Strengths:
        """Each clause with, per label, the weight of its strongest cue."""
        out = []
        language = item.language
        known = self._cue_cache_of(language)
        for clause in item.clauses:
            strengths: dict[str, float] = {}
            for token in clause:
                cues = known.get(token)
                if cues is None:
                    cues = self._token_cues(token, language)
                for label, weight in cues.items():
                    if weight > strengths.get(label, 0.0):
                        strengths[label] = weight
            out.append((clause, strengths))
        return out

    def _cue_cache_of(self, language: str) -> dict[str, dict[str, float]]:
        caches: dict[str, dict[str, dict[str, float]]] = self.__dict__.setdefault("_cue_cache", {})
        return caches.setdefault(language, {})

    def _token_cues(self, token: str, language: str) -> dict[str, float]:
        """{label: cue weight} of a token, cached per language and token."""
        cache = self._cue_cache_of(language)
        found: dict[str, float] | None = cache.get(token)
        if found is not None:
            return found
        weights = self._cue_weights()
        form = self.vectorizer_.form(token, language)
        lexicon = self.vectorizer_.matcher()
        tags = lexicon.token_tags(token) if lexicon else frozenset()
        found = {}
        for label in self.labels_:
            weight = weights[label].get(form, 0.0)
            if f"LEX_{label}" in tags:
                weight = max(weight, weights[label].get(f"LEX_{label}", 0.0))
            if weight > 0.0:
                found[label] = weight
        if len(cache) < 200_000:
            cache[token] = found
        return found

    def _cue_weights(self) -> dict[str, dict[str, float]]:
        """Detector weights of each label's cue words and lexicon feature, derived once."""
        cached: dict[str, dict[str, float]] | None = self.__dict__.get("_cue_weight_cache")
        if cached is None:
            vocabulary = self.vectorizer_.vocabulary_
            cached = {}
            for j, label in enumerate(self.labels_):
                column = self.coef_[:, j]
                weights = {
                    form: max(
                        float(column[i])
                        for i in (vocabulary.get(form), vocabulary.get(f"NEG_{form}"))
                        if i is not None
                    )
                    for form in self.cues_[label]
                    if form in vocabulary or f"NEG_{form}" in vocabulary
                }
                lex = vocabulary.get(f"LEX_{label}")
                if lex is not None and column[lex] > 0:
                    weights[f"LEX_{label}"] = float(column[lex])
                cached[label] = weights
            self.__dict__["_cue_weight_cache"] = cached
        return cached

    def _polarity_matrix(
        self,
        label: str,
        global_rows: sp.csr_matrix,
        items: Sequence[Prepared],
        segments: Sequence[Segments],
    ) -> sp.csr_matrix:
        local = self.vectorizer_.weigh(
            [s.view(self._local(item, label)) for item, s in zip(items, segments, strict=True)]
        )
        return sp.hstack([global_rows, local], format="csr")

    def _fit_polarity(
        self,
        features: sp.csr_matrix,
        prepared: Sequence[Prepared],
        segments: Sequence[Segments],
        groups: np.ndarray,
        gold: list[dict[str, str | None]],
        label: str,
        weight: np.ndarray,
        scale: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, dict[int, str | None]]:
        """Text model on the comment and its cue clauses, plus a score prior.

        The polarity is argmax(text margin + alpha * log P(polarity | NPS group)): the prior
        decides where the text is unsure ("betrayal" next to a 0), and alpha, tuned on
        out-of-fold margins of the training rows, says how much the score may weigh.
        """
        classes = self.polarities_[label]
        rows = np.array([i for i, g in enumerate(gold) if label in g and weight[i] > 0])
        weight = weight[rows]
        target = np.array([classes.index(str(gold[i][label])) for i in rows])
        matrix = self._polarity_matrix(
            label, features[rows], [prepared[i] for i in rows], [segments[i] for i in rows]
        )
        if scale is not None:  # `_polarity_scale`, derived once per fit
            matrix = matrix @ sp.diags(scale)
        prior = _log_prior(target, groups[rows], len(classes))
        margins = np.zeros((len(rows), len(classes)))
        counts = np.bincount(target, minlength=len(classes))
        n_splits = min(self.cv, int(counts[counts > 0].min()))
        covered = np.zeros(len(rows), dtype=bool)
        if n_splits >= 2:
            from sklearn.model_selection import StratifiedKFold

            splitter = StratifiedKFold(
                n_splits=n_splits, shuffle=True, random_state=self.random_state
            )
            for train, test in splitter.split(np.zeros(len(rows)), target):
                if len(np.unique(target[train])) < 2:
                    continue
                model = self._polarity_model().fit(
                    matrix[train], target[train], sample_weight=weight[train]
                )
                coef, intercept = _multinomial_coef(model, len(classes))
                margins[test] = np.asarray(matrix[test] @ coef.T) + intercept
                covered[test] = True
        margins[self._no_mixed(classes, [prepared[i] for i in rows])] = -np.inf
        fold_prior = prior[groups[rows][covered]]
        alpha = 0.0
        if self.use_scores and covered.any():
            best = -1.0
            for candidate in np.linspace(0.0, 3.0, 31):
                guessed = (margins[covered] + candidate * fold_prior).argmax(axis=1)
                accuracy = float((guessed == target[covered]).mean())
                if accuracy > best + 1e-9:
                    alpha, best = float(candidate), accuracy
        guesses = (margins[covered] + alpha * fold_prior).argmax(axis=1)
        oof: dict[int, str | None] = {
            int(rows[t]): classes[int(g)]
            for t, g in zip(np.flatnonzero(covered), guesses, strict=True)
        }
        final = self._polarity_model().fit(matrix, target, sample_weight=weight)
        coef, intercept = _multinomial_coef(final, len(classes))
        if scale is not None:  # folded in: prediction sees the vectorizer's own weighting
            coef = coef * scale
        # Row-major: a sparse product copies a column-major right operand on every call.
        return np.ascontiguousarray(coef.T, dtype=np.float32), intercept, prior, alpha, oof

    def _polarity_scale(self) -> np.ndarray | None:
        """Column factors that give the polarity models' character blocks their own weight.

        The detectors and the polarity models share one feature matrix, whose character block
        the vectorizer scales by `char_weight`; a heavier character block helps detection on
        industries the training data never saw but costs polarity accuracy, so
        `polarity_char_weight` rescales it for the polarity fits (the factor is folded into
        their coefficients afterwards). None: no rescaling, the same weight as detection.
        """
        wanted = self.polarity_char_weight
        if wanted is None or wanted == self.char_weight:
            return None
        if not wanted > 0:
            raise InputError(
                f"polarity_char_weight must be a positive number or None, got {wanted!r}"
            )
        vectorizer = self.vectorizer_
        block = np.ones(vectorizer.n_features_)
        block[vectorizer.n_word_features_ :] = wanted / self.char_weight
        return np.concatenate([block, block])  # the comment's row, then its cue clauses' view

    def _polarity_model(self) -> LinearSVC:
        # Polarity needs only the argmax, so a one-vs-rest linear SVM: fast, and as
        # accurate as multinomial logistic regression here.
        from sklearn.svm import LinearSVC

        return LinearSVC(
            C=self.polarity_C,
            class_weight="balanced",
            max_iter=5_000,
            random_state=self.random_state,
        )

    def _default_polarity(self, label: str) -> str | None:
        classes = self.polarities_[label]
        return classes[0] if classes else None

    # -- prediction ---------------------------------------------------------------------
    def predict(
        self,
        X: Sequence[str],
        scores: Sequence[object] | None = None,
        *,
        n_jobs: int | None = None,
    ) -> list[TagResult]:
        """Tag each comment: its language and {label: (polarity, probability)}.

        The probability is the calibrated probability that the comment talks about the
        label. `scores` (the 0-10 answer beside each comment; None, NaN or text for a
        missing one) weigh in on the polarity where the text leaves it open; the text
        alone decides which labels are tagged.

        `n_jobs` > 1 (or -1: every core) tags a large batch in forked worker processes.
        It is a per-call choice, not the fitted `n_jobs`, because a fork inside a threaded
        server is unsafe: only scripts and commands that own their process ask for it.
        """
        self._check_fitted()
        texts = check_texts(X)
        groups = _score_groups(scores, len(texts))
        workers = _workers(n_jobs, len(texts))
        with gc_paused():  # see insight.gcpause: a batch makes garbage, but no cycles
            if workers > 1:
                return self._predict_forked(texts, groups, workers)
            return self._predict_groups(texts, groups)

    def _predict_forked(
        self, texts: list[str], groups: np.ndarray, workers: int
    ) -> list[TagResult]:
        global _FORKED
        size = -(-len(texts) // (4 * workers))
        chunks = [(texts[i : i + size], groups[i : i + size]) for i in range(0, len(texts), size)]
        _FORKED = self  # the workers inherit the fitted model: nothing is pickled or reloaded
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.starmap(_predict_chunk, chunks)
        finally:
            _FORKED = None
        return [result for part in parts for result in part]

    def _predict_groups(self, texts: list[str], groups: np.ndarray) -> list[TagResult]:
        prepared = [prepare(t) for t in texts]
        if len(prepared) == 1:
            return [self._predict_one(prepared[0], int(groups[0]))]
        # float32 rows against the float32 weights: a float64 row matrix would make scipy cast
        # every weight matrix to float64 on each call, a copy of tens of MB per batch.
        segments = [self.vectorizer_.segments(item) for item in prepared]
        features = self.vectorizer_.weigh([s.whole() for s in segments], np.float32)
        views = self._clause_views(segments)
        whole, clause = self._batch_products(features, views)
        detect = _sigmoid(self._detection_logits(whole, clause, views))
        found = detect >= self.thresholds_
        polarity = self._batch_polarity(prepared, segments, whole, clause, views, found, groups)
        labels = self.labels_
        defaults = [self._default_polarity(label) for label in labels]
        rounded = np.round(detect, 4).tolist()
        results = []
        for i, (item, row, hits) in enumerate(zip(prepared, rounded, found.tolist(), strict=True)):
            if not item.normalized:
                results.append(TagResult(item.language, {}, {}))
                continue
            tags = {
                labels[j]: (polarity.get((i, j), defaults[j]), row[j])
                for j, hit in enumerate(hits)
                if hit
            }
            results.append(TagResult(item.language, tags, dict(zip(labels, row, strict=True))))
        return results

    def _batch_polarity(
        self,
        prepared: Sequence[Prepared],
        segments: Sequence[Segments],
        whole: np.ndarray,
        clause: np.ndarray,
        views: ClauseViews,
        found: np.ndarray,
        groups: np.ndarray,
    ) -> dict[tuple[int, int], str | None]:
        """Polarity of every (comment, label) detected in a batch."""
        polarity: dict[tuple[int, int], str | None] = {}
        margined = self._polarity_margins(prepared, segments, whole, clause, views, found)
        for j, label, rows, margins in margined:
            classes = self.polarities_[label]
            margins[self._no_mixed(classes, [prepared[i] for i in rows.tolist()])] = -np.inf
            best = (margins + self._prior(label)[groups[rows]]).argmax(axis=1)
            polarity.update(
                {(i, j): classes[b] for i, b in zip(rows.tolist(), best.tolist(), strict=True)}
            )
        return polarity

    def _batch_products(
        self, features: sp.csr_matrix, views: ClauseViews
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every comment's and every clause view's products with `_one_weights`: detection
        scores and each polarity model's blocks at once, one sparse product each, instead of
        a row selection and a product per label."""
        weights, _ = self._one_weights()
        whole = np.asarray(features @ weights, dtype=np.float64)
        if not len(views.owners):
            return whole, np.empty((0, weights.shape[1]))
        return whole, np.asarray(views.features @ weights, dtype=np.float64)

    def _polarity_margins(
        self,
        prepared: Sequence[Prepared],
        segments: Sequence[Segments],
        whole_products: np.ndarray,
        clause_products: np.ndarray,
        clause_views: ClauseViews,
        found: np.ndarray,
    ) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
        """(label index, label, rows, text margins) of each label detected in a batch, from
        `_batch_products` of the batch.

        A comment's clauses are weighed once, and each distinct local view is weighted
        once, though several labels of a comment often pick the same clauses; a view of one
        clause is the row detection weighed for it, when it has one.
        """
        strengths: dict[int, Strengths | None] = {}
        views: dict[tuple[int, tuple[int, ...]], int] = {}
        local_rows: list[list[int]] = []
        first_clause = dict(
            zip(clause_views.owners.tolist(), clause_views.starts.tolist(), strict=True)
        )
        wanted: list[tuple[int, str, np.ndarray, np.ndarray, np.ndarray]] = []
        for j, label in enumerate(self.labels_):
            rows = np.flatnonzero(found[:, j])
            if label not in self.polarity_coef_ or not len(rows):
                continue
            # -1: the local view is the whole comment, whose products `whole_products` has
            # (one clause and no "!"/"?" outside it: most comments). Else a `clause_views` row
            # (`in_clauses`) or a `local_rows` row (`positions`).
            positions = np.full(len(rows), -1, dtype=np.int64)
            in_clauses = np.full(len(rows), -1, dtype=np.int64)  # a `clause_views` row
            for k, i in enumerate(rows.tolist()):
                chosen, strengths[i] = self._view(prepared[i], label, strengths.get(i))
                if chosen is None:
                    continue
                if len(chosen) == 1 and i in first_clause:
                    in_clauses[k] = first_clause[i] + chosen[0]
                    continue
                position = views.get((i, chosen))
                if position is None:
                    position = views[i, chosen] = len(local_rows)
                    local_rows.append(segments[i].view(chosen))
                positions[k] = position
            wanted.append((j, label, rows, positions, in_clauses))
        if not wanted:
            return []
        weights, blocks = self._one_weights()
        local_products = (
            np.asarray(self.vectorizer_.weigh(local_rows, np.float32) @ weights, dtype=np.float64)
            if local_rows
            else np.empty((0, weights.shape[1]))
        )
        margined = []
        for j, label, rows, positions, in_clauses in wanted:
            start, local_start, k = blocks[label]
            margins = whole_products[rows, start : start + k]  # a copy: fancy row index
            local_block = slice(local_start, local_start + k)
            clause = in_clauses >= 0
            whole = (positions < 0) & ~clause
            local = positions >= 0
            if whole.any():
                margins[whole] += whole_products[rows[whole], local_block]
            if clause.any():
                margins[clause] += clause_products[in_clauses[clause], local_block]
            if local.any():
                margins[local] += local_products[positions[local], local_block]
            margins += self.polarity_intercept_[label]
            margined.append((j, label, rows, margins))
        return margined

    def _prior(self, label: str) -> np.ndarray:
        """alpha * log P(polarity | group) per NPS group; row 0 (no score) is all zeros."""
        return self.polarity_alpha_[label] * self.polarity_prior_[label]

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each label (columns in `labels_` order)."""
        self._check_fitted()
        segments = [self.vectorizer_.segments(prepare(t)) for t in check_texts(X)]
        features = self.vectorizer_.weigh([s.whole() for s in segments], np.float32)
        views = self._clause_views(segments)
        whole = np.asarray(features @ self.coef_, dtype=np.float64)  # the detectors alone
        clause = np.asarray(views.features @ self.coef_, dtype=np.float64)
        return _sigmoid(self._detection_logits(whole, clause, views))

    def _predict_one(self, item: Prepared, group: int) -> TagResult:
        """The single-comment path: dense dot products, no sparse matrices (API latency).

        One gather of the comment's rows from `_one_weights` and one product give every
        detector's score and every polarity model's margins on the whole comment at once.
        """
        if not item.normalized:
            return TagResult(item.language, {}, {})
        segments = self.vectorizer_.segments(item)
        weights, blocks = self._one_weights()
        n_labels = len(self.labels_)
        views: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        clauses = segments.clauses
        blend = self.clause_weight and _has_clause_views(segments)
        if not blend:
            index, values = self.vectorizer_.weigh_one(segments.whole())
        else:  # the whole comment and each clause weighed in one pass
            row_of, all_index, all_values = self.vectorizer_.weigh_few(
                [segments.whole(), *(segments.view((k,)) for k in range(len(clauses)))]
            )
            bounds = np.searchsorted(row_of, np.arange(len(clauses) + 2)).tolist()
            index, values = all_index[: bounds[1]], all_values[: bounds[1]]
            for k in range(len(clauses)):  # a polarity view of one clause is one of these
                views[(k,)] = (
                    all_index[bounds[k + 1] : bounds[k + 2]],
                    all_values[bounds[k + 1] : bounds[k + 2]],
                )
            start = bounds[1]
            running = np.cumsum(
                all_values[start:, None] * weights[all_index[start:], :n_labels], axis=0
            )
            running = np.vstack([np.zeros(n_labels), running])
            ends = np.asarray(bounds[2:]) - start
            begins = np.asarray(bounds[1:-1]) - start
            best = (running[ends] - running[begins]).max(axis=0)  # a clause's own sum
        row = values @ weights[index] if len(index) else np.zeros(weights.shape[1])
        raw = row[:n_labels] + self.intercept_
        if blend:
            raw = (1.0 - self.clause_weight) * raw + self.clause_weight * (best + self.intercept_)
        tags: dict[str, tuple[str | None, float]] = {}
        probabilities: dict[str, float] = {}
        strengths = None
        for j, label in enumerate(self.labels_):
            probability = 1.0 / (1.0 + math.exp(-float(raw[j])))
            probabilities[label] = round(probability, 4)
            if probability < self.thresholds_[j]:
                continue
            polarity = self._default_polarity(label)
            if label in blocks:
                chosen, strengths = self._view(item, label, strengths)
                start, local_start, k = blocks[label]
                if chosen is None:  # the local view is the whole comment: `row` holds it
                    local = row[local_start : local_start + k]
                else:
                    view = views.get(chosen)
                    if view is None:
                        view = views[chosen] = self.vectorizer_.weigh_one(segments.view(chosen))
                    local_index, local_values = view
                    local = local_values @ weights[local_index, local_start : local_start + k]
                block = (
                    row[start : start + k]
                    + local
                    + self.polarity_intercept_[label]
                    + self._prior(label)[group]
                )
                classes = self.polarities_[label]
                if len(item.clauses) <= 1:  # `_no_mixed` for one comment, without arrays
                    block[self._barred(classes)] = -np.inf
                polarity = classes[int(np.argmax(block))]
            tags[label] = (polarity, round(probability, 4))
        return TagResult(item.language, tags, probabilities)

    def _one_weights(self) -> tuple[np.ndarray, dict[str, tuple[int, int, int]]]:
        """The detectors' and the polarity models' weights side by side, one row per feature,
        and per polarity label the columns of its whole-comment and local-view blocks.

        Built once per process (about 16 MB for the default model) for `_predict_one`.
        """
        cached = self.__dict__.get("_one_weight_cache")
        if cached is None:
            n_features = self.vectorizer_.n_features_
            labels = [label for label in self.labels_ if label in self.polarity_coef_]
            columns = [self.coef_]
            columns += [self.polarity_coef_[label][:n_features] for label in labels]
            columns += [self.polarity_coef_[label][n_features:] for label in labels]
            widths = [self.polarity_coef_[label].shape[1] for label in labels]
            starts = np.cumsum([len(self.labels_), *widths, *widths])
            blocks = {
                label: (int(starts[i]), int(starts[len(labels) + i]), widths[i])
                for i, label in enumerate(labels)
            }
            cached = (np.ascontiguousarray(np.hstack(columns), dtype=np.float32), blocks)
            self.__dict__["_one_weight_cache"] = cached
        return cached

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "this Tagger is not fitted yet: call fit() or load a model with "
                "insight.load_model()"
            )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _check_labels(y: Sequence[Labels], n: int) -> list[dict[str, str | None]]:
    if len(y) != n:
        raise InputError(f"got {n} texts but {len(y)} label sets; give one label mapping per text")
    checked = []
    for index, item in enumerate(y):
        if not isinstance(item, Mapping):
            raise InputError(
                f"labels of item {index} are {type(item).__name__}, expected a mapping"
            )
        checked.append({str(k): (None if v is None else str(v)) for k, v in item.items()})
    return checked


def _check_weights(
    sample_weight: Sequence[float] | np.ndarray | None,
    n: int,
    labels: Sequence[str],
    labels_given: bool,
) -> np.ndarray:
    """Row weights as an array (rows, labels); one column per label, all 1 when None."""
    if sample_weight is None:
        return np.ones((n, len(labels)))
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 2 and not labels_given:
        raise InputError(
            "a 2-D sample_weight needs the labels parameter, which fixes the order of its columns"
        )
    if weights.ndim == 1 and len(weights) == n:
        weights = np.repeat(weights[:, None], len(labels), axis=1)
    if weights.shape != (n, len(labels)):
        raise InputError(
            f"sample_weight has shape {weights.shape}, expected ({n},) or ({n}, {len(labels)}): "
            "one weight per text, or one per text and label"
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise InputError("sample_weight must be finite and non-negative")
    return weights


def _polarity_values(gold: list[dict[str, str | None]], label: str) -> list[str]:
    values = {g[label] for g in gold if label in g}
    named = sorted(v for v in values if v is not None)
    if named and None in values:
        raise LabelError(
            f"label {label!r} has polarity on some comments ({', '.join(named)}) and bare presence "
            "on others; give every mention a polarity, or none"
        )
    return named


_CLAUSE_SHARE = 0.5  # a clause joins a label's polarity view at half its strongest cue
_FORK_MIN = 4_096  # below this many comments, starting workers costs more than it saves
_FORKED: Tagger | None = None  # the model a forked worker tags with (see `_predict_forked`)


def _workers(n_jobs: int | None, n_texts: int) -> int:
    """Processes for a batch: 1 unless asked for, the batch is large, and fork exists."""
    if n_jobs is None or n_jobs == 1 or n_texts < _FORK_MIN:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    available = available_cores()
    return available if n_jobs < 0 else min(n_jobs, available)


def available_cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _predict_chunk(texts: list[str], groups: np.ndarray) -> list[TagResult]:
    assert _FORKED is not None, "a forked worker tags with the model its parent set"
    return _FORKED._predict_groups(texts, groups)


def _score_groups(scores: Sequence[object] | None, n: int) -> np.ndarray:
    """NPS group per comment: 0 no usable score, 1 detractor (0-6), 2 passive, 3 promoter."""
    if scores is not None and len(scores) != n:
        raise InputError(f"got {n} texts but {len(scores)} scores; give one score per text")
    groups = np.zeros(n, dtype=np.int64)
    for i, value in enumerate(scores if scores is not None else []):
        number = nps_score(value)
        if number is not None:
            groups[i] = 1 if number < 7 else 2 if number < 9 else 3
    return groups


def _log_prior(target: np.ndarray, groups: np.ndarray, n_classes: int) -> np.ndarray:
    """log P(polarity | NPS group) / P(polarity), add-one smoothed; row 0 (no score) is 0.

    The ratio carries only what the score adds to the base rates, which the text model's
    intercepts already hold, so a promoter's score cannot outvote "the courier was rude"
    merely because praise is common."""
    base = np.bincount(target, minlength=n_classes) + 1.0
    base_log = np.log(base / base.sum())
    prior = np.zeros((4, n_classes))
    for group in (1, 2, 3):
        counts = np.bincount(target[groups == group], minlength=n_classes) + 1.0
        prior[group] = np.log(counts / counts.sum()) - base_log
    return prior


def _has_clause_views(segment: Segments) -> bool:
    """Whether a comment's clauses differ from the whole comment: it has several, or a "!"
    or "?" outside its one clause."""
    clauses = segment.clauses
    return len(clauses) > 1 or (bool(clauses) and len(segment.head) > len(segment.language))


class ClauseViews(NamedTuple):
    """The clauses of a batch's comments as rows of their own (see `Tagger._clause_views`)."""

    features: sp.csr_matrix  # one weighted row per clause, each comment's clauses together
    owners: np.ndarray  # the comment of each run of clause rows, ascending
    starts: np.ndarray  # the first clause row of each owner


def blend_clauses(
    whole: np.ndarray, clause: np.ndarray, views: ClauseViews, weight: float
) -> np.ndarray:
    """(1 - weight) * each comment's score + weight * the score of its best clause.

    A factor said in one clause of a long comment is diluted in the whole comment's row,
    and weak cues spread over several clauses add up there to a false alarm; the best
    clause's score sees neither. A comment without clause rows is its own best clause.
    Scores are per comment (1-D) or per comment and label (2-D).

    >>> views = ClauseViews(None, np.array([1]), np.array([0]))
    >>> blend_clauses(np.array([1.0, 2.0]), np.array([-2.0, 4.0]), views, 0.5).tolist()
    [1.0, 3.0]
    """
    if not weight or not len(views.owners):
        return whole
    best = whole.copy()
    best[views.owners] = np.maximum.reduceat(clause, views.starts, axis=0)
    return (1.0 - weight) * whole + weight * best


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _platt(
    scores: np.ndarray, target: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, float]:
    """Platt scaling with its smoothed targets, fitted on out-of-fold scores."""
    positives = target.sum()
    negatives = len(target) - positives
    smoothed = np.where(target == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    row_weight = np.ones(len(target)) if sample_weight is None else sample_weight
    a, b = 1.0, 0.0
    for _ in range(100):  # Newton steps on the logistic loss in two parameters
        p = _sigmoid(a * scores + b)
        residual = (p - smoothed) * row_weight
        gradient = np.array([(residual * scores).sum(), residual.sum()])
        weight = np.maximum(p * (1 - p), 1e-12) * row_weight
        hessian = np.array(
            [
                [(weight * scores * scores).sum() + 1e-9, (weight * scores).sum()],
                [(weight * scores).sum(), weight.sum() + 1e-9],
            ]
        )
        step = np.linalg.solve(hessian, gradient)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def _best_threshold(
    proba: np.ndarray, target: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """The probability cut that maximises F1 on out-of-fold predictions (training data only)."""
    grid = np.linspace(0.05, 0.95, 91)
    positives = target == 1
    row_weight = np.ones(len(target)) if sample_weight is None else sample_weight
    best, best_f1 = 0.5, -1.0
    for threshold in grid:
        predicted = proba >= threshold
        tp = float(row_weight[predicted & positives].sum())
        total = float(row_weight[predicted].sum() + row_weight[positives].sum())
        f1 = 2 * tp / total if tp else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(threshold), f1
    return best


def _multinomial_coef(model: LinearSVC, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-class weight rows for argmax, also for a two-class model (which keeps one row)."""
    coef = np.zeros((n_classes, model.coef_.shape[1]))
    intercept = np.zeros(n_classes)
    if len(model.classes_) == 2:
        coef[model.classes_[1]] = model.coef_[0]
        intercept[model.classes_[1]] = model.intercept_[0]
    else:
        coef[model.classes_] = model.coef_
        intercept[model.classes_] = model.intercept_
    return coef, intercept
