"""The arcade as a whole: does every camera frame get through, how late, in how much memory?

    python benchmarks/app_demo.py [--model M] [--input-size N] [--play-seconds 60] [--runs 1]
                                  [--samples 30] [--size 800x480]

Runs `edgepac demo --headless --json` (the real threads and clock: the demo player at 30 fps,
~30 frames recorded per pose, training with the defaults, then play while the virtual player
takes the pose the autopilot wants) and `edgepac bench --json` (the per-part costs), in
subprocesses, and prints:

- every frame processed at 30 fps? (fps ~ 30 and dropped == 0), p95 capture-to-request latency
  (goal < 25 ms), peak RSS (goal < 250 MB), accuracy of the requests against the true pose;
- the main loop: its frame intervals over the whole session (recording, saves, training, play;
  goals p99 <= 20 ms, max <= 50 ms) and the game's ticks per second of wall time while playing
  (goal >= 59);
- a Raspberry Pi estimate from the per-part costs: the inference thread's work per frame (the
  demo's own median, infer_ms_p50 = backbone + dequantise + head + smoothing; `edgepac bench`'s
  backbone_ms and head_predict_ms are shown beside it) and the main thread's (game_tick_ms +
  screen_ms). Each is multiplied by a Pi-vs-this-machine factor (``--pi4-factor``,
  ``--pi5-factor``); docs/benchmarks/app-demo.md ("Raspberry Pi estimate") says where the
  factors come from. They are estimates, not measurements.

The machine is shared: the load average before and after each run is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

GOAL_LATENCY_MS = 25.0
GOAL_RSS_MB = 250.0
GOAL_FRAME_P99_MS = 20.0
GOAL_FRAME_MAX_MS = 50.0
GOAL_TICKS_PER_S = 59.0
CAMERA_FPS = 30.0
SCREEN_FPS = 60.0


def edgepac(*args: str) -> dict[str, Any]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    out = subprocess.run(
        [sys.executable, "-m", "edgepac", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode != 0:
        sys.exit(f"edgepac {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="model path or variant (default: the best one here)")
    p.add_argument("--input-size", type=int, help="backbone input size (default: the model's)")
    p.add_argument("--play-seconds", type=float, default=60.0)
    p.add_argument("--runs", type=int, default=1, help="demo runs (the median is reported)")
    p.add_argument("--samples", type=int, default=30, help="frames recorded per pose")
    p.add_argument("--size", default="800x480", help="screen size, e.g. 1920x1080")
    p.add_argument(
        "--pi4-factor",
        type=float,
        default=8.0,
        help="Raspberry Pi 4 time / this machine's time, per part (default 8)",
    )
    p.add_argument(
        "--pi5-factor",
        type=float,
        default=3.0,
        help="Raspberry Pi 5 time / this machine's time, per part (default 3)",
    )
    args = p.parse_args()
    model = [
        *(["--model", args.model] if args.model else []),
        *(["--input-size", str(args.input_size)] if args.input_size else []),
    ]

    runs = []
    for i in range(args.runs):
        before = load()
        fig = edgepac(
            "demo", "--headless", "--json", "--play-seconds", str(args.play_seconds),
            "--samples", str(args.samples), "--size", args.size, *model,
        )
        fig["load_before"], fig["load_after"] = before, load()
        runs.append(fig)
        print(
            f"run {i + 1}: "
            + json.dumps(
                {
                    k: fig[k]
                    for k in (
                        "fps",
                        "dropped",
                        "latency_ms_p50",
                        "latency_ms_p95",
                        "rss_mb",
                        "accuracy",
                        "frame_ms_p99",
                        "frame_ms_max",
                        "game_ticks_per_s",
                        "load_before",
                        "load_after",
                    )
                }
            ),
            file=sys.stderr,
        )
    runs.sort(key=lambda f: f["latency_ms_p95"])
    demo = runs[len(runs) // 2]
    parts = edgepac("bench", "--json", "--threads", "2", *model)

    infer_ms = demo["infer_ms_p50"]
    main_ms = (parts.get("game_tick_ms") or 0.0) + (parts.get("screen_ms") or 0.0)
    every_frame = demo["dropped"] == 0 and demo["fps"] >= 0.97 * CAMERA_FPS
    result: dict[str, Any] = {
        "model": demo["model"],
        "input_size": demo["input_size"],
        "interpreter": demo["interpreter"],
        "play_seconds": args.play_seconds,
        "fps": round(demo["fps"], 2),
        "dropped": demo["dropped"],
        "every_frame_at_30fps": every_frame,
        "latency_ms_p50": round(demo["latency_ms_p50"], 2),
        "latency_ms_p95": round(demo["latency_ms_p95"], 2),
        "latency_goal_met": demo["latency_ms_p95"] < GOAL_LATENCY_MS,
        "rss_mb": round(demo["rss_mb"], 1),
        "rss_goal_met": demo["rss_mb"] < GOAL_RSS_MB,
        "accuracy": round(demo["accuracy"], 4),
        "size": args.size,
        "samples_per_class": args.samples,
        "frame_ms_p99": round(demo["frame_ms_p99"], 1),
        "frame_ms_max": round(demo["frame_ms_max"], 1),
        "frame_goals_met": demo["frame_ms_p99"] <= GOAL_FRAME_P99_MS
        and demo["frame_ms_max"] <= GOAL_FRAME_MAX_MS,
        "game_ticks_per_s": round(demo["game_ticks_per_s"], 2),
        "ticks_goal_met": demo["game_ticks_per_s"] >= GOAL_TICKS_PER_S,
        "heldout_accuracy": demo["heldout_accuracy"],
        "train_s": round(demo["train_s"], 2),
        "load": f"{demo['load_before']} -> {demo['load_after']}",
        "infer_ms_p50": round(infer_ms, 3),
        "backbone_ms": round(parts["backbone_ms"], 3),
        "head_predict_ms": _round(parts.get("head_predict_ms")),
        "game_tick_ms": _round(parts.get("game_tick_ms")),
        "screen_ms": _round(parts.get("screen_ms")),
    }
    for name, factor in (("pi4", args.pi4_factor), ("pi5", args.pi5_factor)):
        pi_infer = infer_ms * factor
        pi_main = main_ms * factor
        # Queueing seen here (latency beyond the compute) is kept as it is; compute scales.
        queueing = max(0.0, demo["latency_ms_p95"] - infer_ms)
        result |= {
            f"{name}_factor": factor,
            f"{name}_infer_ms": round(pi_infer, 1),
            f"{name}_main_ms": round(pi_main, 1),
            f"{name}_every_frame_at_30fps": pi_infer < 1000.0 / CAMERA_FPS,
            f"{name}_screen_fps": round(min(SCREEN_FPS, 1000.0 / pi_main), 1) if pi_main else None,
            f"{name}_latency_ms_p95": round(pi_infer + queueing, 1),
        }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
