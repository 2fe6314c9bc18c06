"""One exception hierarchy: every message says what was expected, what was found, and the fix."""


class InsightError(Exception):
    """Base of every error `insight` raises on purpose; the CLI prints it as one line."""


class InputError(InsightError, ValueError):
    """Bad user input: a file, a column, a row or a value that cannot be used as given."""


class LabelError(InputError):
    """A labeled file whose labels cannot be learned (too few examples, unknown values)."""


class ModelError(InsightError):
    """A model directory that is missing, tampered with, or made by an incompatible version."""


class NotFittedError(InsightError, AttributeError):
    """A model used before `fit`; subclasses AttributeError as scikit-learn's does."""
