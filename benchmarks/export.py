"""`edgepac export`: how long an export takes, and what the exported model costs per frame
beside EdgePac's own backbone + head, in the same run.

    EDGEPAC_TEST_DATA=/work/shared nice .venv/bin/python benchmarks/export.py [--threads 2]

A dense head (EdgePac's defaults: 100 units) is trained on the demo player's four poses on the
shared 0.25_128 model run at 224 (the tutorial's 7x7x256), as the arcade runs it. Then:

- export_s:   `controller_zip` (cut model + shapes + graph + zip, in memory), median of runs,
              and the atomic write of the zip to a file (write_s);
- per frame, interleaved frame by frame on the same square 224x224 camera frame, at the app's
  interpreter threads (OpenBLAS on one thread, as in the arcade):
    edgepac:  Backbone.features(out=) + dequantize(out=) + DenseHead.predict_proba(out=)
    exported: the zip's model.tflite in a plain interpreter: set_tensor + invoke + get_tensor
    backbone: Backbone.features(out=) alone (what the head adds on either side)
  medians in ms, and the ratio exported / edgepac (the machine is shared: compare the ratio).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POSES = ("up", "down", "left", "right")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2, help="interpreter threads (the app's: 2)")
    p.add_argument("--frames", type=int, default=200, help="frames per contender per round")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--exports", type=int, default=5, help="exports timed")
    args = p.parse_args()

    import numpy as np

    from edgepac.camera.demo_player import DemoPainter
    from edgepac.export.controller import controller_zip, write_controller
    from edgepac.learning.heads import make_head
    from edgepac.learning.threads import limit_blas_threads
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.interpreter import allocate, invoke, make_interpreter

    limit_blas_threads(1)
    data = Path(os.environ.get("EDGEPAC_TEST_DATA", REPO.parent / "shared"))
    model = data / "models" / "mobilenet_v1_0.25_128_quant.tflite"
    bb = Backbone(model, input_size=224, num_threads=args.threads)
    painter, rng = DemoPainter(), np.random.default_rng(0)
    frames = [painter.draw(p, rng, i / 30) for i in range(25) for p in POSES]
    X = bb.dequantize(bb.features_batch(frames))
    head = make_head("dense").fit(X, np.tile(np.arange(4), 25), class_names=list(POSES))

    export_s, write_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.exports):
            t = time.perf_counter()
            data_zip = controller_zip(model, bb.input_size, head)
            export_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            write_controller(Path(tmp) / "controller.zip", data_zip)
            write_s.append(time.perf_counter() - t)
    tflite = zipfile.ZipFile(io.BytesIO(data_zip)).read("model.tflite")

    interp, kind = make_interpreter(tflite, num_threads=args.threads)
    allocate(interp)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    square = np.ascontiguousarray(painter.draw("left", rng)[8:232, 48:272])
    q = np.empty(bb.feature_shape, np.uint8)
    x = np.empty(bb.feature_shape, np.float32)
    proba = np.empty(len(POSES), np.float32)

    def edgepac() -> np.ndarray:
        bb.features(square, out=q)
        bb.dequantize(q, out=x)
        return head.predict_proba(x, out=proba)

    def exported() -> np.ndarray:
        interp.set_tensor(inp["index"], square[None])
        invoke(interp)
        return interp.get_tensor(out["index"])[0]

    def backbone() -> np.ndarray:
        return bb.features(square, out=q)

    agree = float(np.abs(edgepac().copy() - exported()).max())
    contenders = {"edgepac": edgepac, "exported": exported, "backbone": backbone}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm up
        for _ in range(20):
            fn()
    names = list(contenders)
    for _ in range(args.rounds):
        for i in range(args.frames):  # frame by frame, in turns: the same noise for all three
            for name in names[i % 3 :] + names[: i % 3]:
                t = time.perf_counter()
                contenders[name]()
                times[name].append(time.perf_counter() - t)

    def ms(name: str) -> float:
        return round(1000 * statistics.median(times[name]), 3)

    print(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": f"{platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}",
                "load_1min": round(os.getloadavg()[0], 2),
                "python": sys.version.split()[0],
                "interpreter": str(kind),
                "threads": args.threads,
                "model": f"{model.name} at {bb.input_size}",
                "zip_mb": round(len(data_zip) / 1e6, 2),
                "tflite_mb": round(len(tflite) / 1e6, 2),
                "export_s_median": round(statistics.median(export_s), 3),
                "write_s_median": round(statistics.median(write_s), 3),
                "frame_ms_median": {name: ms(name) for name in contenders},
                "head_ms": {
                    "edgepac": round(ms("edgepac") - ms("backbone"), 3),
                    "exported": round(ms("exported") - ms("backbone"), 3),
                },
                "exported_over_edgepac": round(ms("exported") / ms("edgepac"), 3),
                "max_probability_difference": agree,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
