"""The vision area's commands: fetch-model, truncate, classify.

Heavy imports (the interpreter, Pillow) happen inside each command, so `edgepac --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

from edgepac.errors import EdgePacError

LABEL_FILES = ("imagenet_labels.txt", "labels.txt")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fetch-model",
        help="download (or import) a MobileNet, verify its SHA-256, cut it and store it",
        description="Download a known MobileNet v1 variant (models/manifest.toml), check its "
        "SHA-256, cut it at conv_pw_13_relu and store both files in the models directory "
        "($EDGEPAC_MODELS, else ~/.local/share/edgepac/models).",
    )
    p.add_argument("variant", nargs="?", help="e.g. 0.25_224 (the default), 0.25_128, 0.5_160")
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FILE_OR_DIR",
        help="import a .tgz or .tflite (or a folder holding one) instead of downloading",
    )
    p.add_argument("--url", help="download from this address instead (a mirror)")
    p.add_argument("--list", action="store_true", help="list the known variants and exit")
    p.set_defaults(func=fetch_model_command)

    p = subparsers.add_parser(
        "truncate",
        help="cut a TFLite classifier after a layer (default conv_pw_13_relu)",
    )
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("output", type=Path, metavar="OUT")
    p.add_argument("--layer", default="conv_pw_13_relu", help="Keras or TFLite layer name")
    p.set_defaults(func=truncate_command)

    p = subparsers.add_parser(
        "classify",
        help="top-5 ImageNet classes of photos: checks a model and the preprocessing",
    )
    p.add_argument("images", type=Path, nargs="+", metavar="IMAGE")
    p.add_argument(
        "--model", help="a full classifier .tflite or a variant (default: the best here)"
    )
    p.add_argument("--labels", type=Path, help="one class name a line (default: the model's own)")
    p.add_argument("--top", type=int, default=5, help="how many classes to show (default 5)")
    p.add_argument(
        "--resample",
        choices=("bilinear", "nearest"),
        default="bilinear",
        help="bilinear (default, as the reference labels) or nearest (what the arcade feeds)",
    )
    p.set_defaults(func=classify_command)


def fetch_model_command(args: argparse.Namespace) -> int:
    from edgepac.vision import models

    if args.list:
        for row in models.describe():
            mark = " (default)" if row["default"] else ""
            here = row["present"] or "not here"
            print(
                f"{row['variant']}{mark}: alpha {row['alpha']}, runs at {row['input_size']}: {here}"
            )
        return 0
    if args.source is not None:
        if args.url:
            raise EdgePacError("give either --from or --url, not both")
        path = models.import_model(args.source, args.variant)
    else:
        path = models.fetch_model(args.variant, url=args.url)
    print(path)
    return 0


def truncate_command(args: argparse.Namespace) -> int:
    from edgepac.vision import truncate

    out = truncate.truncate_file(args.input, args.output, args.layer)
    print(f"{out}: cut at {args.layer}, {out.stat().st_size / 1e3:.0f} kB")
    return 0


def load_labels(model: Path, labels: Path | None) -> list[str] | None:
    """Class names: the given file, else those packed in the model (TFLite metadata), else a
    labels file beside it; None when there are none."""
    if labels is not None:
        try:
            return labels.read_text().splitlines()
        except OSError as err:
            raise EdgePacError(f"{labels}: cannot read the labels ({err.strerror})") from err
    try:  # models with TFLite metadata carry their labels as a zip appended to the flatbuffer
        with zipfile.ZipFile(model) as z:
            names = [n for n in z.namelist() if n.endswith(".txt")]
            if names:
                return z.read(names[0]).decode().splitlines()
    except (zipfile.BadZipFile, OSError):
        pass
    for name in LABEL_FILES:
        if (model.parent / name).is_file():
            return (model.parent / name).read_text().splitlines()
    return None


def classify(
    model: Path,
    images: list[Path],
    labels: list[str] | None,
    top: int = 5,
    resample: str = "bilinear",
) -> list[list[tuple[str, float]]]:
    """The ``top`` (label, probability) pairs of each image under the full classifier ``model``."""
    import numpy as np

    from edgepac.vision import truncate
    from edgepac.vision.images import load_rgb
    from edgepac.vision.interpreter import make_interpreter
    from edgepac.vision.models import read_model_bytes
    from edgepac.vision.preprocess import SquareResizer

    data = read_model_bytes(model)
    ends_at = truncate.output_layer(truncate.load_model(data, str(model)))
    interp, _ = make_interpreter(data)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if len(out["shape"]) != 2:
        raise EdgePacError(
            f"{model} ends at {ends_at}, not in class scores: give the full classifier"
        )
    size = int(inp["shape"][1])
    resize = SquareResizer(size, resample)
    x = np.empty((size, size, 3), np.uint8)
    scale, zero = out["quantization"]
    results = []
    for image in images:
        resize(load_rgb(image), x)
        interp.set_tensor(inp["index"], x[None])
        interp.invoke()
        raw = interp.get_tensor(out["index"])[0]
        probs = (raw.astype(np.float32) - zero) * scale if scale else raw.astype(np.float32)
        best = np.argsort(-probs, kind="stable")[:top]
        results.append([(_label(labels, int(i)), float(probs[i])) for i in best])
    return results


def _label(labels: list[str] | None, i: int) -> str:
    return labels[i] if labels and i < len(labels) else f"class {i}"


def classify_command(args: argparse.Namespace) -> int:
    from edgepac.vision.models import resolve_model

    if args.top < 1:
        raise EdgePacError(f"--top must be at least 1, got {args.top}")
    model = resolve_model(args.model, full=True)
    labels = load_labels(model, args.labels)
    if labels is None:
        print(f"edgepac: no labels in or beside {model}; showing class numbers", file=sys.stderr)
    for image, top in zip(
        args.images, classify(model, args.images, labels, args.top, args.resample), strict=True
    ):
        print(image)
        for label, p in top:
            print(f"  {p:6.1%}  {label}")
    return 0
