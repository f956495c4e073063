"""Any camera frame to the network's square input: centre-crop to a square, then resize.

The hot path uses nearest-neighbour resampling through two index maps computed once per frame
shape: two `np.take` calls straight into the interpreter's input buffer, no arithmetic, nothing
allocated. Measured on a 640x480 frame to 224x224 it costs ~0.2 ms, where an antialiased
bilinear resize (Pillow) costs ~1.5 ms: more than the 0.25 MobileNet's invoke itself. The head
learns from the very frames it will later judge, all resampled the same way, so consistency
matters more than antialiasing; `bilinear` (Pillow, box-filtered like the reference labels in
the shared README) is there for `edgepac classify` and anyone who wants it.

No normalisation happens here: the model's input quantisation (scale 1/128, zero point 128)
already maps a pixel p to (p - 128) / 128, the tutorial's x / 127 - 1 to within 0.016, so raw
uint8 pixels are exactly what the quantized model wants.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

RESAMPLING = ("nearest", "bilinear")


def centre_square(height: int, width: int) -> tuple[int, int, int]:
    """(top, left, side) of the largest centred square in a height x width frame."""
    side = min(height, width)
    return (height - side) // 2, (width - side) // 2, side


def nearest_indices(side: int, size: int, offset: int) -> np.ndarray:
    """Source index for each of ``size`` output pixels, sampling at pixel centres."""
    centres = (np.arange(size) + 0.5) * side / size - 0.5
    return (np.clip(np.round(centres), 0, side - 1).astype(np.intp)) + offset


class SquareResizer:
    """Centre-crop and resize frames to ``size`` x ``size``, reusing its buffers every frame."""

    def __init__(self, size: int, resample: str = "nearest") -> None:
        if resample not in RESAMPLING:
            raise ValueError(f"resample must be one of {RESAMPLING}, got {resample!r}")
        self.size = size
        self.resample = resample
        self._shape: tuple[int, ...] = ()
        self._rows = self._cols = np.empty(0, np.intp)
        self._band = np.empty((0, 0, 3), np.uint8)
        self._box = (0, 0, 0, 0)

    def _plan(self, shape: tuple[int, ...]) -> None:
        # Once per frame shape (the camera's never changes): index maps and a row buffer.
        top, left, side = centre_square(shape[0], shape[1])
        self._rows = nearest_indices(side, self.size, top)
        self._cols = nearest_indices(side, self.size, left)
        self._band = np.empty((self.size, shape[1], 3), np.uint8)
        self._box = (left, top, left + side, top + side)
        self._shape = shape

    def __call__(self, frame: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Write the square version of ``frame`` (HxWx3 uint8) into ``out`` (size x size x 3)."""
        if frame.shape[0] == frame.shape[1] == self.size:
            np.copyto(out, frame)  # already the model's input (a Pi camera's ISP scaled it)
            return out
        if frame.shape != self._shape:
            self._plan(frame.shape)
        if self.resample == "nearest":
            # mode="clip": the indices are in range, and "raise" would buffer `out` (allocate).
            np.take(frame, self._rows, axis=0, out=self._band, mode="clip")
            np.take(self._band, self._cols, axis=1, out=out, mode="clip")
        else:
            image = Image.fromarray(frame).resize(
                (self.size, self.size), Image.Resampling.BILINEAR, box=self._box
            )
            np.copyto(out, np.asarray(image))
        return out
