"""Backbone speed: a bare `invoke()` of the quantized MobileNet (grows into the full comparison).

EDGEPAC_TEST_DATA=../shared .venv/bin/python benchmarks/vision_backbone.py
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import numpy as np

from edgepac.vision.interpreter import make_interpreter


def main() -> None:
    shared = Path(os.environ.get("EDGEPAC_TEST_DATA", "../shared"))
    model = shared / "models" / "mobilenet_v1_0.25_128_quant.tflite"
    interp, kind = make_interpreter(model)
    inp = interp.get_input_details()[0]["index"]
    interp.allocate_tensors()
    interp.set_tensor(inp, np.random.default_rng(0).integers(0, 256, (1, 128, 128, 3), np.uint8))
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        interp.invoke()
        times.append(time.perf_counter() - t0)
    print(
        f"{kind}: full 0.25_128 classifier, bare invoke: "
        f"median {statistics.median(times) * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
