"""The sample store: what the player has recorded, as the backbone gave it.

The tutorial's ControllerDataset concatenated every new frame onto one tensor (a copy of
everything per frame). Here activations stay uint8 with the backbone's one scale and zero point,
in a preallocated array that doubles when full: ``add`` is O(1) amortised and 1,000 frames of
7x7x256 take 12.5 MB. Each sample also remembers its *burst* (one press of a class button) so
the player can undo the last press, when that burst began (wall-clock seconds), and its
*session*: one sitting of the player.

A session begins when the app says so (``begin_session()``: after boot, when attract mode ends)
or, failing that, when a burst begins more than ``session_gap_s`` (20 minutes) after the last
frame recorded: a player who stepped away that long is back in other light, the camera knocked.
Training weighs the newest session most and never sees more than a capped choice of the store
(``training_set``, see choice.py), so a store that only grows keeps training bounded.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from edgepac.atomic import move_aside
from edgepac.errors import EdgePacError
from edgepac.learning import files
from edgepac.learning.choice import LATEST_SHARE, MAX_PER_CLASS, TrainingSet, choose
from edgepac.learning.files import CorruptFile, Identity, OtherBackbone
from edgepac.poses import POSES

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: recorded_at and sessions; a version 1 file loads as one old session
KIND = "edgepac-samples"
SESSION_GAP_S = 20 * 60.0


# One row a frame. ``_ids``: each frame's number, never reused, increasing with the rows: what
# the store's folder (folder.py) tells new frames and dropped ones apart by.
PER_SAMPLE = ("_features", "_labels", "_bursts", "_recorded_at", "_sessions", "_ids")


class SampleStore:
    """Recorded activations (uint8), their class, burst, time and session, and one thumbnail
    per class. ``clock`` gives wall-clock seconds (``time.time``; tests pass their own)."""

    def __init__(
        self,
        feature_shape: Iterable[int],
        *,
        scale: float,
        zero_point: int,
        identity: Identity = None,
        class_names: Iterable[str] = POSES,
        capacity: int = 64,
        session_gap_s: float = SESSION_GAP_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.feature_shape = tuple(int(d) for d in feature_shape)
        if not self.feature_shape or min(self.feature_shape) < 1:
            raise EdgePacError(f"feature_shape must be positive sizes, got {self.feature_shape}")
        if not scale > 0:
            raise EdgePacError(f"scale must be > 0, got {scale}")
        self.scale = float(scale)
        self.zero_point = int(zero_point)
        self.identity = files.identity_dict(identity)
        self.class_names: list[str] = []
        for name in class_names:
            self._class_index(name)
        capacity = max(1, int(capacity))
        self._features = np.empty((capacity, *self.feature_shape), dtype=np.uint8)
        self._labels = np.empty(capacity, dtype=np.int32)
        self._bursts = np.empty(capacity, dtype=np.int64)
        self._recorded_at = np.empty(capacity, dtype=np.float64)  # the burst's start, seconds
        self._sessions = np.empty(capacity, dtype=np.int64)
        self._ids = np.empty(capacity, dtype=np.int64)
        self._next_id = 0
        self._n = 0
        self._burst = 0
        self._burst_started: float | None = None
        self._session = 0
        self.session_gap_s = float(session_gap_s)
        self.clock = clock
        self._thumbnails: dict[str, np.ndarray] = {}
        self.notice: str | None = None  # set by load_or_empty when a file could not be used

    # -- recording -------------------------------------------------------------------------

    def begin_session(self) -> None:
        """A new sitting: the bursts that follow are the player's newest session."""
        if self._n and self._sessions[self._n - 1] == self._session:
            self._session += 1  # (a session with no frames yet is simply reused)

    def begin_burst(self, now: float | None = None) -> None:
        """A class button went down: what follows, until the next press, is one burst.
        ``now``: wall-clock seconds (default: the clock)."""
        now = self.clock() if now is None else float(now)
        if self._n:
            last = self._recorded_at[self._n - 1]
            if math.isnan(last) or now - last > self.session_gap_s:
                self.begin_session()  # stepped away (or frames from before times were kept)
        self._burst += 1
        self._burst_started = now

    def add(
        self, class_name: str, features: np.ndarray, thumbnail: np.ndarray | None = None
    ) -> None:
        """Append one frame's uint8 activations to ``class_name`` (a new name is a new class)."""
        if features.shape != self.feature_shape or features.dtype != np.uint8:
            raise EdgePacError(
                f"activations must be uint8 {self.feature_shape}, got {features.dtype} "
                f"{features.shape}: record with the same backbone"
            )
        label = self._class_index(class_name)
        if self._n == len(self._labels):
            self._grow(2 * self._n)
        self._features[self._n] = features
        self._labels[self._n] = label
        self._bursts[self._n] = self._burst
        if self._burst_started is None:  # frames added without begin_burst: one burst, now
            self._burst_started = self.clock()
        self._recorded_at[self._n] = self._burst_started
        self._sessions[self._n] = self._session
        self._ids[self._n] = self._next_id
        self._next_id += 1
        self._n += 1
        if thumbnail is not None and class_name not in self._thumbnails:
            # The first frame of the class, like the tutorial's thumbnail.
            self._thumbnails[class_name] = np.array(thumbnail, dtype=np.uint8, copy=True)

    def undo_burst(self) -> int:
        """Forget the last burst still recorded; returns how many frames went."""
        if self._n == 0:
            return 0
        last = self._bursts[self._n - 1]
        start = self._n
        while start > 0 and self._bursts[start - 1] == last:
            start -= 1
        removed = self._n - start
        self._n = start
        self._drop_orphan_thumbnails()
        return removed

    def clear_class(self, class_name: str) -> int:
        """Forget every frame of one class (the class name stays); returns how many went."""
        if class_name not in self.class_names:
            return 0
        keep = self.labels != self.class_names.index(class_name)
        removed = self._n - int(keep.sum())
        n = self._n - removed
        # Compact in place; boolean indexing copies only the kept rows once.
        for attr in PER_SAMPLE:
            column = getattr(self, attr)
            column[:n] = column[: self._n][keep]
        self._n = n
        self._thumbnails.pop(class_name, None)
        return removed

    def clear(self) -> None:
        """Forget everything recorded (class names stay)."""
        self._n = 0
        self._thumbnails.clear()

    def drop_oldest_sessions(self, max_bytes: int) -> int:
        """The cap: forget whole sessions, oldest first, until the activations take at most
        ``max_bytes``; never the current session (the player in front of the camera). Returns
        how many frames went. Rows are in time order, so the oldest sessions are a prefix."""
        if self.nbytes <= max_bytes:
            return 0
        keep_rows = max_bytes // self.frame_bytes
        cut = self._n - keep_rows  # at least this many of the oldest frames must go
        sessions = self.sessions
        # ...rounded up to a whole session, and never into the current one.
        end = int(np.searchsorted(sessions, sessions[cut - 1], side="right"))
        end = min(end, int(np.searchsorted(sessions, self._session, side="left")))
        if end <= 0:
            return 0
        n = self._n - end
        for attr in PER_SAMPLE:
            column = getattr(self, attr)
            column[:n] = column[end : self._n]
        self._n = n
        self._drop_orphan_thumbnails()
        return end

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    @property
    def features(self) -> np.ndarray:
        """uint8 (n, *feature_shape), a view: valid until the next add/undo/clear."""
        return self._features[: self._n]

    @property
    def labels(self) -> np.ndarray:
        """int32 (n,) indices into ``class_names``, a view."""
        return self._labels[: self._n]

    @property
    def bursts(self) -> np.ndarray:
        """int64 (n,) the burst (button press) of each frame, a view."""
        return self._bursts[: self._n]

    @property
    def sessions(self) -> np.ndarray:
        """int64 (n,) the session (sitting) of each frame, increasing, a view."""
        return self._sessions[: self._n]

    @property
    def ids(self) -> np.ndarray:
        """int64 (n,) each frame's number: never reused, increasing with the rows, a view."""
        return self._ids[: self._n]

    @property
    def recorded_at(self) -> np.ndarray:
        """float64 (n,) wall-clock seconds each frame's burst began (NaN: before times were
        kept), a view."""
        return self._recorded_at[: self._n]

    def session_counts(self) -> dict[int, dict[str, int]]:
        """Frames per class of each session, oldest session first."""
        result, k = {}, len(self.class_names)
        for s in np.unique(self.sessions):
            per_class = np.bincount(self.labels[self.sessions == s], minlength=k)
            result[int(s)] = {n: int(c) for n, c in zip(self.class_names, per_class, strict=True)}
        return result

    @property
    def thumbnails(self) -> dict[str, np.ndarray]:
        return dict(self._thumbnails)

    @property
    def frame_bytes(self) -> int:
        """Bytes one frame's activations take."""
        return int(np.prod(self.feature_shape))

    @property
    def nbytes(self) -> int:
        """Bytes the recorded activations take (what the cap counts)."""
        return self._n * self.frame_bytes

    @property
    def capacity(self) -> int:
        return len(self._labels)

    def counts(self) -> dict[str, int]:
        per_class = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(c) for name, c in zip(self.class_names, per_class, strict=True)}

    def dequantized(self, index: np.ndarray | None = None) -> np.ndarray:
        """float32 activations (n, *feature_shape), as the heads take them: of every frame, or
        only of the rows in ``index`` (a training set's: the store is never copied whole)."""
        q = self.features if index is None else self.features[index]
        out = q.astype(np.float32)
        out -= self.zero_point
        out *= self.scale
        return out

    def set_thumbnail(self, class_name: str, thumbnail: np.ndarray) -> None:
        """The picture on the class's tile (the app picks a frame from the middle of a burst)."""
        self._class_index(class_name)
        self._thumbnails[class_name] = np.array(thumbnail, dtype=np.uint8, copy=True)

    def copy(self, index: np.ndarray | None = None) -> SampleStore:
        """A copy holding just the samples (every one, or the rows in ``index``, increasing):
        to save or train from without holding a lock. Every per-frame fact goes with them
        (class, burst, time, session), and so does where the recording is (the current burst
        and session), so a saved copy loses nothing."""
        rows = slice(0, self._n) if index is None else np.asarray(index, dtype=np.intp)
        n = self._n if index is None else len(rows)
        twin = SampleStore(
            self.feature_shape,
            scale=self.scale,
            zero_point=self.zero_point,
            identity=self.identity or None,
            class_names=self.class_names,
            capacity=max(1, n),
            session_gap_s=self.session_gap_s,
            clock=self.clock,
        )
        for attr in PER_SAMPLE:
            getattr(twin, attr)[:n] = getattr(self, attr)[: self._n][rows]
        twin._n, twin._burst, twin._session = n, self._burst, self._session
        twin._next_id = self._next_id
        twin._burst_started = self._burst_started
        twin._thumbnails = dict(self._thumbnails)  # the arrays are never changed in place
        return twin

    def training_set(
        self,
        max_per_class: int | None = MAX_PER_CLASS,
        latest_share: float = LATEST_SHARE,
        rng: np.random.Generator | None = None,
    ) -> TrainingSet:
        """What one training pass sees: at most ``max_per_class`` frames a class, newest
        sessions first, every burst represented, and loss weights in which the newest session
        of each class counts for at least ``latest_share`` of it (see choice.py). Pass its
        ``index`` to ``dequantized`` and its ``weights`` to ``head.fit(sample_weight=)``."""
        return choose(self.labels, self.sessions, self.bursts, max_per_class, latest_share, rng)

    # -- files -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the whole store to one file, atomically (old or new, never half)."""
        arrays = files.header(KIND, FORMAT_VERSION, self.identity)
        arrays |= {
            "feature_shape": np.array(self.feature_shape, dtype=np.int64),
            "scale": np.array(self.scale, dtype=np.float64),
            "zero_point": np.array(self.zero_point, dtype=np.int64),
            "class_names": files.strings(self.class_names),
            "features": self.features,
            "labels": self.labels,
            "bursts": self.bursts,
            "recorded_at": self.recorded_at,
            "sessions": self.sessions,
        }
        for name, thumb in self._thumbnails.items():
            arrays[f"thumbnail_{self.class_names.index(name)}"] = thumb
        files.write_npz(path, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str], identity: Identity = None) -> SampleStore:
        """Read a saved store. Raises ``FileNotFoundError`` if there is none,
        :class:`OtherBackbone` if it was recorded with another backbone (left in place), and
        :class:`CorruptFile` if it is damaged (moved aside to ``*.corrupt`` first)."""
        return files.load_npz(path, "the sample store", KIND, FORMAT_VERSION, identity, cls._parse)

    @classmethod
    def load_or_empty(
        cls,
        path: str | os.PathLike[str],
        feature_shape: Iterable[int],
        *,
        scale: float,
        zero_point: int,
        identity: Identity,
        class_names: Iterable[str] = POSES,
    ) -> SampleStore:
        """What the app calls at start: the saved store, or an empty one that never crashes.

        A damaged file is moved aside to ``*.corrupt``; one recorded with another backbone to
        ``*.other-backbone``, anything else unusable (a newer format, not a store) to
        ``*.unused``: saving the new store can never overwrite what was there.
        Either way ``store.notice`` says what happened, for the screen.
        """
        empty = cls(
            feature_shape,
            scale=scale,
            zero_point=zero_point,
            identity=identity,
            class_names=class_names,
        )
        try:
            store = cls.load(path, identity)
        except FileNotFoundError:
            return empty
        except CorruptFile as err:
            empty.notice = str(err)
            return empty
        except OtherBackbone as err:
            moved = move_aside(path, ".other-backbone")
            log.warning("%s; moved it aside to %s", err, moved)
            empty.notice = f"samples from another backbone moved aside to {moved.name}"
            return empty
        except EdgePacError as err:  # not a store, a newer format, unreadable: keep it aside
            try:
                moved = move_aside(path, ".unused")
            except OSError:
                moved = None
            where = f"; moved it aside to {moved.name}" if moved else ""
            log.warning("%s%s; starting with no samples", err, where)
            empty.notice = f"{err}{where}"
            return empty
        for name in class_names:
            store._class_index(name)
        return store

    @classmethod
    def _parse(cls, a: dict[str, np.ndarray], identity: dict) -> SampleStore:
        feature_shape = tuple(int(d) for d in a["feature_shape"])
        features, labels, bursts = a["features"], a["labels"], a["bursts"]
        names = [str(s) for s in a["class_names"]]
        n = len(labels)
        if int(a["format_version"]) < 2:  # before sessions: one old session of unknown time
            recorded_at, sessions = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
        else:
            recorded_at, sessions = a["recorded_at"], a["sessions"]
        if (
            features.dtype != np.uint8
            or features.shape != (n, *feature_shape)
            or bursts.shape != (n,)
            or recorded_at.shape != (n,)
            or sessions.shape != (n,)
            or (n and not 0 <= labels.min() <= labels.max() < len(names))
        ):
            raise ValueError("arrays do not fit together")
        store = cls(
            feature_shape,
            scale=float(a["scale"]),
            zero_point=int(a["zero_point"]),
            identity=identity,
            class_names=names,
            capacity=max(64, n),
        )
        store._features[:n] = features
        store._labels[:n] = labels
        store._bursts[:n] = bursts
        store._recorded_at[:n] = recorded_at
        store._sessions[:n] = sessions
        store._ids[:n] = np.arange(n)
        store._n = store._next_id = n
        store._burst = int(bursts.max()) if n else 0
        store._session = int(sessions.max()) if n else 0
        for i, name in enumerate(names):
            thumb = a.get(f"thumbnail_{i}")
            if thumb is not None:
                store._thumbnails[name] = thumb
        return store

    # -- inside ----------------------------------------------------------------------------

    def _class_index(self, name: str) -> int:
        if name not in self.class_names:
            if not isinstance(name, str) or not name:
                raise EdgePacError(f"a class name must be a non-empty string, got {name!r}")
            self.class_names.append(name)
        return self.class_names.index(name)

    def _grow(self, capacity: int) -> None:
        for attr in PER_SAMPLE:
            old = getattr(self, attr)
            new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, attr, new)

    def _drop_orphan_thumbnails(self) -> None:
        for name, count in self.counts().items():
            if count == 0:
                self._thumbnails.pop(name, None)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"SampleStore({counts}, feature_shape={self.feature_shape})"


def save_path(directory: str | os.PathLike[str]) -> Path:
    """Where the app keeps the store: one file in the state directory."""
    return Path(directory) / "samples.npz"
