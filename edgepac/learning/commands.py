"""`edgepac train`, `eval` and `predict`: the learning core on folders of photos, no camera needed.

A labelled folder is DIR/<class>/<images> (any format Pillow reads); the game's classes are up,
down, left and right, and any other folder name is a class too. Heavy imports happen inside the
commands so that `edgepac --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgepac.cli import add_input_size, positive_int
from edgepac.errors import EdgePacError
from edgepac.poses import POSES

if TYPE_CHECKING:
    import numpy as np

    from edgepac.learning.dense import DenseHead
    from edgepac.learning.store import SampleStore
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.tm import TmBackbone

MAX_PER_CLASS = 50  # learning.choice's, without importing NumPy for --help
HOLDOUT = 0.2  # the arcade's learning.holdout


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a head on a labelled folder of photos",
        description="Train a head on DIR/<class>/<images> (PNG, JPEG, BMP... any format Pillow "
        "reads) and write it atomically to --out. Give --images once per session, oldest "
        "first: one folder is one sitting, and the latest weighs most (as the arcade treats "
        "its sessions). The backbone runs the model at the size `edgepac run` runs it at, so "
        "the head fits the arcade with the same --model.",
    )
    _backbone_args(p)
    p.add_argument(
        "--images",
        required=True,
        type=Path,
        action="append",
        metavar="DIR",
        help="DIR/<class>/*.png; repeat for later sessions, oldest first",
    )
    p.add_argument("--out", required=True, type=Path, metavar="HEAD", help="head file to write")
    p.add_argument(
        "--max-per-class",
        type=int,
        default=MAX_PER_CLASS,
        metavar="N",
        help=f"frames a class one training pass sees, newest sessions first (default "
        f"{MAX_PER_CLASS}; 0 = all)",
    )
    p.add_argument(
        "--warm-start",
        action="store_true",
        help="start from the head already at --out (a few epochs) instead of from scratch",
    )
    p.add_argument("--head", choices=("dense", "knn"), default="dense")
    p.add_argument(
        "--holdout",
        type=float,
        default=HOLDOUT,
        metavar="SHARE",
        help=f"the latest SHARE of each class's images per session are held back to judge the "
        f"head per class, as the arcade does (default {HOLDOUT}; a class with under 5 images "
        f"in a session keeps them all; 0 = none)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: per-class accuracy on the held-back images, the "
        "confusions and the coach's advice",
    )
    p.add_argument(
        "--preset", choices=("tutorial",), help="the tutorial's dense recipe, for comparison"
    )
    p.add_argument("--epochs", type=int)
    p.add_argument("--units", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--batch-fraction", type=float)
    p.add_argument("--k", type=int, help="neighbours that vote (knn head)")
    p.add_argument("--seed", type=int)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "eval",
        help="accuracy of a head on a labelled folder",
        description="Accuracy, per-class accuracy and confusion matrix of HEAD on DIR/<class>/*. "
        "With --tm, the Teachable Machine model's own (DIR/<TM label>/*), or HEAD trained on it.",
    )
    _backbone_args(p)
    p.add_argument("--head", type=Path, metavar="HEAD", help="default with --tm: the TM model's")
    p.add_argument("--images", required=True, type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "predict",
        help="class and probability for each image",
        description="Print the head's class and its probability for each IMAGE. With --tm, the "
        "Teachable Machine model's own label and probabilities (or HEAD trained on it).",
    )
    _backbone_args(p)
    p.add_argument("--head", type=Path, metavar="HEAD", help="default with --tm: the TM model's")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="any format Pillow reads")
    p.add_argument("--json", action="store_true", help="print one JSON object per image")
    p.set_defaults(func=cmd_predict)


def _backbone_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="M", help="model file or variant (default: the best here)")
    p.add_argument(
        "--tm",
        metavar="NAME|PATH",
        help="a Teachable Machine model instead (a name from `edgepac import-tm`, or its zip)",
    )
    add_input_size(p)
    p.add_argument("--threads", type=positive_int, metavar="T", help="interpreter threads")


# -- the commands ----------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    import numpy as np

    from edgepac.atomic import check_output, give_default_mode
    from edgepac.learning.choice import held_out_split
    from edgepac.learning.coach import coach
    from edgepac.learning.heads import load_head, make_head
    from edgepac.learning.threads import limit_blas_threads

    params: dict[str, Any] = {}
    for name in ("epochs", "units", "learning_rate", "batch_fraction", "k", "seed"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    check_output(args.out, "--out")
    if args.max_per_class < 0:
        raise EdgePacError(f"--max-per-class must be 0 (all) or more, got {args.max_per_class}")
    if not 0 <= args.holdout <= 0.5:
        raise EdgePacError(f"--holdout must be from 0 to 0.5, got {args.holdout}")
    if args.warm_start and not args.out.is_file():
        raise EdgePacError(f"--warm-start: no head at {args.out} to start from; train without it")
    head = make_head(args.head, preset=args.preset, **params)  # bad values fail before the work
    folders = [read_folder(d) for d in args.images]  # every folder checked before the work
    bb = open_backbone(args)
    if args.warm_start:
        head = load_head(args.out, bb.identity, move_damaged=False)
        if not hasattr(head, "warm_start"):
            raise EdgePacError(f"--warm-start: the head at {args.out} is a {head.kind} head, "
                               "which has no weights to start from; train without it")  # fmt: skip
        try:
            head.set_params(warm_start=True, **params).check_params()
        except EdgePacError as err:
            raise EdgePacError(f"--warm-start: {err}") from err
    store = record_sessions(bb, folders)
    chosen = store.training_set(max_per_class=args.max_per_class or None)
    # Held back as the arcade does: the latest images of each class in each session.
    train, test = held_out_split(chosen.labels, args.holdout, groups=chosen.sessions)
    X = store.dequantized(chosen.index[train])
    names = list(store.class_names)
    back = f", {len(test)} held back" if len(test) else ""
    if args.tm and not args.warm_start:
        head = warm_from_tm(bb, names, head, args)  # type: ignore[arg-type]
    print(
        f"edgepac: {len(X)} of {_count(len(store), 'image')} of {_count(len(names), 'class')} "
        f"({', '.join(names)}) in {_count(len(folders), 'session')}{back}",
        file=sys.stderr,
    )
    warm = bool(getattr(head, "fits_warm", lambda *_: False)(names, math.prod(X.shape[1:])))
    bar = ProgressBar(getattr(head, "warm_epochs" if warm else "epochs", 1))
    t0 = time.perf_counter()
    limit_blas_threads(1)  # as the arcade: OpenBLAS's spinning threads slow a busy machine down
    weights = chosen.weights[train]
    head.fit(X, chosen.labels[train], class_names=names, callback=bar, sample_weight=weights)
    bar.close()
    seconds = time.perf_counter() - t0
    head.save(args.out, bb.identity)
    give_default_mode(args.out)
    held = store.dequantized(chosen.index[test])
    guess = np.argmax(head.predict_proba(held), axis=1) if len(test) else test
    report = coach(chosen.labels[test], guess, names)
    curve = getattr(head, "loss_curve_", None)
    if args.json:
        correct = float(np.mean(guess == chosen.labels[test])) if len(test) else None
        line = {"head": str(args.out), "trained_on": len(X), "held_back": len(test)}
        line |= {"accuracy": correct, **report.as_dict(), "train_s": round(seconds, 3)}
        line["final_loss"] = float(curve[-1]) if curve else None
        print(json.dumps(line))
        return 0
    final = f"final loss {curve[-1]:.4f}, " if curve else ""
    print(f"trained {head!r}: {final}{seconds:.2f} s; wrote {args.out}")
    judged = [f"{c} {a:.2f}" for c, a in report.accuracy.items() if a is not None]
    if judged:
        print(f"held back {len(test)}: " + ", ".join(judged))
    print(f"coach: {report.advice}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import numpy as np

    from edgepac.learning.coach import coach

    if args.head is None and not args.tm:
        raise EdgePacError("give --head HEAD (or --tm NAME: a Teachable Machine model's own head)")
    bb = open_backbone(args)
    head, own = head_for(args, bb)
    folder = read_folder(args.images)
    unknown = [c for c in folder if c not in head.classes_]
    if len(unknown) == len(folder):
        raise EdgePacError(
            f"the head knows none of the classes in {args.images} ({', '.join(unknown)}); it "
            f"knows {', '.join(head.classes_)}: name the class folders so, or train a head on them"
        )
    if unknown:  # worth measuring (what does it call a pose it never saw?), but said out loud
        print(
            f"edgepac: the head does not know {', '.join(unknown)}: those images count as "
            "mistakes",
            file=sys.stderr,
        )
    X, y = activations(bb, folder, exact=own)
    # Rows: the true class (the folder's), columns: what the head said (its classes).
    truth = list(folder)
    classes = list(head.classes_) + [c for c in truth if c not in head.classes_]
    true_idx = np.array([classes.index(truth[i]) for i in y])
    pred_idx = np.argmax(head.predict_proba(X), axis=1)
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(confusion, (true_idx, pred_idx), 1)
    correct = true_idx == pred_idx
    per_class = {
        c: float(correct[true_idx == i].mean()) for i, c in enumerate(classes) if c in truth
    }
    report = coach(true_idx, pred_idx, classes)
    result = {
        "accuracy": float(correct.mean()),
        "n": len(X),
        "classes": classes,
        "confusion": confusion.tolist(),
        "per_class_accuracy": per_class,
        "head": args.head.name if args.head else f"tm:{args.tm}",
        "confused": list(report.confused) if report.confused else None,
        "weak": list(report.weak),
        "advice": report.advice,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"accuracy {result['accuracy']:.3f} on {len(X)} images")
    width = max(len(c) for c in classes) + 2
    for c, acc in per_class.items():
        print(f"  {c:<{width}}{acc:.3f}")
    print("confusion (rows: true class, columns: predicted)")
    print(" " * width + "".join(f"{c:>{width}}" for c in classes))
    for c, row in zip(classes, confusion, strict=True):
        print(f"{c:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    print(f"coach: {report.advice}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from edgepac.vision.images import load_rgb

    if args.head is None and not args.tm:
        raise EdgePacError("give --head HEAD (or --tm NAME: a Teachable Machine model's own head)")
    bb = open_backbone(args)
    head, own = head_for(args, bb)
    for path in args.images:
        image = load_rgb(path)
        x = bb.embed(image) if own else bb.dequantize(bb.features(image))  # type: ignore[attr-defined]
        p = head.predict_proba(x)
        best = int(p.argmax())
        if args.json:
            probs = {c: round(float(v), 6) for c, v in zip(head.classes_, p, strict=True)}
            line = {"image": str(path), "class": head.classes_[best], "probabilities": probs}
            print(json.dumps(line))
        else:
            print(f"{path}: {head.classes_[best]} ({p[best]:.3f})")
    return 0


# -- shared steps ----------------------------------------------------------------------------


def open_backbone(args: argparse.Namespace) -> Backbone:
    """The model named by --model, at the size every command runs it at (`input_size_for`);
    with --tm, the Teachable Machine model cut at its embedding (TM's preprocessing)."""
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.models import input_size_for, resolve_model

    if getattr(args, "tm", None):
        return open_tm_backbone(args)  # type: ignore[return-value]

    model = resolve_model(args.model)
    size = input_size_for(model, args.input_size)
    return Backbone(model, input_size=size, num_threads=args.threads)


def open_tm_backbone(args: argparse.Namespace) -> TmBackbone:
    from edgepac.vision.tm import TmBackbone, resolve_tm

    if args.model:
        raise EdgePacError("give --model or --tm, not both")
    if args.input_size:
        raise EdgePacError("--input-size: a Teachable Machine model runs at its own size (224)")
    # Bilinear (Pillow), as TM's recipe resizes: predictions agree with TM's own.
    return TmBackbone(resolve_tm(args.tm), num_threads=args.threads, resample="bilinear")


def warm_from_tm(bb: TmBackbone, names: list[str], head: Any, args: argparse.Namespace) -> Any:
    """With --tm, training starts from the TM model's own head when the class folders are its
    labels (or the directions they map to): each class TM knows keeps what TM learned."""
    from edgepac.learning.heads import TM_RECIPE, with_classes

    tm = bb.tm
    mapped = tm.classes if tm.directions is not None else []
    kind = "labels" if set(names) <= set(tm.labels) else "directions"
    if kind == "directions" and not set(names) <= set(mapped):
        print(
            f"edgepac: the class folders ({', '.join(names)}) are not the Teachable Machine "
            f"model's labels ({', '.join(tm.labels)}) nor its directions: training a new head "
            "on its embedding",
            file=sys.stderr,
        )
        return head
    if args.head != "dense" or args.preset:
        return head
    params = {k: v for k, v in head.get_params().items() if k not in ("units", "warm_start")}
    params["warm_epochs"] = TM_RECIPE["warm_epochs"]
    if args.learning_rate is None:
        params["learning_rate"] = TM_RECIPE["learning_rate"]
    start = with_classes(tm_head(bb, kind), names).set_params(**params, warm_start=True)
    print(f"edgepac: starting from Teachable Machine model {tm.name}'s own head", file=sys.stderr)
    return start


def tm_head(bb: TmBackbone, classes: str = "labels") -> DenseHead:
    """The TM model's own dense head, its classes TM's labels (or the arcade's directions)."""
    from edgepac.learning.heads import dense_head_from_weights

    tm = bb.tm
    names = tm.labels if classes == "labels" else tm.classes
    return dense_head_from_weights(tm.W1, tm.b1, tm.W2, names)


def head_for(args: argparse.Namespace, bb: Backbone) -> tuple[Any, bool]:
    """--head (refused if made on another backbone), else the TM model's own; -> (head, whether
    it is TM's own: then it sees TM's exact float embedding, as in TM)."""
    from edgepac.learning.heads import load_head

    if args.head is not None:
        return load_head(args.head, bb.identity, move_damaged=False), False  # only reading
    if not getattr(args, "tm", None):
        raise EdgePacError("give --head HEAD (or --tm NAME: a Teachable Machine model's own head)")
    return tm_head(bb), True  # type: ignore[arg-type]


def read_folder(root: Path) -> dict[str, list[Path]]:
    """DIR/<class>/<images> as {class: [images]}: the game's classes first, then the rest."""
    from edgepac.vision.images import is_image_name

    if not root.is_dir():
        raise EdgePacError(f"--images {root} is not a folder: give DIR with DIR/<class>/*.png")
    folders = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    if not folders:
        raise EdgePacError(f"{root} has no class folders: put images in {root}/up/, {root}/down/…")
    order = {name: i for i, name in enumerate(POSES)}
    folders.sort(key=lambda d: (order.get(d.name, len(order)), d.name))
    result = {}
    for d in folders:
        images = sorted(p for p in d.iterdir() if is_image_name(p))
        if not images:
            raise EdgePacError(
                f"class folder {d} has no images (PNG, JPEG, BMP...): add some or remove the folder"
            )
        result[d.name] = images
    return result


def record_sessions(bb: Backbone, folders: list[dict[str, list[Path]]]) -> SampleStore:
    """A sample store as the arcade keeps one: each folder a session (oldest first), each
    class folder a burst, the activations uint8 as the backbone gives them."""
    from edgepac.learning.store import SampleStore
    from edgepac.vision.images import load_rgb

    order = {name: i for i, name in enumerate(POSES)}
    names = sorted({c for f in folders for c in f}, key=lambda c: (order.get(c, len(order)), c))
    store = SampleStore(
        bb.feature_shape,
        scale=bb.scale,
        zero_point=bb.zero_point,
        identity=bb.identity,
        class_names=names,
    )
    for folder in folders:
        store.begin_session()
        for name, paths in folder.items():
            store.begin_burst()
            for path in paths:
                store.add(name, bb.features(load_rgb(path)))
    return store


def activations(
    bb: Backbone, folder: dict[str, list[Path]], exact: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Float32 activations (n, *feature_shape) and class indices (n,) for a labelled folder;
    ``exact``: a TM backbone's embedding as TM's head sees it (not through 8 bits)."""
    import numpy as np

    from edgepac.vision.images import load_rgb

    paths = [p for images in folder.values() for p in images]
    y = np.repeat(np.arange(len(folder)), [len(v) for v in folder.values()])
    if exact:
        return np.stack([bb.embed(load_rgb(p)) for p in paths]), y  # type: ignore[attr-defined]
    q = np.empty((len(paths), *bb.feature_shape), dtype=np.uint8)
    for i, path in enumerate(paths):
        bb.features(load_rgb(path), out=q[i])
    return bb.dequantize(q), y


class ProgressBar:
    """A one-line bar on stderr, driven by the head's per-batch callback."""

    def __init__(self, epochs: int, width: int = 30) -> None:
        self.epochs, self.width = epochs, width
        self.tty = sys.stderr.isatty()
        self.last_epoch = -1

    def __call__(self, epoch: int, batch: int, loss: float) -> None:
        if not self.tty and epoch == self.last_epoch:
            return  # in a log, one line per epoch is plenty
        self.last_epoch = epoch
        done = round(self.width * (epoch + 1) / self.epochs)
        bar = "#" * done + "." * (self.width - done)
        line = f"training [{bar}] epoch {epoch + 1}/{self.epochs} loss {loss:.4f}"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def _count(n: int, noun: str) -> str:
    """ "1 image", "2 images", "1 class", "3 classes". """
    return f"{n} {noun}{'' if n == 1 else 'es' if noun.endswith('s') else 's'}"
