"""`edgepac import-tm`: real Teachable Machine exports in, every refusal in one line, nothing
stored when refused.

The fixtures (tests/data/tm) are TM's own test model run through TM's converter recipe; the
hostile and broken exports are made here from them.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest

from edgepac.cli import main
from edgepac.errors import EdgePacError
from edgepac.vision import tm

DATA = Path(__file__).resolve().parent / "data" / "tm"
FLOAT_ZIP = DATA / "converted_tflite.zip"
QUANT_ZIP = DATA / "converted_tflite_quantized.zip"
TWO_CLASSES = ["--map", "Class 1=up", "--map", "Class 2=down"]


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("EDGEPAC_MODELS", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main(["import-tm", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], models: Path, *argv: str | Path) -> str:
    """The command's one-line refusal; and nothing stored."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert not list(models.rglob("*.tm.zip")), "a refused model was stored"
    return lines[0]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def relabelled(tmp_path: Path, source: Path, labels: list[str], name: str = "tm.zip") -> Path:
    files = members(source)
    files["labels.txt"] = "".join(f"{i} {x}\n" for i, x in enumerate(labels)).encode()
    return write_zip(tmp_path / name, files)


# --- what is stored ----------------------------------------------------------------------------


@pytest.mark.parametrize(("zip_path", "kind"), [(FLOAT_ZIP, "float"), (QUANT_ZIP, "uint8")])
def test_a_tm_zip_with_map_is_stored_under_the_name_printed(
    capsys: pytest.CaptureFixture[str], models: Path, zip_path: Path, kind: str
) -> None:
    code, out, err = run(capsys, zip_path, "--name", "my-project", *TWO_CLASSES)
    assert code == 0, err
    assert out == "my-project\n"
    assert f"{kind} Teachable Machine model, Class 1 -> up, Class 2 -> down" in err
    stored = tm.resolve_tm("my-project")
    assert stored.kind == kind
    assert stored.labels == ["Class 1", "Class 2"]
    assert stored.classes == ["up", "down"]
    assert stored.W1.shape == (1280, 100) and stored.W2.shape == (100, 2)
    assert (models / "tm" / "my-project.tm.zip").stat().st_mode & 0o044 == 0o044


def test_what_sudo_imports_under_a_strict_umask_the_kiosk_user_can_read(
    models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On the kiosk root imports into /opt/edgepac/models; the arcade runs as user edgepac.
    old = os.umask(0o077)
    try:
        code, _, _ = run(capsys, QUANT_ZIP, "--name", "my-project", *TWO_CLASSES)
    finally:
        os.umask(old)
    assert code == 0
    stored = tm.store_path("my-project")
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o755
    assert stat.S_IMODE(stored.stat().st_mode) == 0o644


def test_the_default_name_comes_from_the_file(
    capsys: pytest.CaptureFixture[str], models: Path
) -> None:
    code, out, _ = run(capsys, QUANT_ZIP, *TWO_CLASSES)
    assert (code, out) == (0, "converted_tflite_quantized\n")


def test_a_folder_holding_the_zip_and_a_tflite_beside_its_labels_import_too(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / FLOAT_ZIP.name).write_bytes(FLOAT_ZIP.read_bytes())
    assert run(capsys, folder, "--name", "a", *TWO_CLASSES)[:2] == (0, "a\n")
    unzipped = tmp_path / "unzipped"
    unzipped.mkdir()
    for name, data in members(QUANT_ZIP).items():
        (unzipped / name).write_bytes(data)
    assert run(capsys, unzipped / "model.tflite", "--name", "b", *TWO_CLASSES)[:2] == (0, "b\n")
    assert tm.resolve_tm("b").kind == "uint8"


def test_reimporting_replaces_the_mapping_atomically(
    capsys: pytest.CaptureFixture[str], models: Path
) -> None:
    run(capsys, FLOAT_ZIP, "--name", "p", *TWO_CLASSES)
    run(capsys, FLOAT_ZIP, "--name", "p", "--map", "Class 1=left", "--map", "Class 2=right")
    assert tm.resolve_tm("p").classes == ["left", "right"]
    assert [p.name for p in (models / "tm").iterdir()] == ["p.tm.zip"]  # no temporary left


# --- mapping labels to directions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "direction"),
    [
        ("Up", "up"), ("DOWN", "down"), ("left arrow", "left"), ("Arrow_Right", "right"),
        ("  up  ", "up"), ("arrow-up", "up"), ("Nothing", "nothing"), ("Background", "nothing"),
        ("Class 1", None), ("upper", None), ("up down", None),
    ],
)  # fmt: skip
def test_labels_that_name_a_direction_map_by_name(label: str, direction: str | None) -> None:
    assert tm.direction_of(label) == direction


def test_labels_named_as_directions_need_no_map_and_nothing_steers_nowhere(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    named = relabelled(tmp_path, QUANT_ZIP, ["Left arrow", "RIGHT"])
    assert run(capsys, named, "--name", "lr")[:2] == (0, "lr\n")
    assert tm.resolve_tm("lr").classes == ["left", "right"]


def test_a_nothing_class_is_kept_as_a_class_that_steers_nowhere() -> None:
    assert tm.map_labels(["Up", "Nothing", "Class 3"], {"class 3": "down"}) == [
        "up", "nothing", "down",
    ]  # fmt: skip
    assert tm.head_classes(["Up", "Nothing", "Down"], ["up", "nothing", "down"]) == [
        "up", "Nothing", "down",
    ]  # fmt: skip
    # a label mapped to nothing never takes a direction's name
    assert tm.head_classes(["up", "x", "y"], ["nothing", "left", "right"])[0] == "up (nothing)"


def test_map_wins_over_the_labels_own_name() -> None:
    assert tm.map_labels(["Up", "Down"], {"Up": "left", "down": "right"}) == ["left", "right"]


@pytest.mark.parametrize(
    ("labels", "maps", "words"),
    [
        (["Class 1", "Class 2"], [], ["'Class 1', 'Class 2'", "--map 'Class 1=up'"]),
        (["Class 1", "Class 2"], ["Class 1=up"], ["'Class 2'", "--map"]),
        (["Class 1", "Class 2"], ["Class 1=up", "Class 2=nothing"], ["cannot steer", "only 1"]),
        (["Up", "Nothing"], [], ["cannot steer"]),
        (["Up", "Class 2"], ["Class 2=up"], ["both map to up"]),
        (["Up", "Down"], ["Sideways=left"], ["no such label", "'Up', 'Down'"]),
    ],
)
def test_a_model_that_cannot_steer_is_refused(
    capsys: pytest.CaptureFixture[str],
    models: Path,
    tmp_path: Path,
    labels: list[str],
    maps: list[str],
    words: list[str],
) -> None:
    path = relabelled(tmp_path, FLOAT_ZIP, labels)
    argv = [a for m in maps for a in ("--map", m)]
    line = refused(capsys, models, path, *argv)
    for word in words:
        assert word in line


@pytest.mark.parametrize("bad", ["Class 1", "Class 1=sideways", "=up"])
def test_a_bad_map_is_refused_before_the_file_is_read(
    capsys: pytest.CaptureFixture[str], models: Path, bad: str
) -> None:
    line = refused(capsys, models, "/no/such.zip", "--map", bad)
    assert "LABEL=DIRECTION" in line


# --- refusals -----------------------------------------------------------------------------------


def test_a_labels_file_that_does_not_match_the_outputs_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    three = relabelled(tmp_path, FLOAT_ZIP, ["Up", "Down", "Left"])
    assert "2 outputs but labels.txt names 3" in refused(capsys, models, three)
    files = members(FLOAT_ZIP)
    files["labels.txt"] = b"0 Up\n2 Down\n"
    skipped = write_zip(tmp_path / "skip.zip", files)
    assert "line 2" in refused(capsys, models, skipped)


def test_a_zip_with_no_model_or_no_labels_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    empty = write_zip(tmp_path / "e.zip", {"labels.txt": b"0 Up\n1 Down\n"})
    assert "holds no model" in refused(capsys, models, empty)
    files = members(FLOAT_ZIP)
    del files["labels.txt"]
    assert "no labels.txt" in refused(capsys, models, write_zip(tmp_path / "n.zip", files))


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_a_truncated_download_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path, cut: float
) -> None:
    data = QUANT_ZIP.read_bytes()
    path = tmp_path / "converted_tflite_quantized.zip"
    path.write_bytes(data[: int(len(data) * cut)])
    assert "damaged" in refused(capsys, models, path, *TWO_CLASSES)


def test_a_damaged_model_inside_a_good_zip_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    files = members(QUANT_ZIP)
    model = files["model.tflite"]
    files["model.tflite"] = model[: len(model) // 2]
    line = refused(capsys, models, write_zip(tmp_path / "half.zip", files), *TWO_CLASSES)
    assert "damaged" in line or "cannot load" in line


def test_a_zip_slip_member_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    files = members(QUANT_ZIP)
    files["../../evil.txt"] = b"x"
    line = refused(capsys, models, write_zip(tmp_path / "slip.zip", files), *TWO_CLASSES)
    assert "outside the zip's folder" in line
    assert not (tmp_path.parent / "evil.txt").exists()
    files = members(QUANT_ZIP)
    files["/etc/evil"] = b"x"
    line = refused(capsys, models, write_zip(tmp_path / "abs.zip", files), *TWO_CLASSES)
    assert "outside the zip's folder" in line


def test_a_link_member_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members(QUANT_ZIP).items():
            if name == "labels.txt":
                info = zipfile.ZipInfo("labels.txt")
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, "/etc/passwd")
            else:
                z.writestr(name, data)
    assert "is a link" in refused(capsys, models, path, *TWO_CLASSES)


def test_a_zip_bomb_is_refused_without_unpacking_it(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members(QUANT_ZIP).items():
            z.writestr(name, data)
        with z.open("padding.bin", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(100):
                f.write(block)
    assert path.stat().st_size < 2 << 20
    assert "zip bomb" in refused(capsys, models, path, *TWO_CLASSES)


def test_a_small_zip_that_unpacks_past_8_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "small-bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("labels.txt", b"0 Up\n1 Down\n")
        z.writestr("model.tflite", bytes(9 << 20))
    assert path.stat().st_size < 100 << 10
    with pytest.raises(EdgePacError, match="zip bomb"):
        tm.read_export(path)


def test_the_cap_holds_for_every_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tm, "MAX_UNPACKED", 100 << 10)
    files = members(QUANT_ZIP)
    with pytest.raises(EdgePacError, match="unpacks"):
        tm.read_export(write_zip(tmp_path / "big.zip", files))


def _edgetpu_model() -> bytes:
    """TM's quantized model with one operator made the Edge TPU's custom op, as the EdgeTPU
    tab's model_edgetpu.tflite has."""
    from edgepac.vision import truncate

    model = truncate.load_model(members(QUANT_ZIP)["model.tflite"])
    code = model.operatorCodes[0]
    code.builtinCode = code.deprecatedBuiltinCode = 32  # CUSTOM
    code.customCode = tm.EDGETPU_OP
    return truncate.pack(model)


def test_an_edge_tpu_model_is_refused_with_how_to_get_the_cpu_export(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    tpu = _edgetpu_model()
    labels = members(QUANT_ZIP)["labels.txt"]
    as_tm_names_it = write_zip(tmp_path / "converted_edgetpu.zip",
                               {"model_edgetpu.tflite": tpu, "labels.txt": labels})  # fmt: skip
    line = refused(capsys, models, as_tm_names_it, *TWO_CLASSES)
    assert "Edge TPU" in line and "Quantized" in line
    renamed = write_zip(tmp_path / "renamed.zip", {"model.tflite": tpu, "labels.txt": labels})
    assert "Edge TPU" in refused(capsys, models, renamed, *TWO_CLASSES)


@pytest.mark.parametrize(
    ("files", "words"),
    [
        (
            {"model.json": b"{}", "weights.bin": b"", "metadata.json": json.dumps(
                {"packageName": "@teachablemachine/pose", "labels": ["Up", "Down"]}).encode()},
            "pose model",
        ),
        (  # an older pose export, without packageName: its PoseNet settings say it
            {"model.json": b"{}", "weights.bin": b"", "metadata.json": json.dumps(
                {"labels": ["Up", "Down"], "modelSettings": {"posenet": {"inputResolution": 257}}}
            ).encode()},
            "pose model",
        ),
        (
            {"model.json": b"{}", "weights.bin": b"",
             "metadata.json": json.dumps({"wordLabels": ["_background_noise_", "up"]}).encode()},
            "audio model",
        ),
        ({"soundclassifier_with_metadata.tflite": b"TFL3", "labels.txt": b"0 a\n"}, "audio model"),
        (
            {"model.json": b"{}", "weights.bin": b"", "metadata.json": json.dumps(
                {"packageName": "@teachablemachine/image", "labels": ["Up", "Down"]}).encode()},
            "TensorFlow.js export",
        ),
        ({"keras_model.h5": b"\x89HDF", "labels.txt": b"0 Up\n1 Down\n"}, "Keras .h5"),
    ],
)  # fmt: skip
def test_pose_audio_tfjs_and_keras_exports_are_refused_naming_the_tab(
    capsys: pytest.CaptureFixture[str],
    models: Path,
    tmp_path: Path,
    files: dict[str, bytes],
    words: str,
) -> None:
    line = refused(capsys, models, write_zip(tmp_path / "x.zip", files))
    assert words in line
    assert "Image Project" in line or "Tensorflow Lite" in line


def test_a_tflite_that_is_not_a_tm_image_model_is_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path, model_025_128: Path
) -> None:
    files = {"model.tflite": model_025_128.read_bytes(), "labels.txt": b"0 Up\n1 Down\n"}
    line = refused(capsys, models, write_zip(tmp_path / "mobilenet.zip", files))
    assert "not a Teachable Machine image model" in line


def test_not_a_zip_and_no_file_are_refused(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "x.zip"
    junk.write_bytes(b"hello")
    assert "not a zip" in refused(capsys, models, junk)
    assert "no such file" in refused(capsys, models, tmp_path / "missing.zip")
    assert "--name" in refused(capsys, models, FLOAT_ZIP, "--name", "../evil", *TWO_CLASSES)


def test_a_refused_reimport_keeps_the_model_already_stored(
    capsys: pytest.CaptureFixture[str], models: Path, tmp_path: Path
) -> None:
    run(capsys, FLOAT_ZIP, "--name", "keep", *TWO_CLASSES)
    before = (models / "tm" / "keep.tm.zip").read_bytes()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(FLOAT_ZIP.read_bytes()[:1000])
    assert run(capsys, junk, "--name", "keep", *TWO_CLASSES)[0] == 2
    assert (models / "tm" / "keep.tm.zip").read_bytes() == before


def test_a_damaged_stored_model_is_said_in_one_line(models: Path, tmp_path: Path) -> None:
    tm.import_tm(FLOAT_ZIP, "d", {"Class 1": "up", "Class 2": "down"})
    path = models / "tm" / "d.tm.zip"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(EdgePacError, match=r"damaged.*import-tm"):
        tm.resolve_tm("d")
    with pytest.raises(EdgePacError, match=r"no Teachable Machine model 'other'.*stored here: d"):
        tm.resolve_tm("other")


# --- the head inside ----------------------------------------------------------------------------


def test_the_uint8_head_is_the_float_head_dequantised() -> None:
    """Both exports come from one TF.js model: the quantized head's weights, dequantised, are
    the float head's to within the quantisation step."""
    f = tm.from_export(tm.read_export(FLOAT_ZIP), "f", None)
    q = tm.from_export(tm.read_export(QUANT_ZIP), "q", None)
    step = np.abs(f.W1).max(axis=0) / 127  # per output channel
    assert np.all(np.abs(f.W1 - q.W1) <= step * 0.51 + 1e-7)
    assert np.allclose(f.b1, q.b1, atol=1e-4)
    assert np.allclose(f.W2, q.W2, atol=np.abs(f.W2).max() / 127)


def test_the_stored_file_holds_what_a_pi_without_the_schema_needs(models: Path) -> None:
    tm.import_tm(QUANT_ZIP, "pi", {"Class 1": "up", "Class 2": "down"})
    with zipfile.ZipFile(models / "tm" / "pi.tm.zip") as z:
        names = set(z.namelist())
        meta = json.loads(z.read("edgepac-tm.json"))
        with np.load(io.BytesIO(z.read("head.npz"))) as npz:
            assert set(npz.files) == {"W1", "b1", "W2"}
    assert names == {"edgepac-tm.json", "labels.txt", "model.tflite", "embedding.tflite",
                     "head.npz"}  # fmt: skip
    assert meta["directions"] == ["up", "down"] and meta["kind"] == "uint8"
