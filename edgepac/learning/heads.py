"""The registry of heads: making one by name, and loading a saved one (whatever its kind).

head = make_head("dense", epochs=40)     # or "knn", or make_head("dense", preset="tutorial")
head.fit(X, y, class_names=[...])
head.save(path, identity)                # atomic: the old head or the new one (head.py)
head = load_head(path, identity)         # refuses a head trained on another backbone
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.learning import files
from edgepac.learning.dense import DenseHead
from edgepac.learning.files import Identity
from edgepac.learning.head import FORMAT_VERSION, KIND, Head
from edgepac.learning.knn import KnnHead

HEADS: dict[str, type[Head]] = {"dense": DenseHead, "knn": KnnHead}


def make_head(kind: str = "dense", preset: str | None = None, **hyperparameters: Any) -> Head:
    """A new untrained head. ``preset="tutorial"`` gives the tutorial's dense recipe."""
    if kind not in HEADS:
        raise EdgePacError(f"head must be one of {sorted(HEADS)}, got {kind!r}")
    if preset is not None:
        if kind != "dense" or preset != "tutorial":
            raise EdgePacError(f"preset must be 'tutorial' for a dense head, got {preset!r}")
        return DenseHead.tutorial(**hyperparameters).check_params()
    cls = HEADS[kind]
    unknown = sorted(set(hyperparameters) - set(cls.param_names()))
    if unknown:
        allowed = ", ".join(cls.param_names())
        raise EdgePacError(f"a {kind} head has no {unknown[0]}; a {kind} head takes: {allowed}")
    # checked now, not only at fit: a command line's mistake is told before any work is done
    return cls(**hyperparameters).check_params()


def load_head(
    path: str | os.PathLike[str], identity: Identity = None, move_damaged: bool = True
) -> Head:
    """Read a saved head. A missing file, another kind of file, another backbone or a newer
    format raise :class:`EdgePacError` and leave the file alone; a damaged one is moved aside
    to ``*.corrupt`` first (the arcade's own state), unless ``move_damaged`` is False (a file a
    user gave a read-only command)."""
    try:
        return files.load_npz(
            path, "the head", KIND, FORMAT_VERSION, identity, _parse, move_damaged
        )
    except FileNotFoundError as err:
        raise EdgePacError(f"no head at {path}: train one first (edgepac train)") from err


def _parse(a: dict[str, np.ndarray], identity: dict) -> Head:
    kind = str(a["head"])
    if kind not in HEADS:
        raise ValueError(f"unknown head {kind!r}")
    head = HEADS[kind](**json.loads(str(a["params"])))
    state = {name[6:]: value for name, value in a.items() if name.startswith("state_")}
    head.set_state(state, [str(s) for s in a["class_names"]])
    return head


# How to refine a Teachable Machine model's head. TM trains it with Adam at 1e-3 (EdgePac's
# default is 1e-4, for its 12,544 inputs); from TM's weights, 10 epochs at 1e-4 barely move them
# (the demo player's poses: 0.54 of held-out frames right), 20 at 1e-3 learn them (1.0).
TM_RECIPE = {"learning_rate": 1e-3, "warm_epochs": 20}


def dense_head_from_weights(
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    class_names: list[str],
    **hyperparameters: Any,
) -> DenseHead:
    """A trained dense head made of weights learned elsewhere (a Teachable Machine model's two
    dense layers): relu(x·W1 + b1)·W2, softmax. ``hyperparameters`` are those a later warm
    ``fit`` trains with; ``units`` is W1's."""
    hyperparameters = {**hyperparameters, "units": int(W1.shape[1])}
    head = DenseHead(**hyperparameters)
    state = {
        "W1": W1,
        "b1": b1,
        "W2": W2,
        "feature_shape": np.array([W1.shape[0]], dtype=np.int64),
        "loss_curve": np.zeros(0),
    }
    try:
        head.set_state(state, list(class_names))
    except ValueError as err:
        raise EdgePacError(
            f"weights of shapes {W1.shape}, {b1.shape}, {W2.shape} do not make a head for "
            f"{len(class_names)} classes"
        ) from err
    return head


def with_classes(head: DenseHead, class_names: list[str]) -> DenseHead:
    """A copy of ``head`` predicting ``class_names`` in that order, so that a warm ``fit`` on
    them starts from it: a class it knows keeps its output weights, a new one starts at zero
    (no opinion until trained), one not named is dropped."""
    import copy

    known = list(head.classes_)
    W2 = np.zeros((head.W2_.shape[0], len(class_names)), np.float32)
    for j, name in enumerate(class_names):
        if name in known:
            W2[:, j] = head.W2_[:, known.index(name)]
    out = copy.deepcopy(head)
    state = {**head.state(), "W2": W2}
    out.set_state(state, list(class_names))
    return out
