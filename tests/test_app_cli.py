"""`edgepac demo` and `edgepac run` as a user types them (in-process, headless, real time)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from edgepac.cli import main

pytestmark = pytest.mark.model


@pytest.mark.slow
def test_demo_records_trains_plays_and_reports_json(
    model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "demo",
            "--headless",
            "--json",
            "--model",
            str(model_025_128),
            "--input-size",
            "224",
            "--samples",
            "12",
            "--play-seconds",
            "3",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("accuracy", "fps", "latency_ms_p95", "rss_mb", "dropped"):
        assert key in out, key
    assert out["feature_shape"] == [7, 7, 256]
    assert out["play_frames"] > 25  # ~30 a second for 3 s (fewer on a busy machine)
    # The virtual player follows the autopilot; the smoothed requests mostly match its pose.
    assert out["accuracy"] > 0.6
    assert 10 < out["fps"] <= 31  # the source runs at 30; a busy machine may drop some
    assert 0 < out["latency_ms_p95"] < 1000
    # The steering against the player's true pose, with the default filter (switch).
    assert out["smoothing"] == "switch"
    if out["steer_changes"]:
        assert out["steer_lag_frames_p95"] <= 3
    assert out["false_turns_per_min"] is not None and out["false_turns_per_min"] >= 0
    assert 0 < out["frame_age_ms_p50"] <= out["frame_age_ms_p95"] < 1000
    assert out["rss_mb"] > 10
    # TRAIN's wall time and the training thread's own CPU in it (what a Pi estimate scales)
    assert 0 < out["train_cpu_s"] <= out["train_s"]


@pytest.mark.slow
def test_demo_says_how_late_the_steering_turns(
    model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["demo", "--headless", "--model", str(model_025_128), "--input-size", "224"]
    code = main([*args, "--samples", "8", "--play-seconds", "3", "--set", "play.smoothing=mean"])
    assert code == 0
    out = capsys.readouterr().out
    assert "steering (mean): " in out and "false turns a minute" in out


def test_run_with_the_demo_camera_starts_and_stops(
    model_025_128: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path))
    code = main(
        [
            "run",
            "--headless",
            "--camera",
            "demo",
            "--model",
            str(model_025_128),
            "--seconds",
            "1",
            "--set",
            "buttons.gpio=off",
        ]
    )
    assert code == 0
    assert not list(tmp_path.glob("*.corrupt"))


def test_demo_rejects_nonsense_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--headless", "--samples", "1"]) == 2
    assert "--samples" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["demo", "--headless", "--size", "10x10"])
    assert refused.value.code == 2
    assert "--size" in capsys.readouterr().err
    assert main(["demo", "--headless", "--samples", "10", "--presses", "11"]) == 2
    assert "--presses must be from 1 to --samples (10)" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_in_presses_writes_each_press_once_and_says_what_it_cost(model_025_128: Path) -> None:
    """--presses 3: each pose's frames in 3 presses, each saved as its own segment; the JSON
    gives our count and the kernel's of what was written."""
    import subprocess

    # A process of its own: the kernel counts every byte a process writes, and in this one
    # the threads of earlier tests may still be saving (seen on the kiosk lane's Trixie step).
    run = subprocess.run(
        [sys.executable, "-m", "edgepac", "demo", "--headless", "--json", "--model",
         str(model_025_128), "--samples", "12", "--presses", "3", "--play-seconds", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["presses"] == 3 and out["store_saves"] >= 12  # 4 poses x 3 presses (+ the exit)
    assert out["store_fsyncs"] == 1 + 3 * 12  # the folder, then 3 a press: nothing rewritten
    frames = out["recorded_bytes"]
    assert frames <= out["store_bytes_written"] < 1.5 * frames + 12 * (12288 + 4096)
    if "io_write_bytes" in out:  # the kernel's count: the store plus the head, not more
        assert out["io_write_bytes"] <= 2 * frames + 20 * 2**20


@pytest.mark.slow
def test_no_screen_is_one_line_saying_what_to_do(model_025_128: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"SDL_VIDEODRIVER": "x11", "EDGEPAC_STATE": str(tmp_path)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "edgepac",
            "run",
            "--camera",
            "demo",
            "--windowed",
            "--seconds",
            "1",
            "--model",
            str(model_025_128),
            "--set",
            "buttons.gpio=off",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("edgepac: error: cannot open the screen") and "--headless" in last


@pytest.mark.timing
def test_sigterm_from_systemd_stops_the_arcade_cleanly(
    model_025_128: Path, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, EDGEPAC_STATE=str(tmp_path), SDL_VIDEODRIVER="dummy")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edgepac",
            "run",
            "--headless",
            "--camera",
            "demo",
            "--model",
            str(model_025_128),
            "--set",
            "buttons.gpio=off",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Up: the camera's, the inference, the saver and SDL's threads run beside the main one
        # and the libraries' (2-3 before the arcade starts, 7 once it runs). A condition, not a
        # fixed sleep: a loaded machine takes longer to get there.
        tasks = Path(f"/proc/{proc.pid}/task")
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if len(list(tasks.glob("*"))) >= 6:
                break
            time.sleep(0.1)
        time.sleep(0.5)  # a few frames through the arcade's threads
        assert proc.poll() is None, proc.communicate()[1]  # still running: a kiosk does not exit
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert time.monotonic() - t0 < 10
    finally:
        if proc.poll() is None:  # a failed check must not leave an arcade running
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("command", ["run", "demo", "play", "screenshots"])
def test_every_size_flag_reads_sizes_alike(command: str) -> None:
    # one parser for --size: portrait and 3.5" panels are sizes; a typo is refused the same way
    from edgepac.cli import build_parser

    parser = build_parser()
    extra = ["--out", "x"] if command == "screenshots" else []
    sizes = (("720x1280", (720, 1280)), ("480X320", (480, 320)), (" 800x480", (800, 480)))
    for text, size in sizes:
        assert parser.parse_args([command, *extra, "--size", text]).size == size
    for bad in ("big", "800x", "200x480", "800*480"):
        with pytest.raises(SystemExit) as err:
            parser.parse_args([command, *extra, "--size", bad])
        assert err.value.code == 2
