"""What saving the samples costs the SD card: bytes written and fsyncs per press and per visitor.

    python benchmarks/store_io.py [--samples 30 500] [--presses 1 10] [--play-seconds 5]
                                  [--compare-with TREE] [--json]

Runs `edgepac demo --headless --json --samples S --presses K` in a subprocess for each S and K
(the real arcade: demo player, recorder, saver thread, training, head save) and reports

- our own count: bytes the store's folder wrote (segments + manifests) and its fsyncs, per press
  (S x 4 poses / K presses ... 4 K presses a visitor) and per visitor;
- the kernel's count for the whole process (/proc/self/io read by the demo after its last save):
  ``write_bytes`` (bytes the process sent to the block layer) and ``wchar`` (bytes through
  write calls). Both include the trained head (head.npz, ~5 MB with the defaults) and the
  high-score file; the store's share is our own count;
- the done-when: write_bytes <= 2 x recorded + 20 MB;
- with ``--compare-with TREE`` (a source tree of another commit, e.g. ``git archive`` of the
  code before the append-only store), the same demo from that tree, run alternately in the same
  run, and the main loop's figures (fps, frame_ms_p99, frame_ms_max, latency) side by side.

An SD-card life estimate for a busy kiosk (60 visitors an hour, 10 hours a day) follows from the
per-visitor bytes: docs/benchmarks/store-io.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

MB = 1 << 20
POSES = 4
MAIN_LOOP = ("fps", "frame_ms_p99", "frame_ms_max", "latency_ms_p95", "dropped", "rss_mb")


def demo(samples: int, presses: int, play_seconds: float, tree: str | None) -> dict[str, Any]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    args = ["--samples", str(samples), "--play-seconds", str(play_seconds)]
    if tree is None:
        args += ["--presses", str(presses)]
        cmd = [sys.executable, "-m", "edgepac", "demo", "--headless", "--json", *args]
    else:  # another tree may predate --presses and the demo's own I/O figures
        env["PYTHONPATH"] = tree
        cmd = [sys.executable, "-c", OLD_TREE, *args]
    # From the tree's own folder: ``-c`` puts the working directory first on sys.path.
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=tree)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# The demo of a tree without the I/O figures: the kernel's count read at exit, after the save.
OLD_TREE = """
import atexit, json, sys
from pathlib import Path
def report():
    io = dict(l.split(": ") for l in Path("/proc/self/io").read_text().splitlines())
    figures["io_write_bytes"], figures["io_wchar"] = int(io["write_bytes"]), int(io["wchar"])
    print(json.dumps(figures))
figures = {}
real_dumps = json.dumps
def keep(obj, **kw):
    figures.update(obj)
    return real_dumps(obj, **kw)
json.dumps = keep
atexit.register(report)
from edgepac.cli import main
sys.exit(main(["demo", "--headless", "--json", *sys.argv[1:]]))
"""


def row(samples: int, presses: int, d: dict[str, Any]) -> dict[str, Any]:
    frame = 1
    for d_ in d["feature_shape"]:
        frame *= d_
    recorded = d.get("recorded_bytes") or samples * POSES * frame
    n_presses = POSES * presses
    r: dict[str, Any] = {"samples": samples, "presses_per_pose": presses}
    r["recorded_mb"] = recorded / MB
    if "store_bytes_written" in d:
        r["store_mb_per_visitor"] = d["store_bytes_written"] / MB
        r["store_kb_per_press"] = d["store_bytes_written"] / 1024 / n_presses
        r["fsyncs_per_visitor"] = d["store_fsyncs"]
        r["fsyncs_per_press"] = d["store_fsyncs"] / n_presses
    r["kernel_write_bytes_mb"] = d["io_write_bytes"] / MB
    r["kernel_wchar_mb"] = d["io_wchar"] / MB
    r["done_when_ok"] = d["io_write_bytes"] <= 2 * recorded + 20 * MB
    r |= {k: d.get(k) for k in MAIN_LOOP}
    return r


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, nargs="+", default=[30, 500])
    p.add_argument("--presses", type=int, nargs="+", default=[1, 10])
    p.add_argument("--play-seconds", type=float, default=5.0)
    p.add_argument("--compare-with", metavar="TREE", help="another source tree, run alternately")
    p.add_argument("--repeat", type=int, default=1, help="run each case this many times")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    for samples in args.samples:
        for presses in args.presses:
            runs = [("this", None)]
            if args.compare_with and presses == 1:
                runs.append((args.compare_with, args.compare_with))
            runs *= args.repeat  # alternately: the machine's load falls on both alike
            for name, tree in runs:
                d = demo(samples, presses, args.play_seconds, tree)
                r = {"tree": name, **row(samples, presses, d)}
                print(json.dumps(r) if args.json else _line(r), flush=True)
    return 0


def _line(r: dict[str, Any]) -> str:
    return "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())


if __name__ == "__main__":
    sys.exit(main())
