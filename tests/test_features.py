from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from insight.errors import InputError, NotFittedError
from insight.features import CommentVectorizer, char_ngrams, check_texts, prepare
from insight.text import fold_polish

TEXTS = [
    "fast delivery",
    "rude courier",
    "courier was late",
    "Доставка быстрая",
    "kurier spóźniony",
]


def test_single_comment_path_matches_the_batch_path() -> None:
    vectorizer = CommentVectorizer(min_df=1).fit(TEXTS)
    batch = vectorizer.transform(TEXTS).toarray()
    for row, text in zip(batch, TEXTS, strict=True):
        index, values = vectorizer.transform_one(prepare(text))
        single = np.zeros_like(row)
        single[index] = values
        np.testing.assert_allclose(single, row, atol=1e-12)


def test_a_few_rows_weighed_at_once_match_the_batch_path() -> None:
    vectorizer = CommentVectorizer(min_df=1, char_weight=0.5).fit(TEXTS)
    segments = vectorizer.segments(prepare("fast delivery, rude courier, late courier"))
    rows = [segments.whole(), *(segments.view((k,)) for k in range(3)), segments.whole()]
    batch = vectorizer.weigh(rows).toarray()
    row_of, index, values = vectorizer.weigh_few(rows)
    few = np.zeros_like(batch)
    few[row_of, index] = values
    np.testing.assert_allclose(few, batch, atol=1e-12)
    assert np.all(np.diff(row_of) >= 0)  # rows in order, as the single-comment path reads them


def test_blocks_are_unit_length() -> None:
    vectorizer = CommentVectorizer(min_df=1, char_weight=0.5).fit(TEXTS)
    matrix = vectorizer.transform(["fast courier"]).toarray()[0]
    words, chars = matrix[: vectorizer.n_word_features_], matrix[vectorizer.n_word_features_ :]
    assert np.linalg.norm(words) == pytest.approx(1.0)
    assert np.linalg.norm(chars) == pytest.approx(0.5)


def test_unfitted_vectorizer_says_so() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        CommentVectorizer().transform(["x"])


def test_clone_keeps_parameters() -> None:
    vectorizer = CommentVectorizer(morphology="stem", char_ngram_range=(3, 4))
    assert clone(vectorizer).get_params() == vectorizer.get_params()


def test_check_texts_names_the_bad_item() -> None:
    assert check_texts(["a", None, float("nan")]) == ["a", "", ""]
    with pytest.raises(InputError, match="item 1 is int, expected str"):
        check_texts(["a", 5])
    with pytest.raises(InputError, match="wrap a single comment in a list"):
        check_texts("just one string")


CLAUSED = [
    "Not bad at all, never again!!",
    "the staff were not very rude but the prices are not cheap",
    "no hidden fees, and the app is not slow?",
    "nie polecam, ale cena ok i obsługa nie jest zła",
    "не очень быстро, но дешево и не грубо",
    "Доставка быстрая, kurier miły, fast delivery",
    "I did not expect it to be this good and friendly",  # the scopes run out mid-clause
    "nie było to wcale takie złe i bardzo miłe",
    "Obsługa miła, ale żadnych zniżek",
    "obsluga mila, ale zadnych znizek",
    "!!!",
    "",
]


def _reference_clauses(vectorizer: CommentVectorizer, text: str) -> list[list[int]]:
    """Each clause's feature indices built from the feature strings `fit` counts."""
    item = prepare(text)
    low, high = vectorizer.char_ngram_range
    found = []
    for clause, grams in zip(item.clauses, vectorizer._clause_words(item), strict=True):
        indices = [vectorizer.vocabulary_[g] for g in grams if g in vectorizer.vocabulary_]
        fold = fold_polish if vectorizer.fold_diacritics else str
        chars = (g for token in clause for g in char_ngrams(fold(token), low, high))
        indices += [
            vectorizer.char_vocabulary_[g] for g in chars if g in vectorizer.char_vocabulary_
        ]
        found.append(sorted(indices))
    return found


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"word_ngram_range": (1, 3)},
        {"word_ngram_range": (2, 3)},
        {"word_ngram_range": (1, 1)},
        {"lexicon": False},
        {"morphology": "none"},
        {"fold_diacritics": False},
    ],
)
def test_segments_hold_exactly_the_features_fit_counted(params: dict[str, object]) -> None:
    # fitted on half the texts, so the other half has words the vocabulary lacks
    vectorizer = CommentVectorizer(min_df=1, **params).fit(CLAUSED[::2])  # type: ignore[arg-type]
    for _ in range(2):  # cold, then from the per-token cache
        for text in CLAUSED:
            segments = vectorizer.segments(prepare(text))
            clauses = [sorted(vectorizer.expand(c)) for c in segments.clauses]
            assert clauses == _reference_clauses(vectorizer, text)


def test_polish_typed_without_diacritics_meets_the_same_features() -> None:
    texts = ["Obsługa bardzo miła", "cena wysoka"]
    folded = CommentVectorizer(min_df=1).fit(texts)
    with_letters, without = folded.transform(["obsługa miła", "obsluga mila"]).toarray()
    np.testing.assert_allclose(with_letters, without)
    plain = CommentVectorizer(min_df=1, fold_diacritics=False).fit(texts)
    with_letters, without = plain.transform(["obsługa miła", "obsluga mila"]).toarray()
    assert not np.allclose(with_letters, without)


def test_rows_are_the_same_whatever_the_caches_saw_before() -> None:
    # the token n-gram matrix grows batch by batch (its buffers double): rows must not depend
    # on which batches came first
    vectorizer = CommentVectorizer(min_df=1).fit(TEXTS + CLAUSED)
    late = ["courier delivery fast", "не очень быстро", "obsluga mila"]
    warm = [vectorizer.transform([text]).toarray() for text in CLAUSED + late]
    vectorizer.clear_caches()
    cold = vectorizer.transform(late).toarray()
    np.testing.assert_allclose(np.vstack(warm[-3:]), cold, atol=1e-12)
