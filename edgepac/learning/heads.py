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
