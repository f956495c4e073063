"""Shared fixtures: the real models and photos from $EDGEPAC_TEST_DATA, isolated user dirs.

With CI set, missing test data is a failure, not a skip: CI must exercise the real model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Real pygame, headless: SDL's dummy video and audio drivers.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# Real gpiozero, mock pins.
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

REPO = Path(__file__).resolve().parent.parent


def _missing(what: str) -> None:
    message = f"{what} not found: set EDGEPAC_TEST_DATA to the shared/ folder"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def test_data() -> Path:
    root = Path(os.environ.get("EDGEPAC_TEST_DATA", REPO.parent / "shared"))
    if not (root / "models").is_dir():
        _missing(f"{root}/models")
    return root


def shared(test_data: Path, relative: str) -> Path:
    """A file or folder of the shared test data; missing: a skip (a failure on CI)."""
    path = test_data / relative
    if not path.exists():
        _missing(str(path))
    return path


@pytest.fixture(scope="session")
def model_025_128(test_data: Path) -> Path:
    return shared(test_data, "models/mobilenet_v1_0.25_128_quant.tflite")


@pytest.fixture(scope="session")
def model_05_160(test_data: Path) -> Path:
    return shared(test_data, "models/mobilenet_v1_0.5_160_quant.tflite")


@pytest.fixture(scope="session")
def labels_file(test_data: Path) -> Path:
    return shared(test_data, "models/imagenet_labels.txt")


@pytest.fixture(scope="session")
def images_dir(test_data: Path) -> Path:
    return shared(test_data, "images")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the developer's real ~/.local or /etc: each test gets its own dirs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("EDGEPAC_STATE", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.delenv("EDGEPAC_MODELS", raising=False)


@pytest.fixture
def mock_pins():
    """gpiozero's MockFactory as the default pin factory for one test, then the old one back."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous
