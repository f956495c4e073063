"""Which TFLite interpreter this machine has: LiteRT first, tflite-runtime as the fallback.

LiteRT (`ai-edge-litert`) is the maintained successor of tflite-runtime, with XNNPACK on by
default and wheels for numpy 2; it is several times faster on the same model (see
docs/benchmarks/vision-backbone.md). Raspberry Pi OS images often ship `tflite-runtime` instead,
so it is accepted too. `EDGEPAC_INTERPRETER=tflite-runtime` (or `ai-edge-litert`) forces one
where both are installed.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
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


# What LiteRT prints on stderr, from C++, the first time a model is prepared: news to nobody.
NOISE = (b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",)
# One redirection at a time: two threads swapping fd 2 in turn could leave it on a closed file.
_STDERR = threading.Lock()


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hold back the interpreter's C++ chatter on file descriptor 2 (Python's sys.stderr cannot
    catch it), then pass on every line but the known noise: real warnings still show."""
    with _STDERR, tempfile.TemporaryFile() as caught:
        if sys.stderr:
            sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all: nothing to hold back
            yield
            return
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            if sys.stderr:
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().splitlines() if line.strip() not in NOISE]
            if kept:
                os.write(2, b"\n".join(kept) + b"\n")


def allocate(interp: Any, source: str = "the model") -> None:
    """``interp.allocate_tensors()``, quietly, with a failure said in one line."""
    try:
        with quiet_stderr():
            interp.allocate_tensors()
    except (ValueError, RuntimeError) as err:
        raise EdgePacError(
            f"{source}: the interpreter cannot prepare it ({_first_line(err)}); fetch it again "
            "with `edgepac fetch-model`, or try another --input-size"
        ) from err


def invoke(interp: Any, source: str = "the model") -> None:
    """``interp.invoke()``, with a failure (a damaged model's missing weights) in one line."""
    try:
        interp.invoke()
    except RuntimeError as err:
        raise EdgePacError(
            f"{source}: the interpreter failed to run it ({_first_line(err)}); the file is "
            "damaged: fetch it again with `edgepac fetch-model`"
        ) from err


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def make_interpreter(
    model: Path | bytes,
    num_threads: int | None = None,
    preserve_all_tensors: bool = False,
    source: str | None = None,
) -> tuple[Any, InterpreterKind]:
    """An interpreter for a model file or its bytes (tensors not yet allocated: `allocate`).
    ``source`` names the file in messages when ``model`` is its bytes."""
    kind = find_interpreter()
    kwargs: dict[str, Any] = {"num_threads": num_threads}
    if preserve_all_tensors:  # keeps every intermediate readable, for tests and debugging
        kwargs["experimental_preserve_all_tensors"] = True
    if isinstance(model, bytes):
        kwargs["model_content"] = model
    else:
        kwargs["model_path"] = str(model)
    try:
        with warnings.catch_warnings(), quiet_stderr():
            # preserving all tensors is on purpose, not a mistake
            warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors")
            return kind.cls(**kwargs), kind
    except (ValueError, RuntimeError) as err:
        where = source or ("the model" if isinstance(model, bytes) else str(model))
        raise EdgePacError(
            f"{where}: {kind} cannot load it ({_first_line(err)}); fetch it again with "
            "`edgepac fetch-model`"
        ) from err
