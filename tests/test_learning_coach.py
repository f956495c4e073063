"""The coach: each pose's share right on held-back frames, the pair it mixes up, in words."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgepac.app.training import training_data
from edgepac.learning.coach import coach
from edgepac.learning.dense import DenseHead
from edgepac.learning.store import SampleStore

GAME = ("up", "down", "left", "right")


def labels(*runs: tuple[str, str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(shown, taken for, frames) runs as class indices."""
    y = np.concatenate([np.full(n, GAME.index(a)) for a, _, n in runs])
    guess = np.concatenate([np.full(n, GAME.index(b)) for _, b, n in runs])
    return y, guess


def test_the_pose_taken_for_another_is_named_with_what_to_do() -> None:
    y, guess = labels(
        ("up", "up", 10), ("down", "down", 10),
        ("left", "left", 4), ("left", "up", 5), ("left", "right", 1),
        ("right", "right", 9), ("right", "down", 1),
    )  # fmt: skip
    report = coach(y, guess, GAME)
    assert report.accuracy == {"up": 1.0, "down": 1.0, "left": 0.4, "right": 0.9}
    assert report.confused == ("left", "up") and report.weak == ("left",)
    assert report.advice == "LEFT LOOKS LIKE UP: HOLD LEFT AGAIN AND LEAN FURTHER"
    assert report.confusion[GAME.index("left")].tolist() == [5, 0, 4, 1]


def test_the_worst_of_two_weak_poses_is_named() -> None:
    y, guess = labels(
        ("up", "up", 7), ("up", "down", 3),  # 30 % wrong
        ("down", "down", 10),
        ("left", "left", 4), ("left", "right", 6),  # 60 % wrong: the worst
        ("right", "right", 10),
    )  # fmt: skip
    report = coach(y, guess, GAME)
    assert report.weak == ("up", "left") and report.confused == ("left", "right")
    assert report.advice.startswith("LEFT LOOKS LIKE RIGHT")


def test_too_few_frames_are_not_judged_and_the_coach_says_so() -> None:
    y, guess = labels(("up", "left", 4), ("down", "down", 3))  # 4 wrong of 4: still a guess
    report = coach(y, guess, GAME)
    assert set(report.accuracy.values()) == {None} and report.weak == () and not report.confused
    assert report.advice == "TOO FEW FRAMES TO JUDGE YET: HOLD EACH POSE A LITTLE LONGER"
    none = coach(np.zeros(0, int), np.zeros(0, int), GAME)
    assert none.advice == report.advice and none.frames == dict.fromkeys(GAME, 0)
    # Some judged and all well, one too short: that one is named, nothing is guessed.
    y, guess = labels(("up", "up", 6), ("down", "down", 6), ("left", "left", 6), ("right", "up", 2))
    partly = coach(y, guess, GAME)
    assert partly.accuracy["right"] is None and partly.weak == ()
    assert partly.advice == "TOO FEW FRAMES OF RIGHT TO JUDGE: HOLD IT LONGER"


def test_one_stray_frame_is_not_a_weak_pose_and_all_good_says_play() -> None:
    y, guess = labels(
        ("up", "up", 5), ("up", "left", 1), ("down", "down", 6), ("left", "left", 6),
        ("right", "right", 6),
    )  # fmt: skip
    report = coach(y, guess, GAME)
    assert report.accuracy["up"] == pytest.approx(5 / 6) and report.weak == ()
    assert report.confused is None and report.advice == "EVERY POSE READS WELL: PRESS PLAY"
    as_json = json.loads(json.dumps(report.as_dict()))
    assert as_json["per_class_accuracy"]["down"] == 1.0 and as_json["advice"] == report.advice


def test_a_class_of_its_own_name_is_told_to_make_the_pose_bigger() -> None:
    names = ("wave", "clap")
    report = coach(np.array([0] * 6 + [1] * 6), np.array([1] * 4 + [0] * 2 + [1] * 6), names)
    assert report.advice == "WAVE LOOKS LIKE CLAP: HOLD WAVE AGAIN AND MAKE IT BIGGER"


def test_a_head_taught_two_poses_from_the_same_pictures_names_that_pair() -> None:
    """The arcade's own way (the store, its held-out split, a real dense head): LEFT recorded
    from the very pictures UP was, so the head cannot tell them apart; the others are clear."""
    rng = np.random.default_rng(0)
    shape = (3, 3, 8)
    looks = {name: rng.integers(0, 256, shape) for name in ("up", "down", "right")}
    looks["left"] = looks["up"]  # the deliberate confusion
    store = SampleStore(shape, scale=0.02, zero_point=0, class_names=GAME)
    for _ in range(2):  # two presses a pose, 20 frames each
        for name in GAME:
            store.begin_burst()
            for _ in range(20):
                noisy = looks[name] + rng.normal(0, 20, shape)
                store.add(name, np.clip(noisy, 0, 255).astype(np.uint8))
    data = training_data(store, holdout=0.2)
    head = DenseHead(epochs=30, seed=0).fit(data.X, data.y, class_names=data.names)
    report = data.coaching(head)
    assert report.frames == dict.fromkeys(GAME, 8)  # the latest 20 % of each pose
    assert report.accuracy["down"] == report.accuracy["right"] == 1.0
    assert report.confused is not None and set(report.confused) == {"up", "left"}
    pose, other = report.confused
    assert report.advice == f"{pose.upper()} LOOKS LIKE {other.upper()}: HOLD {pose.upper()} " \
        "AGAIN AND LEAN FURTHER"  # fmt: skip


@pytest.mark.model
def test_train_json_and_eval_name_the_pair_taught_from_the_same_photos(
    tmp_path: Path, images_dir: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`edgepac train --json`: LEFT's folder holds crops of UP's photo; the coach names them."""
    from edgepac.cli import main

    photos = {"up": "cat.bmp", "down": "bird.bmp", "left": "cat.bmp", "right": "parrot.jpg"}
    rng = np.random.default_rng(1)
    root = tmp_path / "photos"
    for cls, name in photos.items():
        im = Image.open(images_dir / name).convert("RGB")
        side = min(im.size)
        (root / cls).mkdir(parents=True)
        for i in range(25):  # 5 held back (the latest 20 %): enough to judge
            c = int(side * rng.uniform(0.7, 1.0))
            x, y = (int(rng.uniform(0, d - c + 1)) for d in im.size)
            im.crop((x, y, x + c, y + c)).resize((64, 64)).save(root / cls / f"{i:02}.png")
    head = tmp_path / "head.npz"
    m = ["--model", str(model_025_128)]
    assert main(["train", *m, "--images", str(root), "--out", str(head), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["held_back"] == 20 and out["trained_on"] == 80
    assert out["per_class_accuracy"]["down"] == out["per_class_accuracy"]["right"] == 1.0
    assert set(out["confused"]) == {"up", "left"}, out
    assert "LOOKS LIKE" in out["advice"] and len(out["confusion"]) == 4
    assert main(["eval", *m, "--head", str(head), "--images", str(root)]) == 0
    text = capsys.readouterr().out
    assert "coach: " in text and "LOOKS LIKE" in text  # the same advice on eval
