"""The recorder: the one owner of the player's samples, and of saving them.

    main thread        begin(name) when a class button goes down, end() when it comes up, clear()
    inference thread   add(features, image) for every frame: kept only while a burst is open
    saver thread       after each burst, writes only its frames as a new segment of the store's
                       folder and replaces the small manifest (three fsyncs); applies the cap
                       (store.max_mb) and, rarely, compacts the folder
    training thread    training_set(): a copy of the chosen rows to learn from

Every touch of the store happens under ``self._lock``, and the lock is only ever held for O(1)
work or one memory copy (~20 MB for 1,500 frames): the save itself runs on a snapshot, without
the lock, so a slow SD card never holds up the screen. "Which class is being recorded" lives
here and only here; the arcade's rules say when it changes (begin/end).

What the main thread shows (``counts``, ``burst``, ``presses``, ``thumbnails``, ``problem``) is
published by swapping whole objects (or one int), so reading it needs no lock.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from typing import Any

import numpy as np

from edgepac.learning.folder import StoreFolder, snapshot

log = logging.getLogger(__name__)

THUMB = 64  # thumbnail side in pixels, kept with the samples
CANDIDATES = 16  # thumbnails kept per burst to pick the middle one from
RETRY_S = 30.0  # a failed save (a full card) is tried again this often, burst or not


class Recorder:
    """The sample store behind one short lock, a saver thread, and the tiles' facts."""

    def __init__(
        self, store: Any, folder: StoreFolder | str | os.PathLike[str], max_mb: int | None = None
    ) -> None:
        self.folder = folder if isinstance(folder, StoreFolder) else StoreFolder(folder)
        self.path = self.folder.path
        self.max_bytes = None if not max_mb else int(max_mb) << 20
        self._store = store
        self._lock = threading.Lock()
        # Held while a save writes (without the store's lock): one save at a time. Training
        # does not wait for it: its copy is of the chosen rows only (a few MB however big the
        # store), and TRAIN pressed right after a long burst would otherwise wait for the
        # whole store to be copied, written and synced.
        self._writing = threading.Lock()
        self._into: str | None = None  # the class samples go into while its button is held
        self._dirty = False  # changed since the last snapshot that was saved
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._burst = _BurstPictures()
        # Published for the main thread, each swapped whole.
        self.counts: dict[str, int] = store.counts()
        self.thumbnails: dict[str, np.ndarray] = store.thumbnails
        self.problem: str | None = None  # a failed save; stays until a save succeeds
        self.burst = 0  # frames the open burst (or the last one) took: the REC badge's count
        self.presses: dict[str, int] = {}  # presses with frames per pose, this sitting: the dots
        self.saves = 0
        self.retry_s = RETRY_S
        self.dropped_by_cap = 0  # frames the cap let go, oldest sessions first
        self.on_saved: Any = None  # called with each saved snapshot (the power-cut harness)
        with self._lock:
            before = len(store)
            self._apply_cap()  # a store loaded over the cap (store.max_mb lowered)
            self._dirty = len(store) != before

    # -- the main thread -----------------------------------------------------------------------

    def begin(self, name: str) -> None:
        with self._lock:
            self._store.begin_burst()
            self._into = name
            self._burst.restart()
            self.burst = 0

    def new_session(self) -> None:
        """A new sitting begins (after boot, after attract mode): the next bursts are its own."""
        with self._lock:
            self._store.begin_session()
            self.presses = {}

    def end(self) -> None:
        """The button is up: no frame lands after this, and the burst is saved."""
        with self._lock:
            name, self._into = self._into, None
            picture = self._burst.middle()
            if name is not None and picture is not None:
                self._store.set_thumbnail(name, picture)
                self.thumbnails = {**self.thumbnails, name: picture}
            if name is not None and self.burst:  # a press that recorded nothing is no press
                self.presses = {**self.presses, name: self.presses.get(name, 0) + 1}
        self.save_soon()

    def clear(self) -> None:
        with self._lock:
            self._store.clear()
            self._into = None
            self._dirty = True
            self.counts = dict.fromkeys(self.counts, 0)
            self.thumbnails = {}
            self.presses = {}
        self.save_soon()

    def drop(self) -> int:
        """The button is up after a tap: no frame lands after this, and the few the tap took are
        forgotten (it asked for a timed burst, it was no pose). Returns how many frames went."""
        with self._lock:
            self._into = None
            took, self.burst = self.burst, 0
            # the tap's own burst only: with no frame it has none (undo would take the last press)
            removed = self._store.undo_burst() if took else 0
            self._dirty = self._dirty or removed > 0
            self.counts = self._store.counts()
            self.thumbnails = self._store.thumbnails
        if removed:
            self.save_soon()
        return removed

    def undo(self) -> int:
        """Forget the last press still recorded; returns how many frames went."""
        with self._lock:
            removed = self._store.undo_burst()
            self._dirty = self._dirty or removed > 0
            self.counts = self._store.counts()
            self.thumbnails = self._store.thumbnails
        self.save_soon()
        return removed

    @property
    def recording(self) -> str | None:
        return self._into

    def __len__(self) -> int:
        return sum(self.counts.values())

    # -- the inference thread ------------------------------------------------------------------

    def add(self, features: np.ndarray, image: np.ndarray) -> bool:
        """Keep this frame if a burst is open; True if it was kept."""
        if self._into is None:  # the common case, read without the lock: re-checked below
            return False
        with self._lock:
            name = self._into
            if name is None:
                return False
            self._store.add(name, features)
            self._dirty = True
            self._burst.offer(image)
            counts = dict(self.counts)
            counts[name] = counts.get(name, 0) + 1
            self.counts = counts
            self.burst += 1
            if name not in self.thumbnails:  # a first picture at once; the middle one on release
                self.thumbnails = {**self.thumbnails, name: thumbnail(image)}
        return True

    # -- the training thread -------------------------------------------------------------------

    def training_set(self, max_per_class: int | None) -> Any:
        """A uint8 copy, made under the lock, of just the rows learning's own choice gives one
        training pass (``store.training_set``: capped per pose, newest sessions first, every
        burst represented), with their sessions and times: never the whole store. A save being
        written does not hold it up (it works on its own snapshot)."""
        with self._lock:
            return self._store.copy(self._store.training_set(max_per_class).index)

    # -- saving (the saver thread) -------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._save_loop, name="edgepac-saver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the saver thread, then save what the last burst added (on the caller's thread)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.save_now()

    def save_soon(self) -> None:
        self._wake.set()

    def _save_loop(self) -> None:
        while not self._stop.is_set():
            # A failed save is retried now and then: the card may have room again.
            self._wake.wait(self.retry_s if self.problem else None)
            self._wake.clear()
            if not self._stop.is_set() and self.save_now():
                self._compact()

    def _compact(self) -> None:
        """Rarely, and a bounded amount a time: rewrite what drops and many presses left."""
        folder = self.folder
        with self._writing:
            if not folder.needs_compacting(self._store.frame_bytes):
                return
            try:
                folder.compact(self._store.frame_bytes)
            except OSError as err:  # the store on disk is as before; try again another time
                log.warning("could not compact the samples: %s", err)

    def save_now(self) -> bool:
        """Write the samples if they changed: snapshot under the lock, write without it."""
        with self._writing:
            return self._save()

    def _save(self) -> bool:
        with self._lock:
            if not self._dirty:
                return True
            self._dirty = False
            self._apply_cap()
            snap = snapshot(self._store, self.folder.saved_upto)  # the new frames only
        try:
            self.folder.save(snap)
        except OSError as err:
            with self._lock:
                self._dirty = True  # still unsaved: retried, and the next burst tries again
            log.warning("could not save the samples: %s", err)
            if err.errno == errno.ENOSPC:
                self.problem = (
                    "The memory card is full: samples are not saved. Free some space"
                )
            else:
                self.problem = (
                    f"Could not save the samples ({err.strerror or err}): check the state "
                    f"folder {self.path.parent}"
                )
            return False
        self.saves += 1
        self.problem = None
        if self.on_saved is not None:
            self.on_saved(snap)
        return True

    def _apply_cap(self) -> None:
        """store.max_mb: the oldest sessions go (never the current one). Under the lock."""
        if self.max_bytes is None:
            return
        dropped = self._store.drop_oldest_sessions(self.max_bytes)
        if dropped:
            self.dropped_by_cap += dropped
            self.counts = self._store.counts()
            self.thumbnails = self._store.thumbnails
            log.info("the store passed store.max_mb: %d oldest frames let go", dropped)


class _BurstPictures:
    """Thumbnails spread evenly over one burst, to show its middle frame on the tile.

    The first frame of a burst is taken before the player has moved into the pose. Keeping every
    frame's picture would grow with the burst; this keeps at most ``CANDIDATES``, spaced by a
    stride that doubles whenever they fill up (frames 0, s, 2s, ...).
    """

    def __init__(self) -> None:
        self._pictures = np.empty((CANDIDATES, THUMB, THUMB, 3), dtype=np.uint8)
        self.restart()

    def restart(self) -> None:
        self._seen = 0  # frames offered in this burst
        self._kept = 0
        self._stride = 1

    def offer(self, image: np.ndarray) -> None:
        i = self._seen
        self._seen += 1
        if i % self._stride:
            return
        if self._kept == CANDIDATES:
            self._pictures[: CANDIDATES // 2] = self._pictures[::2]
            self._kept = CANDIDATES // 2
            self._stride *= 2
            if i % self._stride:
                return
        thumbnail(image, out=self._pictures[self._kept])
        self._kept += 1

    def middle(self) -> np.ndarray | None:
        if not self._kept:
            return None
        k = min(self._kept - 1, (self._seen // 2) // self._stride)
        return self._pictures[k].copy()


def thumbnail(image: np.ndarray, side: int = THUMB, out: np.ndarray | None = None) -> np.ndarray:
    """The centre square the model sees, shrunk to ``side`` pixels (nearest neighbour)."""
    h, w = image.shape[:2]
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    idx = (np.arange(side) * s) // side
    picture = image[y0 + idx[:, None], x0 + idx[None, :]]
    if out is None:
        return np.ascontiguousarray(picture)
    out[...] = picture
    return out
