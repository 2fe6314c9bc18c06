"""Assign the corpus's train/dev/test split once, stratified by language and factor pattern.

The split is drawn once and stored in `data/corpus.csv`; this function is kept so the draw
can be audited (same seed, same rows -> same split), never to re-draw it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

SHARES = {"train": 0.70, "dev": 0.15, "test": 0.15}


def assign_splits(strata: Sequence[str], seed: int = 20261122) -> list[str]:
    """One split per row: each stratum is shuffled and cut 70/15/15, carrying remainders over."""
    groups: dict[str, list[int]] = defaultdict(list)
    for row, key in enumerate(strata):
        groups[key].append(row)
    rng = random.Random(seed)
    splits = [""] * len(strata)
    carry = dict.fromkeys(SHARES, 0.0)
    for key in sorted(groups):
        rows = groups[key]
        rng.shuffle(rows)
        quotas = {}
        for name, share in SHARES.items():
            want = len(rows) * share + carry[name]
            quotas[name] = int(want)
            carry[name] = want - int(want)
        leftover = len(rows) - sum(quotas.values())
        for name in sorted(carry, key=carry.__getitem__, reverse=True)[:leftover]:
            quotas[name] += 1
            carry[name] -= 1
        start = 0
        for name, quota in quotas.items():
            for row in rows[start : start + quota]:
                splits[row] = name
            start += quota
    return splits
