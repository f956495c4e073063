"""`edgepac doctor`'s arcade lines: the state directory and what is saved in it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgepac.app.doctor import checks, saved_check, state_dir_check
from edgepac.learning.heads import make_head
from edgepac.learning.store import SampleStore

IDENTITY = {"model_sha256": "ab" * 32, "input_size": 224, "cut_layer": "conv_pw_13_relu"}


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path / "state"))
    return tmp_path / "state"


def test_a_fresh_kiosk_has_nothing_saved_and_that_is_fine(state: Path) -> None:
    lines = {c.name: c for c in checks()}
    assert all(c.ok for c in lines.values())
    assert "made at the first save" in lines["state directory"].detail
    assert lines["samples"].detail == "none saved yet"


def test_saved_samples_and_head_are_described(state: Path) -> None:
    store = SampleStore((2, 2, 3), scale=0.1, zero_point=0, identity=IDENTITY)
    for i in range(5):
        store.add("up" if i < 3 else "left", np.full((2, 2, 3), i, np.uint8))
    store.save(state / "samples.npz")
    X = np.random.default_rng(0).random((6, 2, 2, 3), dtype=np.float32)
    make_head("knn").fit(X, np.arange(6) % 2, class_names=["up", "down"]).save(
        state / "head.npz", IDENTITY
    )
    lines = {c.name: c for c in checks()}
    assert lines["samples"].ok and "5 samples (up 3, down 0, left 2, right 0)" in (
        lines["samples"].detail
    )
    assert lines["trained head"].ok and "knn head for up, down" in lines["trained head"].detail


def test_a_damaged_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "samples.npz"
    path.write_bytes(b"PK\x03\x04 cut short")
    check = saved_check(path, "samples")
    assert not check.ok and "damaged" in check.detail and "moves it aside" in check.what_to_do
    assert path.read_bytes() == b"PK\x03\x04 cut short"


def test_a_file_where_the_state_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    check = state_dir_check(tmp_path / "state")
    assert not check.ok and "EDGEPAC_STATE" in check.what_to_do
