"""Shared fixtures: tiny in-repo data and the models the tests need, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from insight.labeled import read_labeled
from insight.persistence import DEFAULT_MODEL_DIR, load_model
from insight.tagger import Tagger

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return DATA / "tiny_labeled.csv"


@pytest.fixture(scope="session")
def tiny_tagger(tiny_path: Path) -> Tagger:
    """A tagger fitted on 20 comments: enough for contracts, not for accuracy."""
    data = read_labeled(tiny_path)
    train = data.subset([s == "train" for s in data.splits or []])
    return Tagger(min_examples=3, cv=3, min_df=1).fit(train.texts, train.labels)


@pytest.fixture(scope="session")
def default_tagger() -> Tagger:
    return load_model(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_tagger: Tagger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny tagger saved as a model directory, for commands that load one."""
    from insight.persistence import save_model

    directory = tmp_path_factory.mktemp("models") / "tiny"
    save_model(tiny_tagger, directory)
    return directory
