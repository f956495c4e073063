"""Backbone speed: LiteRT against tflite-runtime, and the whole per-frame path against invoke().

    EDGEPAC_TEST_DATA=../shared .venv/bin/python benchmarks/vision_backbone.py

It cuts the shared 0.25_128 model (run at 224, the tutorial's 7x7x256) once, then runs itself as
a worker in each interpreter's Python, in alternating rounds so both see the same noise on a
shared machine. Each worker measures, interleaved, per 640x480 RGB frame:

- invoke:      a bare `invoke()` on an input already in place (the floor),
- features:    `Backbone.features(frame, out=buf)`: crop, resize, invoke, copy out (the app's path),
- alloc:       the same with `out=None` (returns a new array),
- bilinear:    the same with Pillow's bilinear resize instead of the nearest-neighbour index map,
- resize:      the crop and resize alone, into the input tensor (the project's own work),
- paused:      a bare `invoke()` after an untimed pause as long as the resize (the CPU busy in
               Python meanwhile): what invoke costs when it does not follow another invoke. With
               2+ threads the interpreter's worker threads doze off during the pause and must be
               woken, so `features - resize - paused` is what is left for the project to explain.

tflite-runtime needs numpy < 2, so it lives in its own venv (default /tmp/venv-tflite):

    python3 -m venv /tmp/venv-tflite
    /tmp/venv-tflite/bin/pip install tflite-runtime 'numpy<2' pillow flatbuffers

Results go to stdout and benchmarks/results/vision_backbone.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
INTERPRETERS = ("ai-edge-litert", "tflite-runtime")


def worker(model: Path, input_size: int, frames: int, threads: int | None) -> dict[str, Any]:
    import numpy as np

    from edgepac.vision.backbone import Backbone

    bb = Backbone(model, input_size=input_size, num_threads=threads)
    bb_bilinear = Backbone(model, input_size=input_size, num_threads=threads, resample="bilinear")
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), np.uint8)
    out = np.empty(bb.feature_shape, np.uint8)
    tensor = bb._input  # a function: the interpreter refuses to run while a view of it lives

    def resize() -> None:
        bb._resize(frame, tensor()[0])

    resize_s = [0.0003]  # updated as the resize is measured

    def pause() -> None:  # busy, as the resize is, for as long as the resize takes
        end = time.perf_counter() + statistics.median(resize_s)
        while time.perf_counter() < end:
            pass

    cases = {  # name: (untimed step before, timed step)
        "invoke": (None, bb._interp.invoke),
        "features": (None, lambda: bb.features(frame, out=out)),
        "alloc": (None, lambda: bb.features(frame)),
        "bilinear": (None, lambda: bb_bilinear.features(frame, out=out)),
        "resize": (None, resize),
        "paused": (pause, bb._interp.invoke),
    }
    for _before, fn in cases.values():  # warm up: first calls plan buffers and page in weights
        for _ in range(10):
            fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(frames):  # interleaved, so a noisy moment hits every case alike
        for name, (before, fn) in cases.items():
            if before is not None:
                before()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
        resize_s.append(times["resize"][-1])
    return {
        "interpreter": bb.interpreter_name,
        "feature_shape": list(bb.feature_shape),
        **{f"{name}_ms": statistics.median(t) * 1e3 for name, t in times.items()},
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_worker(python: str, interpreter: str, args: argparse.Namespace, model: Path) -> dict:
    env = dict(os.environ, EDGEPAC_INTERPRETER=interpreter, PYTHONPATH=str(REPO))
    cmd = [
        python,
        __file__,
        "--worker",
        "--model",
        str(model),
        "--input-size",
        str(args.input_size),
    ]
    cmd += ["--frames", str(args.frames)] + (
        ["--threads", str(args.threads)] if args.threads else []
    )
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{interpreter} worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help="a full or cut model (default: shared 0.25_128)")
    parser.add_argument("--input-size", type=int, default=224)
    parser.add_argument("--frames", type=int, default=300, help="timed frames per case per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="interpreter threads (default: its own)")
    parser.add_argument(
        "--tflite-python",
        default=os.environ.get("EDGEPAC_TFLITE_PYTHON", "/tmp/venv-tflite/bin/python"),
        help="a Python with tflite-runtime installed",
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.model, args.input_size, args.frames, args.threads)))
        return

    from edgepac.vision import truncate

    shared = Path(os.environ.get("EDGEPAC_TEST_DATA", REPO.parent / "shared"))
    source = args.model or shared / "models" / "mobilenet_v1_0.25_128_quant.tflite"
    pythons = {"ai-edge-litert": sys.executable}
    if Path(args.tflite_python).exists():
        pythons["tflite-runtime"] = args.tflite_python
    else:
        print(f"(no {args.tflite_python}: tflite-runtime skipped; see this file's docstring)")
    with tempfile.TemporaryDirectory() as tmp:
        # Cut once here (LiteRT has the schema), so both workers load the very same file.
        cut = truncate.truncate_file(source, Path(tmp) / "cut.tflite")
        rounds: dict[str, list[dict]] = {name: [] for name in pythons}
        for _ in range(args.rounds):
            for name, python in pythons.items():
                rounds[name].append(run_worker(python, name, args, cut))

    results: dict[str, Any] = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "model": f"{source.name} cut at conv_pw_13_relu, input {args.input_size}",
        "frame": "640x480 RGB",
        "threads": args.threads or "interpreter default",
    }
    print(f"{results['model']}; {results['frame']} frames; threads: {results['threads']}")
    heads = ("invoke", "features", "ratio", "alloc", "bilinear", "resize", "paused", "RSS")
    print(f"{'interpreter':26} " + " ".join(f"{h:>8}" for h in heads))
    for name, runs in rounds.items():
        row = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k.endswith("_ms")}
        row["ratio"] = row["features_ms"] / row["invoke_ms"]
        row["interpreter"] = runs[0]["interpreter"]
        row["feature_shape"] = runs[0]["feature_shape"]
        row["max_rss_mb"] = max(r["max_rss_mb"] for r in runs)
        results[name] = row
        print(
            f"{row['interpreter']:26} {row['invoke_ms']:6.2f}ms {row['features_ms']:6.2f}ms "
            f"{row['ratio']:7.2f}x {row['alloc_ms']:6.2f}ms {row['bilinear_ms']:6.2f}ms "
            f"{row['resize_ms']:6.2f}ms {row['paused_ms']:6.2f}ms {row['max_rss_mb']:6.0f}MB"
        )
    if len(rounds) == 2:
        ratio = results["tflite-runtime"]["invoke_ms"] / results["ai-edge-litert"]["invoke_ms"]
        results["tflite_over_litert_invoke"] = ratio
        print(f"tflite-runtime invoke / LiteRT invoke: {ratio:.2f}x")
    out = REPO / "benchmarks" / "results" / "vision_backbone.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
