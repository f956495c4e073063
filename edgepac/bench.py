"""`edgepac bench`: this machine's speed figures, one JSON object gathered from every area.

Each module in `BENCH_MODULES` has ``figures(args) -> dict`` and adds its own keys (the vision
area: backbone_ms, feature_shape, interpreter...). A module not written yet is skipped; one that
fails reports ``<area>_error`` and the command exits 1, so the other figures still show.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

from edgepac.cli import add_input_size, positive_int
from edgepac.errors import EdgePacError

BENCH_MODULES = (
    "edgepac.vision.bench",
    "edgepac.learning.bench",
    "edgepac.game.bench",
    "edgepac.camera.bench",
    "edgepac.app.bench",
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bench",
        help="measure this machine: backbone, training, game...",
        description="Measure what the arcade runs, on this machine: the backbone per camera "
        "frame (with the config's model, input size and model.threads), training and one "
        "prediction of the head (OpenBLAS on one thread, as in the arcade), a game tick and the "
        "screen. Prints each figure, or one JSON object; an area that cannot be measured shows "
        "as <area>_error and the command exits 1.",
    )
    p.add_argument("--model", help="a .tflite or a variant (default: the config's, else the best)")
    p.add_argument(
        "--tm",
        metavar="NAME|PATH",
        help="also a Teachable Machine model, beside the backbone, with the Pi 4 estimate of both",
    )
    add_input_size(p)
    p.add_argument(
        "--threads", type=positive_int, help="interpreter threads (default: model.threads, 2)"
    )
    p.add_argument(
        "--frames", type=positive_int, default=100, help="timed frames per figure (default 100)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def collect(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    """All areas' figures, and whether every area measured without an error."""
    figures: dict[str, Any] = {}
    ok = True
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        try:
            figures.update(module.figures(args))
        except EdgePacError as err:
            figures[f"{name.split('.')[1]}_error"] = str(err)
            ok = False
    return figures, ok


def run(args: argparse.Namespace) -> int:
    from edgepac.app.config import load_config
    from edgepac.learning.threads import limit_blas_threads
    from edgepac.vision.models import read_model_bytes, resolve_model

    # What the arcade runs: the config's model, size and threads unless the flags say otherwise.
    model = load_config().model
    args.model = args.model or model.path
    args.input_size = model.input_size if args.input_size is None else args.input_size
    args.threads = args.threads or model.threads
    if args.model:  # a wrong --model is said at once, not after a minute of measuring
        read_model_bytes(resolve_model(args.model))
    args.tm = args.tm or model.tm
    if args.tm:
        from edgepac.vision.tm import resolve_tm

        resolve_tm(args.tm)
    limit_blas_threads(1)  # as the arcade does
    figures, ok = collect(args)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    if not ok:
        print("edgepac: some figures could not be measured (see *_error)", file=sys.stderr)
    return 0 if ok else 1
