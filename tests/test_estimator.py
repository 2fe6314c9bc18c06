"""`Estimator` behaves as scikit-learn's BaseEstimator wherever scikit-learn looks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import ParameterGrid
from sklearn.utils import get_tags

from insight.estimator import Estimator
from insight.features import CommentVectorizer
from insight.tagger import Tagger


class Inner(Estimator):
    def __init__(self, alpha: float = 1.0, names: tuple[str, ...] = ("a",)) -> None:
        self.alpha = alpha
        self.names = names


class Outer(Estimator):
    def __init__(self, inner: Inner | None = None, beta: int = 3) -> None:
        self.inner = inner
        self.beta = beta


class InnerReference(BaseEstimator):
    def __init__(self, alpha: float = 1.0, names: tuple[str, ...] = ("a",)) -> None:
        self.alpha = alpha
        self.names = names


class OuterReference(BaseEstimator):
    def __init__(self, inner: InnerReference | None = None, beta: int = 3) -> None:
        self.inner = inner
        self.beta = beta


@pytest.mark.parametrize("deep", [True, False])
def test_get_params_matches_scikit_learn(deep: bool) -> None:
    ours = Outer(inner=Inner(alpha=2.0), beta=5).get_params(deep=deep)
    reference = OuterReference(inner=InnerReference(alpha=2.0), beta=5).get_params(deep=deep)
    assert {k: v for k, v in ours.items() if k != "inner"} == {
        k: v for k, v in reference.items() if k != "inner"
    }
    assert ours.keys() == reference.keys()


def test_set_params_reaches_nested_estimators() -> None:
    outer = Outer(inner=Inner())
    assert outer.set_params(beta=7, inner__alpha=0.5) is outer
    assert (outer.beta, outer.inner.alpha) == (7, 0.5)  # type: ignore[union-attr]


def test_set_params_refuses_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="invalid parameter 'gamma' for Outer"):
        Outer().set_params(gamma=1)


def test_clone_builds_an_unfitted_copy_with_the_same_parameters() -> None:
    original = Outer(inner=Inner(alpha=2.0), beta=4)
    original.fitted_ = True
    copy = clone(original)
    assert copy is not original and copy.inner is not original.inner
    assert copy.get_params(deep=True).keys() == original.get_params(deep=True).keys()
    assert (copy.beta, copy.inner.alpha) == (4, 2.0)
    assert not hasattr(copy, "fitted_")


def test_parameter_grid_can_set_every_combination() -> None:
    grid = ParameterGrid({"C": [1.0, 2.0], "min_df": [1, 2]})
    taggers = [clone(Tagger()).set_params(**params) for params in grid]
    assert sorted((t.C, t.min_df) for t in taggers) == [(1.0, 1), (1.0, 2), (2.0, 1), (2.0, 2)]


def test_repr_shows_the_parameters_changed_from_their_defaults() -> None:
    assert repr(Tagger(C=2.0, labels=["price"])) == "Tagger(C=2.0, labels=['price'])"
    assert repr(CommentVectorizer()) == "CommentVectorizer()"


def test_scikit_learn_reads_the_tags() -> None:
    assert get_tags(Tagger()).input_tags.string
    assert get_tags(CommentVectorizer()).transformer_tags is not None


def test_a_varargs_init_is_refused_with_the_reason() -> None:
    class Loose(Estimator):
        def __init__(self, *values: int) -> None:
            self.values = values

    with pytest.raises(RuntimeError, match=r"\*args"):
        Loose().get_params()


def test_predicting_never_imports_scikit_learn() -> None:
    """Start-up time of `insight tag`, `classify` and `serve`: the import costs a second."""
    code = (
        "import sys\n"
        "from insight.persistence import load_model\n"
        "import insight.batch, insight.cli\n"
        "load_model().predict(['Fast delivery, rude courier.', 'Дорого.', 'Drogo, ale warto.'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'pandas'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
