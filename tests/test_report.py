"""The report layer: PII masking, quotes, phrases, JSON, self-contained HTML, the sample export."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from insight.batch import tag_dataframe
from insight.errors import InputError
from insight.report import (
    Report,
    build_report,
    mask_pii,
    ngrams,
    render_html,
    report_from_file,
    run_report_command,
    tag_columns,
    write_report,
)
from insight.tagger import Tagger

ROOT = Path(__file__).parent.parent
EXPORT = ROOT / "data" / "examples" / "nps_export.csv"


def _frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(comment, score, price polarity, price probability) rows as a tagged frame."""
    return pd.DataFrame(rows, columns=["comment", "score", "price", "price_probability"])


def _report(frame: pd.DataFrame, **kwargs: Any) -> Report:
    return build_report(
        frame, text_column="comment", score_column="score", labels=["price"], **kwargs
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write me at ann.lee+cx@mail.example.co.uk", "write me at [email]"),
        ("Позвоните +7 (701) 234-56-78", "Позвоните [phone]"),
        ("tel. 0044 20 7946 0958 please", "tel. [phone] please"),
        ("zadzwoń 601 234 567", "zadzwoń [phone]"),
        ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("4111111111111111", "[card]"),
        ("amex 3782 822463 10005", "amex [card]"),
        ("paid 49.99 on 2026-08-01 for 3 months", "paid 49.99 on 2026-08-01 for 3 months"),
        ("order 123456", "order 123456"),
        ("", ""),
    ],
)
def test_mask_pii(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


def test_ngrams_skip_stop_words_masks_and_repeats() -> None:
    assert ngrams("The price is 20 EUR, the PRICE!") == ["price", "the price", "price is", "eur"]
    assert ngrams("и это всё") == []


def test_phrases_find_a_planted_phrase() -> None:
    planted = [
        (f"the monthly fee went up again, case {i}", "2", "negative", "0.9") for i in range(8)
    ]
    other = [(f"nice shop and friendly people, case {i}", "9", "", "0.1") for i in range(30)]
    report = _report(_frame(planted + other))
    phrases = [p.phrase for p in report.phrases[("price", "negative")]]
    assert "monthly fee" in phrases
    assert not {"the", "case", "nice", "people"} & set(phrases)


def test_quotes_are_diverse_masked_and_most_probable_first() -> None:
    rows = [
        ("Too expensive for what it is, call me on +44 7700 900123", "3", "negative", "0.99"),
        ("Too expensive for what it is, call me on +44 7700 900123", "3", "negative", "0.98"),
        ("Too expensive for what it is, call me on +44 7700 900124!", "4", "negative", "0.97"),
        ("The bill doubled after the upgrade", "2", "negative", "0.50"),
        ("Mail ann@example.com, nobody explains the new price", "1", "negative", "0.40"),
        ("Cheap enough", "9", "positive", "0.80"),
        ("", "0", "negative", "0.99"),
    ]
    quotes = _report(_frame(rows)).quotes[("price", "negative")]
    assert [q.text for q in quotes] == [
        "Too expensive for what it is, call me on [phone]",
        "The bill doubled after the upgrade",
        "Mail [email], nobody explains the new price",
    ]
    assert [q.score for q in quotes] == ["3", "2", "1"]
    assert _report(_frame(rows)).quotes[("price", "positive")][0].text == "Cheap enough"


def test_json_has_the_documented_keys() -> None:
    rows = [("too pricey", "3", "negative", "0.9"), ("fine", "10", "", "0.1")] * 20
    frame = _frame(rows).assign(
        date=["2026-05-03"] * 20 + ["2026-06-03"] * 20, channel=["app", "web"] * 20
    )
    data = _report(frame, date_column="date", segment_columns=["channel"]).to_dict()
    json.dumps(data, allow_nan=False)
    assert {"overall", "labels", "trends", "segments", "quotes", "phrases", "meta"} <= set(data)
    assert {"n", "scale", "score", "ci"} <= set(data["overall"])
    assert data["overall"]["score"] == 0.0
    keys = {"label", "polarity", "mentions", "share", "score", "impact", "impact_ci", "shapley"}
    assert all(keys <= set(row) for row in data["labels"])
    assert [(r["label"], r["polarity"]) for r in data["labels"]] == [
        ("price", None),
        ("price", "negative"),
    ]
    assert data["trends"]["polarities"][0]["polarity"] == "negative"
    assert {c["value"] for c in data["segments"][0]["polarities"]} == {"app", "web"}
    assert data["meta"]["date_range"] == ["2026-05-03", "2026-06-03"]
    without = _report(frame).to_dict()
    assert "trends" not in without and "segments" not in without


def test_html_is_self_contained_escaped_and_shows_the_score() -> None:
    rows = [("<script>alert(1)</script> way too expensive", "2", "negative", "0.9")] * 3
    rows += [("great http://example.com value", "10", "", "0.1")] * 3
    frame = _frame(rows).assign(date=["2026-05-01", "2026-06-01"] * 3, region=["<b>x</b>"] * 6)
    report = _report(frame, date_column="date", segment_columns=["region"])
    page = render_html(report)
    for external in ("http://", "https://", "<script", "<link", "<img", "url("):
        assert external not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert f">{report.to_dict()['overall']['score']:.1f}<" in page


def test_write_report_is_atomic_and_replaces(tmp_path: Path) -> None:
    report = _report(_frame([("pricey", "3", "negative", "0.9")]))
    html_path, json_path = tmp_path / "r.html", tmp_path / "r.json"
    html_path.write_text("old", encoding="utf-8")
    write_report(report, html_path, json_path)
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(json_path.read_text(encoding="utf-8"))["overall"]["n"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]


def test_build_report_names_a_missing_column() -> None:
    with pytest.raises(InputError, match="'region'"):
        _report(_frame([("x", "1", "", "")]), segment_columns=["region"])


# --------------------------------------------------------------------------- the sample export


@pytest.fixture(scope="module")
def tagged_export(default_tagger: Tagger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample export tagged once with the default model, written as `insight tag` does."""
    frame = pd.read_csv(EXPORT, dtype=str, keep_default_na=False)
    tagged = tag_dataframe(
        frame, text_column="comment", score_column="score", tagger=default_tagger
    )
    path = tmp_path_factory.mktemp("report") / "nps_export.tagged.csv"
    tagged.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def export_report(tagged_export: Path) -> dict[str, Any]:
    report = report_from_file(tagged_export, segment_columns=("channel", "region"))
    return report.to_dict()


def _shares(table: list[dict[str, Any]], key: str, label: str, polarity: str) -> dict[str, Any]:
    return {c[key]: c for c in table if c["label"] == label and c["polarity"] == polarity}


def test_export_report_finds_the_price_rise(export_report: dict[str, Any]) -> None:
    assert export_report["meta"]["date_column"] == "submitted_at"
    shares = _shares(export_report["trends"]["polarities"], "period", "price", "negative")
    before = max(shares[m]["share"] for m in ("2026-05", "2026-06", "2026-07"))
    assert shares["2026-08"]["share"] > 2 * before
    assert shares["2026-08"]["significant"]
    price = next(
        s for s in export_report["labels"] if (s["label"], s["polarity"]) == ("price", "negative")
    )
    assert price["impact"] < 0 and price["impact_ci"][1] < 0
    phrases = next(
        p for p in export_report["phrases"] if (p["label"], p["polarity"]) == ("price", "negative")
    )
    assert "price rise" in [p["phrase"] for p in phrases["phrases"]]


def test_export_report_finds_the_app_redesign(export_report: dict[str, Any]) -> None:
    channel = next(t for t in export_report["segments"] if t["column"] == "channel")
    shares = _shares(channel["polarities"], "value", "convenience", "negative")
    assert max(shares, key=lambda v: shares[v]["share"]) == "app"
    assert shares["app"]["significant"] and shares["app"]["change"] > 0


def test_export_report_finds_the_kazakh_call_centre(tagged_export: Path) -> None:
    frame = pd.read_csv(tagged_export, dtype=str, keep_default_na=False)
    kazakhstan = frame[frame["region"] == "Kazakhstan"]
    report = build_report(
        kazakhstan,
        text_column="comment",
        score_column="score",
        labels=tag_columns(list(frame.columns)),
        date_column="submitted_at",
    ).to_dict()
    shares = _shares(report["trends"]["polarities"], "period", "service", "negative")

    def share(months: tuple[str, ...]) -> float:
        return sum(shares[m]["mentions"] for m in months) / sum(shares[m]["n"] for m in months)

    before = share(("2026-05", "2026-06", "2026-07", "2026-08"))
    assert share(("2026-09", "2026-10")) > 2 * before


def test_export_report_html_and_command(
    tagged_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(
        input=str(tagged_export),
        output=str(tmp_path / "out.html"),
        json=str(tmp_path / "out.json"),
        scale="nps",
        date_col=None,
        period="month",
        segment_col=["channel", "region", "plan"],
        model=None,
        text_col=None,
        score_col=None,
    )
    assert run_report_command(args) == 0
    summary = capsys.readouterr().out
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    score = data["overall"]["score"]
    assert f"NPS {score:.1f}".replace("-", "−") in summary and "price" in summary
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert f"{score:.1f}".replace("-", "−") in page and "By region" in page
    assert "http://" not in page and "https://" not in page
    assert len(page) < 300_000


def test_report_from_a_raw_export_tags_it_first(tmp_path: Path) -> None:
    raw = tmp_path / "raw.csv"
    raw.write_text(
        "Дата;Оценка;Комментарий\n2026-05-01;2;Очень дорого\n2026-05-02;10;Всё отлично\n",
        encoding="cp1251",
    )
    report = report_from_file(raw)
    assert report.meta["date_column"] == "Дата" and report.meta["model_version"]
    assert report.meta["labels"] == ["quality", "service", "convenience", "price", "emotion"]
    assert report.to_dict()["overall"]["n"] == 2
