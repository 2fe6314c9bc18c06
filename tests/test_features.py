from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from insight.errors import InputError, NotFittedError
from insight.features import CommentVectorizer, check_texts, prepare

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
