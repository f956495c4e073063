"""Doctor checks for the backbone: which interpreter, and whether a model is here and loads."""

from __future__ import annotations

from edgepac.doctor import Check
from edgepac.errors import EdgePacError
from edgepac.vision import models
from edgepac.vision.interpreter import find_interpreter


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


def model_check() -> Check:
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
        return Check("model", False, str(err), "run `edgepac fetch-model` again")
    shape = "x".join(map(str, bb.feature_shape))
    return Check("model", True, f"{path.name} at {bb.input_size} gives {shape} ({path.parent})")


def checks() -> list[Check]:
    return [interpreter_check(), model_check()]
