"""The vision area's commands: fetch-model, truncate, classify, import-tm.

Heavy imports (the interpreter, Pillow) happen inside each command, so `edgepac --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

from edgepac.cli import positive_int
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
        description="Cut the TFLite classifier IN after one layer (default conv_pw_13_relu, "
        "the tutorial's) and write the feature extractor to OUT, atomically. Quantisation is "
        "kept: uint8 in, uint8 activations out. `edgepac run` and `train` cut a model on load by "
        "themselves; this is for copying a cut model to a machine without LiteRT.",
    )
    p.add_argument("input", type=Path, metavar="IN", help="a .tflite classifier")
    p.add_argument("output", type=Path, metavar="OUT", help="the .tflite file to write")
    p.add_argument("--layer", default="conv_pw_13_relu", help="Keras or TFLite layer name")
    p.set_defaults(func=truncate_command)

    p = subparsers.add_parser(
        "classify",
        help="top-5 ImageNet classes of photos: checks a model and the preprocessing",
        description="Run the full classifier on each IMAGE (any format Pillow reads) and print "
        "its top classes: a check that a model file and EdgePac's preprocessing are right.",
    )
    p.add_argument("images", type=Path, nargs="+", metavar="IMAGE")
    p.add_argument(
        "--model", help="a full classifier .tflite or a variant (default: the best here)"
    )
    p.add_argument("--labels", type=Path, help="one class name a line (default: the model's own)")
    p.add_argument(
        "--top", type=positive_int, default=5, help="how many classes to show (default 5)"
    )
    p.add_argument(
        "--resample",
        choices=("bilinear", "nearest"),
        default="bilinear",
        help="bilinear (default, as the reference labels) or nearest (what the arcade feeds)",
    )
    p.set_defaults(func=classify_command)

    p = subparsers.add_parser(
        "import-tm",
        help="check and store a Teachable Machine image model (its Tensorflow Lite export)",
        description="Check a Teachable Machine export (converted_tflite.zip or "
        "converted_tflite_quantized.zip, a folder holding one, or a .tflite with labels.txt "
        "beside it), map its labels to directions and store it with the models; prints the "
        "name to give --tm. Labels that name a direction (Up, LEFT, arrow right...) map by "
        "themselves, Nothing/Background to nothing; map the others with --map.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the TM zip, folder or .tflite")
    p.add_argument("--name", help="store it under this name (default: from the file name)")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="LABEL=DIRECTION",
        help="steer DIRECTION (up, down, left, right or nothing) with the class LABEL; repeat",
    )
    p.set_defaults(func=import_tm_command)


def import_tm_command(args: argparse.Namespace) -> int:
    from edgepac.vision import tm

    maps = tm.parse_maps(args.map)  # a bad --map is said before the file is read
    name = tm.check_name(args.name) if args.name else None
    model = tm.import_tm(args.path, name, maps)
    steers = ", ".join(f"{label} -> {d}" for label, d in model.steers.items())
    print(f"edgepac: {model.kind} Teachable Machine model, {steers}", file=sys.stderr)
    print(model.name)
    return 0


def fetch_model_command(args: argparse.Namespace) -> int:
    from edgepac.vision import models

    if args.list:
        models.models_folder()  # a file in its place is said, not listed as "not here"
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
        for path in models.import_models(args.source, args.variant):
            print(path)
        return 0
    manifest = models.load_manifest()
    variant = manifest.variant(args.variant or manifest.default)
    here = models.present_model(variant) if args.url is None else None
    if here is not None:  # verified by its SHA-256 just now: nothing to download
        print(f"edgepac: model {variant.name} is already here", file=sys.stderr)
    print(here or models.fetch_model(variant.name, url=args.url, manifest=manifest))
    return 0


def truncate_command(args: argparse.Namespace) -> int:
    from edgepac.atomic import check_output, give_default_mode
    from edgepac.vision import truncate

    out = truncate.truncate_file(args.input, check_output(args.output, "OUT"), args.layer)
    give_default_mode(out)
    print(f"{out}: cut at {args.layer}, {out.stat().st_size / 1e3:.0f} kB")
    return 0


def load_labels(model: Path, labels: Path | None) -> list[str] | None:
    """Class names: the given file, else those packed in the model (TFLite metadata), else a
    labels file beside it; None when there are none."""
    if labels is not None:
        try:
            return labels.read_text().splitlines()
        except IsADirectoryError:
            raise EdgePacError(f"--labels {labels} is a folder: give the labels file") from None
        except OSError as err:
            raise EdgePacError(f"{labels}: cannot read the labels ({err.strerror})") from err
        except UnicodeDecodeError:
            raise EdgePacError(f"{labels} is not a text file: give one class name a line") from None
    try:  # models with TFLite metadata carry their labels as a zip appended to the flatbuffer
        with zipfile.ZipFile(model) as z:
            names = [n for n in z.namelist() if n.endswith(".txt")]
            if names:
                return z.read(names[0]).decode().splitlines()
    except (zipfile.BadZipFile, OSError):
        pass
    for name in LABEL_FILES:
        if (model.parent / name).is_file():
            try:
                return (model.parent / name).read_text().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
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
    from edgepac.vision.interpreter import allocate, invoke, make_interpreter
    from edgepac.vision.models import read_model_bytes
    from edgepac.vision.preprocess import SquareResizer

    data = read_model_bytes(model)
    ends_at = truncate.output_layer(truncate.load_model(data, str(model)))
    interp, _ = make_interpreter(data, source=str(model))
    allocate(interp, str(model))
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if len(out["shape"]) != 2:
        raise EdgePacError(
            f"{model} ends at {ends_at}, not in class scores: give the full classifier"
        )
    classes = int(out["shape"][1])
    if labels is not None and len(labels) != classes:
        raise EdgePacError(
            f"the labels have {len(labels)} lines but {model.name} has {classes} classes: give "
            "its own labels file (one class name a line, in the model's order)"
        )
    size = int(inp["shape"][1])
    resize = SquareResizer(size, resample)
    x = np.empty((size, size, 3), np.uint8)
    scale, zero = out["quantization"]
    results = []
    for image in images:
        resize(load_rgb(image), x)
        interp.set_tensor(inp["index"], x[None])
        invoke(interp, str(model))
        raw = interp.get_tensor(out["index"])[0]
        probs = (raw.astype(np.float32) - zero) * scale if scale else raw.astype(np.float32)
        best = np.argsort(-probs, kind="stable")[:top]
        results.append([(_label(labels, int(i)), float(probs[i])) for i in best])
    return results


def _label(labels: list[str] | None, i: int) -> str:
    return labels[i] if labels and i < len(labels) else f"class {i}"


def classify_command(args: argparse.Namespace) -> int:
    from edgepac.vision.models import read_model_bytes, resolve_model

    model = resolve_model(args.model, full=True)
    read_model_bytes(model)  # a file that is no model is said before anything about labels
    labels = load_labels(model, args.labels)
    results = classify(model, args.images, labels, args.top, args.resample)
    if labels is None:  # only now: a damaged model is the news, not its missing labels
        print(f"edgepac: no labels in or beside {model}; showing class numbers", file=sys.stderr)
    for image, top in zip(args.images, results, strict=True):
        print(image)
        for label, p in top:
            print(f"  {p:6.1%}  {label}")
    return 0
