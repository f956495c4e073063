"""The vision commands as a user runs them: classify, truncate, fetch-model."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from edgepac import paths
from edgepac.cli import main
from edgepac.vision import truncate
from edgepac.vision.commands import classify, load_labels


def _expected_labels(test_data: Path) -> dict[str, dict[str, str]]:
    """The top-1 labels table of the shared README: {image: {"0.25_128": label, ...}}."""
    rows = re.findall(
        r"^\| (\w+\.(?:bmp|jpg)) \| (.+?) \| (.+?) \|$", (test_data / "README.md").read_text(), re.M
    )
    assert len(rows) == 5, "the shared README's table of photos changed shape"
    # "banded gecko (the small model's mistake)": the label is before the note.
    clean = lambda s: re.sub(r"\s*\(.*\)$", "", s)  # noqa: E731
    return {img: {"0.25_128": clean(a), "0.5_160": clean(b)} for img, a, b in rows}


@pytest.mark.parametrize("variant", ["0.25_128", "0.5_160"])
def test_classify_gives_the_readme_labels(variant: str, test_data: Path, images_dir: Path) -> None:
    model = test_data / "models" / f"mobilenet_v1_{variant}_quant.tflite"
    expected = _expected_labels(test_data)
    images = [images_dir / name for name in sorted(expected)]
    results = classify(model, images, load_labels(model, None))
    for image, top in zip(images, results, strict=True):
        assert top[0][0] == expected[image.name][variant], image.name
        scores = [p for _, p in top]
        assert len(top) == 5 and scores == sorted(scores, reverse=True)
        assert 0 < sum(scores) <= 1.0 + 1e-6


def test_classify_command_prints_top5(
    model_025_128: Path, images_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", "--model", str(model_025_128), str(images_dir / "cat.bmp")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("cat.bmp") and len(lines) == 6
    assert re.fullmatch(r"\s+\d+\.\d%\s+Egyptian cat", lines[1])


def test_labels_come_from_a_file_the_model_or_beside_it(
    model_025_128: Path, labels_file: Path, tmp_path: Path
) -> None:
    assert load_labels(model_025_128, None)[286] == "Egyptian cat"  # packed in the model
    assert load_labels(model_025_128, labels_file) == labels_file.read_text().splitlines()
    plain = tmp_path / "plain.tflite"
    plain.write_bytes(truncate.pack(truncate.load_model(model_025_128.read_bytes())))
    assert load_labels(plain, None) is None  # re-packed: no appended labels, none beside it
    (tmp_path / "labels.txt").write_text("a\nb\n")
    assert load_labels(plain, None) == ["a", "b"]


def test_classify_refuses_a_cut_model(
    model_025_128: Path, images_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = truncate.truncate_file(model_025_128, tmp_path / "cut.tflite")
    assert main(["classify", "--model", str(cut), str(images_dir / "cat.bmp")]) == 2
    err = capsys.readouterr().err
    assert "ends at conv_pw_13_relu, not in class scores: give the full classifier" in err


def test_classify_a_missing_image_names_it(
    model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", "--model", str(model_025_128), str(tmp_path / "me.jpg")]) == 2
    assert "me.jpg: no such image file" in capsys.readouterr().err


def test_truncate_command(
    model_025_128: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cut.tflite"
    assert main(["truncate", str(model_025_128), str(out)]) == 0
    assert truncate.output_layer(truncate.load_model(out.read_bytes())) == "conv_pw_13_relu"
    assert main(["truncate", str(model_025_128), str(tmp_path / "x.tflite"), "--layer", "fc7"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no layer 'fc7'; its layers are: conv1_relu" in err
    assert not (tmp_path / "x.tflite").exists()


def test_fetch_model_command(model_025_128: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch-model", "--from", str(model_025_128)]) == 0
    stored = Path(capsys.readouterr().out.strip())
    assert stored.parent == paths.models_dir() and stored.is_file()
    assert main(["fetch-model", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "0.25_224 (default): alpha 0.25, runs at 224: not here" in listing
    assert f"0.25_128: alpha 0.25, runs at 224: {stored}" in listing
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["fetch-model", "--url", f"http://127.0.0.1:{port}/m.tgz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("edgepac: error: could not download") and err.count("\n") == 1


def test_classify_without_model_uses_the_stored_classifier(
    model_025_128: Path, images_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edgepac.vision import models

    models.import_model(model_025_128)  # stores the classifier and its cut twin
    assert main(["classify", str(images_dir / "parrot.jpg"), "--top", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("macaw")
    assert main(["classify", str(images_dir / "parrot.jpg"), "--resample", "nearest"]) == 0
    assert "macaw" in capsys.readouterr().out.splitlines()[1]
