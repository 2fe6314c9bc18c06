"""Save and load a model directory: plain arrays and JSON, a model card, and checksums.

A model is a directory of three files:

- ``weights.npz``: NumPy arrays (weights, intercepts, thresholds, IDF), read with
  ``allow_pickle=False``;
- ``vocabulary.json``: the word and character n-gram vocabularies;
- ``card.json``: the model card (format version, labels, polarity values, thresholds,
  parameters, training-data sha256 and row count, library versions, seed,
  cross-validated and held-out metrics, created-at) and the sha256 of the two files above.

Nothing in it is a pickle, so loading a model cannot run code; the checksums make a
changed file fail loudly instead of tagging with corrupted weights.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from insight import __version__
from insight.errors import ModelError
from insight.tagger import Tagger

FORMAT_VERSION = 2
CARD = "card.json"
WEIGHTS = "weights.npz"
VOCABULARY = "vocabulary.json"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pymorphy3", "PyStemmer", "spacy-lookups-data")


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "insight": __version__}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def save_model(
    tagger: Tagger,
    directory: str | Path,
    *,
    training: dict[str, Any] | None = None,
    heldout_metrics: dict[str, Any] | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write `tagger` to `directory` atomically and return its card.

    The files are written to a temporary sibling directory that is renamed into place
    only when complete, so a crash never leaves a half-written model; an existing
    directory is replaced only with ``force=True``.
    """
    tagger._check_fitted()
    target = Path(directory)
    if target.exists() and not force:
        raise ModelError(
            f"{target} already exists; choose another --out or pass --force to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        vectorizer = tagger.vectorizer_
        polarity = {}
        for j, label in enumerate(tagger.labels_):
            if label in tagger.polarity_coef_:
                polarity[f"polarity_coef_{j}"] = tagger.polarity_coef_[label]
                polarity[f"polarity_intercept_{j}"] = tagger.polarity_intercept_[label]
                polarity[f"polarity_prior_{j}"] = tagger.polarity_prior_[label]
                polarity[f"polarity_alpha_{j}"] = np.array([tagger.polarity_alpha_[label]])
        arrays: dict[str, np.ndarray] = {
            "coef": tagger.coef_,
            "intercept": tagger.intercept_,
            "thresholds": tagger.thresholds_,
            "idf": vectorizer.idf_,
            **polarity,
        }
        np.savez_compressed(staging / WEIGHTS, allow_pickle=False, **arrays)
        vocabulary = {
            "words": list(vectorizer.vocabulary_),
            "chars": list(vectorizer.char_vocabulary_),
            "cues": {label: sorted(tagger.cues_[label]) for label in tagger.labels_},
        }
        (staging / VOCABULARY).write_text(
            json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8"
        )
        card = {
            "format_version": FORMAT_VERSION,
            "insight_version": __version__,
            "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "labels": tagger.labels_,
            "polarities": tagger.polarities_,
            "thresholds": {
                label: round(float(t), 4)
                for label, t in zip(tagger.labels_, tagger.thresholds_, strict=True)
            },
            "params": _json_params(tagger),
            "random_seed": tagger.random_state,
            "training": {"rows": tagger.n_train_, **(training or {})},
            "cv_metrics": tagger.cv_metrics_,
            "heldout_metrics": heldout_metrics,
            "library_versions": library_versions(),
            "files": {name: sha256_file(staging / name) for name in (WEIGHTS, VOCABULARY)},
        }
        (staging / CARD).write_text(
            json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        _replace_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    tagger.card_ = card
    return card


def _replace_directory(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    retired = target.with_name(f".{target.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def _json_params(tagger: Tagger) -> dict[str, Any]:
    params = tagger.get_params()
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def read_card(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / CARD
    if not path.is_file():
        raise ModelError(
            f"{directory} is not a model directory (no {CARD}); train one with `insight train` "
            "or point --model at an existing one"
        )
    try:
        card: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelError(
            f"{path} is not valid JSON ({error}); the model is damaged, retrain it"
        ) from error
    return card


def load_model(directory: str | Path | None = None) -> Tagger:
    """Load a model directory (the default model when None), verifying format and checksums."""
    directory = Path(directory) if directory is not None else default_model_dir()
    card = read_card(directory)
    version = card.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{directory} has model format {version!r}; this insight {__version__} reads format "
            f"{FORMAT_VERSION}: retrain the model with this version"
        )
    if _version_tuple(str(card.get("insight_version", "0"))) > _version_tuple(__version__):
        raise ModelError(
            f"{directory} was made by insight {card.get('insight_version')}, newer than this "
            f"{__version__}: upgrade insight to load it"
        )
    for name, expected in card.get("files", {}).items():
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{path} is missing; the model directory is incomplete, retrain it")
        if sha256_file(path) != expected:
            raise ModelError(
                f"{path} does not match the checksum in {CARD}: the file was changed after the "
                "model was saved; restore it or retrain"
            )
    if set(card.get("files", {})) != {WEIGHTS, VOCABULARY}:
        raise ModelError(
            f"{directory / CARD} does not list checksums for {WEIGHTS} and {VOCABULARY}"
        )
    return _restore(directory, card)


def _restore(directory: Path, card: dict[str, Any]) -> Tagger:
    params = dict(card["params"])
    params.setdefault("nb_smoothing", None)  # models saved before the scaling existed
    params.setdefault("polarity_char_weight", None)  # ... and before its own character weight
    params.setdefault("clause_weight", 0.0)  # ... and before detection read the best clause
    params.setdefault("mixed_needs_two_clauses", False)  # ... and before one clause, one polarity
    params.setdefault("fold_diacritics", False)  # ... and before Polish letters were folded
    for key in ("word_ngram_range", "char_ngram_range"):
        params[key] = tuple(params[key])
    if params.get("labels") is not None:
        params["labels"] = list(params["labels"])
    tagger = Tagger(**params)
    with np.load(directory / WEIGHTS, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    coef, intercept, thresholds, idf = (
        stored["coef"],
        stored["intercept"],
        stored["thresholds"],
        stored["idf"],
    )
    vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
    tagger.vectorizer_ = tagger.new_vectorizer().restore(
        vocabulary["words"], vocabulary["chars"], idf
    )
    labels = list(card["labels"])
    tagger.labels_ = labels
    tagger.polarities_ = {label: list(card["polarities"][label]) for label in labels}
    damaged = ModelError(
        f"{directory}: weights do not fit the card's labels; the model is damaged, retrain it"
    )
    if (
        coef.shape != (len(idf), len(labels))
        or intercept.shape != (len(labels),)
        or len(thresholds) != len(labels)
    ):
        raise damaged
    tagger.polarity_coef_, tagger.polarity_intercept_ = {}, {}
    tagger.polarity_prior_, tagger.polarity_alpha_ = {}, {}
    for j, label in enumerate(labels):
        classes = tagger.polarities_[label]
        if len(classes) < 2:
            continue
        weights = stored.get(f"polarity_coef_{j}")
        bias = stored.get(f"polarity_intercept_{j}")
        prior = stored.get(f"polarity_prior_{j}")
        alpha = stored.get(f"polarity_alpha_{j}")
        if (
            weights is None
            or bias is None
            or prior is None
            or alpha is None
            or weights.shape != (2 * len(idf), len(classes))
            or bias.shape != (len(classes),)
            or prior.shape != (4, len(classes))
        ):
            raise damaged
        # Row-major, as `fit` makes it: scipy copies a column-major right operand on
        # every sparse product (files saved before that was so are column-major).
        weights = np.ascontiguousarray(weights)
        tagger.polarity_coef_[label], tagger.polarity_intercept_[label] = weights, bias
        tagger.polarity_prior_[label], tagger.polarity_alpha_[label] = prior, float(alpha[0])
    tagger.cues_ = {label: frozenset(vocabulary["cues"][label]) for label in labels}
    tagger._cue_cache = {}
    tagger._cue_weight_cache = None
    tagger.coef_ = coef
    tagger.intercept_ = intercept
    tagger.thresholds_ = thresholds
    tagger.n_train_ = int(card["training"]["rows"])
    tagger.cv_metrics_ = card.get("cv_metrics", {})
    tagger.card_ = card
    return tagger


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def default_model_dir() -> Path:
    """`INSIGHT_MODEL` when set, else the default model shipped in the repository."""
    configured = os.environ.get("INSIGHT_MODEL")
    return Path(configured) if configured else DEFAULT_MODEL_DIR
