"""`Tagger.fit(..., sample_weight=...)`: the plumbing a warm start relies on."""

from __future__ import annotations

import numpy as np
import pytest

from insight.errors import InputError
from insight.tagger import Tagger
from tests.test_tagger import LABELS, TEXTS

JUNK = ["junk one", "junk two", "junk three", "junk four"]


def small(**params: object) -> Tagger:
    return Tagger(min_examples=3, cv=3, min_df=1, **params)  # type: ignore[arg-type]


def test_unit_weights_change_nothing() -> None:
    plain = small().fit(TEXTS, LABELS)
    weighted = small().fit(TEXTS, LABELS, sample_weight=np.ones(len(TEXTS)))
    np.testing.assert_array_equal(plain.coef_, weighted.coef_)
    np.testing.assert_array_equal(plain.thresholds_, weighted.thresholds_)


def test_zero_weight_rows_do_not_count_whatever_their_labels() -> None:
    texts = TEXTS + JUNK
    weight = [1.0] * len(TEXTS) + [0.0] * len(JUNK)
    as_price = small().fit(texts, LABELS + [{"price": "negative"}] * 4, sample_weight=weight)
    as_none = small().fit(texts, LABELS + [{}] * 4, sample_weight=weight)
    np.testing.assert_allclose(as_price.coef_, as_none.coef_)
    np.testing.assert_array_equal(as_price.thresholds_, as_none.thresholds_)
    assert as_price.cv_metrics_ == as_none.cv_metrics_
    counted = small().fit(texts, LABELS + [{"price": "negative"}] * 4)
    assert not np.allclose(counted.coef_, as_none.coef_)


def test_a_weight_column_per_label_keeps_rows_out_of_one_label_only() -> None:
    texts = TEXTS + JUNK
    labels = ["service", "price"]
    weight = np.ones((len(texts), 2))
    weight[len(TEXTS) :, 1] = 0.0  # the junk rows are unknown for price, counted for service
    a = small(labels=labels).fit(texts, LABELS + [{"price": "positive"}] * 4, sample_weight=weight)
    b = small(labels=labels).fit(texts, LABELS + [{}] * 4, sample_weight=weight)
    np.testing.assert_allclose(a.coef_[:, 1], b.coef_[:, 1])
    np.testing.assert_allclose(a.coef_[:, 0], b.coef_[:, 0])


def test_heavier_rows_pull_the_detector() -> None:
    texts = [*TEXTS, "pricey staff", "pricey staff", "pricey staff"]
    labels = [*LABELS, {"price": "negative"}, {"price": "negative"}, {"price": "negative"}]
    light = small().fit(texts, labels, sample_weight=[1.0] * len(TEXTS) + [0.1] * 3)
    heavy = small().fit(texts, labels, sample_weight=[1.0] * len(TEXTS) + [10.0] * 3)
    price = light.labels_.index("price")
    assert heavy.predict_proba(["staff"])[0, price] > light.predict_proba(["staff"])[0, price] + 0.1


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ([1.0] * 3, r"shape \(3,\), expected \(14,\)"),
        ([-1.0] + [1.0] * 13, "non-negative"),
        (np.ones((14, 2)), "needs the labels parameter"),
    ],
)
def test_bad_weights_are_refused(weight: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        small().fit(TEXTS, LABELS, sample_weight=weight)  # type: ignore[arg-type]
