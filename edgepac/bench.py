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

from edgepac.errors import EdgePacError

BENCH_MODULES = (
    "edgepac.vision.bench",
    "edgepac.learning.bench",
    "edgepac.game.bench",
    "edgepac.camera.bench",
    "edgepac.app.bench",
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bench", help="measure this machine: backbone, training, game...")
    p.add_argument("--model", help="a .tflite or a variant (default: the best model here)")
    p.add_argument("--input-size", type=int, help="run the backbone at this size (e.g. 224)")
    p.add_argument("--threads", type=int, help="interpreter threads (default: its own choice)")
    p.add_argument("--frames", type=int, default=100, help="timed frames per figure (default 100)")
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
    if args.frames < 1:
        raise EdgePacError(f"--frames must be at least 1, got {args.frames}")
    figures, ok = collect(args)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    if not ok:
        print("edgepac: some figures could not be measured (see *_error)", file=sys.stderr)
    return 0 if ok else 1
