"""scikit-learn's estimator API (`get_params`, `set_params`, tags) without importing it.

Importing `sklearn.base` takes over a second on this machine (it imports scipy.stats and
pandas), longer than tagging several thousand comments, and every command that only
predicts (`insight tag`, `classify`, `serve`) would pay it at start-up. scikit-learn's own
tools duck-type estimators: `clone`, grid search and pipelines need `get_params` and
`set_params` with these semantics (parameters are the ``__init__`` arguments, stored as
given; nested ones are addressed as ``step__param``), and `get_tags` needs
``__sklearn_tags__``. This base gives exactly that, and imports scikit-learn only when
scikit-learn itself asks for tags. `tests/test_estimator.py` checks it against
`sklearn.base.BaseEstimator` on the same classes.

>>> class Scaler(Estimator):
...     def __init__(self, factor: float = 1.0) -> None:
...         self.factor = factor
>>> Scaler(factor=2.0).get_params()
{'factor': 2.0}
>>> Scaler(factor=2.0)
Scaler(factor=2.0)
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from typing import Any


class Estimator:
    """Parameters are the ``__init__`` arguments, stored as given; see the module docstring."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        if cls.__init__ is object.__init__:
            return []
        names = []
        for parameter in inspect.signature(cls.__init__).parameters.values():
            if parameter.name == "self" or parameter.kind == parameter.VAR_KEYWORD:
                continue
            if parameter.kind == parameter.VAR_POSITIONAL:
                raise RuntimeError(
                    f"{cls.__name__}.__init__ takes *args; estimator parameters must be "
                    "named in the signature (scikit-learn convention)"
                )
            names.append(parameter.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters, with ``name__param`` entries for nested estimators when `deep`."""
        params: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params: Any) -> Estimator:
        """Set parameters (``name__param`` reaches into a nested estimator); returns self."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = defaultdict(dict)
        for key, value in params.items():
            name, nested_key, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; valid parameters "
                    f"are {self._get_param_names()}"
                )
            if nested_key:
                nested[name][sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        """The class and the parameters that differ from their defaults, as scikit-learn does."""
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params(deep=False).items()
            if not _same(value, defaults.get(name, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's default tags; asked for only by scikit-learn, so imported here."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))


def _same(value: object, default: object) -> bool:
    try:
        return bool(value is default or value == default)
    except Exception:  # arrays and the like compare element-wise: treat as changed
        return False
