"""Writes sample stores as the code before the append-only store did (run at commit 8415edf):
format 2 through its save path, and format 1 exactly as version 1 laid it out."""
import numpy as np

from edgepac.learning import files
from edgepac.learning.store import SampleStore

ID = {"model_sha256": "a" * 64, "input_size": 128, "cut_layer": "conv_pw_13_relu"}
store = SampleStore((2, 2, 3), scale=0.5, zero_point=3, identity=ID, clock=lambda: 1000.0)
rng = np.random.default_rng(7)
for name, n in (("up", 4), ("down", 3), ("up", 2), ("left", 5)):
    store.begin_burst(now=1000.0 + len(store))
    for _ in range(n):
        store.add(name, rng.integers(0, 255, (2, 2, 3), dtype=np.uint8),
                  thumbnail=np.full((4, 4, 3), len(store), np.uint8))
store.begin_session()
store.begin_burst(now=5000.0)
for _ in range(3):
    store.add("right", rng.integers(0, 255, (2, 2, 3), dtype=np.uint8))
store.save("tests/data/samples-v2.npz")
with np.load("tests/data/samples-v2.npz") as npz:
    a = {k: npz[k] for k in npz.files if k not in ("recorded_at", "sessions")}
a["format_version"] = np.array(1)
files.write_npz("tests/data/samples-v1.npz", a)
print(store.counts(), store.sessions.tolist(), store.bursts.tolist())
