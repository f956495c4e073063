"""The checks that scripts/aarch64-check runs on emulated aarch64 and on this machine, to compare.

    python tests/cross_arch.py activations MODEL IMAGES_DIR OUT.npz   # the cut backbone, each photo
    python tests/cross_arch.py head ACTIVATIONS.npz OUT.npz           # a head trained, predicting
    python tests/cross_arch.py compare A.npz B.npz                    # how far apart, per array

Not collected by pytest (no test_ prefix): it is run by the script in both places.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np

INPUT_SIZE = 224  # the shared 0.25_128 model at 224 gives the tutorial's 7x7x256


def activations(model: str, images: str, out: str) -> None:
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.images import load_rgb

    backbone = Backbone(model, input_size=INPUT_SIZE)
    photos = sorted(p for p in Path(images).iterdir() if p.suffix.lower() in (".jpg", ".bmp"))
    acts = backbone.features_batch([load_rgb(p) for p in photos])
    np.savez(out, activations=acts, names=np.array([p.name for p in photos]))
    print(json.dumps({"machine": platform.machine(), "interpreter": backbone.interpreter_name,
                      "photos": len(photos), "feature_shape": list(backbone.feature_shape),
                      "mean": round(float(acts.mean()), 4)}))


def head(acts_file: str, out: str) -> None:
    """Each photo its own class: the head must learn them all back, seeded, so that the two
    machines' probabilities can be compared."""
    from edgepac.learning.dense import DenseHead

    X = np.load(acts_file)["activations"].astype(np.float32) / 255 * 6  # 0..6, like relu6
    y = np.arange(len(X))
    model = DenseHead(epochs=200, learning_rate=1e-3, jitter_copies=0, seed=0).fit(X, y)
    proba = np.stack([model.predict_proba(x) for x in X])
    np.savez(out, proba=proba)
    right = int((proba.argmax(1) == y).sum())
    print(json.dumps({"machine": platform.machine(), "right": right, "of": len(y)}))
    if right != len(y):
        sys.exit(f"the head learnt {right} of {len(y)} photos back")


def compare(a_file: str, b_file: str) -> None:
    a, b = np.load(a_file), np.load(b_file)
    report = {}
    for key in a.files:
        if a[key].dtype.kind in "US":
            continue
        diff = np.abs(a[key].astype(np.float64) - b[key].astype(np.float64))
        report[key] = {"max_abs_diff": float(diff.max()), "differing": int((diff > 0).sum()),
                       "of": int(diff.size)}
    print(json.dumps(report))


if __name__ == "__main__":
    commands = {"activations": activations, "head": head, "compare": compare}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
