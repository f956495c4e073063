"""The inference thread: camera frame -> backbone -> (recorder) -> head -> smoother -> request.

It alone writes what it concludes, each swapped whole so the main thread reads without a lock:

    frame           the newest frame processed (the previews)
    prediction      the latest Prediction (probabilities, the smoothed request, timings)
    camera_status   None while frames come; the camera's one-line trouble otherwise. It stays
                    until a frame comes again: nobody else clears it
    error           None while frames go through the model; what went wrong otherwise

The main thread hands it a new head with ``use_head`` (one assignment of head, smoother and
buffer together: never half swapped) and asks for a fresh start of the smoothing with
``reset_smoothing``. Without a backbone (no model yet) it still reads frames for the preview.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgepac.app.smoothing import Filter, make_filter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the inference thread last concluded, with the times needed to measure latency."""

    proba: np.ndarray  # per class, unsmoothed, in ``classes`` order (a copy, safe to keep)
    smoothed: np.ndarray  # the mean the request was decided on
    classes: tuple[str, ...]
    name: str | None  # the smoothed, confident class, or None
    sure: bool  # this frame clearly agreed with the steering (long doubt suggests a refresh)
    t_capture: float  # when the camera took the frame (monotonic)
    t_request: float  # when this became the request to the game
    seq: int
    truth: str | None  # the demo player's true pose, for measuring accuracy


class Inference:
    """Owns the inference thread and everything it concludes."""

    def __init__(
        self, source: Any, backbone: Any, recorder: Any, play: Any, stats: Any
    ) -> None:
        self.source = source
        self.recorder = recorder
        self.play = play  # cfg.play: the steering filter and its settings
        self.stats = stats
        self.frame: Any = None
        self.prediction: Prediction | None = None
        self.camera_status: str | None = None
        self.error: str | None = None
        self.playing = False  # set by the main thread: count accuracy and latency now
        # Called with each Prediction made while playing (the steering benchmark records them).
        self.on_play: Callable[[Prediction], None] | None = None
        self._brain: tuple[Any, Filter, np.ndarray] | None = None
        self._reset = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.backbone: Any = None
        if backbone is not None:
            self.use_backbone(backbone, recorder)

    def use_backbone(self, backbone: Any, recorder: Any) -> None:
        """The model (and the recorder made for its activations), e.g. once one is installed."""
        self._q = np.empty(backbone.feature_shape, dtype=np.uint8)
        self._x = np.empty(backbone.feature_shape, dtype=np.float32)
        # A backbone that gives its float activations exactly (a float Teachable Machine model)
        # predicts from those, as the model's own head would; the store keeps the 8-bit ones.
        self._exact = bool(getattr(backbone, "exact_embedding", False))
        self.recorder = recorder
        self.backbone = backbone  # last: the thread looks at it to decide what to do

    def use_head(self, head: Any, class_names: Any = ()) -> None:
        """Predict with ``head`` from the next frame on (None: predict nothing)."""
        if head is None:
            self._brain = None
            self.prediction = None
            return
        names = list(head.classes_)
        smoother = make_filter(names, self.play)
        self._brain = (head, smoother, np.empty(len(names), dtype=np.float32))

    @property
    def head(self) -> Any:
        brain = self._brain
        return brain[0] if brain is not None else None

    def reset_smoothing(self) -> None:
        self._reset = True

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="edgepac-inference", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- the thread ------------------------------------------------------------------------------

    def _loop(self) -> None:
        from edgepac.camera.source import CameraError

        while not self._stop.is_set():
            try:
                frame = self.source.read(timeout=0.5)
            except CameraError as err:
                self.camera_status = str(err)
                continue
            except Exception as err:  # a source that broke in a way it did not foresee
                self.camera_status = f"camera failed ({err}); retrying"
                log.warning("%s", self.camera_status)
                self._stop.wait(0.5)
                continue
            self.camera_status = None  # a frame came: the camera is back
            if self.backbone is None:
                self.frame = frame  # no model yet: the preview still shows the visitor
                continue
            try:
                self._process(frame)
            except Exception as err:  # never let one bad frame kill the thread
                error = f"the model failed on a frame ({type(err).__name__}: {err})"
                if error != self.error:  # once per kind, not 30 times a second
                    log.exception("%s", error)
                self.error = error
            else:
                self.error = None

    def _process(self, frame: Any) -> None:
        bb = self.backbone
        t0 = time.monotonic()
        if self._exact:
            bb.features(frame.image, out=self._q, embedding=self._x)
        else:
            bb.features(frame.image, out=self._q)
        self.recorder.add(self._q, frame.image)
        brain = self._brain  # read once: swapped whole by use_head
        name = None
        proba = None
        if brain is not None:
            head, smoother, out = brain
            if self._reset:
                self._reset = False
                smoother.reset()
            if not self._exact:
                bb.dequantize(self._q, out=self._x)
            proba = head.predict_proba(self._x, out=out)
            name = smoother.update(proba)
        t1 = time.monotonic()
        self.frame = frame
        stats = self.stats
        stats.processed += 1
        stats.infer_ms.add((t1 - t0) * 1000.0)
        stats.recent_frames.add(t1)
        stats.frame_age_ms.add((t1 - frame.t) * 1000.0)
        if brain is None or proba is None:
            return
        self.prediction = Prediction(
            proba=proba.copy(),
            smoothed=smoother.mean.copy(),
            classes=tuple(smoother.class_names),
            name=name,
            sure=smoother.sure,
            t_capture=frame.t,
            t_request=t1,
            seq=frame.seq,
            truth=frame.truth,
        )
        if self.playing:
            stats.latency_ms.add((t1 - frame.t) * 1000.0)
            stats.play_frames += 1
            if frame.truth is not None:
                stats.steering.add(frame.truth, name, frame.t)
            if self.on_play is not None:
                self.on_play(self.prediction)
            if name is not None and name == frame.truth:
                stats.play_correct += 1
            if smoother.class_names[int(np.argmax(proba))] == frame.truth:
                stats.play_raw_correct += 1
