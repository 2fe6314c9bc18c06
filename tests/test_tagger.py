from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import insight.tagger as tagger_module
from insight.errors import InputError, LabelError, NotFittedError
from insight.features import prepare
from insight.tagger import Tagger

TEXTS = [
    "too expensive",
    "prices are too high",
    "cheap and good",
    "great value",
    "rude staff",
    "the operator was rude",
    "lovely staff",
    "helpful agent",
    "nothing",
    "ok",
    "overpriced",
    "affordable",
    "staff ignored me",
    "kind people",
]
LABELS: list[dict[str, str | None]] = [
    {"price": "negative"},
    {"price": "negative"},
    {"price": "positive"},
    {"price": "positive"},
    {"service": "negative"},
    {"service": "negative"},
    {"service": "positive"},
    {"service": "positive"},
    {},
    {},
    {"price": "negative"},
    {"price": "positive"},
    {"service": "negative"},
    {"service": "positive"},
]


def small() -> Tagger:
    return Tagger(min_examples=3, cv=3, min_df=1)


def test_clone_and_get_params_round_trip() -> None:
    tagger = Tagger(C=3.0, labels=["price"], morphology="stem")
    cloned = clone(tagger)
    assert cloned.get_params() == tagger.get_params()
    assert not hasattr(cloned, "coef_")


def test_fit_returns_self_and_sets_fitted_attributes() -> None:
    tagger = small()
    assert tagger.fit(TEXTS, LABELS) is tagger
    assert tagger.labels_ == ["service", "price"]
    assert tagger.polarities_ == {
        "service": ["negative", "positive"],
        "price": ["negative", "positive"],
    }
    assert set(tagger.cv_metrics_) >= {"micro", "macro_f1", "labels", "polarity_accuracy"}


def test_unfitted_tagger_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        Tagger().predict(["hello"])


def test_too_few_examples_names_label_count_and_minimum() -> None:
    labels = [dict(y) for y in LABELS]
    labels[0] = {"price": "negative", "rare": "positive"}
    with pytest.raises(LabelError, match=r"label 'rare' has 1 comments with it; at least 3"):
        small().fit(TEXTS, labels)


def test_presence_only_labels_have_no_polarity() -> None:
    labels = [{k: None for k in y} for y in LABELS]
    tagger = small().fit(TEXTS, labels)
    result = tagger.predict(["way too expensive"])[0]
    assert result.tags and all(polarity is None for polarity, _ in result.tags.values())


def test_any_polarity_vocabulary_is_learned() -> None:
    labels = [
        {k: ("conflict" if v == "negative" else "neutral") for k, v in y.items()} for y in LABELS
    ]
    tagger = small().fit(TEXTS, labels)
    assert tagger.polarities_["price"] == ["conflict", "neutral"]


def test_mixed_presence_and_polarity_is_refused() -> None:
    labels = [dict(y) for y in LABELS]
    labels[0] = {"price": None}
    with pytest.raises(LabelError, match="polarity on some comments"):
        small().fit(TEXTS, labels)


def test_empty_and_missing_comments_get_no_tags(tiny_tagger: Tagger) -> None:
    results = tiny_tagger.predict(["", "   ", None, "\x00\x01"])  # type: ignore[list-item]
    assert [r.tags for r in results] == [{}, {}, {}, {}]


def test_single_and_batch_paths_agree(tiny_tagger: Tagger) -> None:
    texts = ["Too expensive and rude staff", "cheap", "Helpful people, fair prices", "ok"]
    batch = tiny_tagger.predict(texts, scores=[2, 9, 10, None])
    single = [
        tiny_tagger.predict([t], scores=[s])[0]
        for t, s in zip(texts, [2, 9, 10, None], strict=True)
    ]
    assert [r.polarities for r in batch] == [r.polarities for r in single]
    for a, b in zip(batch, single, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-4)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def test_detection_blends_the_whole_comment_with_its_best_clause() -> None:
    tagger = Tagger(min_examples=3, cv=3, min_df=1, clause_weight=0.4).fit(TEXTS, LABELS)
    comment, clauses = "Lovely staff, prices are too high!", ["Lovely staff", "prices are too high"]
    blended = tagger.predict_proba([comment])[0]
    single = tagger.predict([comment])[0].probabilities
    assert [single[label] for label in tagger.labels_] == pytest.approx(blended, abs=1e-4)
    tagger.clause_weight = 0.0  # the same weights, read without the clauses
    whole, *parts = tagger.predict_proba([comment, *clauses])
    expected = 0.6 * _logit(whole) + 0.4 * np.max(_logit(np.array(parts)), axis=0)
    np.testing.assert_allclose(_logit(blended), expected, atol=1e-4)
    assert not np.allclose(blended, whole, atol=1e-3)


@pytest.mark.parametrize("weight", [-0.1, 1.0])
def test_clause_weight_out_of_range_is_refused(weight: float) -> None:
    with pytest.raises(InputError, match="clause_weight must be at least 0 and below 1"):
        Tagger(min_examples=3, cv=3, min_df=1, clause_weight=weight).fit(TEXTS, LABELS)


def test_scores_must_match_texts(tiny_tagger: Tagger) -> None:
    with pytest.raises(InputError, match="2 texts but 1 scores"):
        tiny_tagger.predict(["a", "b"], scores=[3])


def test_unusable_scores_are_treated_as_missing(tiny_tagger: Tagger) -> None:
    plain = tiny_tagger.predict(["rude staff", "cheap"])
    odd = tiny_tagger.predict(["rude staff", "cheap"], scores=["n/a", 42])
    assert [r.polarities for r in plain] == [r.polarities for r in odd]


def test_predict_proba_has_one_column_per_label(tiny_tagger: Tagger) -> None:
    proba = tiny_tagger.predict_proba(["rude staff", "cheap"])
    assert proba.shape == (2, len(tiny_tagger.labels_))
    assert ((proba >= 0) & (proba <= 1)).all()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_predict_never_crashes_on_arbitrary_unicode(tiny_tagger: Tagger, texts: list[str]) -> None:
    results = tiny_tagger.predict(texts)
    assert len(results) == len(texts)
    for result in results:
        assert result.language in {"en", "ru", "pl", "other"}
        assert all(0.0 <= p <= 1.0 for _, p in result.tags.values())


def test_forked_workers_tag_as_one_process_does(
    tiny_tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tagger_module, "_FORK_MIN", 4)  # fork even for a tiny batch
    texts = ["rude staff, lovely shop", "too expensive", "", "great prices but slow"] * 5
    scores = [3, None, 9, "x"] * 5
    forked = tiny_tagger.predict(texts, scores=scores, n_jobs=2)
    assert forked == tiny_tagger.predict(texts, scores=scores)


def test_one_process_unless_asked_for_a_large_batch() -> None:
    assert tagger_module._workers(None, 100_000) == 1
    assert tagger_module._workers(1, 100_000) == 1
    assert tagger_module._workers(-1, 10) == 1


def test_naive_bayes_scaling_weighs_telling_features_up() -> None:
    import numpy as np
    import scipy.sparse as sp

    # column 0 only in rows with the label, column 1 in every row, column 2 only without
    features = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    present, weight = np.array([1, 1, 0]), np.ones(3)
    scale = Tagger(nb_smoothing=0.1)._nb_scale(features, present, weight).diagonal()
    assert scale[0] > abs(scale[1]) and scale[2] < -abs(scale[1])
    unscaled = Tagger(nb_smoothing=None)._nb_scale(features, present, weight).diagonal()
    assert unscaled.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ({"nb_smoothing": 0.0}, "nb_smoothing must be a positive number or None"),
        ({"polarity_char_weight": 0.0}, "polarity_char_weight must be a positive number"),
    ],
)
def test_weights_must_be_positive(param: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Tagger(**param, min_examples=2, cv=2).fit(  # type: ignore[arg-type]
            ["rude staff", "lovely staff", "cheap", "too expensive"],
            [{"service": "negative"}, {"service": "positive"}, {}, {}],
        )


def test_polarity_char_weight_rescales_only_the_polarity_models() -> None:
    import numpy as np

    # Character block at 2 for detection and back at 1 for polarity: the polarity fits see
    # what a char_weight=1 tagger sees, so its coefficients are that tagger's with the
    # character rows halved (the rescaling folded in), and its detectors stay its own.
    heavy = Tagger(min_examples=3, cv=3, min_df=1, char_weight=2.0, polarity_char_weight=1.0)
    plain = Tagger(min_examples=3, cv=3, min_df=1, char_weight=1.0)
    heavy.fit(TEXTS, LABELS)
    plain.fit(TEXTS, LABELS)
    n_word, n_all = heavy.vectorizer_.n_word_features_, heavy.vectorizer_.n_features_
    for label in ("price", "service"):
        expected = plain.polarity_coef_[label].copy()
        for start in (0, n_all):  # the comment's block, then its cue clauses' block
            expected[start + n_word : start + n_all] *= 0.5
        assert np.allclose(heavy.polarity_coef_[label], expected, atol=1e-6)
    assert not np.allclose(heavy.coef_, plain.coef_)
    same = Tagger(min_examples=3, cv=3, min_df=1, char_weight=2.0, polarity_char_weight=2.0)
    assert same._polarity_scale() is None


def test_batch_polarity_reads_the_same_views_as_fitting() -> None:
    """Prediction skips weighing a local view that is the whole comment; the margins must be
    those of the fit-time matrix (the whole comment beside its cue clauses) all the same."""
    # "!" and "?" belong to the whole comment, not to its clauses: some training texts have them
    t = small().fit([f"{text}!" if k % 3 else text for k, text in enumerate(TEXTS)], LABELS)
    texts = [
        "Too expensive and rude staff",
        "too expensive!",
        "rude staff, but great prices",
        "great prices? rude staff",
        "Helpful people, fair prices, nice",
        "overpriced",
        "the operator was rude!!",
    ]
    items = [prepare(text) for text in texts]
    segments = [t.vectorizer_.segments(item) for item in items]
    features = t.vectorizer_.weigh([s.whole() for s in segments]).astype(np.float32)
    found = np.ones((len(texts), len(t.labels_)), dtype=bool)  # every label of every comment
    views = t._clause_views(segments)  # a view of one clause comes from these rows
    assert len(views.owners) == 5
    whole, clause = t._batch_products(features, views)
    margined = t._polarity_margins(items, segments, whole, clause, views, found)
    assert {label for _, label, _, _ in margined} == set(t.polarity_coef_)
    for _, label, rows, margins in margined:
        assert rows.tolist() == list(range(len(texts)))
        matrix = t._polarity_matrix(label, features.astype(np.float64), items, segments)
        expected = matrix @ t.polarity_coef_[label].astype(np.float64)
        expected += t.polarity_intercept_[label]
        np.testing.assert_allclose(margins, expected, rtol=1e-5, atol=1e-6)


ROOMS = [
    ("room fine", "mixed"),
    ("the room, fine", "mixed"),
    ("room so so", "mixed"),
    ("big room, small bath", "mixed"),
    ("clean room", "positive"),
    ("lovely room", "positive"),
    ("great room", "positive"),
    ("dirty room", "negative"),
    ("awful room", "negative"),
    ("noisy room", "negative"),
    ("nothing", None),
    ("ok", None),
    ("fine", None),
]


@pytest.mark.parametrize("two_clauses", [True, False])
def test_mixed_polarity_needs_two_clauses(two_clauses: bool) -> None:
    texts = [t for t, _ in ROOMS] * 2
    labels = [{"quality": p} if p else {} for _, p in ROOMS] * 2
    tagger = Tagger(min_examples=3, cv=3, min_df=1, mixed_needs_two_clauses=two_clauses)
    tagger.fit(texts, labels)
    one_clause = ["room fine", "room so so"]
    batch = [r.polarities.get("quality") for r in tagger.predict(one_clause)]
    single = [tagger.predict([t])[0].polarities.get("quality") for t in one_clause]
    assert batch == single
    if two_clauses:
        assert "mixed" not in batch
        assert tagger.predict(["room fine, room so so"])[0].polarities["quality"] == "mixed"
    else:
        assert batch == ["mixed", "mixed"]  # what the words alone say
