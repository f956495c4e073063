"""`edgepac train / eval / predict` on folders of real photos through the real backbone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgepac.cli import main
from edgepac.learning.heads import load_head

PHOTOS = {"up": "cat.bmp", "down": "bird.bmp", "left": "parrot.jpg", "right": "sunflower.bmp"}
CROPS = [(0.0, 0.0, 1.0), (0.1, 0.1, 0.8), (0.2, 0.0, 0.7), (0.0, 0.2, 0.75)]


def labelled_folder(root: Path, images_dir: Path, classes=PHOTOS) -> Path:
    """DIR/<class>/*.png: four crops of one real photo per class."""
    for cls, name in classes.items():
        im = Image.open(images_dir / name).convert("RGB")
        w, h = im.size
        side = min(w, h)
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i, (x, y, z) in enumerate(CROPS):
            c = int(side * z)
            left, top = int(x * (w - c)), int(y * (h - c))
            crop = im.crop((left, top, left + c, top + c)).resize((96, 96))
            crop.save(root / cls / f"{i}.{'png' if i % 2 else 'jpg'}")
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, images_dir: Path) -> Path:
    return labelled_folder(tmp_path_factory.mktemp("photos"), images_dir)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, folder: Path, model_025_128: Path) -> Path:
    head = tmp_path_factory.mktemp("heads") / "head.npz"
    args = ["train", "--model", str(model_025_128), "--images", str(folder), "--out", str(head)]
    assert main([*args, "--epochs", "30"]) == 0
    return head


@pytest.mark.slow
def test_train_eval_predict_on_real_photos(
    trained: Path, folder: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["eval", "--model", str(model_025_128), "--head", str(trained),
                 "--images", str(folder), "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["classes"] == ["up", "down", "left", "right"] and result["n"] == 16
    assert result["accuracy"] == 1.0  # four crops of four different photos: learned them all
    assert np.trace(result["confusion"]) == 16
    assert main(["eval", "--model", str(model_025_128), "--head", str(trained),
                 "--images", str(folder)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "accuracy 1.000 on 16 images" in text and "confusion" in text
    assert main(["predict", "--model", str(model_025_128), "--head", str(trained),
                 str(folder / "left" / "0.jpg"), str(folder / "up" / "1.png")]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{folder / 'left' / '0.jpg'}: left (")
    assert lines[1].startswith(f"{folder / 'up' / '1.png'}: up (")


@pytest.mark.slow
def test_train_shows_progress_and_the_final_loss(
    folder: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "dense.npz"
    assert main(["train", "--model", str(model_025_128), "--images", str(folder), "--out",
                 str(out), "--epochs", "3", "--learning-rate", "1e-3"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "epoch 3/3" in captured.err and "final loss" in captured.out
    assert load_head(out).learning_rate == 1e-3


def test_the_nearest_neighbour_head_from_the_command_line(
    folder: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "knn.npz"
    m = ["--model", str(model_025_128)]
    assert main(["train", *m, "--images", str(folder), "--out", str(out), "--head", "knn",
                 "--k", "1"]) == 0  # fmt: skip
    assert load_head(out).k == 1
    capsys.readouterr()
    assert main(["eval", *m, "--head", str(out), "--images", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0  # each photo is its own nearest


def test_eval_counts_mistakes_in_the_confusion_matrix(
    trained: Path, folder: Path, model_025_128: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    swapped = tmp_path / "swapped"
    (swapped / "up").mkdir(parents=True)
    (swapped / "wave").mkdir()
    for i in range(2):  # photos the head calls "down", labelled "up"; and a class it never saw
        (swapped / "up" / f"{i}.jpg").write_bytes((folder / "down" / "0.jpg").read_bytes())
    (swapped / "wave" / "0.png").write_bytes((folder / "left" / "1.png").read_bytes())
    capsys.readouterr()
    assert main(["eval", "--model", str(model_025_128), "--head", str(trained),
                 "--images", str(swapped), "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["classes"] == ["up", "down", "left", "right", "wave"]
    assert result["accuracy"] == 0.0 and result["n"] == 3
    assert result["confusion"][0] == [0, 2, 0, 0, 0]
    assert result["confusion"][4] == [0, 0, 1, 0, 0]


def _train_fails(
    args: list[str], head: Path, capsys: pytest.CaptureFixture[str], message: str
) -> None:
    head.write_bytes(b"the old head")
    assert main(["train", *args, "--out", str(head), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    error = [line for line in err.splitlines() if line.startswith("edgepac: error: ")]
    assert len(error) == 1 and message in error[0] and "Traceback" not in err
    assert head.read_bytes() == b"the old head"  # nothing overwritten


def test_bad_folders_get_one_clear_line_and_keep_the_old_head(
    tmp_path: Path, folder: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    m = ["--model", str(model_025_128)]
    head = tmp_path / "head.npz"
    _train_fails([*m, "--images", str(tmp_path / "nope")], head, capsys, "is not a folder")
    empty_root = tmp_path / "none"
    empty_root.mkdir()
    _train_fails([*m, "--images", str(empty_root)], head, capsys, "has no class folders")
    (empty_root / "up").mkdir()
    (empty_root / "up" / "notes.txt").write_text("hi")
    _train_fails([*m, "--images", str(empty_root)], head, capsys, "has no images (PNG, JPEG, BMP")
    one = tmp_path / "one"
    (one / "up").mkdir(parents=True)
    (one / "up" / "a.png").write_bytes((folder / "up" / "1.png").read_bytes())
    _train_fails([*m, "--images", str(one)], head, capsys, "only one class has samples (up)")
    (one / "down").mkdir()
    (one / "down" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    _train_fails([*m, "--images", str(one)], head, capsys, "broken.jpg: not a readable image")
    _train_fails([*m, "--images", str(folder), "--head", "knn", "--units", "3"], head, capsys,
                 "a knn head takes: k")  # fmt: skip
    _train_fails([*m, "--images", str(folder), "--learning-rate", "-1"], head, capsys,
                 "learning_rate must be a number from 1e-07 to 1")  # fmt: skip


@pytest.mark.slow
def test_train_takes_one_folder_per_session_and_can_start_from_the_old_head(
    folder: Path, images_dir: Path, model_025_128: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    m = ["--model", str(model_025_128)]
    # The later session: one new photo a pose, mirrored (the camera moved, the light changed).
    later = tmp_path / "later"
    for cls in PHOTOS:
        (later / cls).mkdir(parents=True)
        im = Image.open(folder / cls / "0.jpg").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        im.save(later / cls / "top-up.png")
    out = tmp_path / "head.npz"
    assert main(["train", *m, "--images", str(folder), "--images", str(later),
                 "--out", str(out), "--epochs", "30"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "20 of 20 images of 4 classes (up, down, left, right) in 2 sessions" in captured.err
    for where in (folder, later):
        assert main(["eval", *m, "--head", str(out), "--images", str(where), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0
    # A refresh: a few epochs from the head already there, on the same two sessions.
    before = out.read_bytes()
    assert main(["train", *m, "--images", str(folder), "--images", str(later),
                 "--out", str(out), "--warm-start"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "epoch 15/15" in captured.err and "epoch 16" not in captured.err
    assert out.read_bytes() != before and load_head(out).warm_start
    assert main(["eval", *m, "--head", str(out), "--images", str(later), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0
    # A cap: the later session's frames first, then half of what is left from the first.
    assert main(["train", *m, "--images", str(folder), "--images", str(later),
                 "--out", str(out), "--max-per-class", "3", "--epochs", "2"]) == 0  # fmt: skip
    assert "12 of 20 images" in capsys.readouterr().err


def test_warm_start_and_the_cap_say_what_to_do_when_they_cannot(
    folder: Path, model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    m = ["--model", str(model_025_128), "--images", str(folder)]
    missing = tmp_path / "none.npz"
    assert main(["train", *m, "--out", str(missing), "--warm-start"]) == 2
    assert "no head at" in capsys.readouterr().err and not missing.exists()
    knn = tmp_path / "knn.npz"
    assert main(["train", *m, "--out", str(knn), "--head", "knn"]) == 0
    before = knn.read_bytes()
    assert main(["train", *m, "--out", str(knn), "--warm-start"]) == 2
    assert "a knn head, which has no weights to start from" in capsys.readouterr().err
    assert main(["train", *m, "--out", str(knn), "--max-per-class", "-1"]) == 2
    assert "--max-per-class must be 0 (all) or more" in capsys.readouterr().err
    assert knn.read_bytes() == before


def test_heads_from_another_backbone_or_damaged_are_refused(
    trained: Path, folder: Path, model_025_128: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    capsys.readouterr()
    other = ["--model", str(model_025_128), "--input-size", "160"]
    assert main(["predict", *other, "--head", str(trained), str(folder / "up" / "0.jpg")]) == 2
    assert "made with another backbone" in capsys.readouterr().err
    broken = tmp_path / "broken.npz"
    data = trained.read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    assert main(["eval", "--model", str(model_025_128), "--head", str(broken),
                 "--images", str(folder)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "damaged or truncated" in err and "pickle" not in err and len(err.splitlines()) == 1
    # eval only reads: the file it was given stays where it is, as it is
    assert broken.read_bytes() == data[: len(data) // 3] and trained.read_bytes() == data
    assert not (tmp_path / "broken.npz.corrupt").exists()


@pytest.mark.slow
def test_sigkill_during_train_leaves_the_old_head_or_the_new_one(
    trained: Path, folder: Path, model_025_128: Path, tmp_path: Path
) -> None:
    head = tmp_path / "head.npz"
    head.write_bytes(trained.read_bytes())
    old = head.read_bytes()
    cmd = [sys.executable, "-m", "edgepac", "train", "--model", str(model_025_128),
           "--images", str(folder), "--out", str(head), "--epochs", "300"]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    t0 = time.monotonic()
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # how long a whole run takes
    whole = time.monotonic() - t0
    new = head.read_bytes()
    assert new != old
    rng = random.Random(0)
    killed = 0
    # Kill at random moments until five kills land while it runs; under load a run can take
    # longer or shorter than the timed one, so a kill that came too late is simply retried
    # earlier (bounded, so a broken setup still ends).
    for _ in range(20):
        head.write_bytes(old)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 0.9) * whole)
        proc.send_signal(signal.SIGKILL)
        if proc.wait() == -signal.SIGKILL:
            killed += 1
        else:
            whole *= 0.7  # it finished first: aim earlier next time
        now = head.read_bytes()
        assert now in (old, new)  # never half of one, never missing
        assert load_head(head).classes_ == ["up", "down", "left", "right"]
        if killed == 5:
            break
    assert killed == 5  # the kills landed while it ran (training or writing)


KILL_MID_WRITE = """
import os, signal, sys
import numpy as np
real_savez = np.savez
def savez_then_power_cut(f, **arrays):
    real_savez(f, **arrays)
    f.truncate(f.tell() // 2)  # half of the new head is on its way to the disk...
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # ...when the power goes
np.savez = savez_then_power_cut
from edgepac.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_while_writing_the_head_keeps_the_old_one(
    trained: Path, folder: Path, model_025_128: Path, tmp_path: Path
) -> None:
    head = tmp_path / "head.npz"
    head.write_bytes(trained.read_bytes())
    cmd = [sys.executable, "-c", KILL_MID_WRITE, "train", "--model", str(model_025_128),
           "--images", str(folder), "--out", str(head), "--epochs", "2"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert head.read_bytes() == trained.read_bytes()
    assert load_head(head).classes_ == ["up", "down", "left", "right"]
