"""The steering filters side by side: how late they turn, how often they turn wrongly.

    python benchmarks/steering_filters.py [--model M] [--input-size 224] [--play-seconds 60]
                                          [--demo-runs 1] [--trace T.npz] [--save T.npz]

1. Records a trace: the whole demo (`edgepac demo`'s script, in this process) with the head's
   probabilities and the demo player's true pose for every frame played (or reads ``--trace``).
2. Replays every filter over the same trace, clean and with what a real camera adds:
   ``flicker`` (1 frame in 30 replaced by a certain, wrong guess), ``noise`` (each frame's
   probabilities mixed 50/50 with random ones), ``hesitate`` (the player moves through the
   3 frames after each change: the two poses blended), ``all`` (the three together).
   Same frames, same noise (seeded) for every filter.
3. Runs `edgepac demo --headless --json` once per configured filter (``--set
   play.smoothing=...``) in subprocesses: the arcade end to end, real threads and clock.

Figures per filter: accuracy (the request equals the true pose), lag p50/p95 (frames from a
change of pose to the steering's turn), false turns a minute (turns to a pose the player was
not in). A filter that ignores a one-frame flicker turns one frame after the player at best,
so on a trace with c changes in n frames its accuracy is at most raw - c/n: printed as
``ceiling_1_frame``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app.smoothing import Bayes, Smoother, Switch
from edgepac.app.stats import SteeringScore
from edgepac.poses import POSES

# name -> filter maker; the first three are what play.smoothing offers at its defaults.
FILTERS: dict[str, Callable[[list[str]], Any]] = {
    "switch 2 (default)": lambda n: Switch(n, frames=2, threshold=0.5),
    "bayes": lambda n: Bayes(n, change=0.05, threshold=0.5),
    "mean 5": lambda n: Smoother(n, frames=5, threshold=0.5),
    # References: what the settings trade.
    "bayes change 0.01": lambda n: Bayes(n, change=0.01, threshold=0.5),
    "bayes change 0.2": lambda n: Bayes(n, change=0.2, threshold=0.5),
    "mean 3": lambda n: Smoother(n, frames=3, threshold=0.5),
    "switch 1 (no flicker guard)": lambda n: Switch(n, frames=1, threshold=0.5),
}
DEMO_FILTERS = ("switch", "bayes", "mean")


def model_flags(args: argparse.Namespace) -> list[str]:
    return [
        *(["--model", args.model] if args.model else []),
        *(["--input-size", str(args.input_size)] if args.input_size else []),
    ]


def record(args: argparse.Namespace) -> dict[str, np.ndarray]:
    """The demo, in this process: every played frame's probabilities, truth and time."""
    os.environ["SDL_VIDEODRIVER"] = os.environ["SDL_AUDIODRIVER"] = "dummy"
    from edgepac.app.build import build_app, make_autopilot, make_source
    from edgepac.app.config import load_config
    from edgepac.app.demo import Director

    overrides: dict[str, Any] = {
        "camera.source": "demo",
        "screen.fullscreen": False,
        "screen.width": 800,
        "screen.height": 480,
        "screen.attract_after_s": 0.0,
        "buttons.gpio": "off",
    }
    if args.model:
        overrides["model.path"] = args.model
    if args.input_size:
        overrides["model.input_size"] = args.input_size
    cfg = load_config(overrides=overrides)
    rows: list[tuple[np.ndarray, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="edgepac-steer-") as state:
        app = build_app(cfg, headless=True, state_dir=Path(state), source=make_source(cfg))

        def keep(pred: Any) -> None:
            if pred.truth is not None:
                order = [pred.classes.index(p) for p in POSES]
                rows.append((pred.proba[order], POSES.index(pred.truth), pred.t_capture))

        app.inference.on_play = keep
        with app:
            director = Director(
                app.source, app.post, make_autopilot(), play_seconds=args.play_seconds
            )
            app.run(until=director)
    if not rows:
        sys.exit("the demo played no frames")
    return {
        "proba": np.stack([r[0] for r in rows]).astype(np.float32),
        "truth": np.array([r[1] for r in rows], np.int64),
        "t": np.array([r[2] for r in rows], np.float64),
    }


def noisy(trace: dict[str, np.ndarray], kind: str, seed: int = 0) -> np.ndarray:
    """The trace's probabilities with what a camera and a player add (seeded)."""
    rng = np.random.default_rng(seed)
    proba = trace["proba"].astype(np.float64).copy()
    truth = trace["truth"]
    n, k = proba.shape
    if kind in ("hesitate", "all"):
        changes = np.flatnonzero(np.diff(truth)) + 1
        for c in changes:  # the 3 frames after a change: moving from the old pose to the new
            old, new = truth[c - 1], truth[c]
            for j, w in enumerate((0.35, 0.6, 0.85)):
                if c + j < n and truth[c + j] == new:
                    proba[c + j] = 0.0
                    proba[c + j, old], proba[c + j, new] = 1 - w, w
    if kind in ("noise", "all"):
        proba = 0.5 * proba + 0.5 * rng.dirichlet(np.ones(k), size=n)
    if kind in ("flicker", "all"):
        for i in np.flatnonzero(rng.random(n) < 1 / 30):
            wrong = (truth[i] + rng.integers(1, k)) % k
            proba[i] = 0.01 / (k - 1)
            proba[i, wrong] = 0.99
    return proba.astype(np.float32)


def replay(make: Callable[[list[str]], Any], proba: np.ndarray, trace: dict) -> dict[str, Any]:
    names = list(POSES)
    f = make(names)
    score = SteeringScore()
    right = 0
    truth, t = trace["truth"], trace["t"]
    for i in range(len(proba)):
        name = f.update(proba[i])
        right += name == names[truth[i]]
        score.add(names[truth[i]], name, float(t[i]))
    fig = score.figures()
    return {
        "accuracy": round(right / len(proba), 4),
        "lag_p50": fig["steer_lag_frames_p50"],
        "lag_p95": round(fig["steer_lag_frames_p95"], 2),
        "false_turns_per_min": round(fig["false_turns_per_min"], 2),
    }


def replays(trace: dict[str, np.ndarray]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    truth = trace["truth"]
    for kind in ("clean", "flicker", "noise", "hesitate", "all"):
        proba = trace["proba"] if kind == "clean" else noisy(trace, kind)
        raw = float(np.mean(np.argmax(proba, axis=1) == truth))
        changes = int(np.count_nonzero(np.diff(truth)))
        out[kind] = {
            "raw_accuracy": round(raw, 4),
            "ceiling_1_frame": round(raw - changes / len(truth), 4),
            **{name: replay(make, proba, trace) for name, make in FILTERS.items()},
        }
    return out


def demo(args: argparse.Namespace, smoothing: str) -> dict[str, Any]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    cmd = [
        sys.executable, "-m", "edgepac", "demo", "--headless", "--json",
        "--play-seconds", str(args.play_seconds), *model_flags(args),
        "--set", f"play.smoothing={smoothing}",
    ]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    keys = (
        "accuracy", "raw_accuracy", "steer_lag_frames_p50", "steer_lag_frames_p95",
        "false_turns_per_min", "steer_changes", "play_frames", "fps", "dropped",
        "frame_age_ms_p50", "frame_age_ms_p95",
    )
    out = {k: (round(fig[k], 4) if isinstance(fig[k], float) else fig[k]) for k in keys}
    # What a filter that ignores one-frame flickers could reach on this run's changes of pose.
    ceiling = fig["raw_accuracy"] - fig["steer_changes"] / fig["play_frames"]
    out["ceiling_1_frame"] = round(ceiling, 4)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="model path or variant (default: the best one here)")
    p.add_argument("--input-size", type=int, help="backbone input size (default: the model's)")
    p.add_argument("--play-seconds", type=float, default=60.0)
    p.add_argument("--demo-runs", type=int, default=1, help="end-to-end demos per filter (0: none)")
    p.add_argument("--trace", type=Path, help="replay this recorded trace (.npz), no recording")
    p.add_argument("--save", type=Path, help="save the recorded trace here (.npz)")
    args = p.parse_args()

    t0 = time.time()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.trace:
        trace = dict(np.load(args.trace))
    else:
        trace = record(args)
        if args.save:
            np.savez_compressed(args.save, **trace)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": load,
        "trace_frames": len(trace["truth"]),
        "trace_changes": int(np.count_nonzero(np.diff(trace["truth"]))),
        "replay": replays(trace),
    }
    for kind in ("clean", "all"):
        print(f"\n{kind}: raw {result['replay'][kind]['raw_accuracy']}, "
              f"1-frame ceiling {result['replay'][kind]['ceiling_1_frame']}", file=sys.stderr)
        for name in FILTERS:
            print(f"  {name:30s} {result['replay'][kind][name]}", file=sys.stderr)
    result["demo"] = {
        s: [demo(args, s) for _ in range(args.demo_runs)] for s in DEMO_FILTERS
    } if args.demo_runs else {}
    result["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
