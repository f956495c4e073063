"""`edgepac export`: the player's controller as a Teachable Machine TFLite zip that runs without
EdgePac, agreeing with EdgePac's own backbone and head; and every refusal, one line, nothing
written."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageOps

from edgepac.camera.demo_player import DemoPainter
from edgepac.cli import main
from edgepac.learning.heads import make_head
from edgepac.poses import POSES
from edgepac.vision.backbone import Backbone
from edgepac.vision.images import load_rgb

REPO = Path(__file__).resolve().parent.parent
SIZE = 224  # what `edgepac run` runs the 0.25_128 model at (the manifest's run size)


SNIPPETS = {  # where a user copies the snippet from, and the comment that marks it there
    "docs": ("docs/teachable-machine-export.md", "<!-- the snippet the tests run"),
    "README": ("README.md", "<!-- the README's snippet"),
}


def snippet(where: str = "docs") -> str:
    """The docs' "Run it anywhere" block (or the README's short one): what a user copies is
    what is tested."""
    path, marker = SNIPPETS[where]
    block = (REPO / path).read_text().split(marker)[1]
    return re.search(r"```python\n(.*?)```", block, re.S)[1]


# A bare interpreter: no EdgePac, no TensorFlow, only what the snippet imports.
BARE = """
import runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("edgepac", "tensorflow"))
assert not loaded, loaded
"""


@pytest.fixture(scope="module")
def backbone(model_025_128: Path) -> Backbone:
    return Backbone(model_025_128, input_size=SIZE)


@pytest.fixture(scope="module")
def head_file(tmp_path_factory: pytest.TempPathFactory, backbone: Backbone) -> Path:
    """A dense head taught the four poses on the demo player's camera frames."""
    painter, rng = DemoPainter(), np.random.default_rng(0)
    frames = [painter.draw(p, rng, i / 30) for i in range(12) for p in POSES]
    y = np.tile(np.arange(4), 12)
    X = backbone.dequantize(backbone.features_batch(frames))
    head = make_head("dense", epochs=10).fit(X, y, class_names=list(POSES))
    path = tmp_path_factory.mktemp("head") / "head.npz"
    head.save(path, backbone.identity)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, head_file: Path, model_025_128: Path):
    out = tmp_path_factory.mktemp("export") / "controller.zip"
    assert main(["export", "--out", str(out), "--model", str(model_025_128),
                 "--head", str(head_file)]) == 0  # fmt: skip
    return out


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["export", *args])
    return code, capsys.readouterr().err


def test_the_zip_is_laid_out_as_teachable_machine_s(exported: Path) -> None:
    with zipfile.ZipFile(exported) as zf:
        assert sorted(zf.namelist()) == ["labels.txt", "model.tflite"]
        assert zf.read("labels.txt").decode() == "0 up\n1 down\n2 left\n3 right\n"
        model = zf.read("model.tflite")
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_content=model)
    interp.allocate_tensors()
    (inp,), (out,) = interp.get_input_details(), interp.get_output_details()
    assert list(inp["shape"]) == [1, SIZE, SIZE, 3] and inp["dtype"] == np.uint8
    assert list(out["shape"]) == [1, 4] and out["dtype"] == np.float32


def squared_frames(images_dir: Path, tmp_path: Path) -> list[Path]:
    """Real frames: the demo player's camera (each pose twice) and the shared photographs,
    squared to the model's size as PNGs so both sides see the same pixels."""
    painter, rng = DemoPainter(), np.random.default_rng(7)
    pictures = [Image.fromarray(painter.draw(p, rng, 3.0 + i)) for i, p in enumerate(POSES * 2)]
    pictures += [Image.open(p).convert("RGB") for p in sorted(images_dir.iterdir())]
    files = []
    for i, picture in enumerate(pictures):
        path = tmp_path / f"{i}.png"
        ImageOps.fit(picture, (SIZE, SIZE), Image.BILINEAR).save(path)
        files.append(path)
    return files


def run_snippet(
    zip_path: Path, files: list[Path], tmp_path: Path, prelude: str = "", where: str = "docs"
) -> list[str]:
    """The docs' snippet in a bare interpreter: its printed lines, one a picture."""
    script = tmp_path / "run_controller.py"
    script.write_text(snippet(where))
    proc = subprocess.run(
        [sys.executable, "-I", "-c", prelude + BARE, str(script), str(zip_path), *map(str, files)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(files)
    return lines


def assert_agrees(lines: list[str], files: list[Path], head: Any, backbone: Backbone) -> None:
    for path, line in zip(files, lines, strict=True):
        name, label, *probs = line.split()
        ours = head.predict_proba(backbone.dequantize(backbone.features(load_rgb(path))))
        assert name == str(path)
        assert label == POSES[int(ours.argmax())], line
        assert np.abs(np.array(probs, dtype=float) - ours).max() < 0.01, (line, ours)
    # the demo player's poses come out as the poses they are
    assert [line.split()[1] for line in lines[:8]] == list(POSES * 2)


@pytest.mark.slow
@pytest.mark.parametrize("where", list(SNIPPETS))
def test_a_bare_interpreter_with_the_docs_snippet_agrees_with_edgepac(
    exported: Path, head_file: Path, backbone: Backbone, images_dir: Path, tmp_path: Path,
    where: str,
) -> None:  # fmt: skip
    from edgepac.learning.heads import load_head

    files = squared_frames(images_dir, tmp_path)
    lines = run_snippet(exported, files, tmp_path, where=where)
    assert_agrees(lines, files, load_head(head_file, backbone.identity), backbone)


@pytest.mark.slow
def test_tflite_runtime_runs_the_export_as_edgepac_runs_on_it(
    exported: Path, head_file: Path, model_025_128: Path, images_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Raspberry Pi OS's interpreter: the snippet with LiteRT out of reach falls back to
    tflite-runtime, and agrees with EdgePac's backbone run by tflite-runtime too (its quantized
    kernels round a step differently from LiteRT's XNNPACK, for both alike)."""
    import importlib.util

    from edgepac.learning.heads import load_head

    if importlib.util.find_spec("tflite_runtime") is None:  # the kiosk lane's Bookworm step
        pytest.skip("no tflite-runtime here (wheels for Python 3.11 only, with NumPy < 2)")
    monkeypatch.setenv("EDGEPAC_INTERPRETER", "tflite-runtime")
    backbone = Backbone(model_025_128, input_size=SIZE)
    assert backbone.interpreter_name.startswith("tflite-runtime")
    files = squared_frames(images_dir, tmp_path)
    lines = run_snippet(
        exported, files, tmp_path, "import sys; sys.modules['ai_edge_litert'] = None\n"
    )
    assert_agrees(lines, files, load_head(head_file, backbone.identity), backbone)


@pytest.mark.slow
def test_the_export_imports_back_with_import_tm_and_predicts_as_the_head(
    exported: Path, head_file: Path, model_025_128: Path, images_dir: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The round trip: the zip is a Teachable Machine export to `import-tm` too (its labels
    name the directions), and `predict --tm` gives what `predict --head` gives."""
    files = [str(p) for p in squared_frames(images_dir, tmp_path)]
    capsys.readouterr()
    assert main(["import-tm", str(exported), "--name", "my-controller"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "my-controller"
    assert "up -> up, down -> down, left -> left, right -> right" in err
    assert main(["predict", "--tm", "my-controller", "--json", *files]) == 0
    back = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["predict", "--model", str(model_025_128), "--head", str(head_file),
                 "--json", *files]) == 0  # fmt: skip
    ours = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["class"] for r in back] == [r["class"] for r in ours]
    assert [r["class"] for r in back[:8]] == list(POSES * 2)
    for a, b in zip(back, ours, strict=True):
        assert a["probabilities"].keys() == b["probabilities"].keys()
        assert max(abs(a["probabilities"][c] - b["probabilities"][c]) for c in POSES) < 1e-4


def test_an_l2_normalised_head_exports_too(backbone: Backbone, model_025_128: Path) -> None:
    from edgepac.export.controller import controller_zip

    painter, rng = DemoPainter(), np.random.default_rng(1)
    frames = [painter.draw(p, rng, i / 30) for i in range(6) for p in POSES]
    X = backbone.dequantize(backbone.features_batch(frames))
    head = make_head("dense", epochs=5, normalize="l2").fit(
        X, np.tile(np.arange(4), 6), class_names=list(POSES)
    )
    data = controller_zip(model_025_128, SIZE, head)
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_content=zipfile.ZipFile(io.BytesIO(data)).read("model.tflite"))
    interp.allocate_tensors()
    square = np.empty((SIZE, SIZE, 3), np.uint8)
    for frame in frames[:4]:
        square[...] = np.asarray(ImageOps.fit(Image.fromarray(frame), (SIZE, SIZE)))
        interp.set_tensor(interp.get_input_details()[0]["index"], square[None])
        interp.invoke()
        theirs = interp.get_tensor(interp.get_output_details()[0]["index"])[0]
        ours = head.predict_proba(backbone.dequantize(backbone.features(square)))
        assert np.abs(theirs - ours).max() < 0.01
    # the same controller, the same bytes
    assert controller_zip(model_025_128, SIZE, head) == data


# -- refusals: one line, exit 2, nothing written ------------------------------------------------


def test_a_knn_head_is_refused(
    backbone: Backbone, model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    painter, rng = DemoPainter(), np.random.default_rng(2)
    X = backbone.dequantize(backbone.features_batch([painter.draw(p, rng) for p in POSES]))
    knn = tmp_path / "knn.npz"
    make_head("knn").fit(X, np.arange(4), class_names=list(POSES)).save(knn, backbone.identity)
    out = tmp_path / "c.zip"
    code, err = _export(
        capsys, "--out", str(out), "--model", str(model_025_128), "--head", str(knn)
    )
    assert code == 2 and len(err.splitlines()) == 1
    assert "kNN head" in err and "dense" in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["knn.npz"]


def test_a_head_from_another_backbone_is_refused_and_the_old_zip_kept(
    head_file: Path, model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.zip"
    out.write_bytes(b"the player's earlier export")
    code, err = _export(capsys, "--out", str(out), "--model", str(model_025_128),
                        "--input-size", "160", "--head", str(head_file))  # fmt: skip
    assert code == 2 and len(err.splitlines()) == 1
    assert "another backbone" in err and "--input-size" in err
    assert out.read_bytes() == b"the player's earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.zip"]


def test_no_trained_head_is_refused(
    model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the default head is the arcade's, in the state folder: none yet
    out = tmp_path / "c.zip"
    code, err = _export(capsys, "--out", str(out), "--model", str(model_025_128))
    assert code == 2 and len(err.splitlines()) == 1
    assert "no trained head" in err and "TRAIN" in err
    damaged = tmp_path / "head.npz"
    damaged.write_bytes(b"PK\x03\x04 not really")
    code, err = _export(capsys, "--out", str(out), "--model", str(model_025_128),
                        "--head", str(damaged))  # fmt: skip
    assert code == 2 and len(err.splitlines()) == 1 and "damaged" in err
    assert damaged.read_bytes() == b"PK\x03\x04 not really"  # only read: left as it was
    assert not out.exists()


@pytest.mark.parametrize(
    ("out", "said"),
    [("c.tflite", "give a .zip file name"), ("folder.zip", "is a folder"),
     ("nowhere/c.zip", "there is no folder")],
)  # fmt: skip
def test_a_bad_out_is_refused_before_any_work(
    out: str, said: str, head_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder.zip").mkdir()
    before = sorted(tmp_path.rglob("*"))
    code, err = _export(capsys, "--out", str(tmp_path / out), "--head", str(head_file),
                        "--model", "/no/such/model.tflite")  # fmt: skip
    assert code == 2 and len(err.splitlines()) == 1 and said in err  # --out is checked first
    assert sorted(tmp_path.rglob("*")) == before


KILL_MID_WRITE = """
import os, signal, sys
import edgepac.atomic as atomic
def write_then_power_cut(path, data):
    with atomic.atomic_write(path) as f:
        f.write(data[: len(data) // 2])  # half of the new zip is on its way to the disk...
        f.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # ...when the power goes
atomic.atomic_write_bytes = write_then_power_cut
from edgepac.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_power_cut_mid_export_leaves_the_old_zip_whole(
    exported: Path, head_file: Path, model_025_128: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.zip"
    out.write_bytes(exported.read_bytes())
    cmd = [sys.executable, "-c", KILL_MID_WRITE, "export", "--out", str(out),
           "--model", str(model_025_128), "--head", str(head_file)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, env={**os.environ})
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == exported.read_bytes()
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
