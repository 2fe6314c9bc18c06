"""One rule for reading a 0-10 answer and its NPS group, shared by the tagger's score prior,
`insight tag`'s `nps_group` column and the report (`insight.scores.parse_scores`).

>>> [nps_score(v) for v in (9, " 7,0 ", "7.5", True, "", 11)]
[9.0, 7.0, None, None, None, None]
"""

from __future__ import annotations

import math
from functools import lru_cache

SCORE_TOLERANCE = 1e-9
"""How far (in steps of the scale, per step count) a number may sit from a whole score and
still be read as it: spreadsheets write 8 as 7.999999999999999."""


def nps_score(value: object) -> float | None:
    """The 0-10 answer in a cell: a whole number given as a number or as text (" 9", "7,0").

    Anything else is no score: 7.5 is not on the scale, and True is not a number a survey
    tool writes."""
    if isinstance(value, str):
        return _text_score(value)
    if value is None or isinstance(value, bool):
        return None
    return _number_score(value)


@lru_cache(maxsize=4096)
def _text_score(text: str) -> float | None:
    """Cached: an export repeats a dozen distinct score cells a million times."""
    text = text.strip().replace(",", ".")
    return _number_score(text) if text else None


def _number_score(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    nearest = round(number)
    if abs(number - nearest) > SCORE_TOLERANCE * 11 or not 0 <= nearest <= 10:
        return None
    return float(nearest)


def nps_group(score: float) -> str:
    """detractor (0-6), passive (7-8) or promoter (9-10) for a score `nps_score` accepted."""
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
