"""Every command as a newcomer meets it: its --help, then bad arguments and bad files.

Whatever goes in, a command answers in one line on stderr and a non-zero exit: never a Python
traceback, never an "internal error", and nothing it was given is moved or changed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from edgepac.cli import build_parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = sorted(_subcommands())


def test_every_command_is_there() -> None:
    assert set(COMMANDS) >= {
        "fetch-model", "truncate", "classify", "train", "eval", "predict",
        "play", "run", "demo", "bench", "doctor",
    }  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_describes_the_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: edgepac {command}")
    # A description paragraph between the usage and the options, not just the usage line.
    description = out.split("\n\n")[1]
    assert not description.lstrip().startswith(("positional arguments", "options"))
    assert len(description.split()) >= 8, description


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as done:  # argparse refuses before the command runs
        code = done.code
    err = capsys.readouterr().err
    assert code not in (0, None), f"{argv} exited 0"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{argv}: {err}"
    assert "Traceback" not in err and "internal error" not in err, err
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_flag_is_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(capsys, [command, "--no-such-flag"])
    # Either the flag is named, or what is missing first (then the flag comes next time).
    assert ("--no-such-flag" in line or "required" in line) and f"edgepac {command} --help" in line


BAD_NUMBERS = [
    (["run", "--seconds", "-1"], "more than 0"),
    (["run", "--seconds", "nan"], "more than 0"),
    (["run", "--input-size", "99999"], "from 32 to 1024"),
    (["demo", "--input-size", "7"], "from 32 to 1024"),
    (["demo", "--play-seconds", "0"], "more than 0"),
    (["train", "--input-size", "12.5", "--images", "x", "--out", "h.npz"], "not a whole number"),
    (["eval", "--threads", "0", "--head", "h.npz", "--images", "x"], "at least 1"),
    (["predict", "--input-size", "-3", "--head", "h.npz", "x.jpg"], "from 32 to 1024"),
    (["bench", "--input-size", "99999"], "from 32 to 1024"),
    (["bench", "--frames", "0"], "at least 1"),
    (["bench", "--threads", "-2"], "at least 1"),
    (["classify", "--top", "0", "x.jpg"], "at least 1"),
    (["play", "--max-ticks", "0", "--headless"], "positive"),
    (["play", "--size", "big", "--headless"], "800x480"),
    (["run", "--size", "10x10", "--headless"], "each at least 240"),
    (["run", "--set", "play.smoothing_frame=3", "--headless"], "unknown key"),
    (["train", "--epochs", "0", "--images", "x", "--out", "h.npz"], "epochs"),
    (["train", "--learning-rate", "nan", "--images", "x", "--out", "h.npz"], "learning_rate"),
]


@pytest.mark.parametrize(("argv", "says"), BAD_NUMBERS, ids=lambda v: " ".join(v))
def test_bad_numbers_are_refused_in_one_line_before_any_work(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert says in _one_line_error(capsys, argv)


# --- bad files, through the real `edgepac` process (logging, C++ output and all) ------------


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory, model_025_128: Path, images_dir: Path) -> Path:
    """A folder of things a newcomer might hand a command by mistake."""
    root = tmp_path_factory.mktemp("bad")
    (root / "folder").mkdir()
    (root / "text.tflite").write_text("not a model\n")
    (root / "fake.npz").write_text("not a head\n")
    (root / "labels1.txt").write_text("one line\n")
    (root / "models-file").write_text("EDGEPAC_MODELS should be a folder\n")
    (root / "photo.jpg").write_text("not a photo\n")
    data = model_025_128.read_bytes()
    (root / "half.tflite").write_bytes(data[: len(data) // 2])
    garbled = bytearray(data)
    garbled[200:40000] = bytes(39800)  # zeroes over the flatbuffer's tables
    (root / "garbled.tflite").write_bytes(bytes(garbled))
    photos = root / "photos"
    for pose, name in (("up", "cat.bmp"), ("down", "hot_dog.jpg")):
        (photos / pose).mkdir(parents=True)
        (photos / pose / name).write_bytes((images_dir / name).read_bytes())
    (root / "empty-class" / "up").mkdir(parents=True)
    (root / "empty-class" / "up" / "notes.txt").write_text("no images here")
    return root


def _cases(bad: Path, model: Path) -> list[tuple[list[str], dict[str, str], str]]:
    """(argv, extra environment, what the one line must say)."""
    m = str(model)
    photo = str(bad / "photos" / "up" / "cat.bmp")
    files = {"EDGEPAC_MODELS": str(bad / "models-file")}
    # fmt: off
    return [
        (["truncate", m, str(bad / "folder")], {}, "is a folder"),
        (["truncate", m, str(bad / "no" / "such" / "cut.tflite")], {}, "no folder"),
        (["truncate", str(bad / "text.tflite"), str(bad / "cut.tflite")], {}, "not a TFLite"),
        (["truncate", str(bad / "half.tflite"), str(bad / "cut.tflite")], {}, "damaged"),
        (["truncate", str(bad / "folder"), str(bad / "cut.tflite")], {}, "is a folder"),
        (["truncate", m, str(bad / "cut.tflite"), "--layer", "nope"], {}, "no layer 'nope'"),
        (["fetch-model", "--from", m], files, "is a file, not a folder"),
        (["fetch-model", "--from", str(bad / "text.tflite")], {}, "not a TFLite"),
        (["fetch-model", "--from", str(bad / "folder")], {}, "holds no"),
        (["fetch-model", "--from", str(bad / "missing.tgz")], {}, "no such file"),
        (["fetch-model", "9.9_999"], {}, "unknown model variant"),
        (["fetch-model", "--list"], files, "is a file, not a folder"),
        (["demo", "--headless", "--samples", "5"], files, "is a file, not a folder"),
        (["classify", "--model", str(bad / "text.tflite"), photo], {}, "not a TFLite"),
        (["classify", "--model", str(bad / "half.tflite"), photo], {}, "damaged"),
        (["classify", "--model", str(bad / "garbled.tflite"), photo], {}, "tflite"),
        (["classify", "--model", m, "--labels", str(bad / "labels1.txt"), photo], {}, "1001"),
        (["classify", "--model", m, "--labels", str(bad / "folder"), photo], {}, "is a folder"),
        (["classify", "--model", m, str(bad / "photo.jpg")], {}, "not a readable image"),
        (["classify", "--model", m, str(bad / "folder")], {}, "is a folder"),
        (["classify", photo], files, "is a file, not a folder"),
        (["train", "--model", m, "--images", str(bad / "photos"), "--out", str(bad / "folder")],
         {}, "is a folder"),
        (["train", "--model", m, "--images", str(bad / "photos"),
          "--out", str(bad / "no" / "h.npz")], {}, "no folder"),
        (["train", "--model", m, "--images", str(bad / "empty-class"),
          "--out", str(bad / "h.npz")], {}, "has no images"),
        (["train", "--model", m, "--images", str(bad / "text.tflite"),
          "--out", str(bad / "h.npz")], {}, "not a folder"),
        (["train", "--model", str(bad / "half.tflite"), "--images", str(bad / "photos"),
          "--out", str(bad / "h.npz")], {}, "half.tflite"),
        (["train", "--images", str(bad / "photos"), "--out", str(bad / "h.npz")], files,
         "is a file, not a folder"),
        (["predict", "--model", m, "--head", str(bad / "fake.npz"), photo], {}, "damaged"),
        (["predict", "--model", m, "--head", str(bad / "folder"), photo], {}, "is a folder"),
        (["predict", "--model", m, "--head", str(bad / "nothing.npz"), photo], {}, "no head"),
        (["predict", "--model", m, "--head", str(bad / "text.tflite"), photo], {}, "damaged"),
        (["eval", "--model", m, "--head", str(bad / "fake.npz"), "--images",
          str(bad / "photos")], {}, "damaged"),
        (["bench", "--model", str(bad / "missing.tflite")], {}, "no such model file"),
        (["bench", "--model", str(bad / "text.tflite")], {}, "not a TFLite"),
        (["demo", "--headless", "--model", str(bad / "text.tflite")], {}, "not a TFLite"),
        (["run", "--headless", "--camera", "replay"], {}, "replay"),
        (["wiring", "--out", str(bad / "folder")], {}, "is a folder"),
        (["wiring", "--out", str(bad / "no" / "wiring.svg")], {}, "no folder"),
    ]
    # fmt: on


def _edgepac(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edgepac", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.slow
def test_bad_files_get_one_line_and_stay_as_they_were(bad: Path, model_025_128: Path) -> None:
    before = {p: p.read_bytes() for p in bad.rglob("*") if p.is_file()}
    cases = _cases(bad, model_025_128)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda c: _edgepac(c[0], c[1]), cases))
    problems = []
    for (argv, _, says), done in zip(cases, results, strict=True):
        lines = done.stderr.strip().splitlines()
        if (
            done.returncode == 0
            or len(lines) != 1
            or "Traceback" in done.stderr
            or "internal error" in done.stderr
            or says not in lines[0]
        ):
            problems.append(f"edgepac {' '.join(argv)} -> {done.returncode}: {done.stderr}")
    assert not problems, "\n".join(problems)
    # Read-only or refused: every file is where it was, as it was, and nothing new appeared.
    after = {p: p.read_bytes() for p in bad.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_doctor_with_the_models_folder_a_file_says_fix(bad: Path) -> None:
    done = _edgepac(["doctor"], {"EDGEPAC_MODELS": str(bad / "models-file")})
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    fix = [line for line in done.stdout.splitlines() if line.startswith("FIX  model:")]
    assert fix and "is a file, not a folder" in fix[0] and "EDGEPAC_MODELS" in fix[0]
