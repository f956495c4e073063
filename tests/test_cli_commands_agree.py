"""The commands agree with each other and with the docs: one input size per model, files
written as a user expects, nothing downloaded twice, and the examples in docs/ print what they
say they print."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edgepac import paths
from edgepac.cli import main
from edgepac.vision import models

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
GAME_PAGE = (REPO / "docs" / "game.md").read_text()
BACKBONE_PAGE = (REPO / "docs" / "backbone.md").read_text()
KEYBOARD_PAGES = [README, *((REPO / "docs" / n).read_text() for n in ("arcade.md", "device.md"))]


def _photos(root: Path, images_dir: Path) -> Path:
    """Two poses from the shared photos, in the formats people have: BMP, and JPEG as .JPG."""
    for pose, names in (("up", ("cat.bmp", "bird.bmp")), ("down", ("hot_dog.jpg", "parrot.jpg"))):
        (root / pose).mkdir(parents=True)
        for name in names:
            target = root / pose / (name.upper() if name.endswith(".jpg") else name)
            target.write_bytes((images_dir / name).read_bytes())
    return root


def _identity(head: Path) -> dict:
    with np.load(head, allow_pickle=False) as npz:
        return json.loads(str(npz["identity"]))


def _run_arcade(model: str, state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEPAC_STATE", str(state))
    argv = ["run", "--headless", "--camera", "demo", "--model", model, "--seconds", "1"]
    assert main([*argv, "--set", "buttons.gpio=off"]) == 0


@pytest.mark.slow
@pytest.mark.model
def test_a_head_from_train_is_the_one_run_loads(
    model_025_128: Path, images_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    models.import_model(model_025_128)  # `edgepac fetch-model --from`: now "0.25_128" names it
    photos = _photos(tmp_path / "photos", images_dir)
    state = tmp_path / "state"
    state.mkdir()
    head = state / "head.npz"
    train = ["train", "--images", str(photos), "--epochs", "3"]
    assert main([*train, "--model", "0.25_128", "--out", str(head)]) == 0
    assert "4 images of 2 classes (up, down)" in capsys.readouterr().err  # BMP and .JPG count
    assert _identity(head)["input_size"] == 224  # the manifest's run size, as the arcade's

    _run_arcade("0.25_128", state, monkeypatch)
    assert head.is_file() and not list(state.glob("head.npz.*"))  # loaded, not set aside
    _run_arcade(str(model_025_128), state, monkeypatch)  # the same model given as its file
    assert head.is_file() and not list(state.glob("head.npz.*"))

    # --input-size 0 is "the size EdgePac runs the model at" here too...
    zero = tmp_path / "zero.npz"
    given = ["--model", str(model_025_128), "--input-size", "0"]
    assert main([*train, *given, "--out", str(zero)]) == 0
    assert _identity(zero) == _identity(head)
    # ...and a head made at another size really is refused by the arcade (set aside, kept).
    assert main([*train, "--model", "0.25_128", "--input-size", "128", "--out", str(head)]) == 0
    _run_arcade("0.25_128", state, monkeypatch)
    assert not head.exists() and (state / "head.npz.other-backbone").is_file()


@pytest.mark.slow
@pytest.mark.model
def test_eval_says_when_the_head_does_not_know_the_classes(
    model_025_128: Path, images_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = _photos(tmp_path / "photos", images_dir)
    head = tmp_path / "head.npz"
    m = ["--model", str(model_025_128)]
    assert main(["train", *m, "--images", str(photos), "--epochs", "3", "--out", str(head)]) == 0
    capsys.readouterr()
    (photos / "up").rename(photos / "wave")
    (photos / "down").rename(photos / "jump")
    assert main(["eval", *m, "--head", str(head), "--images", str(photos)]) == 2
    err = capsys.readouterr().err
    assert "knows none of the classes" in err and "jump, wave" in err
    (photos / "jump").rename(photos / "down")  # one known class: measured, and said out loud
    assert main(["eval", *m, "--head", str(head), "--images", str(photos), "--json"]) == 0
    captured = capsys.readouterr()
    assert "does not know wave" in captured.err
    assert json.loads(captured.out)["n"] == 4


def test_fetch_model_does_not_download_what_is_here(
    model_05_160: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = models.import_model(model_05_160)
    before = cut.stat().st_mtime_ns
    assert main(["fetch-model", "0.5_160"]) == 0  # offline here: a download would fail
    captured = capsys.readouterr()
    assert captured.out.strip() == str(cut) and "already here" in captured.err
    assert cut.stat().st_mtime_ns == before


def test_fetch_model_from_a_folder_imports_every_known_model(
    test_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch-model", "--from", str(test_data / "models")]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == [
        "mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite",
        "mobilenet_v1_0.5_160_quant.conv_pw_13_relu.tflite",
    ]
    assert all(Path(p).is_file() for p in printed)
    assert main(["fetch-model", "--list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count(str(paths.models_dir())) == 2 and "0.25_224 (default)" in listed


@pytest.mark.model
def test_truncate_writes_a_file_others_can_read_and_makes_no_folders(
    model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        assert main(["truncate", str(model_025_128), str(tmp_path / "cut.tflite")]) == 0
        assert (tmp_path / "cut.tflite").stat().st_mode & 0o777 == 0o644  # as `cp` would make it
    finally:
        os.umask(old)
    assert main(["truncate", str(model_025_128), str(tmp_path / "typo" / "cut.tflite")]) == 2
    assert "no folder" in capsys.readouterr().err and not (tmp_path / "typo").exists()


def _edgepac(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edgepac", *argv],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.model
def test_the_interpreter_says_nothing_on_stderr(model_025_128: Path, images_dir: Path) -> None:
    # LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate" from C++ on every start.
    done = _edgepac("classify", "--model", str(model_025_128), str(images_dir / "cat.bmp"))
    assert done.returncode == 0 and "Egyptian cat" in done.stdout
    assert done.stderr == ""


# --- the docs' examples -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_game_page_play_example_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    pattern = r"^(edgepac play --autopilot --headless --seed 0 .*)\n# (\{.*)$"
    example = re.search(pattern, GAME_PAGE, re.M)
    assert example, "docs/game.md's seed-0 play example is gone"
    promised = json.loads(example.group(2).replace(", ...}", "}"))
    assert main(shlex.split(example.group(1))[1:]) == 0
    printed = json.loads(capsys.readouterr().out)
    for key in ("score", "levels_cleared", "ticks"):  # timings differ per machine, not these
        assert printed[key] == promised[key], f"docs/game.md says {key} {promised[key]}"


@pytest.mark.model
def test_the_backbone_page_classify_example_works_from_any_folder(
    model_025_128: Path, images_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    line = re.search(r"^edgepac (classify [^#\n]*?)\s+#", BACKBONE_PAGE, re.M)
    assert line, "docs/backbone.md's classify example is gone"
    models.import_model(model_025_128)  # `edgepac fetch-model 0.25_128` without the network
    (tmp_path / "photo.jpg").write_bytes((images_dir / "parrot.jpg").read_bytes())
    monkeypatch.chdir(tmp_path)  # anywhere but the models folder
    assert main(shlex.split(line.group(1))) == 0
    assert "macaw" in capsys.readouterr().out


def test_the_keyboard_lists_agree() -> None:
    """The README, docs/arcade.md and docs/device.md list the keys; the keyboard's module
    docstring too."""
    from edgepac.controls import keyboard

    lists = [
        m.group(0)
        for page in KEYBOARD_PAGES
        for m in re.finditer(r"arrows held.*?\.(?=\s)", page.replace("\n", " "))
    ]
    assert len(lists) >= 3
    for keys in lists:
        assert "Q" in keys and "F" in keys and "C" in keys, keys
    assert "Q" in (keyboard.__doc__ or "")


def test_the_arcade_says_a_damaged_samples_file_in_its_own_words(tmp_path: Path) -> None:
    from edgepac.learning.store import SampleStore

    path = tmp_path / "samples.npz"
    path.write_text("not samples\n")  # NumPy would talk of pickles and allow_pickle
    store = SampleStore.load_or_empty(
        path, (2, 2, 3), scale=0.1, zero_point=0, identity={"model_sha256": "a"}
    )
    assert len(store) == 0 and "damaged or truncated" in store.notice
    assert "pickle" not in store.notice
    # The arcade's own state: moved aside, so the next save cannot overwrite it.
    assert not path.exists() and (tmp_path / "samples.npz.corrupt").read_text() == "not samples\n"
