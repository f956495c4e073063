"""The sample store on disk: append-only segments and a small manifest, safe at a power cut.

    samples/
      manifest.json    what the store is: its backbone, its classes, its segments and, for
                       each, the frames in it that were dropped since; replaced atomically
      00000001.npz     one segment: the frames of one save (one press, usually), each with its
      00000002.npz     class, press (burst), time, session and number; the tiles' pictures
      ...              that changed with it

A save writes only what is new: one segment (written, fsynced), then the manifest (written to a
temporary file, fsynced, renamed over the old one, the folder fsynced): three fsyncs, and bytes
in proportion to the press. A power cut at any moment leaves the old manifest or the new one,
and every segment a manifest names was on disk before it. Dropping frames (undo, clear, a new
visitor, the cap) is a line in the manifest; a segment none of whose frames is kept is deleted
once the manifest no longer names it. Files no manifest names (a save cut short) are swept at
load. ``compact`` rewrites, rarely and a bounded amount at a time, what the drops and the many
small segments of a long "keep" kiosk leave behind.

A store from before (one ``samples.npz``, format 1 or 2) is read and migrated into the folder
on the first open; the old file is removed once the folder holds it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.atomic import atomic_write, fsync_dir, move_aside
from edgepac.errors import EdgePacError
from edgepac.learning import files
from edgepac.learning.files import CorruptFile, Identity, OtherBackbone
from edgepac.learning.store import KIND, SampleStore
from edgepac.poses import POSES

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: a folder of segments; 1 and 2 were one samples.npz (migrated)
MANIFEST = "manifest.json"
SEGMENT = re.compile(r"^\d{8}\.npz$")
ROWS = ("features", "labels", "bursts", "recorded_at", "sessions", "ids")
# Compaction: at most this many bytes of frames rewritten per run (bounded work on the saver
# thread); it runs when dropped frames still on disk pass DEAD_SHARE of the kept ones (and
# DEAD_MIN bytes), or when more than MAX_SEGMENTS segments have piled up.
COMPACT_BYTES = 32 << 20
DEAD_SHARE = 0.25
DEAD_MIN = 4 << 20
MAX_SEGMENTS = 128
SMALL = 4 << 20  # segments under this are merged when they pile up


def folder_path(state_dir: str | os.PathLike[str]) -> Path:
    """Where the app keeps the store: a folder in the state directory."""
    return Path(state_dir) / "samples"


def legacy_path(state_dir: str | os.PathLike[str]) -> Path:
    """Where stores before format 3 were kept: one file."""
    return Path(state_dir) / "samples.npz"


@dataclass
class Segment:
    name: str
    ids: np.ndarray  # int64: the numbers of the frames in the file, increasing
    alive: np.ndarray  # bool: which of them are still kept

    @property
    def dropped(self) -> list[list[int]]:
        """The dropped frames as [first, last] number ranges (inclusive): the manifest's form."""
        rows = np.flatnonzero(~self.alive)
        if not len(rows):
            return []
        # Runs of consecutive dropped rows in the file.
        starts = np.concatenate(([0], np.flatnonzero(np.diff(rows) > 1) + 1))
        ends = np.concatenate((starts[1:] - 1, [len(rows) - 1]))
        first, last = self.ids[rows[starts]], self.ids[rows[ends]]
        return [[int(a), int(b)] for a, b in zip(first, last, strict=True)]


@dataclass
class Snapshot:
    """What one save needs, taken under the recorder's lock: the numbers of every frame kept,
    a copy of the frames newer than what is on disk, the pictures, where the recording is."""

    meta: dict[str, Any]
    ids: np.ndarray
    new: SampleStore
    thumbnails: dict[str, np.ndarray] = field(default_factory=dict)


def snapshot(store: SampleStore, saved_upto: int) -> Snapshot:
    """The store's state for :meth:`StoreFolder.save`: frames numbered >= ``saved_upto`` are
    copied (the rest are on disk already); O(new frames) plus 8 bytes a kept frame."""
    ids = store.ids
    first_new = int(np.searchsorted(ids, saved_upto))
    new = store.copy(np.arange(first_new, len(ids))) if first_new < len(ids) else store.copy([])
    meta = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "identity": store.identity,
        "feature_shape": list(store.feature_shape),
        "scale": store.scale,
        "zero_point": store.zero_point,
        "class_names": list(store.class_names),
        "burst": store._burst,
        "session": store._session,
        "next_id": store._next_id,
    }
    return Snapshot(meta, ids.copy(), new, store.thumbnails)


class StoreFolder:
    """The folder's state as the last successful save left it, and the saves themselves.
    One writer (the saver thread); nothing here touches the in-memory store."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.segments: list[Segment] = []
        self.thumbnails: dict[str, tuple[str, np.ndarray]] = {}  # class -> (segment, picture)
        self.meta: dict[str, Any] = {}
        self.next_segment = 1
        self.saved_upto = 0  # frames numbered below this are on disk (or were dropped)
        self.manifest_written = False
        # Our own count of what reaches the disk (the kernel's is /proc/PID/io).
        self.bytes_written = 0
        self.fsyncs = 0

    # -- saving ------------------------------------------------------------------------------

    def save(self, snap: Snapshot) -> bool:
        """Make the disk hold ``snap``: a new segment for the new frames (and changed pictures),
        the drops noted, the manifest replaced. Returns False if nothing had changed. On an
        error (a full disk) nothing changes here or in the manifest: the next save retries."""
        # Which frames on disk are still kept: one pass over all of them (not one a segment).
        on_disk = [seg.ids for seg in self.segments]
        kept = np.isin(np.concatenate(on_disk), snap.ids) if on_disk else np.zeros(0, bool)
        alive = np.split(kept, np.cumsum([len(ids) for ids in on_disk])[:-1]) if on_disk else []
        changed_pics = {
            name: pic
            for name, pic in snap.thumbnails.items()
            if name not in self.thumbnails or self.thumbnails[name][1] is not pic
        }
        drops = any(
            not np.array_equal(a, seg.alive) for a, seg in zip(alive, self.segments, strict=True)
        )
        gone_pics = set(self.thumbnails) - set(snap.thumbnails)
        meta_changed = snap.meta != self.meta
        if not (len(snap.new) or changed_pics or drops or gone_pics or meta_changed):
            return False
        segments = [Segment(s.name, s.ids, a) for s, a in zip(self.segments, alive, strict=True)]
        thumbnails = {k: v for k, v in self.thumbnails.items() if k in snap.thumbnails}
        written: str | None = None
        next_segment = self.next_segment
        if len(snap.new) or changed_pics:
            written = f"{next_segment:08d}.npz"
            next_segment += 1
            self._write_segment(written, snap.new, changed_pics, snap.meta["class_names"])
            segments.append(Segment(written, snap.new.ids.copy(), np.ones(len(snap.new), bool)))
            thumbnails |= {name: (written, pic) for name, pic in changed_pics.items()}
        try:
            removed = self._commit(snap.meta, segments, thumbnails, next_segment)
        except BaseException:
            if written is not None:
                with contextlib.suppress(OSError):
                    (self.path / written).unlink()
            raise
        self.saved_upto = max(self.saved_upto, int(snap.meta["next_id"]))
        self._delete(removed)
        return True

    def _commit(
        self,
        meta: dict[str, Any],
        segments: list[Segment],
        thumbnails: dict[str, tuple[str, np.ndarray]],
        next_segment: int,
    ) -> list[str]:
        """Write the manifest naming ``segments`` (those with no frame and no picture kept are
        left out), then take it as this folder's state. Returns the files to delete."""
        pictured = {seg for seg, _ in thumbnails.values()}
        kept = [s for s in segments if s.alive.any() or s.name in pictured]
        removed = [s.name for s in segments if s not in kept]
        manifest = dict(meta)
        manifest["next_segment"] = next_segment
        manifest["segments"] = [
            {"file": s.name, "frames": len(s.ids), "dropped": s.dropped} for s in kept
        ]
        manifest["thumbnails"] = {name: seg for name, (seg, _) in thumbnails.items()}
        data = json.dumps(manifest, sort_keys=True).encode()
        with atomic_write(self.path / MANIFEST) as f:
            f.write(data)
        self.bytes_written += len(data)
        self.fsyncs += 2  # the file, then the folder (atomic_write's)
        self.meta = dict(meta)
        self.segments, self.thumbnails, self.next_segment = kept, thumbnails, next_segment
        self.manifest_written = True
        return removed

    def _write_segment(
        self, name: str, rows: SampleStore, pictures: dict[str, np.ndarray], classes: list[str]
    ) -> None:
        arrays: dict[str, np.ndarray] = {
            "features": rows.features,
            "labels": rows.labels,
            "bursts": rows.bursts,
            "recorded_at": rows.recorded_at,
            "sessions": rows.sessions,
            "ids": rows.ids,
        }
        for class_name, pic in pictures.items():
            arrays[f"thumbnail_{classes.index(class_name)}"] = pic
        self._make_folder()
        path = self.path / name
        try:
            # A new name: no manifest names it until it is whole on disk, so no temporary file.
            with open(path, "wb") as f:
                np.savez(f, **arrays)  # type: ignore[arg-type]
                f.flush()
                os.fsync(f.fileno())
                self.bytes_written += f.tell()
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        self.fsyncs += 1

    def _make_folder(self) -> None:
        if not self.path.is_dir():
            self.path.mkdir(parents=True, exist_ok=True)
            fsync_dir(self.path.parent)  # the folder's own name, before anything in it counts
            self.fsyncs += 1

    def _delete(self, names: Iterable[str]) -> None:
        """Files the manifest on disk no longer names (a cut before this leaves them: swept
        at load)."""
        for name in names:
            try:
                (self.path / name).unlink()
            except FileNotFoundError:
                pass
            except OSError as err:
                log.warning("could not remove %s: %s", self.path / name, err)

    # -- compaction --------------------------------------------------------------------------

    def needs_compacting(self, frame_bytes: int) -> bool:
        dead = sum(int((~s.alive).sum()) for s in self.segments) * frame_bytes
        live = sum(int(s.alive.sum()) for s in self.segments) * frame_bytes
        return (dead > DEAD_MIN and dead > DEAD_SHARE * live) or len(self.segments) > MAX_SEGMENTS

    def compact(self, frame_bytes: int, budget: int = COMPACT_BYTES) -> int:
        """Rewrite some segments as one: those with the most dropped frames, then the oldest
        small ones, up to ``budget`` bytes of kept frames. Returns how many were merged.
        A cut at any point leaves the old manifest (and its files) or the new one."""
        if not self.manifest_written:
            return 0
        order = sorted(
            range(len(self.segments)),
            key=lambda i: (-_dead_share(self.segments[i]), i),
        )
        chosen: list[int] = []
        total = 0
        for i in order:
            seg = self.segments[i]
            size = int(seg.alive.sum()) * frame_bytes
            dead = (~seg.alive).any()
            if not dead and len(seg.ids) * frame_bytes >= SMALL:
                continue  # big and whole: rewriting it gains nothing
            if chosen and total + size > budget:
                break
            chosen.append(i)
            total += size
        if len(chosen) < 2 and not any((~self.segments[i].alive).any() for i in chosen):
            return 0
        chosen.sort()
        parts = [self._read_segment(self.segments[i]) for i in chosen]
        merged = {k: np.concatenate([p[k] for p in parts]) for k in ROWS}
        order_ids = np.argsort(merged["ids"], kind="stable")
        merged = {k: v[order_ids] for k, v in merged.items()}
        classes = list(self.meta["class_names"])
        pictures = {
            name: pic
            for name, (seg, pic) in self.thumbnails.items()
            if seg in {self.segments[i].name for i in chosen}
        }
        name = f"{self.next_segment:08d}.npz"
        rows = _rows_store(self.meta, merged)
        self._write_segment(name, rows, pictures, classes)
        old = {self.segments[i].name for i in chosen}
        new_seg = Segment(name, merged["ids"], np.ones(len(merged["ids"]), bool))
        # The merged segment takes the place of the first one merged: order stays by time.
        segments = []
        for i, seg in enumerate(self.segments):
            if i == chosen[0]:
                segments.append(new_seg)
            elif seg.name not in old:
                segments.append(seg)
        thumbnails = {
            k: ((name, pic) if seg in old else (seg, pic))
            for k, (seg, pic) in self.thumbnails.items()
        }
        try:
            self._commit(self.meta, segments, thumbnails, self.next_segment + 1)
        except BaseException:
            with contextlib.suppress(OSError):
                (self.path / name).unlink()
            raise
        self._delete(old)
        return len(chosen)

    def _read_segment(self, seg: Segment) -> dict[str, np.ndarray]:
        with np.load(self.path / seg.name, allow_pickle=False) as npz:
            return {k: npz[k][seg.alive] for k in ROWS}

    # -- loading -----------------------------------------------------------------------------

    def load(self, identity: Identity = None) -> SampleStore:
        """The store the manifest describes, its segments joined. Raises FileNotFoundError
        when there is no manifest, OtherBackbone, EdgePacError (not a store, a newer format)
        or CorruptFile (the manifest is damaged: the caller moves the folder aside). A damaged
        segment is moved aside and its frames are missing (``store.notice`` says so)."""
        manifest_path = self.path / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_bytes())
            kind, version = manifest["kind"], int(manifest["format_version"])
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise CorruptFile(f"the sample store's manifest {manifest_path} is damaged") from err
        files.check_stamp(
            manifest_path, "the sample store", (kind, version, manifest.get("identity") or {}),
            KIND, FORMAT_VERSION, identity, again="record again",
        )  # fmt: skip
        try:
            return self._join(manifest)
        except (KeyError, TypeError, ValueError) as err:
            raise CorruptFile(f"the sample store's manifest {manifest_path} is damaged") from err

    def _join(self, manifest: dict[str, Any]) -> SampleStore:
        meta = {
            k: manifest[k]
            for k in (
                "kind",
                "format_version",
                "identity",
                "feature_shape",
                "scale",
                "zero_point",
                "class_names",
                "burst",
                "session",
                "next_id",
            )
        }
        shape = tuple(int(d) for d in meta["feature_shape"])
        parts: list[dict[str, np.ndarray]] = []
        segments: list[Segment] = []
        pictures: dict[str, np.ndarray] = {}
        by_index = {
            f"thumbnail_{meta['class_names'].index(c)}": (c, seg)
            for c, seg in manifest["thumbnails"].items()
        }
        damaged: list[str] = []
        for entry in manifest["segments"]:
            name = entry["file"]
            if not SEGMENT.match(name):
                raise ValueError(f"bad segment name {name!r}")
            try:
                with np.load(self.path / name, allow_pickle=False) as npz:
                    rows = {k: npz[k] for k in ROWS}
                    for key, (cls_name, seg) in by_index.items():
                        if seg == name and key in npz.files:
                            pictures[cls_name] = npz[key]
                n = len(rows["ids"])
                fits = rows["features"].shape == (n, *shape) and rows["features"].dtype == np.uint8
                fits = fits and all(rows[k].shape == (n,) for k in ROWS[1:])
                if not fits or (n and rows["labels"].max() >= len(meta["class_names"])):
                    raise ValueError("arrays do not fit together")
            except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
                log.warning("sample store segment %s is damaged: %r", name, err)
                damaged.append(name)
                with contextlib.suppress(OSError):
                    move_aside(self.path / name)
                continue
            alive = np.ones(n, dtype=bool)
            for first, last in entry["dropped"]:
                alive &= ~((rows["ids"] >= first) & (rows["ids"] <= last))
            segments.append(Segment(name, rows["ids"], alive))
            parts.append({k: v[alive] for k, v in rows.items()})
        merged = {k: np.concatenate([p[k] for p in parts]) for k in ROWS} if parts else None
        store = _rows_store(meta, merged, capacity=64)
        store._thumbnails = {c: pictures[c] for c in pictures if store.counts().get(c, 0)}
        self.meta = meta
        self.segments = segments
        self.thumbnails = {
            c: (manifest["thumbnails"][c], pic) for c, pic in store._thumbnails.items()
        }
        self.next_segment = int(manifest["next_segment"])
        self.saved_upto = store._next_id
        self.manifest_written = True
        if damaged:
            store.notice = (
                f"{len(damaged)} part(s) of the saved samples were damaged and moved aside: "
                "record those poses again"
            )
            self.meta = {}  # the manifest still names them: the next save rewrites it
        self._sweep(manifest)
        return store

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Remove segments no manifest names: the leftovers of a save a cut stopped."""
        named = {e["file"] for e in manifest["segments"]}
        with contextlib.suppress(OSError):
            for entry in self.path.iterdir():
                if SEGMENT.match(entry.name) and entry.name not in named:
                    with contextlib.suppress(OSError):
                        entry.unlink()


def _dead_share(seg: Segment) -> float:
    return float((~seg.alive).mean()) if len(seg.ids) else 0.0


def _rows_store(
    meta: dict[str, Any], rows: dict[str, np.ndarray] | None, capacity: int = 1
) -> SampleStore:
    n = 0 if rows is None else len(rows["ids"])
    store = SampleStore(
        meta["feature_shape"],
        scale=float(meta["scale"]),
        zero_point=int(meta["zero_point"]),
        identity=meta["identity"] or None,
        class_names=meta["class_names"],
        capacity=max(capacity, n),
    )
    if rows is not None and n:
        store._features[:n] = rows["features"]
        store._labels[:n] = rows["labels"]
        store._bursts[:n] = rows["bursts"]
        store._recorded_at[:n] = rows["recorded_at"]
        store._sessions[:n] = rows["sessions"]
        store._ids[:n] = rows["ids"]
    store._n = n
    top = int(rows["ids"].max()) + 1 if n else 0
    store._next_id = max(int(meta.get("next_id", 0)), top)
    store._burst = max(int(meta.get("burst", 0)), int(rows["bursts"].max()) if n else 0)
    store._session = max(int(meta.get("session", 0)), int(rows["sessions"].max()) if n else 0)
    return store


def open_store(
    state_dir: str | os.PathLike[str],
    feature_shape: Iterable[int],
    *,
    scale: float,
    zero_point: int,
    identity: Identity,
    class_names: Iterable[str] = POSES,
) -> tuple[SampleStore, StoreFolder]:
    """What the app calls at start: the saved store (migrated from ``samples.npz`` if that is
    what there is) and its folder, or an empty store that never crashes. A damaged folder is
    moved aside to ``samples.corrupt``, one from another backbone to ``samples.other-backbone``,
    anything else unusable to ``samples.unused``; ``store.notice`` says what happened."""
    class_names = tuple(class_names)
    path = folder_path(state_dir)
    folder = StoreFolder(path)
    if not (path / MANIFEST).exists() and legacy_path(state_dir).exists():
        store = SampleStore.load_or_empty(
            legacy_path(state_dir),
            feature_shape,
            scale=scale,
            zero_point=zero_point,
            identity=identity,
            class_names=class_names,
        )
        if legacy_path(state_dir).exists():  # it loaded: move it into the folder
            _migrate(store, folder, legacy_path(state_dir))
        return store, folder
    try:
        store = folder.load(identity)
    except FileNotFoundError:
        store, folder = _empty(feature_shape, scale, zero_point, identity, class_names), folder
        return store, folder
    except (CorruptFile, OtherBackbone, EdgePacError) as err:
        suffix = (
            ".corrupt"
            if isinstance(err, CorruptFile)
            else ".other-backbone"
            if isinstance(err, OtherBackbone)
            else ".unused"
        )
        moved = move_aside(path, suffix)
        log.warning("%s; moved it aside to %s", err, moved)
        store = _empty(feature_shape, scale, zero_point, identity, class_names)
        store.notice = f"{err}; moved it aside to {moved.name}"
        return store, StoreFolder(path)
    for name in class_names:
        store._class_index(name)
    if legacy_path(state_dir).exists():  # a migration cut short after the folder was whole
        with contextlib.suppress(OSError):
            legacy_path(state_dir).unlink()
    return store, folder


def _empty(
    feature_shape: Iterable[int],
    scale: float,
    zero_point: int,
    identity: Identity,
    class_names: tuple[str, ...],
) -> SampleStore:
    return SampleStore(
        feature_shape,
        scale=scale,
        zero_point=zero_point,
        identity=identity,
        class_names=class_names,
    )


def _migrate(store: SampleStore, folder: StoreFolder, old: Path) -> None:
    """Write the old file's frames as the folder's first segment, then remove the old file."""
    try:
        folder.save(snapshot(store, 0))
        old.unlink()
        fsync_dir(old.parent)
    except OSError as err:  # a full disk: keep the old file, try at the next save
        log.warning("could not migrate %s into %s: %s", old, folder.path, err)
