"""The interpreter finder: LiteRT first, tflite-runtime as fallback, a clear error otherwise."""

from __future__ import annotations

import builtins
import importlib.metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edgepac.errors import EdgePacError
from edgepac.vision import interpreter


def test_finds_litert_here_with_its_version() -> None:
    kind = interpreter.find_interpreter()
    assert kind.name == "ai-edge-litert"
    assert kind.version == importlib.metadata.version("ai-edge-litert")
    assert str(kind) == f"ai-edge-litert {kind.version}"


def _block_imports(monkeypatch: pytest.MonkeyPatch, *blocked: str) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in blocked:
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(
        interpreter.importlib,
        "import_module",
        lambda name: fake_import(name, fromlist=["x"]),
    )


def test_neither_installed_says_what_to_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _block_imports(monkeypatch, "ai_edge_litert", "tflite_runtime")
    with pytest.raises(EdgePacError) as info:
        interpreter.find_interpreter()
    message = str(info.value)
    assert "pip install ai-edge-litert" in message and "tflite-runtime" in message
    assert "\n" not in message


def test_forcing_a_missing_interpreter_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    _block_imports(monkeypatch, "tflite_runtime")
    monkeypatch.setenv("EDGEPAC_INTERPRETER", "tflite-runtime")
    with pytest.raises(EdgePacError, match="pip install tflite-runtime"):
        interpreter.find_interpreter()
    monkeypatch.setenv("EDGEPAC_INTERPRETER", "tensorflow")
    with pytest.raises(EdgePacError, match="unknown: use one of ai-edge-litert, tflite-runtime"):
        interpreter.find_interpreter()


def test_runs_the_real_model(model_025_128: Path) -> None:
    interp, _ = interpreter.make_interpreter(model_025_128, num_threads=1)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    assert list(inp["shape"]) == [1, 128, 128, 3] and inp["dtype"] == np.uint8
    interp.set_tensor(inp["index"], np.full((1, 128, 128, 3), 128, np.uint8))
    interp.invoke()
    probs = interp.get_tensor(interp.get_output_details()[0]["index"])
    assert probs.shape == (1, 1001)


def test_a_file_that_is_no_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.tflite"
    bad.write_bytes(b"this is not a flatbuffer" * 10)
    with pytest.raises(EdgePacError, match=r"model\.tflite: ai-edge-litert .* cannot load it"):
        interpreter.make_interpreter(bad)
