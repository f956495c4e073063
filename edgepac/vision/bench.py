"""Backbone figures for `edgepac bench`: a 640x480 RGB frame in, activations out."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from edgepac.vision.backbone import Backbone
from edgepac.vision.models import input_size_for, resolve_model

FRAME_SHAPE = (480, 640, 3)  # what the camera area delivers by default


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def figures(args: argparse.Namespace) -> dict[str, Any]:
    model = resolve_model(getattr(args, "model", None))
    input_size = input_size_for(model, getattr(args, "input_size", None))
    bb = Backbone(model, input_size=input_size, num_threads=getattr(args, "threads", None))
    frames = getattr(args, "frames", 100)
    frame = np.random.default_rng(0).integers(0, 256, FRAME_SHAPE, np.uint8)
    out = np.empty(bb.feature_shape, np.uint8)
    per_frame = median_ms(lambda: bb.features(frame, out=out), frames)
    invoke = median_ms(bb._interp.invoke, frames)  # the interpreter alone, for the ratio
    return {
        "backbone_ms": round(per_frame, 3),
        "backbone_invoke_ms": round(invoke, 3),
        "feature_shape": list(bb.feature_shape),
        "interpreter": bb.interpreter_name,
        "backbone_model": model.name,
        "backbone_input_size": bb.input_size,
        "backbone_threads": bb.num_threads,
    }
