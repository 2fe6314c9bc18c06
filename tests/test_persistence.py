from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from insight.errors import ModelError
from insight.persistence import CARD, WEIGHTS, load_model, save_model
from insight.tagger import Tagger

SAMPLES = ["Too expensive and rude staff", "cheap", "Helpful people", "ok", "Дорого"]


def test_round_trip_gives_identical_predictions(tiny_tagger: Tagger, tmp_path: Path) -> None:
    save_model(tiny_tagger, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.get_params() == tiny_tagger.get_params()
    np.testing.assert_allclose(
        loaded.predict_proba(SAMPLES), tiny_tagger.predict_proba(SAMPLES), atol=1e-6
    )
    assert [r.polarities for r in loaded.predict(SAMPLES)] == [
        r.polarities for r in tiny_tagger.predict(SAMPLES)
    ]


def test_card_records_what_a_reader_needs(tiny_tagger: Tagger, tmp_path: Path) -> None:
    card = save_model(tiny_tagger, tmp_path / "m", training={"sha256": "abc"})
    for key in (
        "format_version",
        "labels",
        "polarities",
        "thresholds",
        "library_versions",
        "random_seed",
        "cv_metrics",
        "created_at",
        "files",
        "training",
    ):
        assert key in card
    assert card["training"]["sha256"] == "abc"
    assert json.loads((tmp_path / "m" / CARD).read_text()) == card


def test_refuses_to_overwrite_without_force(tiny_tagger: Tagger, tmp_path: Path) -> None:
    save_model(tiny_tagger, tmp_path / "m")
    with pytest.raises(ModelError, match="already exists"):
        save_model(tiny_tagger, tmp_path / "m")
    save_model(tiny_tagger, tmp_path / "m", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_tampered_weights_are_refused(tiny_tagger: Tagger, tmp_path: Path) -> None:
    save_model(tiny_tagger, tmp_path / "m")
    weights = tmp_path / "m" / WEIGHTS
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="does not match the checksum"):
        load_model(tmp_path / "m")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("format_version", 99, "model format 99"), ("insight_version", "99.0.0", "newer than this")],
)
def test_incompatible_versions_are_refused(
    tiny_tagger: Tagger, tmp_path: Path, field: str, value: object, message: str
) -> None:
    save_model(tiny_tagger, tmp_path / "m")
    card_path = tmp_path / "m" / CARD
    card = json.loads(card_path.read_text())
    card[field] = value
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match=message):
        load_model(tmp_path / "m")


def test_a_model_saved_before_the_clause_rules_predicts_as_it_did(
    tiny_tagger: Tagger, tmp_path: Path
) -> None:
    save_model(tiny_tagger, tmp_path / "m")
    card_path = tmp_path / "m" / CARD
    card = json.loads(card_path.read_text())
    for name in ("clause_weight", "mixed_needs_two_clauses", "fold_diacritics"):
        del card["params"][name]
    card_path.write_text(json.dumps(card))
    loaded = load_model(tmp_path / "m")
    assert loaded.clause_weight == 0.0
    assert loaded.mixed_needs_two_clauses is False
    assert loaded.fold_diacritics is False
    assert loaded.vectorizer_.fold_diacritics is False


def test_not_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model directory"):
        load_model(tmp_path)


def test_failed_save_leaves_nothing_behind(
    tiny_tagger: Tagger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("insight.persistence.sha256_file", boom)
    with pytest.raises(RuntimeError):
        save_model(tiny_tagger, tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
