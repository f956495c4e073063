"""Doctor checks for the backbone: which interpreter, and whether the model the arcade will play
(EdgePac's own, or the Teachable Machine model the config names) is here and loads."""

from __future__ import annotations

import hashlib
from pathlib import Path

from edgepac.doctor import Check
from edgepac.errors import EdgePacError
from edgepac.settings import load_section
from edgepac.vision import models
from edgepac.vision.config import ModelConfig
from edgepac.vision.interpreter import find_interpreter

TM_FIX = (
    "run `edgepac import-tm PATH --name {name} --map LABEL=DIRECTION ...` "
    "(PATH: the zip Teachable Machine downloaded)"
)


def interpreter_check() -> Check:
    try:
        kind = find_interpreter()
    except EdgePacError as err:
        return Check("interpreter", False, "none installed", str(err).split(": ", 1)[-1])
    if kind.name == "tflite-runtime":
        return Check(
            "interpreter",
            True,
            f"{kind} (works, but LiteRT ran the backbone 12x faster in our benchmark: "
            "pip install ai-edge-litert where it has a wheel)",
        )
    return Check("interpreter", True, f"{kind} (XNNPACK)")


def model_check(needed: bool = True) -> Check:
    """EdgePac's own MobileNet; not ``needed`` while a Teachable Machine model plays instead."""
    try:
        models.models_folder()
    except EdgePacError as err:  # a file where the folder should be
        detail, _, fix = str(err).partition(": point")
        return Check("model", False, detail, f"point{fix}")
    try:
        path = models.resolve_model(None)
    except EdgePacError:
        found = models.find_in_folders(models.search_folders(), models.load_manifest())
        where = f"; {found[0]} can be imported" if found else ""
        if not needed:
            return Check(
                "EdgePac's model",
                True,
                f"none in {models.paths.models_dir()} (not needed while model.tm plays; "
                "`edgepac fetch-model` for --model)",
            )
        return Check(
            "model",
            False,
            f"none in {models.paths.models_dir()}{where}",
            "run `edgepac fetch-model` (or `edgepac fetch-model --from FILE_OR_DIR` offline)",
        )
    try:
        from edgepac.vision.backbone import Backbone

        bb = Backbone(path, input_size=models.input_size_for(path))
    except EdgePacError as err:
        name = "model" if needed else "EdgePac's model"
        return Check(name, False, str(err), "run `edgepac fetch-model` again")
    shape = "x".join(map(str, bb.feature_shape))
    detail = f"{path.name} at {bb.input_size} gives {shape} ({path.parent})"
    if not needed:
        return Check("EdgePac's model", True, detail + "; not played while model.tm is set")
    return Check("model", True, detail)


def tm_check(name: str) -> Check:
    """The Teachable Machine model ``model.tm`` names: stored, whole, it runs, and its labels
    steer Pac-Man two ways or more."""
    import numpy as np

    from edgepac.vision import tm

    fix = TM_FIX.format(name=tm.default_name(name))
    try:
        model = tm.resolve_tm(name)
        if hashlib.sha256(model.model).hexdigest() != model.sha256:
            raise EdgePacError(f"{model.path} is damaged (its model does not match its checksum)")
        bb = tm.TmBackbone(model, num_threads=1)
        units = bb.feature_shape[0]
        if model.W1.shape[0] != units or model.W2.shape != (model.W1.shape[1], len(model.labels)):
            raise EdgePacError(f"{model.path} is damaged (its head does not fit its model)")
        hidden = np.maximum(bb.embed(np.zeros((bb.input_size,) * 2 + (3,), np.uint8)) @ model.W1
                            + model.b1, 0)  # fmt: skip
        if not np.isfinite(hidden @ model.W2).all():
            raise EdgePacError(f"{model.path} is damaged (its head gives no number)")
    except (EdgePacError, OSError) as err:
        detail = str(err).split("; ")[0]  # the what-to-do is the FIX, below
        if not (tm.tm_folder() / f"{name}{tm.STORE_SUFFIX}").exists() and not Path(name).exists():
            detail += f" (looked in {tm.tm_folder()})"  # the kiosk's is $EDGEPAC_MODELS/tm
        return Check("model", False, f"model.tm = {name!r}: {detail}", fix)
    pairs = [f"{label} -> {d}" for label, d in model.steers.items()]
    ways = [d for d in tm.DIRECTIONS if d in (model.directions or [])]
    where = model.path.parent if model.path else name
    what = f"Teachable Machine model {model.name} ({model.kind}, {model.input_size})"
    if len(ways) < 2:
        steers = ", ".join(pairs) or "its labels " + ", ".join(model.labels) + " map to nothing"
        return Check(
            "model",
            False,
            f"{what} steers {len(ways)} way{'s' * (len(ways) != 1)} ({steers}): Pac-Man needs two",
            fix,
        )
    return Check("model", True, f"{what}: {', '.join(pairs)} ({where})")


def configured_tm() -> str | None:
    """The Teachable Machine model the arcade will play (config ``model.tm``), if any; a config
    that cannot be read is the config line's to report."""
    try:
        return load_section(ModelConfig, "model").tm
    except EdgePacError:
        return None


def checks() -> list[Check]:
    name = configured_tm()
    if name:
        return [interpreter_check(), tm_check(name), model_check(needed=False)]
    return [interpreter_check(), model_check()]
