"""Teachable Machine models per frame, beside EdgePac's own backbone, in one run.

    EDGEPAC_TEST_DATA=../shared nice .venv/bin/python benchmarks/tm_models.py [--rounds 7]

It imports the two TM fixtures (tests/data/tm: MobileNetV2 0.35 at 224, float and uint8, made
by TM's converter recipe) into a throw-away models folder and times, per 640x480 RGB frame, in
alternating rounds so all see the same noise on a shared machine:

- ``edgepac``:  EdgePac's backbone (0.25_128 cut at conv_pw_13_relu, run at 224, 7x7x256),
- ``tm_float``, ``tm_uint8``: the TM model cut at its embedding (1280), as the arcade runs it
  (`TmBackbone.features`: crop, resize, x/127.5-1 for float, invoke, copy out),
- ``tm_*_cut_invoke``: the cut model's bare invoke, back to back (its interpreter threads never
  doze off between frames, as they do while Python crops and resizes: see vision_backbone.py),
- ``tm_*_whole``: the TM model as exported (a bare invoke, the head too), for comparison,

all at the app's interpreter threads (model.threads, 2). Reports each median of the rounds'
medians, the ratios to EdgePac's backbone, and the Pi 4 estimate (x8, see the README's "The
arcade": computed, not measured). Results go to stdout and benchmarks/results/tm_models.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data" / "tm"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--frames", type=int, default=50, help="timed frames a round")
    parser.add_argument("--threads", type=int, default=2, help="interpreter threads (the app's)")
    args = parser.parse_args()

    import numpy as np

    from edgepac.vision.backbone import Backbone
    from edgepac.vision.bench import PI4_FACTOR, median_ms
    from edgepac.vision.interpreter import allocate, make_interpreter
    from edgepac.vision.tm import TmBackbone, import_tm

    shared = Path(os.environ.get("EDGEPAC_TEST_DATA", REPO.parent / "shared"))
    model = shared / "models" / "mobilenet_v1_0.25_128_quant.tflite"
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), np.uint8)
    runs = {}
    with tempfile.TemporaryDirectory() as models:
        os.environ["EDGEPAC_MODELS"] = models
        bb = Backbone(model, input_size=224, num_threads=args.threads)
        q = np.empty(bb.feature_shape, np.uint8)
        runs["edgepac"] = lambda: bb.features(frame, out=q)
        maps = {"Class 1": "up", "Class 2": "down"}
        for kind, zip_name in (("float", "converted_tflite.zip"),
                               ("uint8", "converted_tflite_quantized.zip")):  # fmt: skip
            tm = import_tm(DATA / zip_name, f"tm-{kind}", maps)
            tb = TmBackbone(tm, num_threads=args.threads)
            out = np.empty(tb.feature_shape, np.uint8)
            runs[f"tm_{kind}"] = lambda tb=tb, out=out: tb.features(frame, out=out)
            runs[f"tm_{kind}_cut_invoke"] = tb._interp.invoke
            whole, _ = make_interpreter(tm.model, num_threads=args.threads)
            allocate(whole)
            runs[f"tm_{kind}_whole"] = whole.invoke
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, fn in runs.items():
                times[name].append(median_ms(fn, args.frames))
    medians = {name: statistics.median(v) for name, v in times.items()}
    result = {
        "command": " ".join(sys.argv),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "threads": args.threads,
        "ms": {k: round(v, 2) for k, v in medians.items()},
        "vs_edgepac": {k: round(v / medians["edgepac"], 2) for k, v in medians.items()},
        "pi4_ms_estimate": {k: round(v * PI4_FACTOR, 1) for k, v in medians.items()},
        "rounds": args.rounds,
        "frames_per_round": args.frames,
    }
    out_dir = REPO / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "tm_models.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
