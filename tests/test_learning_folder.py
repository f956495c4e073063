"""The sample store on disk (folder.py): a press writes only its own frames, drops are a line in
the manifest, old stores migrate, the cap lets the oldest sittings go. A real filesystem, small
activations, no model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from edgepac.learning import folder as folder_module
from edgepac.learning.folder import StoreFolder, folder_path, open_store, snapshot
from edgepac.learning.store import SampleStore

SHAPE = (4, 4, 8)  # 128 bytes a frame
ID = {"model_sha256": "a" * 64, "input_size": 128, "cut_layer": "conv_pw_13_relu"}
DATA = Path(__file__).parent / "data"


def new_store() -> SampleStore:
    return SampleStore(SHAPE, scale=0.5, zero_point=3, identity=ID)


def press(store: SampleStore, name: str, n: int, value: int = 0) -> None:
    store.begin_burst()
    for i in range(n):
        store.add(name, np.full(SHAPE, (value + i) % 256, np.uint8))
    store.set_thumbnail(name, np.full((8, 8, 3), value, np.uint8))


def save(store: SampleStore, folder: StoreFolder) -> bool:
    return folder.save(snapshot(store, folder.saved_upto))


def files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def reopen(state: Path) -> SampleStore:
    store, _ = open_store(state, SHAPE, scale=0.5, zero_point=3, identity=ID)
    return store


def same(a: SampleStore, b: SampleStore) -> None:
    assert a.counts() == b.counts()
    for column in ("features", "labels", "bursts", "sessions", "ids"):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column


def test_a_press_writes_only_its_own_frames_and_leaves_the_others_untouched(
    tmp_path: Path,
) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    written = []
    for k in range(12):  # 12 presses of 50 frames: each save costs the same, not more and more
        press(store, ("up", "down")[k % 2], 50, value=k)
        before = folder.bytes_written
        old = files_of(folder.path) if k else {}
        assert save(store, folder)
        written.append(folder.bytes_written - before)
        now = files_of(folder.path)
        for name, data in old.items():
            if name != "manifest.json":
                assert now[name] == data  # no segment already written is ever rewritten
    frames = 50 * 128
    assert max(written) < 1.3 * frames + 8192, written  # its frames, a picture, the manifest
    assert max(written) - min(written[1:]) < 1024
    assert folder.fsyncs == 1 + 3 * 12  # the folder once; then a segment and the manifest
    same(reopen(tmp_path), store)


def test_undo_clear_and_a_new_visitor_are_noted_without_rewriting_what_stays(
    tmp_path: Path,
) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    for k, name in enumerate(("up", "down", "up", "left")):
        press(store, name, 20, value=k)
        save(store, folder)
    segments = {n: d for n, d in files_of(folder.path).items() if n != "manifest.json"}
    store.undo_burst()  # the last LEFT press
    before = folder.bytes_written
    assert save(store, folder)
    assert folder.bytes_written - before < 2048  # a manifest, no frames
    same(reopen(tmp_path), store)
    store.clear_class("down")
    save(store, folder)
    again = reopen(tmp_path)
    same(again, store)
    assert again.counts() == {"up": 40, "down": 0, "left": 0, "right": 0}
    for name, data in files_of(folder.path).items():
        if name != "manifest.json":
            assert segments[name] == data  # what stays is never rewritten
    assert len(files_of(folder.path)) < len(segments) + 1  # wholly dropped segments are gone
    store.clear()  # a new visitor
    save(store, folder)
    assert len(reopen(tmp_path)) == 0
    assert sorted(files_of(folder.path)) == ["manifest.json"]


def test_the_store_keeps_each_frames_press_and_session_across_a_restart(tmp_path: Path) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    press(store, "up", 3)
    press(store, "up", 2)
    store.begin_session()
    press(store, "down", 4)
    save(store, folder)
    again = reopen(tmp_path)
    assert again.bursts.tolist() == [1, 1, 1, 2, 2, 3, 3, 3, 3]
    assert again.sessions.tolist() == [0] * 5 + [1] * 4
    again.begin_burst()  # the next press is a new one, never an old one's number
    again.add("left", np.zeros(SHAPE, np.uint8))
    assert again.bursts[-1] == 4 and again.ids[-1] == 9


def test_stores_of_format_1_and_2_written_by_the_old_code_load_and_migrate(
    tmp_path: Path,
) -> None:
    """tests/data holds files the single-file code wrote (make_old_stores.py)."""
    for version in (1, 2):
        state = tmp_path / f"v{version}"
        state.mkdir()
        shutil.copy(DATA / f"samples-v{version}.npz", state / "samples.npz")
        old = SampleStore.load(state / "samples.npz")
        store, folder = open_store(state, (2, 2, 3), scale=0.5, zero_point=3, identity=ID)
        assert store.counts() == {"up": 6, "down": 3, "left": 5, "right": 3}
        assert np.array_equal(store.features, old.features)
        assert store.bursts.tolist() == [1] * 4 + [2] * 3 + [3] * 2 + [4] * 5 + [5] * 3
        if version == 2:
            assert store.sessions.tolist() == [0] * 14 + [1] * 3
            assert set(store.thumbnails) == {"up", "down", "left"}
        else:  # before sessions: one old session of unknown time
            assert store.sessions.tolist() == [0] * 17 and np.isnan(store.recorded_at).all()
        # Migrated: the folder holds it, the old file is gone, and it loads from the folder.
        assert not (state / "samples.npz").exists()
        again, _ = open_store(state, (2, 2, 3), scale=0.5, zero_point=3, identity=ID)
        assert np.array_equal(again.features, old.features)
        assert again.thumbnails.keys() == store.thumbnails.keys()
        # A new press goes in as a segment of its own.
        again.begin_burst()
        again.add("up", np.zeros((2, 2, 3), np.uint8))
        assert folder.save(snapshot(again, folder.saved_upto))
        assert reopen_counts(state) == {"up": 7, "down": 3, "left": 5, "right": 3}


def reopen_counts(state: Path) -> dict[str, int]:
    store, _ = open_store(state, (2, 2, 3), scale=0.5, zero_point=3, identity=ID)
    return store.counts()


def test_compaction_merges_small_and_dropped_segments_and_changes_nothing_seen(
    tmp_path: Path, monkeypatch
) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    for k in range(20):
        press(store, ("up", "down", "left", "right")[k % 4], 10, value=k)
        save(store, folder)
    store.clear_class("left")
    save(store, folder)
    monkeypatch.setattr(folder_module, "MAX_SEGMENTS", 8)
    assert folder.needs_compacting(store.frame_bytes)
    before = folder.bytes_written
    merged = folder.compact(store.frame_bytes, budget=60 * 128)  # bounded: at most 60 frames
    assert merged >= 2 and folder.bytes_written - before < 60 * 128 * 1.3 + 8192
    same(reopen(tmp_path), store)
    while folder.needs_compacting(store.frame_bytes):
        folder.compact(store.frame_bytes)
    again = reopen(tmp_path)
    same(again, store)
    assert again.thumbnails.keys() == store.thumbnails.keys()
    assert len(list(folder.path.glob("*.npz"))) <= 8


def test_leftovers_of_a_cut_save_are_swept_and_a_damaged_segment_is_moved_aside(
    tmp_path: Path,
) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    press(store, "up", 5)
    save(store, folder)
    press(store, "down", 5)
    save(store, folder)
    (folder.path / "00000099.npz").write_bytes(b"half a segment")  # no manifest names it
    seg = sorted(folder.path.glob("0*.npz"))[1]
    seg.write_bytes(seg.read_bytes()[:100])  # bit rot in a named one
    again = reopen(tmp_path)
    assert again.counts()["up"] == 5 and again.counts()["down"] == 0
    assert "damaged" in again.notice
    assert not (folder.path / "00000099.npz").exists()
    assert (folder.path / (seg.name + ".corrupt")).exists()


def test_a_damaged_manifest_or_another_backbones_store_is_moved_aside(tmp_path: Path) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    press(store, "up", 5)
    save(store, folder)
    other, _ = open_store(tmp_path, SHAPE, scale=0.5, zero_point=3, identity={"model_sha256": "b"})
    assert len(other) == 0 and "another backbone" in other.notice
    assert (tmp_path / "samples.other-backbone" / "manifest.json").exists()
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    press(store, "up", 5)
    save(store, folder)
    (folder.path / "manifest.json").write_text("{not json")
    damaged = reopen(tmp_path)
    assert len(damaged) == 0 and "damaged" in damaged.notice
    assert (tmp_path / "samples.corrupt" / "manifest.json").read_text() == "{not json"


def test_the_cap_lets_the_oldest_sittings_go_never_the_current_one(tmp_path: Path) -> None:
    store = new_store()
    for sitting in range(5):
        store.begin_session()
        for name in ("up", "down"):
            press(store, name, 40, value=sitting)
    cap = 200 * 128  # room for 200 of the 400 frames
    dropped = store.drop_oldest_sessions(cap)
    assert dropped == 240 and store.nbytes <= cap  # three whole sittings went
    assert np.unique(store.sessions).tolist() == [3, 4]
    assert store.drop_oldest_sessions(10 * 128) == 80  # only the current one is left...
    assert np.unique(store.sessions).tolist() == [4]
    assert store.drop_oldest_sessions(0) == 0 and len(store) == 80  # ...and it stays
    folder = StoreFolder(folder_path(tmp_path))
    save(store, folder)
    same(reopen(tmp_path), store)


def test_the_manifest_is_small_and_says_what_was_dropped(tmp_path: Path) -> None:
    store, folder = new_store(), StoreFolder(folder_path(tmp_path))
    press(store, "up", 10)
    press(store, "down", 10)
    save(store, folder)  # both presses in one segment (one save)
    store.clear_class("up")
    save(store, folder)
    manifest = json.loads((folder.path / "manifest.json").read_text())
    assert manifest["format_version"] == 3
    assert [s["dropped"] for s in manifest["segments"]] == [[[0, 9]]]
