"""NPS / CSAT / CES and how tags link to them: impact, Shapley attribution, CIs, trends, segments.

Pure statistics: numbers in, frozen dataclasses out, no I/O; the same seed gives the same output.

Every score here is the mean of one weight per scored row. NPS weighs promoters +100,
detractors -100 and passives 0; CSAT weighs the satisfied 100 and everyone else 0; CES weighs a
row by its score. So the score of any set of rows depends only on how many rows hold each value
of the scale, and a bootstrap can redraw those few counts from a multinomial instead of
resampling a million rows: the same distribution as a row bootstrap, at the cost of a few
dozen cells. For CES (a mean) this is exact too, because its values are a finite grid.

Units: scores are in the scale's own units (NPS points in [-100, 100], CSAT % in [0, 100], CES
the mean on 1-7); shares are fractions in [0, 1].

>>> insights = summarize(
...     [10, 9, 3, 7, "n/a"], {"price": ["negative", None, "negative", "", None]}, scale=Scale.nps()
... )
>>> insights.overall.score, insights.overall.n_invalid, insights.labels[0].impact
(25.0, 1, -25.0)
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from insight.errors import InputError
from insight.nps import SCORE_TOLERANCE

ScoreKind = Literal["net", "top", "mean"]
Period = Literal["week", "month", "quarter"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
Values = Sequence[Any] | npt.NDArray[Any] | pd.Series

ALPHA = 0.05  # false discovery rate of the Benjamini-Hochberg flags
MAX_EXACT_SHAPLEY = 12  # 2**12 coalitions: exact in milliseconds; beyond, Monte Carlo
N_PERMUTATIONS = 1000  # Monte Carlo Shapley orders; the noise shrinks as 1 / sqrt(orders)
POLARITY_ORDER: tuple[str, ...] = ("positive", "negative", "mixed", "neutral", "conflict")

_PERIOD_FREQ = {"week": "W", "month": "M", "quarter": "Q"}
_TOL = SCORE_TOLERANCE  # one rule with the tagger and `insight tag` (insight.nps)
_MAX_CELLS = 100_001  # scale values; bounds the cost of one bootstrap to n_boot x cells
_HIGH, _MIDDLE, _LOW = 0, 1, 2
_VALUE_KIND = {str: 1, bool: 2, np.bool_: 2}  # object-array items that need a closer look


# --------------------------------------------------------------------------- scales and parsing


@dataclass(frozen=True)
class Scale:
    """A survey scale: its valid values, its three groups, and how a set of rows is scored.

    Valid scores are ``minimum + k * step`` up to ``maximum``. Scores at or below ``low_max``
    form the low group (detractors / dissatisfied), at or above ``high_min`` the high group
    (promoters / satisfied), the rest the middle group; ``groups`` names them high, middle, low.
    ``kind`` turns a set of rows into one number: "net" = % high - % low (NPS), "top" = % high
    (CSAT), "mean" = the mean score (CES).

    >>> Scale.nps(promoter_min=10).high_min, Scale.csat().groups
    (10, ('satisfied', 'neutral', 'dissatisfied'))
    """

    name: str
    minimum: float
    maximum: float
    low_max: float
    high_min: float
    kind: ScoreKind
    step: float = 1
    groups: tuple[str, str, str] = ("satisfied", "neutral", "dissatisfied")

    def __post_init__(self) -> None:
        if self.kind not in ("net", "top", "mean"):
            raise InputError(f"scale kind {self.kind!r} is unknown; use 'net', 'top' or 'mean'")
        if not (self.step > 0 and self.minimum <= self.low_max < self.high_min <= self.maximum):
            raise InputError(
                f"scale {self.name!r} needs step > 0 and minimum <= low_max < high_min <= maximum;"
                f" got step={self.step}, {self.minimum} <= {self.low_max} < {self.high_min}"
                f" <= {self.maximum}"
            )
        steps = (self.maximum - self.minimum) / self.step
        if abs(steps - round(steps)) > _TOL or round(steps) >= _MAX_CELLS:
            raise InputError(
                f"scale {self.name!r}: (maximum - minimum) / step must be a whole number below"
                f" {_MAX_CELLS}, got {steps}; pick a step that divides the range"
            )
        if len(set(self.groups)) != 3:
            raise InputError(f"scale {self.name!r} needs three distinct group names: {self.groups}")

    @classmethod
    def nps(cls, *, promoter_min: int = 9, detractor_max: int = 6) -> Scale:
        """Net Promoter Score on 0-10: % promoters (9-10) minus % detractors (0-6)."""
        groups = ("promoter", "passive", "detractor")
        return cls("nps", 0, 10, detractor_max, promoter_min, "net", 1, groups)

    @classmethod
    def csat(cls, *, satisfied_min: int = 4, dissatisfied_max: int = 2, maximum: int = 5) -> Scale:
        """Customer satisfaction on 1-5: the % of satisfied (4-5) answers."""
        return cls("csat", 1, maximum, dissatisfied_max, satisfied_min, "top")

    @classmethod
    def ces(cls, *, easy_min: int = 5, difficult_max: int = 3, maximum: int = 7) -> Scale:
        """Customer effort on 1-7 (7 = easiest): the mean; the groups give the share of 5-7."""
        return cls("ces", 1, maximum, difficult_max, easy_min, "mean")

    @property
    def size(self) -> int:
        """How many distinct valid scores the scale has (the cells of a count table)."""
        return round((self.maximum - self.minimum) / self.step) + 1

    @property
    def values(self) -> FloatArray:
        """Every valid score, in increasing order."""
        return self.minimum + np.arange(self.size, dtype=np.float64) * self.step

    @property
    def weights(self) -> FloatArray:
        """The per-row weight of each valid score; a set of rows scores their mean weight."""
        group = self.value_groups
        if self.kind == "net":
            return np.select([group == _HIGH, group == _LOW], [100.0, -100.0], 0.0)
        if self.kind == "top":
            return np.where(group == _HIGH, 100.0, 0.0)
        return self.values

    @property
    def value_groups(self) -> IntArray:
        """The group of each valid score: 0 high, 1 middle, 2 low."""
        values = self.values
        high = values >= self.high_min - _TOL
        low = values <= self.low_max + _TOL
        return np.select([high, low], [_HIGH, _LOW], _MIDDLE).astype(np.intp)


@dataclass(frozen=True, eq=False)
class ParsedScores:
    """Scores as floats with NaN where unusable, and why they are unusable.

    ``missing``: None, NaN or blank. ``invalid``: anything else that is not a value of the
    scale (text, out of range, off the step, infinite, a boolean). Both are left out of every
    score statistic and kept everywhere else (mentions, shares, counts of rows).
    """

    values: FloatArray
    missing: BoolArray
    n_invalid: int
    n_missing: int

    @property
    def invalid(self) -> BoolArray:
        """Rows with a value that is present but not a score of the scale."""
        return np.isnan(self.values) & ~self.missing


def parse_scores(values: Values, scale: Scale) -> ParsedScores:
    """Read raw scores (numbers or text such as " 9", "7.0", "8,0") into floats on the scale.

    >>> parsed = parse_scores([10, " 9 ", "7,0", "great", None, "", 11, 8.5], Scale.nps())
    >>> parsed.values.tolist()[:3], parsed.n_invalid, parsed.n_missing
    ([10.0, 9.0, 7.0], 3, 2)
    """
    raw = _one_dimensional(values, "scores")
    if raw.dtype.kind in "iuf":
        number = raw.astype(np.float64)
        missing = np.isnan(number)
    else:
        items = raw.astype(object)
        kinds = np.fromiter((_VALUE_KIND.get(type(x), 0) for x in items), np.int8, len(items))
        missing = pd.isna(items)
        text = kinds == 1
        if text.any():
            cleaned = pd.Series(items[text], dtype=object).str.strip()
            cleaned = cleaned.str.replace(",", ".", regex=False)
            missing[text] = (cleaned == "").to_numpy()
            items = items.copy()
            items[text] = cleaned.to_numpy()
        items[kinds == 2] = None  # True is not a score, though pandas would read it as 1
        number = pd.to_numeric(pd.Series(items, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    codes = _grid_codes(number, scale)
    scored = codes >= 0
    parsed = np.where(scored, scale.minimum + codes * scale.step, np.nan)
    missing = np.asarray(missing, dtype=bool)
    return ParsedScores(
        values=parsed,
        missing=missing,
        n_invalid=int((~scored & ~missing).sum()),
        n_missing=int(missing.sum()),
    )


def _grid_codes(number: FloatArray, scale: Scale) -> IntArray:
    """Index of each value on the scale's grid, -1 where it is not a valid score."""
    with np.errstate(invalid="ignore"):
        position = (number - scale.minimum) / scale.step
        nearest = np.round(position)
        ok = (
            np.isfinite(position)
            & (np.abs(position - nearest) <= _TOL * max(1.0, scale.size))
            & (nearest >= 0)
            & (nearest <= scale.size - 1)
        )
    return np.where(ok, np.nan_to_num(nearest), -1).astype(np.intp)


def _one_dimensional(values: Values, what: str, n: int | None = None) -> npt.NDArray[Any]:
    """A 1-D array view of a column, or an InputError that says what was found."""
    if isinstance(values, str | bytes):
        raise InputError(f"{what} must be a sequence with one value per row, not a string")
    if isinstance(values, pd.Series):
        array = values.to_numpy()
    elif isinstance(values, np.ndarray):
        array = values
    else:  # a list stays as its items: np.asarray would turn [True, 9] into [1, 9]
        array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise InputError(f"{what} must be one-dimensional, got shape {array.shape}")
    if n is not None and len(array) != n:
        raise InputError(f"{what} has {len(array)} values, expected one per score ({n})")
    return array


# --------------------------------------------------------------------------- count tables


@dataclass(frozen=True, eq=False)
class _Cells:
    """Scored rows as the index of their scale value, so any set of rows is a count table."""

    scale: Scale
    codes: IntArray  # one per row, -1 where the score is unusable
    scored: BoolArray
    scored_codes: IntArray
    weights: FloatArray
    value_groups: IntArray

    @classmethod
    def of(cls, parsed: ParsedScores, scale: Scale) -> _Cells:
        codes = _grid_codes(parsed.values, scale)
        scored = codes >= 0
        return cls(scale, codes, scored, codes[scored], scale.weights, scale.value_groups)

    @property
    def total(self) -> IntArray:
        """Counts of all scored rows per scale value."""
        return np.bincount(self.scored_codes, minlength=self.scale.size)

    def split(self, mask: BoolArray) -> IntArray:
        """Counts (2, k): scored rows outside (0) and inside (1) ``mask`` per scale value."""
        k = self.scale.size
        index = mask[self.scored].astype(np.intp) * k + self.scored_codes
        return np.bincount(index, minlength=2 * k).reshape(2, k)

    def by(self, group: IntArray, n_groups: int) -> IntArray:
        """Counts (n_groups, k) of scored rows per group; rows with group -1 are left out."""
        k = self.scale.size
        keep = self.scored & (group >= 0)
        index = group[keep] * k + self.codes[keep]
        return np.bincount(index, minlength=n_groups * k).reshape(n_groups, k)


def _score(counts: npt.NDArray[Any], weights: FloatArray) -> FloatArray:
    """Score of each (..., k) count table along its last axis; NaN where it holds no rows."""
    n = counts.sum(axis=-1)
    total = counts @ weights
    return np.divide(total, n, out=np.full(np.shape(n), np.nan), where=n > 0)


def _scalar(x: npt.NDArray[Any] | float) -> float | None:
    """A float, or None where the statistic is undefined."""
    value = float(x)
    return value if math.isfinite(value) else None


def _resample(table: IntArray, rng: np.random.Generator, n_boot: int) -> IntArray:
    """Bootstrap a count table: multinomial draws with its total fixed, equal to row resampling."""
    n = int(table.sum())
    draws = rng.multinomial(n, table.ravel() / n, size=n_boot)
    return draws.reshape((n_boot, *table.shape))


def _interval(samples: FloatArray) -> tuple[float, float] | None:
    """95% percentile interval of the defined bootstrap samples (None if there are none)."""
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return None
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def _score_ci(
    counts: IntArray, weights: FloatArray, rng: np.random.Generator, n_boot: int
) -> tuple[float, float] | None:
    if n_boot <= 0 or counts.sum() == 0:
        return None
    return _interval(_score(_resample(counts, rng, n_boot), weights))


def _impact(split: IntArray, weights: FloatArray) -> FloatArray:
    """score(all) - score(rows outside the mentions), for (..., 2, k) tables."""
    return _score(split.sum(axis=-2), weights) - _score(split[..., 0, :], weights)


def _impact_ci(
    split: IntArray, weights: FloatArray, rng: np.random.Generator, n_boot: int
) -> tuple[float, float] | None:
    if split[1].sum() == 0:
        return (0.0, 0.0)
    if n_boot <= 0 or split[0].sum() == 0:
        return None
    return _interval(_impact(_resample(split, rng, n_boot), weights))


def _rng(seed: int, *key: str) -> np.random.Generator:
    """One generator per named statistic: adding a label or a segment never shifts another CI."""
    return np.random.default_rng([seed, zlib.crc32("\x1f".join(key).encode())])


def _what_if(total: IntArray, moved: IntArray, scale: Scale) -> float | None:
    """Score after the low-group rows counted in ``moved`` rise to the lowest middle value.

    Lowest middle value: the smallest move out of the low group. It changes NPS (a passive
    weighs 0) and CES (a mean), but never CSAT, which counts only the high group.
    """
    groups = scale.value_groups
    middle = np.flatnonzero(groups == _MIDDLE)
    if middle.size == 0:
        return None
    moving = np.where(groups == _LOW, moved, 0)
    after = total - moving
    after[middle[0]] += moving.sum()
    return _scalar(_score(after, scale.weights))


def compute_score(scores: Values, scale: Scale) -> float | None:
    """The scale's score over the usable scores (None if there is none).

    >>> compute_score([10, 9, 8, 3, "x"], Scale.nps()), compute_score([5, 4, 3, 1], Scale.csat())
    (25.0, 50.0)
    """
    cells = _Cells.of(parse_scores(scores, scale), scale)
    return _scalar(_score(cells.total, cells.weights))


def compute_impact(scores: Values, mentions: Sequence[bool] | BoolArray, scale: Scale) -> float:
    """score(all) - score(all but the mentioning rows): what the mentions cost or add.

    0 when nothing is mentioned; NaN when every scored row mentions it (nothing to compare).

    >>> compute_impact([10, 0, 9, 9], [False, True, False, False], Scale.nps())
    -50.0
    """
    cells = _Cells.of(parse_scores(scores, scale), scale)
    split = cells.split(_mask(mentions, len(cells.codes), "mentions"))
    return 0.0 if split[1].sum() == 0 else float(_impact(split, cells.weights))


def what_if(scores: Values, moved: Sequence[bool] | BoolArray, scale: Scale) -> float | None:
    """The score if the low-group rows flagged in ``moved`` joined the middle group.

    For NPS: detractors become passives. None if the scale has no middle group.

    >>> what_if([10, 0, 3, 8], [False, True, False, False], Scale.nps())
    0.0
    """
    cells = _Cells.of(parse_scores(scores, scale), scale)
    split = cells.split(_mask(moved, len(cells.codes), "moved"))
    return _what_if(split.sum(axis=0), split[1], scale)


def _mask(values: Sequence[bool] | BoolArray, n: int, what: str) -> BoolArray:
    array = np.asarray(values)
    if array.shape != (n,) or (array.size and array.dtype.kind != "b"):
        raise InputError(f"{what} must be {n} booleans, got {array.dtype} of shape {array.shape}")
    return array.astype(bool)


# --------------------------------------------------------------------------- Shapley values


@dataclass(frozen=True)
class Shapley:
    """Each label's share of the gap between the overall score and the no-label comments.

    ``base`` is the score of the scored comments with no label and ``gap`` = overall - base;
    ``values`` add up to ``gap``. All are None when there is no comment without a label:
    then there is no baseline to explain the overall score against.
    """

    base: float | None
    gap: float | None
    values: dict[str, float] | None
    method: Literal["exact", "monte_carlo", "none"]
    n_permutations: int | None = None


def shapley_values(
    scores: Values,
    mentions: Mapping[str, Sequence[bool] | BoolArray],
    scale: Scale,
    *,
    seed: int = 0,
    n_permutations: int = N_PERMUTATIONS,
    max_exact: int = MAX_EXACT_SHAPLEY,
) -> Shapley:
    """Split score(all) - score(no-label comments) among the labels so that it adds up.

    The game: v(S) = score(comments whose label set is a subset of S) - score(no-label
    comments), so v({}) = 0 and v(all labels) = the gap. The no-label comments fit every
    coalition, so no coalition is empty once the base exists; without them (every scored
    comment has a label) there is no base, and base, gap and values are None rather than
    measured against an arbitrary baseline. A label nobody mentions is a null player and gets
    exactly 0. Up to ``max_exact`` mentioned labels the values are exact (all 2**L
    coalitions); above, they are the mean marginal contribution over ``n_permutations``
    orders drawn from ``seed``, half of them the reverse of the other half (antithetic
    orders, which cancel much of the noise). Each order telescopes to the gap, so the
    estimates add up to it exactly too; only the split between labels is approximate.

    >>> s = shapley_values([10, 10, 0, 6], {"a": [0, 1, 1, 0], "b": [0, 0, 1, 1]}, Scale.nps())
    >>> s.gap, s.values
    (-100.0, {'a': 0.0, 'b': -100.0})
    """
    cells = _Cells.of(parse_scores(scores, scale), scale)
    n = len(cells.codes)
    masks = {
        name: _mask(np.asarray(m, dtype=bool), n, f"mentions of {name!r}")
        for name, m in mentions.items()
    }
    return _shapley(cells, masks, seed, n_permutations, max_exact)


def _shapley(
    cells: _Cells,
    masks: Mapping[str, BoolArray],
    seed: int,
    n_permutations: int,
    max_exact: int,
) -> Shapley:
    weight = cells.weights[cells.scored_codes]
    scored = {name: mask[cells.scored] for name, mask in masks.items()}
    players = [name for name, mask in scored.items() if mask.any()]
    anyone = np.zeros(weight.shape, dtype=bool)
    for name in players:
        anyone |= scored[name]
    if (~anyone).sum() == 0:
        return Shapley(None, None, None, "none")
    base = float(weight[~anyone].mean())
    gap = float(weight.mean()) - base
    values = dict.fromkeys(masks, 0.0)
    if not players:
        return Shapley(base, gap, values, "exact")
    if len(players) <= max_exact:
        found = _exact_shapley([scored[p] for p in players], weight, base)
        values.update(zip(players, found, strict=True))
        return Shapley(base, gap, values, "exact")
    found = _sampled_shapley(
        [scored[p] for p in players], weight, base, _rng(seed, "shapley"), n_permutations
    )
    values.update(zip(players, found, strict=True))
    return Shapley(base, gap, values, "monte_carlo", n_permutations)


def _coalition_values(sums: FloatArray, counts: FloatArray, base: float) -> FloatArray:
    """v(S) from the weight sums and row counts of the comments inside S (0 if none)."""
    mean = np.divide(sums, counts, out=np.full(sums.shape, base), where=counts > 0)
    return mean - base


def _exact_shapley(masks: list[BoolArray], weight: FloatArray, base: float) -> list[float]:
    """Shapley values by enumerating all 2**L coalitions (subset sums by a zeta transform)."""
    n_players = len(masks)
    size = 1 << n_players
    bits = np.zeros(weight.shape, dtype=np.intp)
    for j, mask in enumerate(masks):
        bits |= mask.astype(np.intp) << j
    shape = (2,) * n_players  # one axis per label: subset sums become cumulative sums
    counts = np.asarray(np.bincount(bits, minlength=size), dtype=np.float64).reshape(shape)
    sums = np.asarray(np.bincount(bits, weights=weight, minlength=size), dtype=np.float64).reshape(
        shape
    )
    for axis in range(n_players):  # after this, entry S sums every label set inside S
        counts = np.cumsum(counts, axis=axis, dtype=np.float64)
        sums = np.cumsum(sums, axis=axis, dtype=np.float64)
    v = _coalition_values(sums.reshape(-1), counts.reshape(-1), base)
    coalition = np.arange(size)
    sizes = np.bitwise_count(coalition)
    fact = [math.factorial(k) for k in range(n_players + 1)]
    last = n_players - 1
    share = np.array([fact[s] * fact[last - s] / fact[n_players] for s in range(n_players)])
    values = []
    for j in range(n_players):
        without = coalition[(coalition >> j) & 1 == 0]
        values.append(float((share[sizes[without]] * (v[without | (1 << j)] - v[without])).sum()))
    return values


def _sampled_shapley(
    masks: list[BoolArray],
    weight: FloatArray,
    base: float,
    rng: np.random.Generator,
    n_permutations: int,
) -> list[float]:
    """Shapley values as the mean marginal contribution over random orders of the labels.

    In an order, a label set enters the coalition with its last label, so one pass of
    cumulative sums over the distinct label sets gives v of every prefix at once.
    """
    n_players = len(masks)
    if n_players <= 62:  # label sets as int64 bit masks: a 1-D unique is much faster
        bits = np.zeros(weight.shape, dtype=np.int64)
        for j, mask in enumerate(masks):
            bits |= mask.astype(np.int64) << j
        keys, inverse = np.unique(bits, return_inverse=True)
        sets = ((keys[:, None] >> np.arange(n_players)) & 1).astype(bool)
    else:
        sets, inverse = np.unique(np.column_stack(masks), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(sets)).astype(np.float64)
    sums = np.bincount(inverse, weights=weight, minlength=len(sets))
    half = [rng.permutation(n_players) for _ in range((max(n_permutations, 1) + 1) // 2)]
    orders = np.array(half + [order[::-1] for order in half])[: max(n_permutations, 1)]
    total = np.zeros(n_players)
    chunk = max(1, 20_000_000 // max(1, len(sets) * n_players))
    for start in range(0, len(orders), chunk):
        block = orders[start : start + chunk]
        b = len(block)
        position = np.empty_like(block)
        np.put_along_axis(position, block, np.arange(1, n_players + 1)[None, :], axis=1)
        entry = (sets[None, :, :] * position[:, None, :]).max(axis=2)  # (b, sets); 0 = no label
        index = (entry + (n_players + 1) * np.arange(b)[:, None]).ravel()
        shape = (b, n_players + 1)
        n_in = np.bincount(index, np.tile(counts, b), b * (n_players + 1)).reshape(shape)
        w_in = np.bincount(index, np.tile(sums, b), b * (n_players + 1)).reshape(shape)
        v = _coalition_values(np.cumsum(w_in, axis=1), np.cumsum(n_in, axis=1), base)
        gain = np.zeros((b, n_players))
        np.put_along_axis(gain, block, np.diff(v, axis=1), axis=1)
        total += gain.sum(axis=0)
    return (total / len(orders)).tolist()


# --------------------------------------------------------------------------- significance


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """BH q-values: flagging q <= alpha keeps the expected share of false flags <= alpha.

    None entries (tests not run) stay None and do not count as tests.

    >>> benjamini_hochberg([0.5, 0.25, None])
    [0.5, 0.5, None]
    """
    tested = [i for i, p in enumerate(p_values) if p is not None]
    p = np.array([p_values[i] for i in tested], dtype=np.float64)
    q: list[float | None] = [None] * len(p_values)
    if p.size == 0:
        return q
    order = np.argsort(p)
    ranked = p[order] * p.size / np.arange(1, p.size + 1)
    adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    for rank, i in enumerate(order):
        q[tested[i]] = float(adjusted[rank])
    return q


def _score_p_value(a: IntArray, b: IntArray, weights: FloatArray, min_n: int) -> float | None:
    """Two-sided z-test of two scores, var = the per-row weight variance / n.

    For NPS that is var(NPS) = (p_pro + p_det - (p_pro - p_det)**2) / n in proportions; for
    CSAT the unpooled two-proportion test; for CES the large-sample test of two means.
    """
    n_a, n_b = int(a.sum()), int(b.sum())
    if min(n_a, n_b) < max(min_n, 1):
        return None
    mean_a, mean_b = float(a @ weights) / n_a, float(b @ weights) / n_b
    var_a = max(float(a @ weights**2) / n_a - mean_a**2, 0.0)
    var_b = max(float(b @ weights**2) / n_b - mean_b**2, 0.0)
    se = math.sqrt(var_a / n_a + var_b / n_b)
    if se == 0:
        return 1.0 if math.isclose(mean_a, mean_b, abs_tol=_TOL) else 0.0
    return math.erfc(abs(mean_a - mean_b) / se / math.sqrt(2))


def _share_p_value(x_a: int, n_a: int, x_b: int, n_b: int, min_n: int) -> float | None:
    """Two-sided pooled two-proportion z-test."""
    if min(n_a, n_b) < max(min_n, 1):
        return None
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 1.0
    return math.erfc(abs(x_a / n_a - x_b / n_b) / se / math.sqrt(2))


def _flags(p_values: list[float | None]) -> list[tuple[float | None, float | None, bool]]:
    """(p, q, significant) per test, BH-adjusted across the tests of one table."""
    q_values = benjamini_hochberg(p_values)
    return [(p, q, q is not None and q <= ALPHA) for p, q in zip(p_values, q_values, strict=True)]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Overall:
    """The score over all usable scores, and how many rows could not be used."""

    n: int
    n_scored: int
    n_invalid: int
    n_missing: int
    scale: str
    score: float | None
    ci: tuple[float, float] | None
    mean_score: float | None
    groups: dict[str, float | None]


@dataclass(frozen=True)
class LabelStats:
    """One label (polarity None: any polarity) or one (label, polarity) and the score.

    ``share``: mentions / all rows. ``score`` / ``score_without``: the score of the scored
    rows that mention it / that don't. ``impact``: score(all) - ``score_without``.
    ``groups``: the share of each group's scored rows that mention it (e.g. 30% of
    detractors). ``what_if``: the score if the low-group rows that mention the label
    negatively moved to the middle group (label and negative rows only). ``too_few``:
    ``mentions_scored`` is below the minimum to judge.
    """

    label: str
    polarity: str | None
    mentions: int
    mentions_scored: int
    share: float | None
    score: float | None
    score_without: float | None
    mean_score: float | None
    impact: float | None
    impact_ci: tuple[float, float] | None
    shapley: float | None
    what_if: float | None
    too_few: bool
    groups: dict[str, float | None]


@dataclass(frozen=True)
class PeriodScore:
    """The score of one period and its change from the previous period with data."""

    period: str
    start: str
    n: int
    n_scored: int
    n_invalid: int
    n_missing: int
    score: float | None
    ci: tuple[float, float] | None
    change: float | None
    p_value: float | None
    q_value: float | None
    significant: bool


@dataclass(frozen=True)
class ShareChange:
    """A label's share of one group of rows (a period or a segment value) and its test.

    For a period, ``change`` is against the previous period; for a segment value, against
    the rest of the rows (``share_other`` is then the share among the rest).
    """

    label: str
    group: str
    mentions: int
    n: int
    share: float | None
    share_other: float | None
    change: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    @property
    def ci(self) -> tuple[float, float] | None:
        """95% Wilson interval of the share (sound for small groups and shares near 0 or 1)."""
        return wilson_interval(self.mentions, self.n)


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion; None for an empty group.

    >>> wilson_interval(0, 10)
    (0.0, 0.2775)
    """
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denominator
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


@dataclass(frozen=True)
class Trends:
    """Scores and label shares per period; rows without a usable date are left out."""

    period: str
    n_undated: int
    periods: tuple[PeriodScore, ...]
    labels: tuple[ShareChange, ...]


@dataclass(frozen=True)
class SegmentScore:
    """The score of one segment value against the rest of the rows."""

    value: str
    n: int
    share: float | None
    n_scored: int
    n_invalid: int
    n_missing: int
    score: float | None
    ci: tuple[float, float] | None
    score_rest: float | None
    difference: float | None
    p_value: float | None
    q_value: float | None
    significant: bool
    too_few: bool


@dataclass(frozen=True)
class SegmentTable:
    """One segment column: its values (most rows first) and the label shares within them."""

    column: str
    n_missing: int
    values: tuple[SegmentScore, ...]
    labels: tuple[ShareChange, ...]


@dataclass(frozen=True)
class Insights:
    """Everything the report shows about scores; ``to_dict`` gives it as JSON-ready data."""

    scale: Scale
    overall: Overall
    labels: tuple[LabelStats, ...]
    shapley: Shapley
    trends: Trends | None = None
    segments: tuple[SegmentTable, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, str, int, float (rounded) and None: never NaN."""
        o = self.overall
        shapley = self.shapley
        rounded = (
            _round_to_sum(shapley.values, shapley.gap)
            if shapley.values is not None and shapley.gap is not None
            else None
        )
        data: dict[str, Any] = {
            "overall": {
                "n": o.n,
                "n_scored": o.n_scored,
                "n_invalid": o.n_invalid,
                "n_missing": o.n_missing,
                "scale": o.scale,
                "score": _num(o.score),
                "ci": _pair(o.ci),
                "mean_score": _num(o.mean_score),
                "groups": {k: _num(v, 4) for k, v in o.groups.items()},
            },
            "labels": [
                {
                    "label": s.label,
                    "polarity": s.polarity,
                    "mentions": s.mentions,
                    "mentions_scored": s.mentions_scored,
                    "share": _num(s.share, 4),
                    "score": _num(s.score),
                    "score_without": _num(s.score_without),
                    "mean_score": _num(s.mean_score),
                    "impact": _num(s.impact),
                    "impact_ci": _pair(s.impact_ci),
                    "shapley": (
                        rounded.get(s.label) if rounded is not None and s.polarity is None else None
                    ),
                    "what_if": _num(s.what_if),
                    "too_few": s.too_few,
                    "groups": {k: _num(v, 4) for k, v in s.groups.items()},
                }
                for s in self.labels
            ],
            "shapley": {
                "base": _num(shapley.base),
                "gap": _num(shapley.gap),
                "method": shapley.method,
                "n_permutations": shapley.n_permutations,
            },
        }
        if self.trends is not None:
            t = self.trends
            data["trends"] = {
                "period": t.period,
                "n_undated": t.n_undated,
                "periods": [
                    {
                        "period": p.period,
                        "start": p.start,
                        "n": p.n,
                        "n_scored": p.n_scored,
                        "n_invalid": p.n_invalid,
                        "n_missing": p.n_missing,
                        "score": _num(p.score),
                        "ci": _pair(p.ci),
                        "change": _num(p.change),
                        "p_value": _p(p.p_value),
                        "q_value": _p(p.q_value),
                        "significant": p.significant,
                    }
                    for p in t.periods
                ],
                "labels": [_share_dict(c, "period", "share_previous") for c in t.labels],
            }
        if self.segments is not None:
            data["segments"] = [
                {
                    "column": table.column,
                    "n_missing": table.n_missing,
                    "values": [
                        {
                            "value": v.value,
                            "n": v.n,
                            "share": _num(v.share, 4),
                            "n_scored": v.n_scored,
                            "n_invalid": v.n_invalid,
                            "n_missing": v.n_missing,
                            "score": _num(v.score),
                            "ci": _pair(v.ci),
                            "score_rest": _num(v.score_rest),
                            "difference": _num(v.difference),
                            "p_value": _p(v.p_value),
                            "q_value": _p(v.q_value),
                            "significant": v.significant,
                            "too_few": v.too_few,
                        }
                        for v in table.values
                    ],
                    "labels": [_share_dict(c, "value", "share_rest") for c in table.labels],
                }
                for table in self.segments
            ]
        return data


def _num(x: float | None, digits: int = 3) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _pair(ci: tuple[float, float] | None) -> list[float | None] | None:
    return None if ci is None else [_num(ci[0]), _num(ci[1])]


def _p(x: float | None) -> float | None:
    return None if x is None else float(f"{x:.3g}")


def _share_dict(c: ShareChange, group_key: str, other_key: str) -> dict[str, Any]:
    return {
        "label": c.label,
        group_key: c.group,
        "mentions": c.mentions,
        "n": c.n,
        "share": _num(c.share, 4),
        "ci": _pair(c.ci),
        other_key: _num(c.share_other, 4),
        "change": _num(c.change, 4),
        "p_value": _p(c.p_value),
        "q_value": _p(c.q_value),
        "significant": c.significant,
    }


def _round_to_sum(values: dict[str, float], total: float, digits: int = 3) -> dict[str, float]:
    """Round so that the rounded values still add up to the rounded total (largest remainder)."""
    scale = 10**digits
    raw = np.array([values[k] * scale for k in values])
    floor = np.floor(raw)
    extra = int(round(total * scale) - floor.sum())
    if 0 <= extra <= len(raw):
        floor[np.argsort(floor - raw, kind="stable")[:extra]] += 1
    else:  # only if float noise broke the identity: plain rounding
        floor = np.round(raw)
    return {k: float(v) / scale + 0.0 for k, v in zip(values, floor, strict=True)}


# --------------------------------------------------------------------------- summarize


def summarize(
    scores: Values,
    labels: Mapping[str, Values],
    *,
    scale: Scale,
    dates: Values | None = None,
    period: Period = "month",
    segments: Mapping[str, Values] | None = None,
    seed: int = 0,
    min_mentions: int = 30,
    n_boot: int = 1000,
) -> Insights:
    """Link each label to the score: mentions, impact with CIs, Shapley, what-if, trends, segments.

    ``labels`` maps each label to one polarity per row ("negative", ...; None or "" when the
    row doesn't mention it); each label gets a row with polarity None (any polarity) and one
    per polarity found. Impact is exactly 0 when no scored row mentions the label, None when
    every scored row does. Shapley values (label rows only) are exact up to
    ``MAX_EXACT_SHAPLEY`` mentioned labels, else the mean of ``N_PERMUTATIONS`` seeded
    orders; see `shapley_values`. CIs are 95% percentile bootstraps of ``n_boot`` multinomial
    resamples of the count tables (the same as resampling rows), seeded per statistic.
    A comparison (period vs the previous period with data, segment value vs the rest of the
    rows) is tested only when both sides have ``min_mentions`` rows; q-values are
    Benjamini-Hochberg within one table: the trend scores, the trend shares, and per segment
    column its scores and its shares. Flags: q <= ``ALPHA``.

    >>> out = summarize([10, 9, 3, 7], {"price": ["negative", None, "negative", ""]},
    ...                 scale=Scale.nps(), n_boot=0)
    >>> [(s.label, s.polarity, s.mentions, s.impact, s.what_if) for s in out.labels]
    [('price', None, 2, -25.0, 50.0), ('price', 'negative', 2, -25.0, 50.0)]
    """
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    parsed = parse_scores(scores, scale)
    n = len(parsed.values)
    cells = _Cells.of(parsed, scale)
    tags = {name: _polarities(values, name, n) for name, values in labels.items()}
    mentions = {name: codes >= 0 for name, (codes, _) in tags.items()}
    shapley = _shapley(cells, mentions, seed, N_PERMUTATIONS, MAX_EXACT_SHAPLEY)
    total = cells.total
    score = _scalar(_score(total, cells.weights))
    overall = Overall(
        n=n,
        n_scored=int(total.sum()),
        n_invalid=parsed.n_invalid,
        n_missing=parsed.n_missing,
        scale=scale.name,
        score=score,
        ci=_score_ci(total, cells.weights, _rng(seed, "overall"), n_boot),
        mean_score=_scalar(_score(total, scale.values)),
        groups=_group_mix(total, scale),
    )
    rows: list[LabelStats] = []
    for name, (codes, polarities) in tags.items():
        negative = codes == polarities.index("negative") if "negative" in polarities else None
        moved = cells.split(negative)[1] if negative is not None else np.zeros_like(total)
        what = _what_if(total, moved, scale)
        value = shapley.values.get(name) if shapley.values is not None else None
        rows.append(
            _label_stats(name, None, mentions[name], cells, what, value, seed, min_mentions, n_boot)
        )
        for j, polarity in enumerate(polarities):
            what_j = what if polarity == "negative" else None
            rows.append(
                _label_stats(
                    name, polarity, codes == j, cells, what_j, None, seed, min_mentions, n_boot
                )
            )
    trends = None
    if dates is not None:
        trends = _trends(cells, parsed, dates, period, mentions, seed, min_mentions, n_boot)
    tables = None
    if segments is not None:
        tables = tuple(
            _segment(column, values, cells, parsed, mentions, seed, min_mentions, n_boot)
            for column, values in segments.items()
        )
    return Insights(scale, overall, tuple(rows), shapley, trends, tables)


def _polarities(values: Values, name: str, n: int) -> tuple[IntArray, tuple[str, ...]]:
    """Per row the index of its polarity in the returned tuple, -1 where the label is absent."""
    array = _one_dimensional(values, f"label {name!r}", n).astype(object)
    codes, uniques = pd.factorize(array)
    names: list[str] = []
    for j, value in enumerate(uniques):
        if not isinstance(value, str):
            row = int(np.flatnonzero(codes == j)[0])
            raise InputError(
                f"label {name!r}: item {row} is {type(value).__name__} ({value!r}),"
                " expected a polarity string, or None / '' when the label is absent"
            )
        names.append(value.strip().lower())
    found = sorted({p for p in names if p}, key=_polarity_rank)
    lookup = np.array([found.index(p) if p else -1 for p in names] + [-1], dtype=np.intp)
    return lookup[codes], tuple(found)  # code -1 (absent) picks the trailing -1


def _polarity_rank(polarity: str) -> tuple[int, str]:
    known = polarity in POLARITY_ORDER
    return (POLARITY_ORDER.index(polarity) if known else len(POLARITY_ORDER), polarity)


def _group_mix(counts: IntArray, scale: Scale) -> dict[str, float | None]:
    """The share of the scored rows in each group (for NPS: promoters, passives, detractors)."""
    n = int(counts.sum())
    groups = scale.value_groups
    return {
        name: int(counts[groups == g].sum()) / n if n else None
        for g, name in enumerate(scale.groups)
    }


def _group_shares(part: IntArray, whole: IntArray, scale: Scale) -> dict[str, float | None]:
    """For each group of the scale: rows of ``part`` in it / rows of ``whole`` in it."""
    groups = scale.value_groups
    shares: dict[str, float | None] = {}
    for g, group_name in enumerate(scale.groups):
        denominator = int(whole[groups == g].sum())
        shares[group_name] = int(part[groups == g].sum()) / denominator if denominator else None
    return shares


def _label_stats(
    label: str,
    polarity: str | None,
    mask: BoolArray,
    cells: _Cells,
    what: float | None,
    shapley: float | None,
    seed: int,
    min_mentions: int,
    n_boot: int,
) -> LabelStats:
    split = cells.split(mask)
    inside = split[1]
    mentions_scored = int(inside.sum())
    n = len(mask)
    mentions = int(mask.sum())
    rng = _rng(seed, "impact", label, polarity or "")
    return LabelStats(
        label=label,
        polarity=polarity,
        mentions=mentions,
        mentions_scored=mentions_scored,
        share=mentions / n if n else None,
        score=_scalar(_score(inside, cells.weights)),
        score_without=_scalar(_score(split[0], cells.weights)),
        mean_score=_scalar(_score(inside, cells.scale.values)),
        impact=0.0 if mentions_scored == 0 else _scalar(_impact(split, cells.weights)),
        impact_ci=_impact_ci(split, cells.weights, rng, n_boot),
        shapley=shapley,
        what_if=what,
        too_few=mentions_scored < min_mentions,
        groups=_group_shares(inside, split.sum(axis=0), cells.scale),
    )


def _period_codes(dates: Values, period: str, n: int) -> tuple[IntArray, list[str], list[str]]:
    """Per row the index of its period (-1 without a usable date), period names and starts."""
    freq = _PERIOD_FREQ.get(period)
    if freq is None:
        raise InputError(f"period must be one of {sorted(_PERIOD_FREQ)}, got {period!r}")
    series = pd.Series(_one_dimensional(dates, "dates", n))
    try:
        stamps = pd.to_datetime(series, errors="coerce", format="ISO8601")
    except ValueError:  # mixed time zones: compare them in UTC
        stamps = pd.to_datetime(series, errors="coerce", format="ISO8601", utc=True)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    codes, uniques = pd.factorize(stamps.dt.to_period(freq), sort=True)
    names = [str(p) for p in uniques]
    starts = [p.start_time.date().isoformat() for p in uniques]
    return np.asarray(codes, dtype=np.intp), names, starts


def _trends(
    cells: _Cells,
    parsed: ParsedScores,
    dates: Values,
    period: str,
    mentions: Mapping[str, BoolArray],
    seed: int,
    min_n: int,
    n_boot: int,
) -> Trends:
    n = len(cells.codes)
    codes, names, starts = _period_codes(dates, period, n)
    g = len(names)
    dated = codes >= 0
    rows = np.bincount(codes[dated], minlength=g)
    invalid = np.bincount(codes[dated & parsed.invalid], minlength=g)
    missing = np.bincount(codes[dated & parsed.missing], minlength=g)
    table = cells.by(codes, g)
    scores = _score(table, cells.weights)
    tests = [
        _score_p_value(table[i - 1], table[i], cells.weights, min_n) if i else None
        for i in range(g)
    ]
    periods = tuple(
        PeriodScore(
            period=names[i],
            start=starts[i],
            n=int(rows[i]),
            n_scored=int(table[i].sum()),
            n_invalid=int(invalid[i]),
            n_missing=int(missing[i]),
            score=_scalar(scores[i]),
            ci=_score_ci(table[i], cells.weights, _rng(seed, "period", names[i]), n_boot),
            change=_scalar(scores[i] - scores[i - 1]) if i else None,
            p_value=p,
            q_value=q,
            significant=flag,
        )
        for i, (p, q, flag) in enumerate(_flags(tests))
    )
    shares: list[tuple[str, int, int, int, int]] = []  # label, period, x, x_before, n_before
    for label, mask in mentions.items():
        x = np.bincount(codes[dated & mask], minlength=g)
        shares += [(label, i, int(x[i]), int(x[i - 1]), int(rows[i - 1])) for i in range(g)]
    p_values = [
        _share_p_value(x0, n0, x, int(rows[i]), min_n) if i else None for _, i, x, x0, n0 in shares
    ]
    labels = tuple(
        _share_change(label, names[i], x, int(rows[i]), x0 if i else None, n0, flags)
        for (label, i, x, x0, n0), flags in zip(shares, _flags(p_values), strict=True)
    )
    return Trends(period, int((~dated).sum()), periods, labels)


def _share_change(
    label: str,
    group: str,
    x: int,
    n: int,
    x_other: int | None,
    n_other: int,
    flags: tuple[float | None, float | None, bool],
) -> ShareChange:
    share = x / n if n else None
    other = x_other / n_other if x_other is not None and n_other else None
    change = share - other if share is not None and other is not None else None
    return ShareChange(label, group, x, n, share, other, change, *flags)


def _segment(
    column: str,
    values: Values,
    cells: _Cells,
    parsed: ParsedScores,
    mentions: Mapping[str, BoolArray],
    seed: int,
    min_n: int,
    n_boot: int,
) -> SegmentTable:
    n = len(cells.codes)
    raw, uniques = pd.factorize(_one_dimensional(values, f"segment {column!r}", n).astype(object))
    found = np.bincount(raw[raw >= 0], minlength=len(uniques))
    names = [str(u) for u in uniques]
    order = sorted(range(len(uniques)), key=lambda j: (-found[j], names[j]))
    rank = np.empty(len(order) + 1, dtype=np.intp)
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    codes = rank[raw]  # most frequent value first; -1 where the value is missing
    names = [names[j] for j in order]
    g = len(names)
    present = codes >= 0
    rows = np.bincount(codes[present], minlength=g)
    invalid = np.bincount(codes[present & parsed.invalid], minlength=g)
    missing = np.bincount(codes[present & parsed.missing], minlength=g)
    table = cells.by(codes, g)
    total = cells.total
    rest = total[None, :] - table
    scores = _score(table, cells.weights)
    rest_scores = _score(rest, cells.weights)
    tests = [_score_p_value(table[i], rest[i], cells.weights, min_n) for i in range(g)]
    scored = [
        SegmentScore(
            value=names[i],
            n=int(rows[i]),
            share=int(rows[i]) / n if n else None,
            n_scored=int(table[i].sum()),
            n_invalid=int(invalid[i]),
            n_missing=int(missing[i]),
            score=_scalar(scores[i]),
            ci=_score_ci(table[i], cells.weights, _rng(seed, "segment", column, names[i]), n_boot),
            score_rest=_scalar(rest_scores[i]),
            difference=_scalar(scores[i] - rest_scores[i]),
            p_value=p,
            q_value=q,
            significant=flag,
            too_few=int(table[i].sum()) < min_n,
        )
        for i, (p, q, flag) in enumerate(_flags(tests))
    ]
    shares: list[tuple[str, int, int, int]] = []  # label, value, x, x_all
    for label, mask in mentions.items():
        x = np.bincount(codes[present & mask], minlength=g)
        shares += [(label, i, int(x[i]), int(mask.sum())) for i in range(g)]
    p_values = [
        _share_p_value(x, int(rows[i]), x_all - x, n - int(rows[i]), min_n)
        for _, i, x, x_all in shares
    ]
    labels = tuple(
        _share_change(label, names[i], x, int(rows[i]), x_all - x, n - int(rows[i]), flags)
        for (label, i, x, x_all), flags in zip(shares, _flags(p_values), strict=True)
    )
    return SegmentTable(column, int((~present).sum()), tuple(scored), labels)
