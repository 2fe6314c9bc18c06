"""Build `data/examples/nps_export.csv`, the sample survey export used by the demo and tests.

The comments were written by hand for one fictional company (Nordlink, a mobile and
home-internet provider) in theme pools (`data/examples/sources/nordlink_comments.jsonl`).
This script gives each comment a respondent: a date, a channel, a region and a plan, so
that a few patterns are planted where a good report must find them (documented in
`data/README.md`). Deterministic: the same pools and seed give the same file.

    python -m training.make_export
"""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "examples" / "sources" / "nordlink_comments.jsonl"
OUT = ROOT / "data" / "examples" / "nps_export.csv"
SEED = 2026
ROWS = 3_000
START = datetime(2026, 5, 1)
END = datetime(2026, 11, 1)
PRICE_RISE = datetime(2026, 8, 1)
OUTSOURCING = datetime(2026, 9, 1)
MALFORMED_SCORES = [
    "",
    "n/a",
    "11",
    "7.5",
    "ten",
    "-1",
    "9/10",
    "",
    "N/A",
    "12",
    "",
    "10 ",
    "five",
    "",
    "?",
]


def _when(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    moment = start + timedelta(seconds=rng.random() * span)
    return moment.replace(
        hour=rng.choice([8, 9, 11, 12, 13, 17, 18, 19, 20, 21, 22]), microsecond=0
    )


def _price_rise_date(rng: random.Random) -> datetime:
    month = rng.choices([8, 9, 10], weights=[60, 25, 15])[0]
    start = datetime(2026, month, 1)
    return _when(rng, start, datetime(2026, month + 1, 1))


def _region(rng: random.Random, lang: str, theme: str) -> str:
    if theme == "call_centre":
        return "Kazakhstan"
    if lang == "pl":
        return "Poland"
    if lang == "ru":
        return rng.choices(["Baltics", "Kazakhstan"], weights=[45, 55])[0]
    return rng.choices(["UK", "Baltics"], weights=[80, 20])[0]


def _respondent(rng: random.Random, item: dict[str, object]) -> dict[str, object]:
    theme, lang = str(item["theme"]), str(item["lang"])
    plan = rng.choices(["Basic", "Plus", "Premium"], weights=[35, 45, 20])[0]
    channel = rng.choices(["app", "web", "store", "call_centre"], weights=[35, 30, 15, 20])[0]
    when = _when(rng, START, END)
    if theme == "price_increase":
        plan = rng.choices(["Plus", "Basic"], weights=[80, 20])[0]
        when = _price_rise_date(rng)
    elif theme == "app_convenience":
        channel = "app"
    elif theme == "store_service":
        channel = "store"
    elif theme == "call_centre":
        channel, when = "call_centre", _when(rng, OUTSOURCING, END)
    return {
        "when": when,
        "channel": channel,
        "plan": plan,
        "region": _region(rng, lang, theme),
        "score": item["score"],
        "comment": item["text"],
    }


def build(rng: random.Random) -> list[dict[str, str]]:
    items = [
        json.loads(line)
        for line in SOURCES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    people = [_respondent(rng, item) for item in items]
    while len(people) < ROWS:  # respondents who left the comment box empty
        blank = _respondent(
            rng,
            {
                "theme": "general",
                "lang": rng.choice(["en", "en", "ru", "pl"]),
                "score": rng.choices(range(11), weights=[3, 2, 2, 3, 3, 5, 6, 10, 14, 18, 20])[0],
                "text": "",
            },
        )
        blank["comment"] = rng.choice(["", "", "", " "])
        people.append(blank)
    people.sort(key=lambda p: p["when"])  # type: ignore[arg-type,return-value]
    for index in rng.sample(range(len(people)), len(MALFORMED_SCORES)):
        people[index]["score"] = MALFORMED_SCORES.pop()
    ids = rng.sample(range(10_000, 9_999_999), len(people))
    return [
        {
            "response_id": f"{ids[i]:07d}",
            "submitted_at": p["when"].strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[attr-defined]
            "score": str(p["score"]),
            "comment": str(p["comment"]),
            "channel": str(p["channel"]),
            "region": str(p["region"]),
            "plan": str(p["plan"]),
        }
        for i, p in enumerate(people)
    ]


def main() -> int:
    rows = build(random.Random(SEED))
    with open(OUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
