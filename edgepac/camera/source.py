"""The one small interface every camera hides behind: start, read the latest frame, stop.

A source owns a capture thread that opens its backend, grabs frames as fast as the backend gives
them (or at the rate it was asked for) and puts each into a ``LatestFrame`` slot. ``read`` takes
the freshest frame. If the backend fails (a cable pulled, a libcamera error), the thread records a
``CameraError`` for the screen to show, closes the backend and retries with a growing delay; the
app keeps running and ``read`` raises that error until the camera is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

import numpy as np

from edgepac.camera.handoff import LatestFrame
from edgepac.errors import EdgePacError

log = logging.getLogger(__name__)

# What a backend's ``_capture`` returns: the RGB image and, for the demo player, the true pose.
Capture = tuple[np.ndarray, str | None]


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture: HxWx3 uint8 RGB, when it was captured (time.monotonic; the sensor's own
    timestamp when the camera gives one), and its true pose when the source knows it (the demo
    player does; a real camera never does)."""

    image: np.ndarray
    t: float
    truth: str | None = None
    seq: int = 0  # counts captured frames from 0, so a consumer can see how many it skipped


class CameraError(EdgePacError):
    """The camera cannot give frames; the message says what to do (check the cable, config...)."""


class EndOfStream(Exception):
    """Raised by a backend with nothing more to show (a replay that does not loop)."""


class FrameSource(ABC):
    """A camera-like source of RGB frames with its own capture thread.

    Subclasses implement ``_capture`` (block until the next frame, return it as RGB) and may
    implement ``_open``/``_close``. Anything they raise is caught: it becomes ``self.error`` and the
    backend is reopened after ``retry_delay`` seconds, doubling up to ``retry_max_delay``.
    """

    name = "camera"
    # True: capture only once the last frame was read (a replay or the demo at fps 0 then runs
    # exactly as fast as its reader and drops nothing). A real camera never waits.
    paced_by_reader = False
    # Said after an unexpected backend exception, to tell the player what to try.
    hint = "check the camera cable and connection; retrying"

    def __init__(self, *, retry_delay: float = 0.5, retry_max_delay: float = 8.0) -> None:
        if retry_delay <= 0 or retry_max_delay < retry_delay:
            raise ValueError("retry_delay must be > 0 and retry_max_delay >= retry_delay")
        self.retry_delay = retry_delay
        self.retry_max_delay = retry_max_delay
        self.frames: LatestFrame[Frame] = LatestFrame()
        self.error: CameraError | None = None
        self.captured = 0  # frames delivered by the backend
        self.failures = 0  # times the backend failed (open or capture)
        self.ended = False  # the backend raised EndOfStream: no more frames will come
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what a backend implements -------------------------------------------------------------

    def _open(self) -> None:  # noqa: B027 - optional hook
        """Acquire the device; called in the capture thread, again after each failure."""

    @abstractmethod
    def _capture(self) -> Capture:
        """Block until the next frame; return (HxWx3 uint8 RGB, true pose or None)."""

    def _close(self) -> None:  # noqa: B027 - optional hook
        """Release the device; called in the capture thread after a failure and at stop."""

    def _timestamp(self) -> float | None:
        """When the last captured frame was taken (time.monotonic seconds), if the backend
        knows it better than "when _capture returned" (the Pi camera's sensor timestamp)."""
        return None

    # -- what the app calls --------------------------------------------------------------------

    def start(self) -> FrameSource:
        if self.running:
            return self
        self._stop.clear()
        self.ended = False
        self.frames.reopen()
        self._thread = threading.Thread(target=self._run, name=f"edgepac-{self.name}", daemon=True)
        self._thread.start()
        return self

    def read(self, timeout: float | None = 1.0) -> Frame:
        """The newest frame not read yet, waiting up to ``timeout`` s; CameraError if none."""
        frame = self.frames.get(timeout)
        if frame is not None:
            return frame
        if self.error is not None:
            raise CameraError(str(self.error))
        if self.ended:
            raise CameraError(f"the {self.name} has ended")
        if not self.running:
            raise CameraError(f"the {self.name} is not started; call start() first")
        raise CameraError(f"no frame from the {self.name} in {timeout} s; {self.hint}")

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self.frames.close()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the %s capture thread did not stop in %.1f s", self.name, timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def dropped(self) -> int:
        """Frames captured but replaced by a newer one before anyone read them."""
        return self.frames.dropped

    @property
    def status(self) -> str:
        """One line for the screen: "ok", "starting" or what is wrong and what to do."""
        if self.error is not None:
            return str(self.error)
        if self.ended:
            return "ended"
        return "ok" if self.captured else "starting"

    def __enter__(self) -> FrameSource:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the capture thread --------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.retry_delay
        is_open = False
        try:
            while not self._stop.is_set():
                try:
                    if not is_open:
                        self._open()
                        is_open = True
                    if self.paced_by_reader and not self.frames.wait_taken(0.1):
                        continue
                    image, truth = self._capture()
                except EndOfStream:
                    self.ended = True
                    self.frames.close()  # wake a waiting reader now: nothing more will come
                    break
                except Exception as err:  # any backend failure: report, close, retry later
                    self._failed(err)
                    if is_open:
                        with contextlib.suppress(Exception):
                            self._close()
                        is_open = False
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.retry_max_delay)
                    continue
                if self._stop.is_set():
                    break
                taken = self._timestamp()
                t = time.monotonic() if taken is None else taken
                frame = Frame(image, t, truth, self.captured)
                self.captured += 1
                if self.error is not None:
                    log.info("the %s is back", self.name)
                    self.error = None
                delay = self.retry_delay
                self.frames.put(frame)
        finally:
            if is_open:
                with contextlib.suppress(Exception):
                    self._close()

    def _failed(self, err: Exception) -> None:
        self.failures += 1
        if isinstance(err, CameraError):
            error = err
        else:
            detail = str(err) or type(err).__name__
            error = CameraError(f"{self.name} failed ({detail}); {self.hint}")
        if self.error is None or str(self.error) != str(error):
            log.warning("%s", error)
        self.error = error


class Pacer:
    """Sleeps so that ``tick`` returns ``fps`` times a second (no drift; catches up after a
    stall by skipping ticks, not by bursting). ``fps`` None or 0: never sleeps."""

    def __init__(self, fps: float | None, stop: threading.Event | None = None) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self._stop = stop or threading.Event()
        self._next = time.monotonic()

    def tick(self) -> None:
        if not self.period:
            return
        now = time.monotonic()
        if self._next > now:
            self._stop.wait(self._next - now)
            self._next += self.period
        else:  # late: start again from now
            self._next = now + self.period
