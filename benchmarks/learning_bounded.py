"""Training's time and memory as the store grows: the whole store (before) vs the bounded set.

    EDGEPAC_TEST_DATA=../shared OPENBLAS_NUM_THREADS=1 python benchmarks/learning_bounded.py

A store of N frames a pose (4 poses, 2 presses each) as the arcade keeps it: uint8 activations
of the real backbone's shape, scale and zero point (0.25_128 at input 224: 7x7x256), relu-like
(about 78 % zeros, as the real ones), each pose its own pattern plus per-frame noise. Then one
TRAIN, three ways, each in a fresh process (peak RSS only ever grows in a process):

- whole store: what the app did before: the store dequantised whole to float32, the latest 20 %
  of each class held out, the default dense head fitted from scratch on the rest;
- bounded: ``training_data`` (at most 50 frames a pose, newest sessions first, only those
  dequantised), the default dense head from scratch, with the recency weights;
- bounded refresh: the same set, warm-started from a trained head (``warm_epochs`` = 10).

For each: train_s (dequantising, choosing and fitting, median of ``--repeats`` in the process),
peak RSS of the process, and the RSS the store alone had before training. The machine is shared:
compare the rows of one run (same N), not with another run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # edgepac, without installing it

from edgepac.app.training import head_to_train, held_out_split, training_data
from edgepac.learning.dense import DenseHead
from edgepac.learning.store import SampleStore
from edgepac.poses import POSES

MODES = ("whole store", "bounded", "bounded refresh")


def backbone_shape() -> tuple[tuple[int, ...], float, int]:
    from edgepac.vision.backbone import Backbone

    shared = Path(os.environ.get("EDGEPAC_TEST_DATA", "../shared"))
    bb = Backbone(shared / "models" / "mobilenet_v1_0.25_128_quant.tflite", input_size=224)
    return bb.feature_shape, bb.scale, bb.zero_point


def fill(store: SampleStore, per_pose: int, seed: int = 0) -> None:
    """Two presses a pose of relu-like activations: a pattern per pose, noise per frame."""
    rng = np.random.default_rng(seed)
    shape = store.feature_shape
    patterns = rng.integers(0, 120, (len(POSES), *shape), dtype=np.uint8)
    patterns[rng.random(patterns.shape) < 0.7] = 0
    q = np.empty(shape, dtype=np.uint8)
    for press in range(2):
        for c, name in enumerate(POSES):
            store.begin_burst()
            for _ in range(per_pose // 2 + (press == 0) * (per_pose % 2)):
                noise = rng.integers(0, 40, shape, dtype=np.uint8)
                np.add(patterns[c], noise, out=q, casting="unsafe")
                q[noise < 28] = store.zero_point  # ~70 % of the noise is relu's zero
                store.add(name, q)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, per_pose: int, repeats: int) -> dict[str, float | str | int]:
    shape, scale, zero_point = backbone_shape()
    store = SampleStore(shape, scale=scale, zero_point=zero_point)
    fill(store, per_pose)
    rss_store = rss_mb()
    start = None
    if mode == "bounded refresh":  # the head from before (its training is not timed)
        data = training_data(store, 0.2)
        start = DenseHead().fit(data.X, data.y, data.names, sample_weight=data.weights)
        del data
    times, accuracy = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        if mode == "whole store":
            X, y = store.dequantized(), store.labels.copy()
            train, test = held_out_split(y, 0.2)
            head = DenseHead().fit(X[train], y[train], list(store.class_names))
            accuracy = float((np.argmax(head.predict_proba(X[test]), 1) == y[test]).mean())
            del X
        else:
            data = training_data(store, 0.2)
            head = head_to_train(start, "dense", {}, warm_start=start is not None)
            head.fit(data.X, data.y, data.names, sample_weight=data.weights)
            accuracy = data.accuracy(head)
            del data
        times.append(time.perf_counter() - t0)
    return {
        "mode": mode,
        "per_pose": per_pose,
        "train_s": round(statistics.median(times), 3),
        "rss_mb": round(rss_mb(), 1),
        "store_rss_mb": round(rss_store, 1),
        "held_out_accuracy": accuracy if accuracy is None else round(accuracy, 3),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-pose", type=int, nargs="+", default=[30, 100, 500])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.repeats)))
        return
    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    lines = [
        "| frames a pose | training | train s | peak RSS MB | store alone MB | held-out acc. |",
        "|---|---|---|---|---|---|",
    ]
    for n in args.per_pose:
        for mode in MODES:
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(n), "--repeats", str(args.repeats)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            lines.append(
                f"| {n} | {mode} | {r['train_s']:.2f} | {r['rss_mb']:.0f} | "
                f"{r['store_rss_mb']:.0f} | {r['held_out_accuracy']} |"
            )
            print(lines[-1], flush=True)
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
