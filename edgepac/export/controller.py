"""The player's controller as Teachable Machine's TFLite download: a zip anyone can run.

    data = controller_zip(model_path, input_size, head)   # bytes of the zip
    write_controller(out, data)                           # atomic: the old zip or the new one

The zip holds what TM's "Tensorflow Lite → Quantized" tab gives: ``model.tflite`` (uint8
pixels in; here the cut MobileNet and the dense head in one graph, float32 probabilities out,
see `graph`) and ``labels.txt`` (``0 up``, one ``{index} {label}`` line a class, the head's
order). Nothing of EdgePac is needed to run it: any LiteRT or tflite-runtime interpreter does.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgepac.atomic import atomic_write_bytes, check_output, give_default_mode
from edgepac.errors import EdgePacError
from edgepac.export.graph import controller_model
from edgepac.vision import truncate

EXPORT_NAME = "controller.zip"  # the arcade's export, in the state folder (learning.export)
MODEL_NAME = "model.tflite"
LABELS_NAME = "labels.txt"
# A fixed date in the zip: the same controller gives the same bytes.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Exported:
    path: Path
    classes: tuple[str, ...]
    input_size: int
    size_bytes: int


def labels_text(classes: list[str] | tuple[str, ...]) -> str:
    """TM's labels.txt: one ``{index} {label}`` line a class."""
    return "".join(f"{i} {name}\n" for i, name in enumerate(classes))


def check_exportable(head: Any) -> None:
    """Refuse, in one line, a head that has no TFLite form here."""
    if getattr(head, "kind", None) == "knn":
        raise EdgePacError(
            "a kNN head is the recorded frames themselves, not weights a TFLite model can "
            'hold: train a dense head (learning.head = "dense", or `edgepac train --head '
            "dense`) and export that"
        )
    if getattr(head, "kind", None) != "dense" or not hasattr(head, "W1_"):
        raise EdgePacError("the head is not trained yet: record samples, press TRAIN, then export")


def check_out(out: Path) -> Path:
    """--out: a .zip file name in a folder that exists, checked before any work."""
    if out.suffix.lower() != ".zip":
        raise EdgePacError(
            f"--out {out}: give a .zip file name (Teachable Machine's layout), e.g. controller.zip"
        )
    return check_output(out, "--out")


def backbone_shapes(cut: bytes, input_size: int) -> dict[int, list[int]]:
    """Every tensor's shape in the cut model run at ``input_size``, as the interpreter sizes
    them (a model cut from 0.25_128 and run at 224 declares 224 and 7x7 activations)."""
    from edgepac.vision.interpreter import allocate, make_interpreter

    interp, _ = make_interpreter(cut, source="the backbone")
    inp = interp.get_input_details()[0]
    interp.resize_tensor_input(inp["index"], [1, input_size, input_size, 3])
    allocate(interp, "the backbone")
    count = len(truncate.load_model(cut, "the backbone").subgraphs[0].tensors)
    return {
        int(d["index"]): [int(n) for n in d["shape"]]
        for d in interp.get_tensor_details()
        if int(d["index"]) < count
    }


def controller_zip(
    model_path: Path, input_size: int, head: Any, cut_layer: str = truncate.DEFAULT_LAYER
) -> bytes:
    """The zip's bytes for ``head`` (a trained DenseHead) on the model at ``model_path`` cut at
    ``cut_layer`` and run at ``input_size``: the backbone the head was trained on."""
    from edgepac.vision.models import truncated_model

    check_exportable(head)
    cut = truncated_model(Path(model_path), cut_layer)
    tflite = controller_model(
        cut,
        backbone_shapes(cut, input_size),
        {"W1": head.W1_, "b1": head.b1_, "W2": head.W2_},
        normalize=head.normalize,
        classes=head.classes_,
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (
            (MODEL_NAME, tflite),
            (LABELS_NAME, labels_text(head.classes_).encode()),
        ):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def write_controller(out: Path, data: bytes) -> None:
    """Write the zip atomically (a power cut leaves the old file or the new one)."""
    atomic_write_bytes(out, data)
    give_default_mode(out)


def exporter(backbone: Any, out: Path) -> Callable[[Any], None]:
    """The arcade's export (learning.export): after each training, the head on ``backbone``
    (its model, input size and cut) to ``out``. Called on the training thread."""

    def export(head: Any) -> None:
        if backbone.cut_layer != truncate.DEFAULT_LAYER:  # e.g. a Teachable Machine model's
            raise EdgePacError(
                "it takes EdgePac's own MobileNet only; set learning.export = false"
            )
        model, size = backbone.model_path, backbone.input_size
        write_controller(out, controller_zip(model, size, head, backbone.cut_layer))

    return export


def export_controller(
    out: Path,
    model: str | os.PathLike[str] | None,
    input_size: int | None,
    head_path: Path,
    threads: int | None = None,
) -> Exported:
    """`edgepac export`: the head at ``head_path`` on ``model`` (None: the best here), at the
    size every command runs the model at; refused in one line, with nothing written, when the
    head does not fit."""
    from edgepac.learning.heads import load_head
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.models import input_size_for, resolve_model

    check_out(out)
    model_path = resolve_model(model)
    bb = Backbone(
        model_path, input_size=input_size_for(model_path, input_size), num_threads=threads
    )
    if not Path(head_path).exists():
        raise EdgePacError(
            f"no trained head at {head_path}: play, teach the poses and press TRAIN first (or "
            "`edgepac train --out HEAD`, then --head HEAD)"
        )
    head = load_head(head_path, bb.identity, move_damaged=False)  # another backbone: refused
    data = controller_zip(model_path, bb.input_size, head, bb.cut_layer)
    write_controller(out, data)
    return Exported(out, tuple(head.classes_), bb.input_size, len(data))
