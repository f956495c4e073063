"""Power cuts across a kiosk's day: how many presses a cut loses and how many files it breaks.

    python benchmarks/power_cuts.py [--cuts 300] [--boots 300] [--seeds 0 1]

Replays ``--cuts`` random power cuts of one recorded run per seed (tests/powercut.py: unsynced
data lost, metadata up to a random point after the last directory fsync kept) over the real
recorder, saver thread, trainer and head save: presses, TRAIN, undo, a refresh sitting, the cap
dropping a sitting, clear, a new visitor, compaction. After each cut the store and the head are
loaded from what is left, and ``--boots`` of the cuts also boot a fresh arcade on it (the real
model, pygame's dummy driver) and press PLAY if it welcomes the player back. Prints, per seed:
cuts, presses and frames lost (of saves reported done), files broken or moved aside, the states
the arcade reached, and the cuts per phase of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cuts", type=int, default=300)
    p.add_argument("--boots", type=int, default=300)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--model", default=None, help="the .tflite (default: 0.25_128 from the data)")
    args = p.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import pytest
    from powercut import run_cuts

    from edgepac.vision.backbone import Backbone

    data = Path(os.environ.get("EDGEPAC_TEST_DATA", REPO.parent / "shared"))
    model = args.model or data / "models" / "mobilenet_v1_0.25_128_quant.tflite"
    backbone = Backbone(model, num_threads=1)
    failed = False
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="edgepac-cuts-") as tmp:
            mp = pytest.MonkeyPatch()
            try:
                figures = run_cuts(Path(tmp), backbone, mp, args.cuts, args.boots, seed=seed)
            finally:
                mp.undo()
        print(json.dumps({"seed": seed, **figures}), flush=True)
        failed |= bool(figures["presses_lost"] or figures["files_broken"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
