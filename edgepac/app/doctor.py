"""`edgepac doctor` lines for the arcade: its config file, where it keeps its state, and what is
saved there.

Read-only: a damaged file is reported (the app moves it aside when it starts), never touched.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from edgepac import paths
from edgepac.doctor import Check
from edgepac.errors import EdgePacError


def checks() -> list[Check]:
    state = paths.state_dir()
    return [
        config_check(),
        state_dir_check(state),
        saved_check(state / "samples.npz", "samples"),
        saved_check(state / "head.npz", "trained head"),
    ]


def config_check() -> Check:
    """The whole file, as the arcade will read it at start."""
    from edgepac.app.config import load_config

    try:
        load_config()
    except EdgePacError as err:
        return Check("config", False, "not usable: the app would not start", str(err))
    found = [str(p) for p in paths.config_files() if p.is_file()]
    return Check("config", True, ", ".join(found) + " read" if found else "defaults (no file)")


def state_dir_check(state: Path) -> Check:
    probe = state if state.exists() else next((p for p in state.parents if p.exists()), state)
    if state.exists() and not state.is_dir():
        return Check(
            "state directory",
            False,
            f"{state} is a file",
            "remove it or set EDGEPAC_STATE to a folder",
        )
    if not os.access(probe, os.W_OK):
        return Check(
            "state directory",
            False,
            f"{state} is not writable",
            "run as the kiosk user, or set EDGEPAC_STATE (systemd: StateDirectory=)",
        )
    where = "" if state.exists() else " (made at the first save)"
    return Check("state directory", True, f"{state}{where}")


def saved_check(path: Path, what: str) -> Check:
    if not path.exists():
        return Check(what, True, "none saved yet")
    try:
        with np.load(path, allow_pickle=False) as npz:
            identity = json.loads(str(npz["identity"]))
            detail = _describe(npz, identity)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        return Check(
            what,
            False,
            f"{path} is damaged ({type(err).__name__})",
            "nothing to do: the arcade moves it aside to *.corrupt when it starts",
        )
    return Check(what, True, f"{path.name}: {detail}")


def _describe(npz: Any, identity: dict[str, Any]) -> str:
    model = f"model {str(identity.get('model_sha256', '?'))[:12]} at {identity.get('input_size')}"
    if "labels" in npz.files:
        names = [str(s) for s in npz["class_names"]]
        counts = np.bincount(npz["labels"], minlength=len(names))
        per_class = ", ".join(f"{n} {c}" for n, c in zip(names, counts, strict=True))
        return f"{int(counts.sum())} samples ({per_class}), {model}"
    classes = ", ".join(str(s) for s in npz["class_names"])
    return f"a {npz['head']} head for {classes}, {model}"
