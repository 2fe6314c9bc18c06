from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insight.batch import nps_group
from insight.nps import nps_score
from insight.scores import Scale, parse_scores
from insight.tagger import _score_groups

CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 13),
    st.floats(-2, 12),
    st.just(math.nan),
    st.sampled_from(["", " ", " 9 ", "7,0", "7.5", "10", "n/a", "-1", "8.0", "1e1"]),
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0),
        ("10", 10.0),
        (" 9 ", 9.0),
        ("7,0", 7.0),
        (8.0, 8.0),
        (7.5, None),
        (11, None),
        (-1, None),
        ("", None),
        ("great", None),
        (None, None),
        (True, None),
        (math.nan, None),
    ],
)
def test_nps_score_reads_whole_numbers_from_zero_to_ten(
    value: object, expected: float | None
) -> None:
    assert nps_score(value) == expected


@given(st.lists(CELLS, min_size=1, max_size=20))
def test_tagger_batch_and_report_read_scores_the_same_way(cells: list[object]) -> None:
    expected = [nps_score(c) for c in cells]
    report = parse_scores(np.array(cells, dtype=object), Scale.nps()).values
    assert [None if math.isnan(v) else v for v in report.tolist()] == expected
    groups = _score_groups(cells, len(cells))
    assert [g > 0 for g in groups] == [e is not None for e in expected]
    text_cells = [c for c in cells if isinstance(c, str)]
    assert [nps_group(c)[1] == "ok" for c in text_cells] == [
        nps_score(c) is not None for c in text_cells
    ]
