"""`edgepac export`: the player's controller as a Teachable Machine TFLite zip."""

from __future__ import annotations

import argparse
from pathlib import Path

from edgepac.cli import add_input_size


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the trained controller as a Teachable Machine TFLite zip",
        description="Write the backbone and the trained dense head as one model.tflite (uint8 "
        "pixels in, probabilities out) with labels.txt, in a zip laid out like Teachable "
        "Machine's TensorFlow Lite download: any LiteRT or tflite-runtime interpreter runs it, "
        "without EdgePac. The default head is the arcade's (head.npz in the state folder).",
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE.zip", help="zip to write")
    p.add_argument("--model", metavar="M", help="model file or variant the head was trained on")
    add_input_size(p)
    p.add_argument(
        "--head", type=Path, metavar="H", help="head file (default: the arcade's head.npz)"
    )
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from edgepac import paths
    from edgepac.export.controller import export_controller

    head = args.head if args.head is not None else paths.state_dir() / "head.npz"
    done = export_controller(args.out, args.model, args.input_size, head)
    print(
        f"wrote {done.path} ({done.size_bytes / 1e6:.1f} MB): model.tflite takes "
        f"{done.input_size}x{done.input_size} uint8 RGB, gives {', '.join(done.classes)}"
    )
    return 0
