"""Scores and how tags link to them: hand-computed tables, then invariants with hypothesis."""

from __future__ import annotations

import doctest
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insight import scores
from insight.errors import InputError
from insight.scores import (
    Scale,
    benjamini_hochberg,
    compute_impact,
    compute_score,
    parse_scores,
    shapley_values,
    summarize,
    what_if,
)

NPS, CSAT, CES = Scale.nps(), Scale.csat(), Scale.ces()


def test_docstring_examples_run() -> None:
    assert doctest.testmod(scores, raise_on_error=False).failed == 0


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "scale", "expected", "n_invalid", "n_missing"),
    [
        ([0, 10, "7", " 8 ", "9.0", "6,0"], NPS, [0, 10, 7, 8, 9, 6], 0, 0),
        (["abc", 11, -1, 8.5, math.inf, True], NPS, [None] * 6, 6, 0),
        ([None, math.nan, "", "  ", pd.NA], NPS, [None] * 5, 0, 5),
        (np.array([9.0, np.nan, 3.0]), NPS, [9, None, 3], 0, 1),
        (pd.Series([5, 0, 6], dtype="Int64"), CSAT, [5, None, None], 2, 0),
        ([1, 7, 8, "4"], CES, [1, 7, None, 4], 1, 0),
        (np.array([True, False]), NPS, [None, None], 2, 0),
    ],
)
def test_parse_scores_counts_invalid_and_missing(
    raw: Any, scale: Scale, expected: list[float | None], n_invalid: int, n_missing: int
) -> None:
    parsed = parse_scores(raw, scale)
    assert [None if math.isnan(v) else v for v in parsed.values] == expected
    assert (parsed.n_invalid, parsed.n_missing) == (n_invalid, n_missing)


def test_a_half_step_scale_accepts_halves_only() -> None:
    stars = Scale("stars", 0.5, 5, 2, 4, "mean", step=0.5)
    parsed = parse_scores([0.5, 4.5, 4.25, 0], stars)
    assert parsed.values[:2].tolist() == [0.5, 4.5]
    assert parsed.n_invalid == 2


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Scale("x", 0, 10, 8, 7, "net"),  # low group above the high group
        lambda: Scale("x", 0, 10, 6, 9, "median"),  # type: ignore[arg-type]
        lambda: Scale("x", 0, 10, 6, 9, "net", step=3),  # 10 is not on the grid
        lambda: Scale("x", 0, 10, 6, 9, "net", groups=("a", "a", "b")),
    ],
)
def test_bad_scales_are_refused(bad: Any) -> None:
    with pytest.raises(InputError):
        bad()


# --------------------------------------------------------------------------- scores


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        ([10, 9, 8, 7, 6, 0], NPS, 0.0),  # 2 promoters - 2 detractors of 6
        ([10, 10, 10, 0], NPS, 50.0),  # 75% - 25%
        ([9, 9, 9, 7], NPS, 75.0),
        ([0, 6, 3], NPS, -100.0),
        ([10, "x", None, 0, 9], NPS, 100 / 3),  # 2 promoters - 1 detractor of 3 usable
        ([5, 4, 3, 2, 1], CSAT, 40.0),  # 2 of 5 are 4-5
        ([5, 5, 4, 1], CSAT, 75.0),
        ([7, 5, 4, 1], CES, 4.25),  # the mean
        ([10, 9, 0], Scale.nps(promoter_min=10), 0.0),  # 9 is a passive now
        (["x", None], NPS, None),
    ],
)
def test_score_by_hand(raw: list[Any], scale: Scale, expected: float | None) -> None:
    assert compute_score(raw, scale) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "scale", "groups"),
    [
        ([10, 9, 8, 0], NPS, {"promoter": 0.5, "passive": 0.25, "detractor": 0.25}),
        ([5, 3, 1, 2], CSAT, {"satisfied": 0.25, "neutral": 0.25, "dissatisfied": 0.5}),
        ([7, 5, 4, 1], CES, {"satisfied": 0.5, "neutral": 0.25, "dissatisfied": 0.25}),
    ],
)
def test_overall_group_mix(raw: list[int], scale: Scale, groups: dict[str, float]) -> None:
    assert summarize(raw, {}, scale=scale, n_boot=0).overall.groups == groups


@pytest.mark.parametrize(
    ("raw", "mentions", "scale", "expected"),
    [
        # all: 0; without the two detractors: 100
        ([10, 10, 0, 0], [0, 0, 1, 1], NPS, -100.0),
        # all: (2 - 1) / 4 = 25; without rows 0 and 2: [9, 7] -> 50
        ([10, 9, 3, 7], [1, 0, 1, 0], NPS, -25.0),
        # all: 75%; without the 2: 100%
        ([5, 5, 2, 4], [0, 0, 1, 0], CSAT, -25.0),
        # mean 5; without the 2: 6
        ([7, 6, 2, 5], [0, 0, 1, 0], CES, -1.0),
        ([10, 0, 7], [0, 0, 0], NPS, 0.0),
    ],
)
def test_impact_by_hand(raw: list[int], mentions: list[int], scale: Scale, expected: float) -> None:
    assert compute_impact(raw, np.array(mentions, dtype=bool), scale) == pytest.approx(expected)


def test_label_rows_by_hand() -> None:
    raw = [10, 9, 7, 3, 8, "x"]
    price = ["negative", None, "positive", "negative", "", "negative"]
    out = summarize(raw, {"price": price}, scale=NPS, n_boot=0, min_mentions=3)
    rows = {s.polarity: s for s in out.labels}
    assert list(rows) == [None, "positive", "negative"]
    label = rows[None]
    # mentions in rows 0, 2, 3, 5 (5 has no usable score); all: [10, 9, 7, 3, 8] -> 20
    assert (label.mentions, label.mentions_scored, label.share) == (4, 3, pytest.approx(4 / 6))
    assert label.score == pytest.approx(0.0)  # [10, 7, 3]
    assert label.score_without == pytest.approx(50.0)  # [9, 8]
    assert label.impact == pytest.approx(-30.0)
    assert label.mean_score == pytest.approx(20 / 3)
    assert label.groups == {"promoter": 0.5, "passive": 0.5, "detractor": 1.0}
    assert label.what_if == pytest.approx(40.0)  # the 3 becomes a passive: [10, 9, 7, 7, 8]
    assert label.too_few is False
    negative = rows["negative"]  # [10, 3] vs [9, 7, 8] -> 0 vs 33.3
    assert (negative.mentions, negative.score) == (3, pytest.approx(0.0))
    assert negative.impact == pytest.approx(20 - 100 / 3)
    assert negative.what_if == pytest.approx(40.0)
    positive = rows["positive"]  # [7] vs [10, 9, 3, 8] -> 0 vs 25
    assert (positive.impact, positive.what_if, positive.too_few) == (
        pytest.approx(-5.0),
        None,
        True,
    )


# --------------------------------------------------------------------------- Shapley


def test_shapley_two_labels_by_hand() -> None:
    # row  labels           score  weight
    # r0   {}               10     +100
    # r1   {}                7        0
    # r2   {price}           0     -100
    # r3   {price}           9     +100
    # r4   {service}         3     -100
    # r5   {price, service}  0     -100
    # all: -100 / 6 = -50/3; base (r0, r1): 50; gap = -50/3 - 50 = -200/3
    # v(p)  = mean(r0..r3) - 50 = 25 - 50 = -25
    # v(s)  = mean(r0, r1, r4) - 50 = 0 - 50 = -50
    # v(ps) = gap = -200/3
    # phi_p = (v(p) + v(ps) - v(s)) / 2 = (-25 - 50/3) / 2 = -125/6
    # phi_s = (v(s) + v(ps) - v(p)) / 2 = (-50 - 125/3) / 2 = -275/6
    raw = [10, 7, 0, 9, 3, 0]
    mentions = {"price": [0, 0, 1, 1, 0, 1], "service": [0, 0, 0, 0, 1, 1]}
    result = shapley_values(raw, mentions, NPS)
    assert result.base == pytest.approx(50.0)
    assert result.gap == pytest.approx(-200 / 3)
    assert result.values == {"price": pytest.approx(-125 / 6), "service": pytest.approx(-275 / 6)}
    assert result.method == "exact"


THREE = (
    # row  labels     score  weight
    # r0   {}         10     +100
    # r1   {}          9     +100
    # r2   {a}         0     -100
    # r3   {b}         8        0
    # r4   {c}        10     +100
    # r5   {a, b}      2     -100
    # r6   {a, b, c}   5     -100
    # r7   {b, c}      7        0
    # base 100, all 0, gap -100. v(S) = mean(rows inside S) - 100:
    # v(a) = 100/3 - 100 = -200/3   v(b) = 200/3 - 100 = -100/3   v(c) = 0
    # v(ab) = 0 - 100 = -100        v(ac) = 50 - 100 = -50        v(bc) = 60 - 100 = -40
    # phi_i = v(i)/3 + (v(ij) - v(j))/6 + (v(ik) - v(k))/6 + (v(ijk) - v(jk))/3
    # phi_a = -200/9 + (-100 + 100/3)/6 + (-50 - 0)/6 + (-100 + 40)/3 = -185/3
    # phi_b = -100/9 + (-100 + 200/3)/6 + (-40 - 0)/6 + (-100 + 50)/3 = -40
    # phi_c = 0 + (-50 + 200/3)/6 + (-40 + 100/3)/6 + (-100 + 100)/3 = 5/3
    [10, 9, 0, 8, 10, 2, 5, 7],
    {
        "a": [0, 0, 1, 0, 0, 1, 1, 0],
        "b": [0, 0, 0, 1, 0, 1, 1, 1],
        "c": [0, 0, 0, 0, 1, 0, 1, 1],
    },
    {"a": -185 / 3, "b": -40.0, "c": 5 / 3},
)


def test_shapley_three_labels_by_hand() -> None:
    raw, mentions, expected = THREE
    result = shapley_values(raw, mentions, NPS)
    assert result.gap == pytest.approx(-100.0)
    assert result.values == {k: pytest.approx(v) for k, v in expected.items()}


def test_monte_carlo_shapley_is_close_and_adds_up() -> None:
    raw, mentions, expected = THREE
    result = shapley_values(raw, mentions, NPS, max_exact=0, n_permutations=400, seed=3)
    assert result.method == "monte_carlo"
    assert result.values is not None
    assert sum(result.values.values()) == pytest.approx(-100.0)
    for name, value in expected.items():
        assert result.values[name] == pytest.approx(value, abs=1.0)
    again = shapley_values(raw, mentions, NPS, max_exact=0, n_permutations=400, seed=3)
    assert again.values == result.values


def test_monte_carlo_shapley_handles_more_labels_than_bits() -> None:
    rng = np.random.default_rng(0)
    mentions = {f"l{j}": rng.random(40) < 0.05 for j in range(70)}  # no int64 bit mask fits
    result = shapley_values(rng.integers(0, 11, 40), mentions, NPS, n_permutations=10)
    assert result.method == "monte_carlo" and result.values is not None and result.gap is not None
    assert sum(result.values.values()) == pytest.approx(result.gap, abs=1e-9)


def test_shapley_without_unlabeled_comments_is_undefined() -> None:
    result = shapley_values([10, 0], {"a": [1, 0], "b": [0, 1]}, NPS)
    assert (result.base, result.gap, result.values, result.method) == (None, None, None, "none")
    out = summarize([10, 0], {"a": ["positive", None], "b": [None, "negative"]}, scale=NPS)
    assert [row["shapley"] for row in out.to_dict()["labels"]] == [None] * 4


def test_unmentioned_label_gets_zero_shapley() -> None:
    result = shapley_values([10, 0, 7], {"a": [0, 1, 0], "never": [0, 0, 0]}, NPS)
    assert result.values == {"a": pytest.approx(-50.0), "never": 0.0}


# --------------------------------------------------------------------------- what-if


@pytest.mark.parametrize(
    ("raw", "polarities", "scale", "expected"),
    [
        # both negative detractors become passives: [10, 7, 7, 8] -> 25
        ([10, 0, 3, 8], [None, "negative", "negative", "positive"], NPS, 25.0),
        # a detractor who praises it does not move: [10, 0, 7, 8] -> 0
        ([10, 0, 3, 8], [None, "positive", "negative", None], NPS, 0.0),
        # a negative promoter is no detractor: nothing moves, 25 stays
        ([10, 9, 3, 8], ["negative", None, None, None], NPS, 25.0),
        # CSAT counts only 4-5: 1 -> 3 leaves 50% as it was
        ([5, 1, 2, 4], [None, "negative", None, None], CSAT, 50.0),
        # CES is a mean: 1 -> 4 lifts (7 + 4 + 2 + 6) / 4
        ([7, 1, 2, 6], [None, "negative", None, None], CES, 4.75),
        # middle group 3-5: the low rows move as little as they can, to 3: (3 + 7) / 2
        ([1, 7], ["negative", None], Scale("effort", 1, 7, 2, 6, "mean"), 5.0),
    ],
)
def test_what_if_by_hand(
    raw: list[int], polarities: list[str | None], scale: Scale, expected: float
) -> None:
    out = summarize(raw, {"x": polarities}, scale=scale, n_boot=0)
    assert out.labels[0].what_if == pytest.approx(expected)
    moved = np.array([p == "negative" for p in polarities])
    assert what_if(raw, moved, scale) == pytest.approx(expected)


# --------------------------------------------------------------------------- intervals


def _nps_rows(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [8] * passives + [3] * detractors


def test_bootstrap_ci_matches_the_normal_width() -> None:
    raw = _nps_rows(400, 300, 300)  # NPS 10, var = (0.4 + 0.3 - 0.1**2) / 1000 per 1e-4
    low, high = summarize(raw, {}, scale=NPS).overall.ci or (0.0, 0.0)
    se = 100 * math.sqrt((0.4 + 0.3 - 0.1**2) / 1000)
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.12)


def test_seed_fixes_every_interval() -> None:
    raw = _nps_rows(40, 30, 30)
    labels = {"price": ["negative"] * 35 + [None] * 65}
    first = summarize(raw, labels, scale=NPS, seed=7).to_dict()
    assert summarize(raw, labels, scale=NPS, seed=7).to_dict() == first
    assert (
        summarize(raw, labels, scale=NPS, seed=8).to_dict()["overall"]["ci"]
        != first["overall"]["ci"]
    )


def test_unmentioned_label_has_zero_impact_and_interval() -> None:
    out = summarize([10, 0, 7], {"never": [None, "", None]}, scale=NPS)
    row = out.labels[0]
    assert (row.mentions, row.impact, row.impact_ci, row.too_few) == (0, 0.0, (0.0, 0.0), True)


def test_label_on_every_row_has_no_impact_to_measure() -> None:
    row = summarize([10, 0], {"all": ["mixed", "mixed"]}, scale=NPS).labels[0]
    assert (row.score_without, row.impact, row.impact_ci) == (None, None, None)


# --------------------------------------------------------------------------- significance


@pytest.mark.parametrize(
    ("p_values", "expected"),
    [
        ([0.01, 0.02, 0.03, 0.04, 0.05], [0.05] * 5),  # p * 5 / rank = 0.05 for every rank
        ([0.04, 0.01], [0.04, 0.02]),  # 0.01 * 2 / 1, 0.04 * 2 / 2
        ([0.001, 0.5, None], [0.002, 0.5, None]),  # None is no test: m = 2
        ([0.9, 0.8], [0.9, 0.9]),  # monotone: q of 0.8 may not exceed q of 0.9
        ([], []),
    ],
)
def test_benjamini_hochberg_by_hand(
    p_values: list[float | None], expected: list[float | None]
) -> None:
    assert benjamini_hochberg(p_values) == [
        None if e is None else pytest.approx(e) for e in expected
    ]


def _two_months(first: list[int], second: list[int]) -> list[str]:
    return ["2024-01-15"] * len(first) + ["2024-02-15"] * len(second)


def test_planted_drop_is_flagged_and_matches_the_nps_variance() -> None:
    january, february = _nps_rows(250, 200, 50), _nps_rows(100, 200, 200)  # NPS 40, then -20
    price = ["negative"] * 50 + [None] * 450 + ["negative"] * 200 + [None] * 300
    out = summarize(
        january + february, {"price": price}, scale=NPS, dates=_two_months(january, february)
    )
    assert out.trends is not None
    first, second = out.trends.periods
    assert (first.period, first.score, second.score) == ("2024-01", 40.0, -20.0)
    assert second.change == pytest.approx(-60.0)
    var = (0.5 + 0.1 - 0.4**2) / 500 + (0.2 + 0.4 - 0.2**2) / 500  # in proportions
    z = 0.6 / math.sqrt(var)
    assert second.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert second.significant and not first.significant
    shares = {(c.label, c.group): c for c in out.trends.labels}
    assert shares[("price", "2024-02")].change == pytest.approx(0.3)  # 10% -> 40%
    assert shares[("price", "2024-02")].significant


def test_modest_change_uses_the_nps_variance() -> None:
    january, february = _nps_rows(250, 200, 50), _nps_rows(200, 250, 50)  # NPS 40, then 30
    out = summarize(january + february, {}, scale=NPS, dates=_two_months(january, february))
    assert out.trends is not None
    # var(NPS) = (p_pro + p_det - (p_pro - p_det)**2) / n: (0.44 + 0.41) / 500, z = 2.43
    z = 0.1 / math.sqrt((0.5 + 0.1 - 0.4**2) / 500 + (0.4 + 0.1 - 0.3**2) / 500)
    p_value = math.erfc(z / math.sqrt(2))
    assert out.trends.periods[1].p_value == pytest.approx(p_value, rel=1e-9, abs=0)
    assert 0.01 < p_value < 0.05 and out.trends.periods[1].significant


def test_identical_periods_are_not_flagged() -> None:
    month = _nps_rows(250, 200, 50)
    price = (["negative"] * 60 + [None] * 440) * 2
    out = summarize(month + month, {"price": price}, scale=NPS, dates=_two_months(month, month))
    assert out.trends is not None
    assert [p.significant for p in out.trends.periods] == [False, False]
    assert out.trends.periods[1].p_value == pytest.approx(1.0)
    assert not any(c.significant for c in out.trends.labels)


def test_small_periods_are_not_tested() -> None:
    out = summarize(
        [10] * 5 + [0] * 5, {}, scale=NPS, dates=_two_months([10] * 5, [0] * 5), n_boot=0
    )
    assert out.trends is not None
    assert (out.trends.periods[1].p_value, out.trends.periods[1].significant) == (None, False)


def test_trend_periods_and_undated_rows() -> None:
    dates = ["2024-01-01", "2024-01-08", "not a date", None, "2024-04-02T10:00:00+02:00"]
    out = summarize([10, 0, 9, 9, 7], {}, scale=NPS, dates=dates, period="quarter", n_boot=0)
    assert out.trends is not None
    assert out.trends.n_undated == 2
    assert [(p.period, p.start, p.n) for p in out.trends.periods] == [
        ("2024Q1", "2024-01-01", 2),
        ("2024Q2", "2024-04-01", 1),
    ]
    weekly = summarize([10, 0], {}, scale=NPS, dates=dates[:2], period="week", n_boot=0)
    assert weekly.trends is not None
    assert [p.start for p in weekly.trends.periods] == ["2024-01-01", "2024-01-08"]


def test_segments_flag_the_different_value_only() -> None:
    north, south = _nps_rows(300, 150, 50), _nps_rows(100, 200, 200)  # 50 vs -20
    region = ["north"] * 500 + ["south"] * 500 + [None] * 2
    price = [None] * 500 + ["negative"] * 250 + [None] * 252
    segments = {"region": region, "same": ["x", "y"] * 501}
    out = summarize(north + south + [9, 9], {"price": price}, scale=NPS, segments=segments)
    assert out.segments is not None
    region_table, same_table = out.segments
    assert region_table.n_missing == 2
    by_value = {v.value: v for v in region_table.values}
    assert by_value["north"].score == pytest.approx(50.0)
    assert by_value["north"].significant and by_value["south"].significant
    assert by_value["north"].score_rest == pytest.approx((100 + 2 - 200) / 502 * 100)
    assert all(c.significant for c in region_table.labels)  # 0% vs 50% of rows
    assert not any(v.significant for v in same_table.values)


# --------------------------------------------------------------------------- output


def test_to_dict_is_json_without_nan() -> None:
    raw = [10, 0, "x", None, 8]
    labels = {"all": ["negative"] * 5, "some": ["positive", None, None, None, None]}
    data = summarize(
        raw, labels, scale=NPS, dates=["2024-01-01"] * 5, segments={"s": ["a"] * 5}
    ).to_dict()
    json.dumps(data, allow_nan=False)
    assert {"n", "scale", "score", "ci", "n_invalid", "n_missing"} <= set(data["overall"])
    assert (data["overall"]["n_invalid"], data["overall"]["n_missing"]) == (1, 1)
    keys = {"label", "polarity", "mentions", "share", "score", "score_without", "mean_score"}
    keys |= {"impact", "impact_ci", "shapley", "what_if", "too_few", "groups"}
    assert all(keys <= set(row) for row in data["labels"])
    assert data["labels"][0]["score_without"] is None  # every row mentions "all"
    assert {"trends", "segments"} <= set(data)
    assert "trends" not in summarize(raw, labels, scale=NPS, n_boot=0).to_dict()


def test_rounded_shapley_values_still_add_up() -> None:
    raw, mentions, _ = THREE
    labels = {k: ["negative" if m else None for m in v] for k, v in mentions.items()}
    data = summarize(raw, labels, scale=NPS, n_boot=0).to_dict()
    values = [row["shapley"] for row in data["labels"] if row["polarity"] is None]
    assert round(sum(values), 6) == data["shapley"]["gap"] == -100.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: summarize([1, 2], {"a": ["negative"]}, scale=NPS), "expected one per score"),
        (lambda: summarize([1, 2], {"a": [None, 3]}, scale=NPS), "item 1 is int"),
        (lambda: summarize([1], {}, scale=NPS, dates=["2024-01-01"], period="day"), "period"),  # type: ignore[arg-type]
        (lambda: summarize([1], {}, scale=NPS, seed=-1), "seed"),
        (lambda: parse_scores("10", NPS), "not a string"),
    ],
)
def test_bad_input_says_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()


# --------------------------------------------------------------------------- invariants

score_values = st.one_of(
    st.integers(-2, 12), st.sampled_from(["x", "", " 7 ", None, 8.5, math.nan])
)


@settings(deadline=None)
@given(st.lists(score_values, max_size=40))
def test_nps_stays_in_range_and_every_row_is_counted(raw: list[Any]) -> None:
    parsed = parse_scores(raw, NPS)
    n_scored = int((~np.isnan(parsed.values)).sum())
    assert n_scored + parsed.n_invalid + parsed.n_missing == len(raw)
    score = compute_score(raw, NPS)
    assert score is None or -100 <= score <= 100


@st.composite
def tagged_rows(draw: st.DrawFn, max_labels: int = 4) -> tuple[list[int], dict[str, list[bool]]]:
    n = draw(st.integers(1, 30))
    raw = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    k = draw(st.integers(0, max_labels))
    masks = {f"l{j}": draw(st.lists(st.booleans(), min_size=n, max_size=n)) for j in range(k)}
    return raw, masks


@settings(deadline=None, max_examples=60)
@given(tagged_rows(), st.sampled_from([12, 1]))
def test_shapley_values_add_up_to_the_gap(
    rows: tuple[list[int], dict[str, list[bool]]], max_exact: int
) -> None:
    raw, masks = rows
    result = shapley_values(raw, masks, NPS, max_exact=max_exact, n_permutations=20)
    if result.values is None:
        assert all(any(m[i] for m in masks.values()) for i in range(len(raw)))
        return
    assert result.gap is not None
    assert sum(result.values.values()) == pytest.approx(result.gap, abs=1e-9)


@settings(deadline=None, max_examples=50)
@given(tagged_rows(max_labels=2))
def test_unmentioned_labels_have_zero_impact(rows: tuple[list[int], dict[str, list[bool]]]) -> None:
    raw, masks = rows
    labels: dict[str, list[str | None]] = {
        k: ["mixed" if m else None for m in v] for k, v in masks.items()
    }
    labels["never"] = [None] * len(raw)
    out = summarize(raw, labels, scale=NPS, n_boot=20)
    never = next(row for row in out.labels if row.label == "never")
    assert (never.impact, never.impact_ci) == (0.0, (0.0, 0.0))
    assert out.shapley.values is None or out.shapley.values["never"] == 0.0


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=200, max_size=400), st.integers(0, 2**16))
def test_intervals_contain_the_estimate(raw: list[int], seed: int) -> None:
    mentions = ["negative" if i % 3 == 0 else None for i in range(len(raw))]
    out = summarize(raw, {"x": mentions}, scale=NPS, seed=seed, n_boot=300)
    low, high = out.overall.ci or (math.nan, math.nan)
    assert out.overall.score is not None
    assert low - 1e-9 <= out.overall.score <= high + 1e-9
    row = out.labels[0]
    assert row.impact is not None and row.impact_ci is not None
    assert row.impact_ci[0] - 1e-9 <= row.impact <= row.impact_ci[1] + 1e-9


def test_label_shares_carry_wilson_intervals() -> None:
    from insight.scores import wilson_interval

    assert wilson_interval(5, 10) == (0.2366, 0.7634)  # the textbook value for 5 of 10
    assert wilson_interval(0, 0) is None
    scores = [9, 3, 7, 10, 2, 8] * 20
    labels = {"price": (["negative", "", "", "positive", "", ""] * 20)}
    dates = ["2026-01-05"] * 60 + ["2026-02-05"] * 60
    out = summarize(
        scores,
        labels,
        scale=Scale.nps(),
        dates=dates,
        period="month",
        segments={"channel": ["app", "web"] * 60},
        n_boot=50,
    ).to_dict()
    first = out["trends"]["labels"][0]
    low, high = first["ci"]
    assert low <= first["share"] <= high
    assert all(row["ci"] is not None for table in out["segments"] for row in table["labels"])
