"""A one-slot handoff: the camera thread puts, the inference thread gets the latest frame.

A queue would grow (or lag) whenever inference is slower than the camera; here a new frame simply
replaces one nobody took yet, and that frame is counted as dropped. So the consumer always sees
the freshest picture and memory never grows, whatever the two threads' speeds.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestFrame(Generic[T]):
    """Thread-safe single slot: ``put`` never blocks, ``get`` waits for a frame it has not seen."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._slot: T | None = None  # a frame not taken yet
        self._last: T | None = None  # the newest frame put, taken or not (for previews)
        self._closed = False
        self.put_count = 0
        self.taken = 0
        self.dropped = 0  # frames replaced before anyone took them

    def put(self, frame: T) -> None:
        with self._cond:
            if self._slot is not None:
                self.dropped += 1
            self._slot = frame
            self._last = frame
            self.put_count += 1
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> T | None:
        """The newest frame not yet taken; waits up to ``timeout`` s. None on timeout or close."""
        with self._cond:
            if self._slot is None and not self._closed:
                self._cond.wait_for(lambda: self._slot is not None or self._closed, timeout)
            frame, self._slot = self._slot, None
            if frame is not None:
                self.taken += 1
                self._cond.notify_all()  # a producer may wait for the slot to empty
            return frame

    def wait_taken(self, timeout: float | None = None) -> bool:
        """Wait until the slot is empty (its frame taken) or closed; True if it is empty."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is None or self._closed, timeout)
            return self._slot is None and not self._closed

    def peek(self) -> T | None:
        """The newest frame put, without taking it (the preview may show a frame twice)."""
        return self._last

    def close(self) -> None:
        """Wake every waiting ``get`` (it returns None); later puts still work after ``reopen``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed
