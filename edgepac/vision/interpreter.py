"""Which TFLite interpreter this machine has: LiteRT first, tflite-runtime as the fallback.

LiteRT (`ai-edge-litert`) is the maintained successor of tflite-runtime, with XNNPACK on by
default and wheels for numpy 2; it is several times faster on the same model (see the README's
backbone section). Raspberry Pi OS images often ship `tflite-runtime` instead, so it is accepted
too. `EDGEPAC_INTERPRETER=tflite-runtime` (or `ai-edge-litert`) forces one where both are installed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgepac.errors import EdgePacError

# (distribution name, module that holds the Interpreter class), in order of preference.
CANDIDATES = (
    ("ai-edge-litert", "ai_edge_litert.interpreter"),
    ("tflite-runtime", "tflite_runtime.interpreter"),
)

INSTALL_HINT = (
    "no TFLite interpreter is installed: run `pip install ai-edge-litert` "
    "(or, where LiteRT has no wheel, `pip install tflite-runtime 'numpy<2'`)"
)


@dataclass(frozen=True)
class InterpreterKind:
    name: str  # the pip distribution, e.g. "ai-edge-litert"
    version: str
    cls: Any  # the Interpreter class

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


def _version(dist: str, module: Any) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:  # e.g. a Debian package, not pip's
        package = importlib.import_module(module.__name__.split(".")[0])
        return str(getattr(package, "__version__", "unknown"))


def find_interpreter() -> InterpreterKind:
    """The interpreter to use: the first installed candidate, or the one the environment names."""
    forced = os.environ.get("EDGEPAC_INTERPRETER", "").strip()
    candidates = CANDIDATES
    if forced:
        candidates = tuple(c for c in CANDIDATES if c[0] == forced)
        if not candidates:
            known = ", ".join(c[0] for c in CANDIDATES)
            raise EdgePacError(f"EDGEPAC_INTERPRETER={forced!r} is unknown: use one of {known}")
    for dist, module_name in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        return InterpreterKind(dist, _version(dist, module), module.Interpreter)
    if forced:
        raise EdgePacError(
            f"EDGEPAC_INTERPRETER={forced} but it is not installed: pip install {forced}"
        )
    raise EdgePacError(INSTALL_HINT)


def make_interpreter(
    model: Path | bytes,
    num_threads: int | None = None,
    preserve_all_tensors: bool = False,
) -> tuple[Any, InterpreterKind]:
    """An interpreter for a model file or its bytes (tensors not yet allocated)."""
    kind = find_interpreter()
    kwargs: dict[str, Any] = {"num_threads": num_threads}
    if preserve_all_tensors:  # keeps every intermediate readable, for tests and debugging
        kwargs["experimental_preserve_all_tensors"] = True
    if isinstance(model, bytes):
        kwargs["model_content"] = model
    else:
        kwargs["model_path"] = str(model)
    try:
        with warnings.catch_warnings():  # preserving all tensors is on purpose, not a mistake
            warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors")
            return kind.cls(**kwargs), kind
    except (ValueError, RuntimeError) as err:
        where = "the model" if isinstance(model, bytes) else str(model)
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EdgePacError(
            f"{where}: {kind} cannot load it ({first_line}); fetch it again with "
            "`edgepac fetch-model`"
        ) from err
