"""`edgepac doctor` lines for the arcade: its config file, where it keeps its state, and what is
saved there.

Read-only: a damaged file is reported (the app moves it aside when it starts), never touched.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from edgepac import paths
from edgepac.doctor import Check
from edgepac.errors import EdgePacError


def checks() -> list[Check]:
    state = paths.state_dir()
    saved, whose = played_state(state)
    return [
        config_check(),
        state_dir_check(state),
        lasting_check(state),
        *(
            replace(c, name=c.name + whose)
            for c in (samples_check(saved), saved_check(saved / "head.npz", "trained head"))
        ),
    ]


def played_state(state: Path) -> tuple[Path, str]:
    """Where the samples and head of the model the arcade plays are kept, and whose they are:
    a Teachable Machine model (config ``model.tm``) keeps its own, beside EdgePac's."""
    from edgepac.app.config import load_config
    from edgepac.vision.tm import default_name

    try:
        tm = load_config().model.tm
    except EdgePacError:  # the config line says what is wrong with it
        return state, ""
    if not tm:
        return state, ""
    name = default_name(tm)  # as the arcade names it (a stored name is its own default)
    return state / "tm" / name, f" (Teachable Machine {name})"


# File systems whose files are gone at the next boot.
VOLATILE = {
    "tmpfs": "in RAM (tmpfs)",
    "ramfs": "in RAM (ramfs)",
    "overlay": "on an overlay file system (Raspberry Pi OS's Overlay File System keeps its "
    "changes in RAM)",
}
OVERLAY_DOC = "docs/kiosk-overlay.md"


def mount_of(path: Path, mountinfo: str) -> tuple[str, str] | None:
    """(mount point, file system type) of the mount ``path`` is on, from the text of
    /proc/self/mountinfo; the last of several mounts on one point is the one seen."""
    best: tuple[str, str] | None = None
    target = str(path)
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        point = _unescape(fields[4])
        fstype = line.split(" - ", 1)[1].split()[0]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, fstype)
    return best


def _unescape(field: str) -> str:
    """mountinfo writes a space as \\040 (and tab, newline, backslash likewise, in octal)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def lasting_check(state: Path, mountinfo: str | None = None) -> Check:
    """Is the state directory on a file system that keeps its files across a reboot?"""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return Check("state kept at reboot", True, "cannot tell (no /proc/self/mountinfo)")
    found = mount_of(state.resolve(), mountinfo)  # (not made yet: where it will be made)
    if found is None:
        return Check("state kept at reboot", True, "cannot tell (its mount is not listed)")
    point, fstype = found
    if fstype in VOLATILE:
        return Check(
            "state kept at reboot",
            False,
            f"{state} is {VOLATILE[fstype]} (mounted at {point}): the samples and the trained "
            "model are lost at every reboot",
            f"give the state a persistent partition mounted at {state} (or set EDGEPAC_STATE "
            f"to one): see {OVERLAY_DOC}",
        )
    return Check("state kept at reboot", True, f"{state} is on {fstype} ({point})")


def samples_check(state: Path) -> Check:
    """The store's folder (its manifest), or a store from before it (migrated at start)."""
    folder = state / "samples"
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return saved_check(state / "samples.npz", "samples")
    try:
        data = json.loads(manifest.read_bytes())
        segments = data["segments"]
        classes = len(data["class_names"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        return Check(
            "samples",
            False,
            f"{manifest} is damaged ({type(err).__name__})",
            "nothing to do: the arcade moves the folder aside to samples.corrupt when it starts",
        )
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 2**20
    identity = data.get("identity", {})
    model = f"model {str(identity.get('model_sha256', '?'))[:12]} at {identity.get('input_size')}"
    return Check(
        "samples",
        True,
        f"samples/: {len(segments)} segments, {size:.1f} MB, {classes} poses, {model}",
    )


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
