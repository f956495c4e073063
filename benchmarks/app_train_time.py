"""Where TRAIN's time goes in the running arcade, and two source trees compared in one run.

    python benchmarks/app_train_time.py [--tree DIR ...] [--runs 4] [--samples 500]

Each run is `edgepac demo --headless --samples N --play-seconds 3` in a fresh process, with the
trainer's phases timed from inside (TRAIN pressed, the copy of the chosen frames, the fit, the
result seen by the main loop) and every thread's CPU time and run-queue wait read from
``/proc/self/task/*/schedstat`` (Linux) between TRAIN and the end of the fit. So the wall time
splits into the training thread's own CPU, its waiting for a core (other threads, other
programs), and the rest (blocked: on the interpreter lock, a lock, the disk).

``--tree DIR`` (repeat it): the checkout whose ``edgepac`` to run, e.g. main's and this branch's;
the runs alternate between them (the machine's load changes: compare within one run). The
default is this checkout. Prints one line per run and the medians, with each tree's ratio to
the first one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
FIGURES = ("train_s", "training_cpu_s", "copy_s", "fit_s", "runnable_wait_s", "blocked_s")


def threads() -> dict[str, tuple[float, float]]:
    """Every thread of this process: name -> (seconds run on a CPU, seconds waiting for one)."""
    names = {str(t.native_id): t.name for t in threading.enumerate()}
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            run, wait, _ = Path(f"/proc/self/task/{tid}/schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        out[f"{names.get(tid, 'other')}:{tid}"] = (int(run) / 1e9, int(wait) / 1e9)
    return out


def child(samples: int) -> None:
    """One demo with the trainer's phases timed; prints SUMMARY {json} on stderr."""
    import edgepac.app.commands as commands
    import edgepac.app.demo as demo
    import edgepac.app.recorder as recorder
    import edgepac.app.trainer as trainer
    from edgepac.app.arcade import Kind
    from edgepac.cli import main
    from edgepac.learning.dense import DenseHead

    at: dict[str, float] = {}
    sched: dict[str, dict[str, tuple[float, float]]] = {}

    def mark(what: str) -> None:
        at.setdefault(what, time.monotonic())
        if what in ("train", "fit_all<"):
            sched[what] = threads()

    def timed(owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            mark(label + ">")
            try:
                return real(*args, **kwargs)
            finally:
                mark(label + "<")

        setattr(owner, name, wrapper)

    timed(recorder.Recorder, "training_set", "copy")
    timed(trainer.Trainer, "_fit", "fit_all")
    timed(DenseHead, "fit", "fit")
    real_finished = trainer.Trainer.finished

    def finished(self: Any) -> Any:
        out = real_finished(self)
        if out:
            mark("result")
        return out

    trainer.Trainer.finished = finished  # type: ignore[method-assign]
    real_init = demo.Director.__init__

    def init(self: Any, player: Any, press: Any, *args: Any, **kwargs: Any) -> None:
        def pressed(event: Any) -> None:
            if event.kind is Kind.TRAIN:
                mark("train")
            press(event)

        real_init(self, player, pressed, *args, **kwargs)

    demo.Director.__init__ = init  # type: ignore[method-assign]
    commands.Director = demo.Director  # type: ignore[attr-defined]
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            main(["demo", "--headless", "--json", "--samples", str(samples), "--play-seconds", "3"])
        finally:
            sys.stdout = stdout
    before, after = sched["train"], sched["fit_all<"]
    (key,) = [k for k in after if k.startswith("edgepac-training")]
    run, wait = (b - a for a, b in zip(before.get(key, (0.0, 0.0)), after[key], strict=True))
    wall = at["fit_all<"] - at["copy>"]
    summary = {
        "train_s": at["result"] - at["train"],
        "copy_s": at["copy<"] - at["copy>"],
        "fit_s": at["fit<"] - at["fit>"],
        "training_cpu_s": run,
        "runnable_wait_s": wait,
        "blocked_s": max(0.0, wall - run - wait),
        "load": os.getloadavg()[0],
    }
    print("SUMMARY " + json.dumps(summary), file=sys.stderr)


def one_run(tree: Path, samples: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    out = subprocess.run(  # from / so that the tree's edgepac is the one imported
        [sys.executable, str(HERE), "--child", "--samples", str(samples)],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [x for x in out.stderr.splitlines() if x.startswith("SUMMARY ")]
    if out.returncode != 0 or not lines:
        sys.exit(f"the demo failed in {tree}:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1].removeprefix("SUMMARY "))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tree", action="append", type=Path, help="a checkout to run (repeat)")
    p.add_argument("--runs", type=int, default=4, help="rounds; each runs every tree once")
    p.add_argument("--samples", type=int, default=500, help="frames recorded per pose")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.samples)
        return 0
    trees = [t.resolve() for t in (args.tree or [HERE.parent.parent])]
    results: dict[Path, list[dict[str, float]]] = {t: [] for t in trees}
    for _ in range(args.runs):
        for tree in trees:
            r = one_run(tree, args.samples)
            results[tree].append(r)
            print(f"{tree}: " + " ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
    first = trees[0]
    for tree in trees:
        medians = {k: statistics.median(r[k] for r in results[tree]) for k in FIGURES}
        base = {k: statistics.median(r[k] for r in results[first]) for k in FIGURES}
        ratios = {k: v / base[k] for k, v in medians.items() if base[k] > 0}
        print(
            json.dumps(
                {
                    "tree": str(tree),
                    "median": {k: round(v, 3) for k, v in medians.items()},
                    "ratio_to_first": {k: round(v, 2) for k, v in ratios.items() if tree != first},
                    "load": [round(r["load"], 1) for r in results[tree]],
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
