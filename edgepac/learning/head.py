"""What every head is, whatever its maths: a scikit-learn style estimator on activations.

    head = DenseHead(epochs=40)           # hyperparameters only: nothing checked, nothing learned
    head.fit(X, y, class_names=[...])     # checks the hyperparameters and the data, then learns
    head.predict_proba(x)                 # (k,) for one frame, (n, k) for a batch
    head.predict(x)                       # the most likely class name(s)
    head.save(path, identity)             # atomic, stamped with the backbone

Hyperparameters are the constructor's arguments, kept as attributes of the same names
(``get_params`` reads them from the signature); each head declares their ``limits`` once, and
the config reads its keys' limits from there. Learned state ends in ``_`` and exists only after
a successful ``fit``. Loading a saved head needs the registry of kinds (``heads.py``).
"""

from __future__ import annotations

import inspect
import json
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.learning import files
from edgepac.learning.files import Identity

Callback = Callable[[int, int, float], object]

FORMAT_VERSION = 1
KIND = "edgepac-head"
NOT_TRAINED = "the head is not trained yet: record samples and press TRAIN"


@dataclass(frozen=True)
class Limit:
    """What one hyperparameter may be: a whole number, a number, true/false or a choice, with
    inclusive bounds. The config's key for it reads the same bounds (``spec``)."""

    kind: type  # int, float, bool or str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: object) -> Any:
        """``value`` as its kind (numpy scalars become Python ones), or an error naming ``name``."""
        if self.kind is bool:
            if not isinstance(value, bool | np.bool_):
                raise EdgePacError(f"{name} must be true or false, got {value!r}")
            return bool(value)
        if self.kind is str:
            if value not in self.choices:
                raise EdgePacError(f"{name} must be one of {self.choices}, got {value!r}")
            return str(value)
        whole = self.kind is int
        number = isinstance(value, int | np.integer) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not number or not math.isfinite(float(value)):  # type: ignore[arg-type]
            ok = False
        else:
            v = float(value)  # type: ignore[arg-type]
            ok = (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi)
        if not ok:
            what = "a whole number" if whole else "a number"
            bounds = f">= {self.lo:g}" if self.hi is None else f"from {self.lo:g} to {self.hi:g}"
            raise EdgePacError(f"{name} must be {what} {bounds}, got {value!r}")
        return int(value) if whole else float(value)  # type: ignore[arg-type]

    def spec(self) -> dict[str, Any]:
        """The config key's bounds or choices (``edgepac.settings.key``'s keywords)."""
        if self.kind is str:
            return {"choices": self.choices}
        return {name: v for name, v in (("lo", self.lo), ("hi", self.hi)) if v is not None}


class Head(ABC):
    """The part of a head that is not its maths: parameters, checks, predict and save."""

    kind: ClassVar[str]
    limits: ClassVar[dict[str, Limit]]

    # -- hyperparameters -----------------------------------------------------------------------

    @classmethod
    def param_names(cls) -> list[str]:
        return [n for n in inspect.signature(cls.__init__).parameters if n != "self"]

    def get_params(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.param_names()}

    def set_params(self, **params: object) -> Head:
        """Change hyperparameters, e.g. ``warm_start=True`` (checked by the next ``fit``)."""
        unknown = sorted(set(params) - set(self.param_names()))
        if unknown:
            allowed = ", ".join(self.param_names())
            raise EdgePacError(f"a {self.kind} head has no {unknown[0]}; it takes: {allowed}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def check_params(self) -> Head:
        """Check every hyperparameter against ``limits`` (``fit`` does this first)."""
        for name in self.param_names():
            setattr(self, name, self.limits[name].check(name, getattr(self, name)))
        return self

    # -- learning and predicting -------------------------------------------------------------

    @abstractmethod
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        class_names: Sequence[str] | None = None,
        callback: Callback | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> Head: ...

    @abstractmethod
    def predict_proba(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray: ...

    def predict(self, x: np.ndarray) -> np.ndarray | str:
        """The most likely class name: one str for one frame, an array of names for a batch."""
        return most_likely(self.classes_, self.predict_proba(x))

    @property
    def fitted(self) -> bool:
        return hasattr(self, "classes_")

    def check_fitted(self) -> None:
        if not self.fitted:
            raise EdgePacError(NOT_TRAINED)

    def is_one_frame(self, x: np.ndarray) -> bool:
        """True for one frame, False for a batch; an error for activations of another shape."""
        self.check_fitted()
        if x.shape == self.feature_shape_ or x.shape == (self.n_features_in_,):
            return True
        if x.ndim < 2 or x[0].size != self.n_features_in_:
            raise EdgePacError(
                f"activations of shape {x.shape[1:] if x.ndim > 1 else x.shape} do not fit this "
                f"head, trained on {self.feature_shape_}: use the backbone it was trained with"
            )
        return False

    # -- files ----------------------------------------------------------------------------------

    @abstractmethod
    def state(self) -> dict[str, np.ndarray]:
        """The learned arrays, as saved."""

    @abstractmethod
    def set_state(self, state: dict[str, np.ndarray], class_names: list[str]) -> None:
        """Take learned arrays back (ValueError if they do not fit together)."""

    def save(self, path: str | os.PathLike[str], identity: Identity) -> None:
        """Write the trained head atomically (the old file or the new one, never half of one),
        stamped with the backbone's identity; ``heads.load_head`` reads it back."""
        self.check_fitted()
        arrays = files.header(KIND, FORMAT_VERSION, identity)
        arrays |= {
            "head": np.array(self.kind),
            "params": np.array(json.dumps(self.get_params(), sort_keys=True)),
            "class_names": files.strings(self.classes_),
        }
        arrays |= {f"state_{name}": value for name, value in self.state().items()}
        files.write_npz(path, arrays)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


# -- what every head checks and shares ---------------------------------------------------------


def most_likely(classes: Sequence[str], proba: np.ndarray) -> np.ndarray | str:
    """Class names from probabilities: one str for (k,), an array of names for (n, k)."""
    if proba.ndim == 1:
        return classes[int(np.argmax(proba))]
    return np.array(classes)[np.argmax(proba, axis=1)]


def check_training_data(
    X: np.ndarray, y: np.ndarray, class_names: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """X as contiguous float32 (n, D), y as int (n,), and the class names; or a clear error."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 2 or len(X) == 0:
        raise EdgePacError("no samples to learn from: record some frames of each class first")
    if y.shape != (len(X),):
        raise EdgePacError(f"y must have one label per sample ({len(X)}), got shape {y.shape}")
    if class_names is None:
        class_names = [str(c) for c in range(int(y.max()) + 1)]
    names = [str(c) for c in class_names]
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= len(names):
        raise EdgePacError(f"y must be class indices 0..{len(names) - 1}, got {y.dtype} values")
    present = np.unique(y)
    if len(present) < 2:
        raise EdgePacError(
            f"only one class has samples ({names[int(present[0])]}): record at least two "
            f"classes before training"
        )
    X2 = np.ascontiguousarray(X.reshape(len(X), -1), dtype=np.float32)
    if not np.isfinite(X2).all():
        raise EdgePacError("the activations contain NaN or infinity: record the samples again")
    return X2, y.astype(np.intp), names


def check_sample_weight(sample_weight: np.ndarray | None, n: int) -> np.ndarray | None:
    """Weights as float32 (n,) scaled to mean 1 (the loss keeps its scale); None stays None."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,) or not np.isfinite(w).all() or w.min() < 0 or not w.sum() > 0:
        raise EdgePacError(
            f"sample_weight must be {n} finite numbers >= 0, not all 0; got shape {w.shape}"
        )
    return (w / w.mean()).astype(np.float32)
