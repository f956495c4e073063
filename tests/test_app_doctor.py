"""`edgepac doctor`'s arcade lines: the state directory and what is saved in it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgepac.app.doctor import checks, lasting_check, mount_of, saved_check, state_dir_check
from edgepac.learning.heads import make_head
from edgepac.learning.store import SampleStore

IDENTITY = {"model_sha256": "ab" * 32, "input_size": 224, "cut_layer": "conv_pw_13_relu"}


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path / "state"))
    return tmp_path / "state"


def test_a_fresh_kiosk_has_nothing_saved_and_that_is_fine(state: Path) -> None:
    lines = {c.name: c for c in checks()}
    # (Whether the test's own folder lasts a reboot is the machine's business: tested below.)
    assert all(c.ok for name, c in lines.items() if name != "state kept at reboot")
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


# /proc/self/mountinfo as a Pi shows it: the SD card's root, and the same Pi with raspi-config's
# Overlay File System on (the root an overlay whose changes live in a tmpfs).
SD_ROOT = """\
22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw
25 22 179:1 / /boot/firmware rw,relatime shared:2 - vfat /dev/mmcblk0p1 rw
26 22 0:21 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=388184k,mode=755
"""
OVERLAY_ROOT = """\
20 1 0:28 / / rw,relatime shared:1 - overlay overlayroot rw,lowerdir=/media/root-ro,upperdir=/x
21 20 179:2 / /media/root-ro ro,relatime shared:2 - ext4 /dev/mmcblk0p2 ro
22 20 0:27 / /media/root-rw rw,relatime shared:3 - tmpfs tmpfs-root rw
31 20 8:1 / /var/lib/edge\\040state rw,noatime shared:9 - ext4 /dev/sda1 rw
"""


def test_a_state_folder_that_vanishes_at_reboot_is_said_with_the_fix() -> None:
    ok = lasting_check(Path("/var/lib/edgepac"), SD_ROOT)
    assert ok.ok and "ext4" in ok.detail
    overlay = lasting_check(Path("/var/lib/edgepac"), OVERLAY_ROOT)
    assert not overlay.ok and "overlay" in overlay.detail and "lost at every reboot" in (
        overlay.detail
    )
    assert "kiosk-overlay.md" in overlay.what_to_do and "persistent partition" in (
        overlay.what_to_do
    )
    ram = lasting_check(Path("/run/edgepac"), SD_ROOT)
    assert not ram.ok and "tmpfs" in ram.detail
    # The fix: a persistent partition mounted for the state (here with a space in its name).
    assert mount_of(Path("/var/lib/edge state/samples"), OVERLAY_ROOT) == (
        "/var/lib/edge state",
        "ext4",
    )
    assert lasting_check(Path("/var/lib/edge state"), OVERLAY_ROOT).ok


def test_the_doctor_sees_a_real_tmpfs_and_overlay_under_the_state_folder(tmp_path: Path) -> None:
    import subprocess

    ram = tmp_path / "ram"
    ram.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(ram)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount here (needs root): the mountinfo fixtures above stand in")
    try:
        assert not lasting_check(ram / "edgepac").ok
        for d in ("lower", "upper", "work", "merged"):
            (ram / d).mkdir()
        merged = ram / "merged"
        opts = f"lowerdir={ram}/lower,upperdir={ram}/upper,workdir={ram}/work"
        if subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, str(merged)],
                          capture_output=True).returncode == 0:
            try:
                check = lasting_check(merged / "edgepac")
                assert not check.ok and "overlay" in check.detail
            finally:
                subprocess.run(["umount", "-l", str(merged)], check=False)
    finally:
        subprocess.run(["umount", "-l", str(ram)], check=False)
    # Where /tmp's own mount is not in the table (a chroot, as the kiosk lane's Trixie step),
    # the doctor says nothing against it; elsewhere it follows /tmp's file system.
    found = mount_of(tmp_path.resolve(), Path("/proc/self/mountinfo").read_text())
    assert lasting_check(tmp_path / "edgepac").ok == (
        found is None or found[1] not in ("tmpfs", "overlay", "ramfs")
    )


def test_the_samples_folder_is_described(state: Path) -> None:
    from edgepac.learning.folder import StoreFolder, snapshot

    store = SampleStore((2, 2, 3), scale=0.1, zero_point=0, identity=IDENTITY)
    store.add("up", np.zeros((2, 2, 3), np.uint8))
    StoreFolder(state / "samples").save(snapshot(store, 0))
    line = {c.name: c for c in checks()}["samples"]
    assert line.ok and "samples/: 1 segments" in line.detail and "abababababab" in line.detail
    (state / "samples" / "manifest.json").write_text("{")
    line = {c.name: c for c in checks()}["samples"]
    assert not line.ok and "damaged" in line.detail


def test_with_model_tm_the_saved_lines_are_the_tm_models_own(state: Path) -> None:
    # The arcade keeps a Teachable Machine model's samples and head in <state>/tm/<name>/, beside
    # (never over) EdgePac's own: the doctor reads the ones the arcade will load.
    from edgepac import paths

    store = SampleStore((2, 2, 3), scale=0.1, zero_point=0, identity=IDENTITY)
    for i in range(4):
        store.add("down", np.full((2, 2, 3), i, np.uint8))
    store.save(state / "tm" / "my-project" / "samples.npz")
    make_head("knn").fit(np.eye(6, 12).reshape(6, 2, 2, 3), np.arange(6) % 2, ["up", "down"]).save(
        state / "head.npz", IDENTITY
    )  # EdgePac's own head: not what model.tm plays
    config = paths.config_files()[-1]
    config.parent.mkdir(parents=True)
    config.write_text('[model]\ntm = "my-project"\n')
    lines = {c.name: c for c in checks()}
    samples = lines["samples (Teachable Machine my-project)"]
    assert samples.ok and "4 samples (up 0, down 4, left 0, right 0)" in samples.detail
    assert lines["trained head (Teachable Machine my-project)"].detail == "none saved yet"
    assert "samples" not in lines and "trained head" not in lines
