"""Heads as files and the nearest-neighbour head: what survives a save, what is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgepac.errors import EdgePacError
from edgepac.learning.files import CorruptFile, OtherBackbone
from edgepac.learning.heads import load_head, make_head
from edgepac.learning.knn import KnnHead
from edgepac.poses import POSES

NAMES = list(POSES)
ID_A = {"model_sha256": "a" * 64, "input_size": 224, "cut_layer": "conv_pw_13_relu"}
ID_B = {**ID_A, "input_size": 160}


def data(seed: int = 0, n: int = 10, shape=(3, 3, 8)):
    rng = np.random.default_rng(seed)
    centres = rng.random((4, *shape)) * 3
    X = np.concatenate([c + 0.5 * rng.random((n, *shape)) for c in centres]).astype(np.float32)
    return X, np.repeat(np.arange(4), n)


@pytest.mark.parametrize(
    ("kind", "params"),
    [("dense", {"epochs": 3}), ("dense", {"preset": "tutorial"}), ("knn", {"k": 3})],
)
def test_a_saved_and_reloaded_head_predicts_the_same(kind: str, params: dict, tmp_path: Path):
    X, y = data()
    head = make_head(kind, **params).fit(X, y, class_names=NAMES)
    path = tmp_path / "head.npz"
    head.save(path, ID_A)
    again = load_head(path, ID_A)
    assert type(again) is type(head) and again.get_params() == head.get_params()
    assert again.classes_ == NAMES
    np.testing.assert_array_equal(again.predict_proba(X), head.predict_proba(X))
    np.testing.assert_array_equal(again.predict_proba(X[3]), head.predict_proba(X[3]))
    assert [p.name for p in tmp_path.iterdir()] == ["head.npz"]


def test_a_head_from_another_backbone_is_refused_and_left_alone(tmp_path: Path) -> None:
    X, y = data()
    path = tmp_path / "head.npz"
    make_head("dense", epochs=1).fit(X, y, NAMES).save(path, ID_A)
    before = path.read_bytes()
    with pytest.raises(OtherBackbone, match=r"input 224.*not the one in use.*input 160"):
        load_head(path, ID_B)
    assert path.read_bytes() == before


def test_a_truncated_head_is_moved_aside_with_a_clear_message(tmp_path: Path) -> None:
    X, y = data()
    path = tmp_path / "head.npz"
    make_head("dense", epochs=1).fit(X, y, NAMES).save(path, ID_A)
    data_bytes = path.read_bytes()
    path.write_bytes(data_bytes[: len(data_bytes) // 2])
    with pytest.raises(CorruptFile, match=r"damaged or truncated.*head\.npz\.corrupt"):
        load_head(path, ID_A)
    assert (tmp_path / "head.npz.corrupt").read_bytes() == data_bytes[: len(data_bytes) // 2]


def test_missing_or_wrong_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(EdgePacError, match=r"no head at .*train one first"):
        load_head(tmp_path / "nothing.npz", ID_A)
    with pytest.raises(EdgePacError, match="is a folder"):
        load_head(tmp_path, ID_A)
    assert tmp_path.is_dir()  # a folder is never "moved aside" as if it were a damaged file
    from edgepac.learning.store import SampleStore

    store = SampleStore((3, 3, 8), scale=1, zero_point=0, identity=ID_A)
    store.save(tmp_path / "samples.npz")
    with pytest.raises(EdgePacError, match="not the head"):
        load_head(tmp_path / "samples.npz", ID_A)
    assert (tmp_path / "samples.npz").exists()


def test_make_head_checks_its_arguments() -> None:
    with pytest.raises(EdgePacError, match="head must be one of"):
        make_head("svm")
    with pytest.raises(EdgePacError, match="a knn head takes: k"):
        make_head("knn", units=3)
    with pytest.raises(EdgePacError, match=r"^k must"):
        make_head("knn", k=0)
    with pytest.raises(EdgePacError, match="preset"):
        make_head("knn", preset="tutorial")
    assert make_head("dense", preset="tutorial").learning_rate == 1e-4


def test_knn_finds_the_nearest_frames_by_angle_not_brightness() -> None:
    X, y = data()
    head = KnnHead(k=3).fit(X, y, NAMES)
    # The same frames twice as bright are still nearest to themselves.
    assert list(head.predict(2 * X)) == [NAMES[i] for i in y]
    p = head.predict_proba(X[0])
    assert p.shape == (4,) and p.sum() == pytest.approx(1)


def test_knn_vote_is_class_balanced() -> None:
    """A class recorded for ten times longer does not win by sheer numbers."""
    a, b = np.zeros(4, np.float32), np.zeros(4, np.float32)
    a[0], b[1] = 1, 1
    near_a = np.array([1, 0.35, 0, 0], np.float32)  # cosine ~0.94 to the query below
    near_b = np.array([0.35, 1, 0, 0], np.float32)
    far_a = np.array([0, 0, 1, 0], np.float32)
    X = np.stack([near_a] * 3 + [far_a] * 27 + [near_b] * 2)
    y = np.array([0] * 30 + [1] * 2)
    q = np.array([1, 1, 0, 0], np.float32)
    assert KnnHead(k=5).fit(X, y, ["up", "down"]).predict(q) == "down"  # 3/30 < 2/2
    # A plain majority of the same five neighbours would have said "up".
    sims = (X / np.linalg.norm(X, axis=1, keepdims=True)) @ (q / np.linalg.norm(q))
    assert sorted(y[np.argsort(-sims)[:5]].tolist()) == [0, 0, 0, 1, 1]


def test_knn_with_fewer_frames_than_k_still_votes() -> None:
    X, y = data(n=1)
    head = KnnHead(k=10).fit(X, y, NAMES)
    np.testing.assert_allclose(head.predict_proba(X), 0.25)  # all four vote, one each


def test_knn_votes_by_sample_weight_and_keeps_the_weights_in_its_file(tmp_path: Path) -> None:
    # The camera moved: the newest session's "down" looks like the old sessions' "up". With the
    # newest frames weighing 3x, the new look's vote wins; weights survive saving and loading.
    X = np.array(
        [[1, 0, 0], [1, 0.02, 0], [0, 0, 1], [0, 1, 0], [0.9, 0.1, 0]], dtype=np.float32
    )  # up (old), up (old), up (new), down (old), down (new)
    y = np.array([0, 0, 0, 1, 1])
    new = np.array([1.0, 1.0, 3.0, 1.0, 3.0])
    query = np.array([1, 0.05, 0], dtype=np.float32)
    assert KnnHead(k=3).fit(X, y, ["up", "down"]).predict(query) == "up"
    head = KnnHead(k=3).fit(X, y, ["up", "down"], sample_weight=new)
    assert head.predict(query) == "down"
    head.save(tmp_path / "knn.npz", ID_A)
    assert load_head(tmp_path / "knn.npz", ID_A).predict(query) == "down"
