"""The coach: after training, how well each pose did on held-back frames, and what to teach next.

    report = coach(y_true, y_pred, classes)   # class indices of the held-back frames
    report.accuracy     {"up": 1.0, "left": 0.5, "down": None, ...}  (None: too few to judge)
    report.confused     ("left", "up"): left frames are taken for up more than any other pair
    report.advice       "LEFT LOOKS LIKE UP: HOLD LEFT AGAIN AND LEAN FURTHER"
    report.weak         ("left",): the poses to teach again

Teachable Machine shows the same per-class accuracy and confusion matrix ("Under the hood");
the coach reads them for the player. It judges only what it saw: a pose with fewer than
``min_frames`` held-back frames is "too few to judge" (None), and one stray frame is never a
pattern (a pose is weak only with ``min_mistakes`` wrong, and under ``good`` right).
Pure arithmetic on labels: no heads, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from edgepac.poses import POSES

MIN_FRAMES = 5  # held-back frames a pose needs to be judged (the held-out split's own minimum)
MIN_MISTAKES = 2  # one wrong frame is a flicker, not a pattern
GOOD = 0.9  # a pose right this often (or more) is fine

# What to do about a pose taken for another: the game's poses are leans; any other class
# (a folder's own names) is told to exaggerate itself.
TIPS = dict.fromkeys(POSES, "LEAN FURTHER")
TIP = "MAKE IT BIGGER"


@dataclass(frozen=True)
class Coaching:
    """One training's report card (see the module's docstring)."""

    classes: tuple[str, ...]
    accuracy: dict[str, float | None]  # share right per pose; None: too few frames to judge
    frames: dict[str, int]  # held-back frames per pose
    confusion: np.ndarray  # int (k, k): rows the pose shown, columns what it was taken for
    confused: tuple[str, str] | None  # (pose, the pose it is taken for), worst first
    weak: tuple[str, ...]  # poses to teach again, in class order
    advice: str  # one line for the screen, upper case

    def as_dict(self) -> dict[str, object]:
        """For JSON: per-pose accuracy (as `edgepac eval` names it), confusions, advice."""
        return {
            "per_class_accuracy": self.accuracy,
            "held_back_per_class": self.frames,
            "classes": list(self.classes),
            "confusion": self.confusion.tolist(),
            "confused": list(self.confused) if self.confused else None,
            "weak": list(self.weak),
            "advice": self.advice,
        }


def coach(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[str],
    min_frames: int = MIN_FRAMES,
    min_mistakes: int = MIN_MISTAKES,
    good: float = GOOD,
) -> Coaching:
    """The report card for held-back frames of true classes ``y_true`` predicted ``y_pred``
    (class indices into ``classes``)."""
    names = tuple(str(c) for c in classes)
    k = len(names)
    y_true = np.asarray(y_true, dtype=np.intp)
    y_pred = np.asarray(y_pred, dtype=np.intp)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    shown = confusion.sum(axis=1)
    accuracy: dict[str, float | None] = {}
    for i, name in enumerate(names):
        accuracy[name] = float(confusion[i, i] / shown[i]) if shown[i] >= min_frames else None
    weak = tuple(
        name
        for i, name in enumerate(names)
        if accuracy[name] is not None
        and accuracy[name] < good  # type: ignore[operator]
        and shown[i] - confusion[i, i] >= min_mistakes
    )
    confused = _worst_pair(confusion, names, weak)
    unjudged = [n for n in names if accuracy[n] is None]
    return Coaching(
        classes=names,
        accuracy=accuracy,
        frames={n: int(c) for n, c in zip(names, shown, strict=True)},
        confusion=confusion,
        confused=confused,
        weak=weak,
        advice=_advice(confused, unjudged, len(names)),
    )


def _worst_pair(
    confusion: np.ndarray, names: tuple[str, ...], weak: tuple[str, ...]
) -> tuple[str, str] | None:
    """Among the weak poses, the (pose, taken for) with the largest share of that pose's frames
    (ties: the more frames)."""
    best, best_key = None, (0.0, 0)
    for i, name in enumerate(names):
        if name not in weak:
            continue
        row = confusion[i].copy()
        row[i] = 0
        j = int(np.argmax(row))
        key = (row[j] / confusion[i].sum(), int(row[j]))
        if row[j] and key > best_key:
            best, best_key = (name, names[j]), key
    return best


def _advice(confused: tuple[str, str] | None, unjudged: list[str], k: int) -> str:
    """One line: the worst pair if any (a weak pose always has one: it has mistakes), else
    what could not be judged, else the all-clear."""
    if confused is not None:
        pose, other = confused
        tip = TIPS.get(pose, TIP)
        return f"{pose.upper()} LOOKS LIKE {other.upper()}: HOLD {pose.upper()} AGAIN AND {tip}"
    if len(unjudged) == k:
        return "TOO FEW FRAMES TO JUDGE YET: HOLD EACH POSE A LITTLE LONGER"
    if unjudged:
        few = " AND ".join(n.upper() for n in unjudged)
        them = "IT" if len(unjudged) == 1 else "THEM"
        return f"TOO FEW FRAMES OF {few} TO JUDGE: HOLD {them} LONGER"
    return "EVERY POSE READS WELL: PRESS PLAY"
