"""Training the dense head: EdgePac's NumPy vs scikit-learn's MLPClassifier vs PyTorch (CPU).

    python3 -m venv /tmp/venv-bench
    /tmp/venv-bench/bin/pip install scikit-learn torch==2.13.0 numpy   # torch: the CPU wheel
    /tmp/venv-bench/bin/python benchmarks/learning_head_speed.py [--threads 1] [--repeats 5]

Same data (the tutorial's case: 400 samples of 7x7x256 real activations, 4 classes, float32),
same architecture (12,544 → 100 relu → 4 softmax), same optimiser and schedule (Adam, learning
rate 1e-4, batch floor(400 x 0.4) = 160, shuffled, 20 epochs), no regularisation. Differences
that cannot be removed: scikit-learn's output layer has a bias; the initialisations differ (each
library's own). The three run in turns, in one process, with the same number of BLAS/intra-op
threads, and each figure is the median of the repeats. EdgePac's head runs the tutorial preset
(no jittered copies) so that the work is the same.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # edgepac, without installing it

from edgepac.learning.dense import DenseHead

N_TRAIN, N_TEST, K = 400, 400, 4
UNITS, LR, BATCH_FRACTION, EPOCHS = 100, 1e-4, 0.4, 20


def dataset() -> tuple[np.ndarray, ...]:
    """Real activations: webcam-like frames of one player (benchmarks/learning_generalisation.py)
    through the real backbone, 100 a class to train on, 100 a class of a later session to test."""
    from learning_generalisation import SCENARIOS, SESSION_A, SESSIONS_B, recording

    from edgepac.vision.backbone import Backbone

    shared = Path(os.environ.get("EDGEPAC_TEST_DATA", "../shared"))
    bb = Backbone(shared / "models" / "mobilenet_v1_0.25_128_quant.tflite", input_size=224)
    images, scenario = shared / "images", SCENARIOS[0]
    per = N_TRAIN // K // 2
    frames, y = recording(scenario, images, SESSION_A, 2, per, seed=1)
    X = bb.dequantize(bb.features_batch(frames))
    frames, yt = recording(scenario, images, SESSIONS_B[0], 1, N_TEST // K, seed=2)
    return X, y, bb.dequantize(bb.features_batch(frames)), yt


def edgepac_fit(X: np.ndarray, y: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    head = DenseHead.tutorial(seed=seed).fit(X, y)
    return lambda Xt: np.argmax(head.predict_proba(Xt), axis=1)


def edgepac_every_input_fit(
    X: np.ndarray, y: np.ndarray, seed: int
) -> Callable[[np.ndarray], np.ndarray]:
    """The same, without skipping the inputs that are 0 in every frame (to show what that gains)."""
    from edgepac.learning import dense

    shortcut = dense.used_columns
    dense.used_columns = lambda X2: None
    try:
        return edgepac_fit(X, y, seed)
    finally:
        dense.used_columns = shortcut


def sklearn_fit(X: np.ndarray, y: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(UNITS,), activation="relu", solver="adam", alpha=0.0,
        learning_rate_init=LR, batch_size=int(len(X) * BATCH_FRACTION), max_iter=EPOCHS,
        shuffle=True, tol=0.0, n_iter_no_change=EPOCHS + 1, epsilon=1e-7, random_state=seed,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 20 epochs is the recipe
        clf.fit(X.reshape(len(X), -1), y)
    return lambda Xt: clf.predict(Xt.reshape(len(Xt), -1))


def torch_fit(X: np.ndarray, y: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    import torch

    torch.manual_seed(seed)
    d = X[0].size
    model = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(d, UNITS),
        torch.nn.ReLU(),
        torch.nn.Linear(UNITS, K, bias=False),
    )
    opt = torch.optim.Adam(model.parameters(), lr=LR, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X.reshape(len(X), -1)), torch.from_numpy(y.astype(np.int64))
    batch = int(len(X) * BATCH_FRACTION)
    g = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        order = torch.randperm(len(X), generator=g)
        for start in range(0, len(X), batch):
            idx = order[start : start + batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            opt.step()

    def predict(Xq: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(Xq.reshape(len(Xq), -1))).argmax(1).numpy()

    return predict


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1, help="BLAS / intra-op threads for all three")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    import sklearn
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    X, y, Xt, yt = dataset()
    zero = float((X == 0).mean())
    dead = float((~X.reshape(len(X), -1).any(axis=0)).mean())
    contenders = {
        "EdgePac (NumPy)": edgepac_fit,
        "EdgePac, every input (no zero-input shortcut)": edgepac_every_input_fit,
        "scikit-learn MLPClassifier": sklearn_fit,
        "PyTorch (CPU)": torch_fit,
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    accuracy: dict[str, list[float]] = {name: [] for name in contenders}
    with threadpool_limits(limits=args.threads):
        for r in range(args.repeats + 1):  # round 0 warms up caches and lazy imports
            for name, fit in contenders.items():  # in turns, so load on the machine hits all
                t0 = time.perf_counter()
                predict = fit(X, y, seed=r)
                elapsed = time.perf_counter() - t0
                if r:
                    times[name].append(elapsed)
                    accuracy[name].append(float((predict(Xt) == yt).mean()))

    print(
        f"{platform.processor() or platform.machine()}, {args.threads} thread(s), numpy "
        f"{np.__version__}, scikit-learn {sklearn.__version__}, torch {torch.__version__}; "
        f"{len(X)} samples of {'x'.join(map(str, X.shape[1:]))}, {EPOCHS} epochs, median of "
        f"{args.repeats}; {zero:.0%} of the activations are 0, {dead:.0%} of the inputs are 0 "
        f"in every frame\n"
    )
    ours = statistics.median(times["EdgePac (NumPy)"])
    print("| trainer | train s (median) | vs EdgePac | test accuracy |")
    print("|---|---|---|---|")
    for name in contenders:
        t = statistics.median(times[name])
        print(f"| {name} | {t:.3f} | {t / ours:.2f}x | {statistics.mean(accuracy[name]):.3f} |")


if __name__ == "__main__":
    main()
