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
# A Pi 4 (Cortex-A72, 1.8 GHz) against this machine: the README's factor ("The arcade": int8
# convolutions ~8x; XNNPACK's float32 ones, 4 lanes a NEON FMA against 16 at twice the clock,
# about the same). An estimate, not a measurement.
PI4_FACTOR = 8.0


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
    tm = getattr(args, "tm", None)
    result = tm_figures(args) if tm else {}
    result |= backbone_figures(args)
    if tm:
        result["tm_vs_backbone"] = round(result["tm_ms"] / result["backbone_ms"], 2)
        result["backbone_pi4_ms_estimate"] = round(result["backbone_ms"] * PI4_FACTOR, 1)
    return result


def tm_figures(args: argparse.Namespace) -> dict[str, Any]:
    """A Teachable Machine model per frame: its embedding as the arcade runs it (640x480 in,
    the centre square at 224, 1280 out), and its whole model (the head too) for comparison."""
    from edgepac.vision.interpreter import allocate, make_interpreter
    from edgepac.vision.tm import TmBackbone, resolve_tm

    model = resolve_tm(args.tm)
    threads = getattr(args, "threads", None)
    bb = TmBackbone(model, num_threads=threads)
    frames = getattr(args, "frames", 100)
    frame = np.random.default_rng(0).integers(0, 256, FRAME_SHAPE, np.uint8)
    out = np.empty(bb.feature_shape, np.uint8)
    per_frame = median_ms(lambda: bb.features(frame, out=out), frames)
    invoke = median_ms(bb._interp.invoke, frames)
    whole, _ = make_interpreter(model.model, num_threads=threads, source=model.name)
    allocate(whole, model.name)
    whole_invoke = median_ms(whole.invoke, frames)
    return {
        "tm_model": model.name,
        "tm_kind": model.kind,
        "tm_ms": round(per_frame, 3),
        "tm_invoke_ms": round(invoke, 3),
        "tm_whole_model_invoke_ms": round(whole_invoke, 3),
        "tm_threads": threads,
        "tm_pi4_ms_estimate": round(per_frame * PI4_FACTOR, 1),
    }


def backbone_figures(args: argparse.Namespace) -> dict[str, Any]:
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
