"""The backbone: camera frame in, MobileNet v1 activations at conv_pw_13_relu out (uint8).

    bb = Backbone(path)              # a full classifier (cut on load, cached) or a cut model
    q = bb.features(frame)           # (7, 7, 256) uint8 for the 0.25_224 model
    x = bb.dequantize(q)             # float32 = (q - zero_point) * scale, only where needed

The truncated MobileNet is fully convolutional, so ``input_size`` may differ from the size it
was trained at: the 0.25_128 model run at 224 gives the tutorial's 7x7x256. Per frame, the
frame is centre-cropped and resized straight into the interpreter's input tensor (see
`preprocess`), the interpreter runs, and the activations are copied out: with ``out`` given,
nothing is allocated.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.vision.interpreter import allocate, invoke, make_interpreter
from edgepac.vision.models import MAX_INPUT, MIN_INPUT, read_model_bytes, truncated_model
from edgepac.vision.preprocess import RESAMPLING, SquareResizer
from edgepac.vision.truncate import DEFAULT_LAYER, layer_name


@dataclass(frozen=True)
class BackboneIdentity:
    """What makes two backbones' activations comparable: saved samples and heads carry it.

    ``model_sha256`` is the SHA-256 of the truncated model that runs, so the same classifier
    given whole or already cut has the same identity.
    """

    model_sha256: str
    input_size: int
    cut_layer: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BackboneIdentity:
        try:
            return cls(str(d["model_sha256"]), int(d["input_size"]), str(d["cut_layer"]))
        except (KeyError, TypeError, ValueError) as err:
            raise EdgePacError(f"a saved backbone identity is damaged ({err!r})") from err


class Activations:
    """What every backbone gives: uint8 activations of ``feature_shape`` per frame, with the
    ``scale`` and ``zero_point`` that make them float (EdgePac's MobileNet and a Teachable
    Machine model cut at its embedding alike). Subclasses provide ``features``."""

    feature_shape: tuple[int, ...]
    scale: float
    zero_point: int

    def features(self, frame: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def features_batch(self, frames: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        """The activations of several frames, shape (n, *feature_shape), uint8."""
        result = np.empty((len(frames), *self.feature_shape), np.uint8)
        for i, frame in enumerate(frames):
            self.features(frame, out=result[i])
        return result

    def dequantize(self, q: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """float32 activations: (q - zero_point) * scale, written into ``out`` when given."""
        if out is None:
            out = np.empty(q.shape, np.float32)
        np.subtract(q, self.zero_point, out=out, dtype=np.float32)
        np.multiply(out, np.float32(self.scale), out=out)
        return out


class Backbone(Activations):
    """A quantized MobileNet cut at ``cut_layer`` that turns RGB frames into uint8 activations."""

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        input_size: int | None = None,
        num_threads: int | None = None,
        cut_layer: str = DEFAULT_LAYER,
        resample: str = "nearest",
    ) -> None:
        if input_size is not None and (
            not isinstance(input_size, int) or not MIN_INPUT <= input_size <= MAX_INPUT
        ):
            raise EdgePacError(
                f"input_size must be an integer from {MIN_INPUT} to {MAX_INPUT}, got {input_size!r}"
            )
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
            raise EdgePacError(f"num_threads must be a positive integer, got {num_threads!r}")
        if resample not in RESAMPLING:
            raise EdgePacError(f"resample must be one of {', '.join(RESAMPLING)}, got {resample!r}")
        self.model_path = Path(model_path)
        self.num_threads = num_threads
        self.cut_layer = cut_layer

        # A model already cut here runs as is, checked through the interpreter itself: that needs
        # no TFLite schema, so a Pi with only tflite-runtime can run a model cut elsewhere.
        self._source = source = str(self.model_path)
        model = read_model_bytes(self.model_path)
        self._interp, kind = make_interpreter(model, num_threads=num_threads, source=source)
        if layer_name(self._interp.get_output_details()[0]["name"]) != cut_layer:
            model = truncated_model(self.model_path, cut_layer)
            self._interp, kind = make_interpreter(model, num_threads=num_threads, source=source)
        self.interpreter_name = str(kind)
        inp = self._interp.get_input_details()[0]
        native = int(inp["shape"][1])
        if inp["dtype"] != np.uint8 or len(inp["shape"]) != 4 or inp["shape"][3] != 3:
            raise EdgePacError(
                f"{self.model_path}: input is {inp['dtype'].__name__} {_dims(inp['shape'])}, not "
                "uint8 RGB; use a quantized model (*_quant.tflite)"
            )
        self.native_input_size = native
        self.input_size = input_size or native
        if self.input_size != native:
            self._interp.resize_tensor_input(inp["index"], [1, self.input_size, self.input_size, 3])
        allocate(self._interp, source)

        out = self._interp.get_output_details()[0]
        if out["dtype"] != np.uint8:
            raise EdgePacError(
                f"{self.model_path}: activations are {out['dtype'].__name__}, not uint8; "
                "use a quantized model (*_quant.tflite)"
            )
        if len(out["shape"]) != 4:
            raise EdgePacError(
                f"{self.model_path}: layer {cut_layer!r} gives shape {_dims(out['shape'])}, not "
                "a height x width x channels map; cut at a conv layer such as conv_pw_13_relu"
            )
        height, width, channels = (int(n) for n in out["shape"][1:])
        self.feature_shape = (height, width, channels)
        self.scale = float(out["quantization"][0])
        self.zero_point = int(out["quantization"][1])
        self.identity = BackboneIdentity(
            hashlib.sha256(model).hexdigest(), self.input_size, cut_layer
        )
        # Functions, not arrays: the interpreter refuses to run while a view of its memory lives.
        self._input = self._interp.tensor(inp["index"])
        self._output = self._interp.tensor(out["index"])
        self._resize = SquareResizer(self.input_size, resample)

    def __repr__(self) -> str:
        return (
            f"Backbone({str(self.model_path)!r}, input_size={self.input_size}, "
            f"feature_shape={self.feature_shape}, interpreter={self.interpreter_name!r})"
        )

    def features(self, frame: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The uint8 activations (``feature_shape``) of one HxWx3 uint8 RGB frame."""
        self._resize(_as_rgb(frame), self._input()[0])
        invoke(self._interp, self._source)
        if out is None:
            return self._output()[0].copy()
        np.copyto(out, self._output()[0])
        return out



def _dims(shape: np.ndarray) -> list[int]:
    return [int(n) for n in shape]


def _as_rgb(frame: np.ndarray) -> np.ndarray:
    """Check a frame; grey and RGBA frames are converted (allocates: not for the camera path)."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        kind = frame.dtype if isinstance(frame, np.ndarray) else type(frame).__name__
        raise EdgePacError(f"a frame must be a uint8 numpy array, got {kind}")
    if frame.ndim == 3 and frame.shape[2] == 3 and frame.shape[0] and frame.shape[1]:
        return frame
    if frame.ndim == 2 and frame.size:
        return np.repeat(frame[:, :, None], 3, axis=2)
    if frame.ndim == 3 and frame.shape[2] in (1, 4) and frame.shape[0] and frame.shape[1]:
        return np.ascontiguousarray(
            np.repeat(frame, 3, axis=2) if frame.shape[2] == 1 else frame[:, :, :3]
        )
    raise EdgePacError(f"a frame must be HxWx3 RGB, got shape {frame.shape}")
