"""No model, no network: `edgepac run` hands the arcade the problem instead of exiting with it.

On the kiosk an exit is a restart loop behind a black screen; the arcade comes up instead, says
what is missing and how to fix it, and plays with the keyboard (the App's side: app-core).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgepac.errors import EdgePacError
from edgepac.vision import models

# For a child process: no proxy listens there, so every download fails at once, as offline.
OFFLINE = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network in this process: a download fails as it does offline. (Not by proxy variables:
    urllib keeps the first opener it builds, and later tests would inherit the dead proxy.)"""

    def no_network(url: str, *args: object, **kwargs: object) -> None:
        raise EdgePacError(f"could not download {url} (no network); check the network")

    monkeypatch.setattr(models, "download", no_network)
    monkeypatch.delenv("EDGEPAC_MODEL_SEARCH", raising=False)


def _says_the_fixes(line: str) -> None:
    assert "edgepac fetch-model" in line and "--from FILE" in line
    assert "$EDGEPAC_MODEL_SEARCH" in line and "\n" not in line


@pytest.mark.usefixtures("offline")
def test_no_model_is_a_line_not_an_exception() -> None:
    path, problem = models.find_model_or_problem(None)
    assert path is None and problem and problem.startswith("No model in ")
    _says_the_fixes(problem)
    path, problem = models.find_model_or_problem(None, ensure=True, progress=None)
    assert path is None and problem and "none could be downloaded" in problem
    _says_the_fixes(problem)
    path, problem = models.find_model_or_problem("0.5_160")
    assert path is None and problem and "fetch-model 0.5_160" in problem


@pytest.mark.usefixtures("offline")
def test_a_models_folder_that_is_a_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models").write_text("oops")
    monkeypatch.setenv("EDGEPAC_MODELS", str(tmp_path / "models"))
    path, problem = models.find_model_or_problem(None, ensure=True, progress=None)
    assert path is None and problem and "is a file, not a folder" in problem


@pytest.mark.usefixtures("offline")
def test_a_model_on_the_search_path_is_found_offline(
    model_025_128: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDGEPAC_MODEL_SEARCH", str(model_025_128.parent))
    path, problem = models.find_model_or_problem(None, ensure=True, progress=None)
    assert problem is None and path is not None and path.is_file()
    assert models.find_model_or_problem(None) == (path, None)  # now it is here


@pytest.mark.slow
def test_offline_with_no_model_run_shows_the_fix_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EDGEPAC_MODEL_SEARCH"}
    env |= OFFLINE | {"EDGEPAC_STATE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "edgepac", "run", "--ensure-model", "--headless",
         "--seconds", "3", "--camera", "demo", "--set", "buttons.gpio=off"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    _says_the_fixes(next(line for line in done.stderr.splitlines() if "No model" in line))
