"""Backbone: frames of any size in, the right uint8 activations out, quickly and without waste."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from edgepac import paths
from edgepac.errors import EdgePacError
from edgepac.vision import truncate
from edgepac.vision.backbone import Backbone, BackboneIdentity


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def bb224(model_025_128: Path) -> Backbone:
    # Built once for the module, inside the first test: its cut model is cached in that test's
    # isolated models dir (conftest), never in the developer's home.
    return Backbone(model_025_128, input_size=224, num_threads=1)


def test_shapes_native_and_at_224(model_025_128: Path, model_05_160: Path) -> None:
    assert Backbone(model_025_128).feature_shape == (4, 4, 256)
    bb = Backbone(model_025_128, input_size=224)
    assert (bb.input_size, bb.feature_shape) == (224, (7, 7, 256))
    assert Backbone(model_05_160).feature_shape == (5, 5, 512)


def test_frame_becomes_activations_with_quantisation(
    bb224: Backbone, rng: np.random.Generator
) -> None:
    frame = rng.integers(0, 256, (480, 640, 3), np.uint8)
    q = bb224.features(frame)
    assert q.shape == (7, 7, 256) and q.dtype == np.uint8 and q.any()
    assert bb224.zero_point == 0 and 0 < bb224.scale < 1  # ReLU6: 0..255 covers 0..6
    assert bb224.interpreter_name.startswith("ai-edge-litert ")
    x = bb224.dequantize(q)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, (q.astype(np.float32) - bb224.zero_point) * bb224.scale)
    buf = np.empty(q.shape, np.float32)
    assert bb224.dequantize(q, out=buf) is buf
    np.testing.assert_array_equal(buf, x)


def test_out_batch_and_returned_arrays_stay_put(bb224: Backbone, rng: np.random.Generator) -> None:
    frames = rng.integers(0, 256, (3, 240, 320, 3), np.uint8)
    singles = [bb224.features(f) for f in frames]
    assert not np.array_equal(singles[0], singles[1])  # the first result was not overwritten
    out = np.empty(bb224.feature_shape, np.uint8)
    assert bb224.features(frames[2], out=out) is out
    np.testing.assert_array_equal(out, singles[2])
    batch = bb224.features_batch(frames)
    assert batch.shape == (3, 7, 7, 256)
    np.testing.assert_array_equal(batch, np.stack(singles))
    assert bb224.features_batch(list(frames[:1])).shape == (1, 7, 7, 256)


def test_wide_frame_is_centre_cropped(bb224: Backbone, rng: np.random.Generator) -> None:
    centre = rng.integers(0, 256, (480, 480, 3), np.uint8)
    wide = np.zeros((480, 640, 3), np.uint8)
    wide[:, 80:560] = centre
    wide[:, :80] = 255  # margins the crop must cut off
    np.testing.assert_array_equal(bb224.features(wide), bb224.features(centre))
    tall = np.zeros((640, 480, 3), np.uint8)
    tall[80:560] = centre
    np.testing.assert_array_equal(bb224.features(tall), bb224.features(centre))


def test_resize_samples_pixel_centres(bb224: Backbone, rng: np.random.Generator) -> None:
    small = rng.integers(0, 256, (224, 224, 3), np.uint8)
    doubled = small.repeat(2, axis=0).repeat(2, axis=1)  # each pixel a 2x2 block
    np.testing.assert_array_equal(bb224.features(doubled), bb224.features(small))


def test_grey_rgba_and_tiny_frames(bb224: Backbone, rng: np.random.Generator) -> None:
    grey = rng.integers(0, 256, (120, 160), np.uint8)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(bb224.features(grey), bb224.features(rgb))
    rgba = np.concatenate([rgb, np.full((120, 160, 1), 9, np.uint8)], axis=2)
    np.testing.assert_array_equal(bb224.features(rgba), bb224.features(rgb))
    tiny = np.array([[[200, 10, 10]]], np.uint8)
    np.testing.assert_array_equal(
        bb224.features(tiny), bb224.features(np.full((224, 224, 3), (200, 10, 10), np.uint8))
    )


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (np.zeros((10, 10, 3), np.float32), "uint8"),
        (np.zeros((10, 10, 2), np.uint8), r"HxWx3 RGB, got shape \(10, 10, 2\)"),
        (np.zeros((0, 10, 3), np.uint8), "HxWx3"),
        ([[1, 2, 3]], "uint8 numpy array, got list"),
    ],
)
def test_bad_frames_are_clear_errors(bb224: Backbone, frame: object, match: str) -> None:
    with pytest.raises(EdgePacError, match=match):
        bb224.features(frame)


def test_per_frame_path_allocates_nothing_with_out(
    bb224: Backbone, rng: np.random.Generator
) -> None:
    frame = rng.integers(0, 256, (480, 640, 3), np.uint8)
    out = np.empty(bb224.feature_shape, np.uint8)
    bb224.features(frame, out=out)  # first call plans the index maps for this frame shape
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        for _ in range(5):
            bb224.features(frame, out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A frame is 921,600 bytes and the activations 12,544: only small array headers may appear.
    assert peak - base < 4096


def test_full_and_cut_model_give_the_same_backbone(model_025_128: Path, tmp_path: Path) -> None:
    cut = truncate.truncate_file(model_025_128, tmp_path / "cut.tflite")
    a, b = Backbone(model_025_128), Backbone(cut)
    assert a.identity == b.identity
    assert a.identity.model_sha256 != b.identity.model_sha256.upper()  # a real hex digest
    frame = np.full((50, 60, 3), 99, np.uint8)
    np.testing.assert_array_equal(a.features(frame), b.features(frame))
    assert BackboneIdentity.from_dict(a.identity.to_dict()) == a.identity


def test_cut_model_is_cached_by_source_sha(model_025_128: Path) -> None:
    cache = paths.models_dir() / "cache"
    Backbone(model_025_128)
    (cached,) = cache.iterdir()
    assert cached.name.endswith(".conv_pw_13_relu.tflite")
    stamp = cached.stat().st_mtime_ns
    Backbone(model_025_128, input_size=160)
    assert list(cache.iterdir()) == [cached] and cached.stat().st_mtime_ns == stamp
    cached.write_bytes(b"garbage")  # a damaged cache entry is cut again, not trusted
    assert Backbone(model_025_128).feature_shape == (4, 4, 256)
    assert truncate.is_tflite(cached.read_bytes())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"input_size": 16}, "input_size must be an integer from 32 to 1024, got 16"),
        ({"input_size": 224.0}, "input_size must be an integer"),
        ({"num_threads": 0}, "num_threads must be a positive integer, got 0"),
        ({"resample": "cubic"}, "resample must be one of nearest, bilinear"),
        ({"cut_layer": "conv_pw_99_relu"}, "has no layer 'conv_pw_99_relu'"),
        ({"cut_layer": "MobilenetV1/Logits/SpatialSqueeze1"}, r"gives shape \[1, 1001\], not a"),
    ],
)
def test_bad_parameters_name_the_parameter(
    model_025_128: Path, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(EdgePacError, match=match):
        Backbone(model_025_128, **kwargs)


def test_bad_model_files(tmp_path: Path, labels_file: Path) -> None:
    with pytest.raises(EdgePacError, match="no such model file; run `edgepac fetch-model`"):
        Backbone(tmp_path / "none.tflite")
    with pytest.raises(EdgePacError, match=r"imagenet_labels\.txt is not a TFLite model"):
        Backbone(labels_file)
    with pytest.raises(EdgePacError, match="is a folder"):
        Backbone(tmp_path)


def test_bilinear_option_matches_pillow(model_025_128: Path, images_dir: Path) -> None:
    from PIL import Image

    from edgepac.vision.images import load_rgb

    photo = load_rgb(images_dir / "cat.bmp")  # 512 wide, 341 high
    bb = Backbone(model_025_128, resample="bilinear")
    left = (512 - 341) // 2
    square = Image.fromarray(photo).resize(
        (128, 128), Image.BILINEAR, box=(left, 0, left + 341, 341)
    )
    np.testing.assert_array_equal(bb.features(photo), bb.features(np.asarray(square)))


def test_a_cut_model_runs_without_the_tflite_schema(
    model_025_128: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Pi with only tflite-runtime has no schema module: a model cut elsewhere still runs."""
    cut = truncate.truncate_file(model_025_128, tmp_path / "cut.tflite")

    def no_schema() -> None:
        raise EdgePacError("truncating a model needs the TFLite schema: pip install ai-edge-litert")

    monkeypatch.setattr(truncate, "schema", no_schema)
    assert Backbone(cut, input_size=224).feature_shape == (7, 7, 256)
    with pytest.raises(EdgePacError, match="needs the TFLite schema"):
        Backbone(model_025_128)
