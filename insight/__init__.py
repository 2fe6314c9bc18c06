"""insight: tag customer-survey comments with CX factors and link them to scores.

>>> from insight import load_model
>>> tagger = load_model()                                   # the bundled default model
>>> tagger.predict(["Fast delivery, but the courier was rude."])[0].polarities  # doctest: +SKIP
{'service': 'negative', 'convenience': 'positive'}
"""

from insight.errors import InputError, InsightError, LabelError, ModelError, NotFittedError

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "InsightError",
    "LabelError",
    "ModelError",
    "NotFittedError",
    "TagResult",
    "Tagger",
    "__version__",
    "evaluate_tags",
    "load_model",
    "save_model",
]


def __getattr__(name: str) -> object:
    """Import the heavy parts (scikit-learn, SciPy) only when they are used: the CLI starts fast."""
    if name in ("Tagger", "TagResult"):
        from insight import tagger

        return getattr(tagger, name)
    if name in ("load_model", "save_model"):
        from insight import persistence

        return getattr(persistence, name)
    if name == "evaluate_tags":
        from insight.evaluation import evaluate_tags

        return evaluate_tags
    raise AttributeError(f"module 'insight' has no attribute {name!r}")
