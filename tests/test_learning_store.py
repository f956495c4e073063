"""The sample store: recording, undo, clearing, and files that survive crashes and mix-ups."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from edgepac.errors import EdgePacError
from edgepac.learning.files import CorruptFile, OtherBackbone
from edgepac.learning.store import SampleStore

SHAPE = (2, 2, 3)
ID_A = {"model_sha256": "a" * 64, "input_size": 224, "cut_layer": "conv_pw_13_relu"}
ID_B = {"model_sha256": "b" * 64, "input_size": 224, "cut_layer": "conv_pw_13_relu"}


def frame(value: int) -> np.ndarray:
    return np.full(SHAPE, value, dtype=np.uint8)


def new_store(**kw) -> SampleStore:
    return SampleStore(SHAPE, scale=0.5, zero_point=3, identity=ID_A, **kw)


def test_add_grows_by_doubling_and_keeps_every_frame() -> None:
    store = new_store(capacity=4)
    capacities = set()
    for i in range(100):
        store.add("up" if i % 2 else "down", frame(i))
        capacities.add(store.capacity)
    assert sorted(capacities) == [4, 8, 16, 32, 64, 128]  # a handful of copies for 100 frames
    assert len(store) == 100
    assert store.features[:, 0, 0, 0].tolist() == list(range(100))
    assert store.counts() == {"up": 50, "down": 50, "left": 0, "right": 0}
    assert store.labels[:2].tolist() == [1, 0]  # indices into class_names


def test_a_thousand_tutorial_frames_take_about_12_5_mb() -> None:
    store = SampleStore((7, 7, 256), scale=0.1, zero_point=0)
    q = np.zeros((7, 7, 256), dtype=np.uint8)
    for _ in range(1000):
        store.add("up", q)
    assert store.features.nbytes == 12_544_000
    assert store._features.nbytes <= 1024 * 12_544  # doubling wastes at most what is used


def test_undo_forgets_the_last_press_only() -> None:
    store = new_store()
    store.begin_burst()
    for i in range(3):
        store.add("up", frame(i), thumbnail=np.full((4, 4, 3), i, np.uint8))
    store.begin_burst()
    for i in range(5):
        store.add("left", frame(10 + i), thumbnail=np.zeros((4, 4, 3), np.uint8))
    assert store.undo_burst() == 5
    assert store.counts()["left"] == 0 and "left" not in store.thumbnails
    assert store.counts()["up"] == 3
    assert store.thumbnails["up"][0, 0, 0] == 0  # the first frame of the class, like the tutorial
    assert store.undo_burst() == 3
    assert len(store) == 0 and store.undo_burst() == 0


def test_clear_class_keeps_the_others_and_their_order() -> None:
    store = new_store()
    for i in range(10):
        store.begin_burst()
        store.add(["up", "down"][i % 2], frame(i), thumbnail=np.zeros((2, 2, 3), np.uint8))
    assert store.clear_class("up") == 5
    assert store.features[:, 0, 0, 0].tolist() == [1, 3, 5, 7, 9]
    assert set(store.thumbnails) == {"down"}
    assert store.undo_burst() == 1  # bursts still make sense after compaction
    store.clear()
    assert len(store) == 0 and store.thumbnails == {}
    assert store.class_names == ["up", "down", "left", "right"]


def test_new_class_names_are_kept() -> None:
    store = new_store(class_names=())
    store.add("wave", frame(1))
    store.add("jump", frame(2))
    assert store.class_names == ["wave", "jump"]


def test_wrong_activations_are_refused() -> None:
    store = new_store()
    with pytest.raises(EdgePacError, match="uint8"):
        store.add("up", np.zeros(SHAPE, np.float32))
    with pytest.raises(EdgePacError, match=r"\(2, 2, 3\)"):
        store.add("up", np.zeros((7, 7, 256), np.uint8))


def test_dequantized_uses_scale_and_zero_point() -> None:
    store = new_store()
    store.add("up", frame(7))
    assert store.dequantized().dtype == np.float32
    assert store.dequantized()[0, 0, 0, 0] == pytest.approx((7 - 3) * 0.5)


def test_save_and_load_give_back_the_same_store(tmp_path: Path) -> None:
    store = new_store()
    for i in range(70):
        if i % 10 == 0:
            store.begin_burst()
        store.add(["up", "right"][i % 2], frame(i), thumbnail=np.full((3, 3, 3), i, np.uint8))
    path = tmp_path / "samples.npz"
    store.save(path)
    again = SampleStore.load(path, ID_A)
    assert np.array_equal(again.features, store.features)
    assert np.array_equal(again.labels, store.labels)
    assert again.class_names == store.class_names and again.counts() == store.counts()
    assert again.scale == 0.5 and again.zero_point == 3
    assert np.array_equal(again.thumbnails["right"], store.thumbnails["right"])
    assert again.undo_burst() == 10  # bursts survive too
    again.add("up", frame(1))  # and it keeps recording
    assert [p.name for p in tmp_path.iterdir()] == ["samples.npz"]


def test_a_store_from_another_backbone_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "samples.npz"
    store = new_store()
    store.add("up", frame(1))
    store.save(path)
    before = path.read_bytes()
    with pytest.raises(OtherBackbone, match="another backbone"):
        SampleStore.load(path, ID_B)
    assert path.read_bytes() == before
    # The app starts empty, and the old samples are put where saving cannot overwrite them.
    empty = SampleStore.load_or_empty(path, SHAPE, scale=0.5, zero_point=3, identity=ID_B)
    assert len(empty) == 0 and "another backbone" in (empty.notice or "")
    assert (tmp_path / "samples.npz.other-backbone").read_bytes() == before


@pytest.mark.parametrize("keep", [0, 10, 200, -30])
def test_a_truncated_store_is_moved_aside_and_the_app_starts_empty(
    tmp_path: Path, keep: int, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "samples.npz"
    store = new_store()
    for i in range(50):
        store.add("up", frame(i))
    store.save(path)
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    with (
        caplog.at_level(logging.WARNING),
        pytest.raises(CorruptFile, match=r"samples\.npz\.corrupt"),
    ):
        SampleStore.load(path, ID_A)
    assert "damaged" in caplog.text
    assert not path.exists()
    assert (tmp_path / "samples.npz.corrupt").read_bytes() == data[:keep]
    path.write_bytes(b"garbage")
    empty = SampleStore.load_or_empty(path, SHAPE, scale=0.5, zero_point=3, identity=ID_A)
    assert len(empty) == 0 and "damaged" in (empty.notice or "")
    assert (tmp_path / "samples.npz.corrupt.1").read_bytes() == b"garbage"


def test_no_saved_store_is_simply_empty(tmp_path: Path) -> None:
    store = SampleStore.load_or_empty(
        tmp_path / "none.npz", SHAPE, scale=0.5, zero_point=3, identity=ID_A
    )
    assert len(store) == 0 and store.notice is None
    with pytest.raises(FileNotFoundError):
        SampleStore.load(tmp_path / "none.npz", ID_A)


def test_bad_constructor_values_name_the_parameter() -> None:
    with pytest.raises(EdgePacError, match="scale"):
        SampleStore(SHAPE, scale=0, zero_point=0)
    with pytest.raises(EdgePacError, match="feature_shape"):
        SampleStore((0, 2), scale=1, zero_point=0)


def test_a_store_of_a_newer_format_is_kept_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "samples.npz"
    store = new_store()
    store.add("up", frame(1))
    store.save(path)
    with np.load(path) as npz:
        arrays = dict(npz) | {"format_version": np.array(99)}
    np.savez(path, **arrays)
    before = path.read_bytes()
    with pytest.raises(EdgePacError, match="newer than this EdgePac"):
        SampleStore.load(path, ID_A)
    empty = SampleStore.load_or_empty(path, SHAPE, scale=0.5, zero_point=3, identity=ID_A)
    assert len(empty) == 0 and "upgrade EdgePac" in (empty.notice or "")
    assert (tmp_path / "samples.npz.unused").read_bytes() == before
    empty.add("up", frame(2))
    empty.save(path)  # the app saves its new samples: the newer store is still there, aside
    assert (tmp_path / "samples.npz.unused").read_bytes() == before
