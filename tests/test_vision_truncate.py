"""Truncation: the cut model computes exactly the full model's conv_pw_13_relu, and nothing else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgepac.errors import EdgePacError
from edgepac.vision import truncate
from edgepac.vision.images import load_rgb
from edgepac.vision.interpreter import make_interpreter
from edgepac.vision.preprocess import SquareResizer

CUT_TENSOR = "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6"


def _intermediate(full: Path, x: np.ndarray, name: str) -> tuple[np.ndarray, tuple]:
    """The full classifier's tensor ``name`` for input ``x``, read with all tensors preserved."""
    interp, _ = make_interpreter(full, preserve_all_tensors=True)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x[None])
    interp.invoke()
    (detail,) = [d for d in interp.get_tensor_details() if d["name"].split(";")[0] == name]
    return interp.get_tensor(detail["index"])[0], detail["quantization"]


def _run(model: bytes, x: np.ndarray) -> tuple[np.ndarray, dict]:
    interp, _ = make_interpreter(model)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x[None])
    interp.invoke()
    out = interp.get_output_details()[0]
    return interp.get_tensor(out["index"])[0], out


@pytest.mark.parametrize("fixture", ["model_025_128", "model_05_160"])
def test_cut_model_equals_full_models_intermediate_bit_for_bit(
    fixture: str, request: pytest.FixtureRequest, images_dir: Path
) -> None:
    full: Path = request.getfixturevalue(fixture)
    cut = truncate.truncate_bytes(full.read_bytes())
    size = int(full.name.split("_")[3])
    resize = SquareResizer(size, "bilinear")
    for photo in ("cat.bmp", "parrot.jpg"):
        x = resize(load_rgb(images_dir / photo), np.empty((size, size, 3), np.uint8))
        want, want_quant = _intermediate(full, x, CUT_TENSOR)
        got, out = _run(cut, x)
        assert out["dtype"] == np.uint8
        assert out["quantization"] == want_quant
        assert got.shape == want.shape and got.any()
        np.testing.assert_array_equal(got, want)


def test_cut_model_drops_the_classifier(model_025_128: Path) -> None:
    data = model_025_128.read_bytes()
    full = truncate.load_model(data)
    cut = truncate.load_model(truncate.truncate_bytes(data))
    graph = cut.subgraphs[0]
    assert truncate.output_layer(cut) == "conv_pw_13_relu"
    assert truncate.layers(cut)[-1] == "conv_pw_13_relu" and len(graph.operators) == 27
    builtin = {c.builtinCode for c in cut.operatorCodes}
    assert builtin == {3, 4}  # CONV_2D and DEPTHWISE_CONV_2D: no pool, reshape or softmax
    # Every tensor is used and every buffer (past the empty sentinel) holds a tensor's data.
    used = {int(t) for op in graph.operators for t in (*op.inputs, *op.outputs)}
    assert used == set(range(len(graph.tensors)))
    assert len(cut.buffers) < len(full.buffers)
    assert sorted(
        {0} | {t.buffer for t in graph.tensors} | {m.buffer for m in cut.metadata}
    ) == list(range(len(cut.buffers)))
    assert [m.name for m in cut.metadata] == [b"min_runtime_version"]  # classifier metadata gone
    assert graph.tensors[graph.inputs[0]].type == 3  # uint8 in


def test_cutting_is_deterministic_and_idempotent(model_025_128: Path) -> None:
    data = model_025_128.read_bytes()
    once = truncate.truncate_bytes(data)
    assert truncate.truncate_bytes(data) == once
    assert len(once) < len(data) // 2


def test_cut_at_other_layers_by_either_name(model_025_128: Path) -> None:
    data = model_025_128.read_bytes()
    x = np.full((128, 128, 3), 77, np.uint8)
    by_keras, _ = _run(truncate.truncate_bytes(data, "conv_pw_6_relu"), x)
    by_tf, _ = _run(truncate.truncate_bytes(data, "Conv2d_6_pointwise/Relu6"), x)
    assert by_keras.shape == (8, 8, 128)
    np.testing.assert_array_equal(by_keras, by_tf)


def test_unknown_layer_lists_the_layers_that_exist(model_025_128: Path) -> None:
    with pytest.raises(EdgePacError) as info:
        truncate.truncate_bytes(model_025_128.read_bytes(), "conv_pw_14_relu", "m.tflite")
    message = str(info.value)
    assert "m.tflite has no layer 'conv_pw_14_relu'" in message
    assert "conv1_relu, conv_dw_1_relu" in message and "conv_pw_13_relu" in message
    assert "\n" not in message


def test_not_a_tflite_file_is_a_clear_error(tmp_path: Path, images_dir: Path) -> None:
    with pytest.raises(EdgePacError, match=r"cat\.bmp is not a TFLite model"):
        truncate.truncate_file(images_dir / "cat.bmp", tmp_path / "out.tflite")
    damaged = tmp_path / "damaged.tflite"
    damaged.write_bytes(b"\x10\0\0\0TFL3" + b"\xff" * 64)
    with pytest.raises(EdgePacError, match="damaged"):
        truncate.truncate_file(damaged, tmp_path / "out.tflite")
    with pytest.raises(EdgePacError, match="no such model file"):
        truncate.truncate_file(tmp_path / "missing.tflite", tmp_path / "out.tflite")
    assert not (tmp_path / "out.tflite").exists()


def test_truncate_file_writes_and_keeps_the_old_output_on_error(
    tmp_path: Path, model_025_128: Path
) -> None:
    out = tmp_path / "cut.tflite"
    truncate.truncate_file(model_025_128, out)
    good = out.read_bytes()
    assert truncate.output_layer(truncate.load_model(good)) == "conv_pw_13_relu"
    with pytest.raises(EdgePacError):
        truncate.truncate_file(model_025_128, out, layer="nope")
    assert out.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["cut.tflite"]
