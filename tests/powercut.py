"""Power cuts, replayed: what the disk would hold had the power gone at any moment of a run.

A power cut keeps what was fsynced and loses the rest (LazyFS's model: unsynced data is dropped
whole). ``Journal`` watches one folder while the real code runs in this process:

- at every ``fsync`` of a file it keeps a copy of the file's content (read back through
  /proc/self/fd): what would survive of that inode;
- at every fsync and every rename, replace, unlink and mkdir it lists the folder (names ->
  inodes): the order the metadata changed in;
- an ``fsync`` of a directory commits the metadata up to then (an ordered journal, as ext4's).

``Journal.disk(i, j)`` rebuilds the folder as a cut right after event ``i`` leaves it: the names
of the listing taken at event ``j`` (any event from the last directory fsync up to ``i``: the
journal may have committed more than it had to), each file with the content of its last fsync
before ``i``, or empty. No mount, no root: the cuts are replayed from one recorded run, so
hundreds of them take seconds.

``workload`` drives the real recorder (its saver thread, the cap, compaction), the real trainer
and head save through a kiosk's day in miniature: presses, TRAIN, undo, clear, a new visitor,
the cap dropping a sitting, compaction. ``check_cut`` boots what a cut left and says what was
lost or broken.
"""

from __future__ import annotations

import os
import random
import stat
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.poses import POSES


@dataclass
class Event:
    kind: str  # fsync, dirsync, replace, unlink, mkdir, saved, head_saved, head_removed
    listing: dict[str, tuple[str, Any]]  # relative path -> ("dir", None) | ("file", key)
    ids: np.ndarray | None = None  # "saved": the frames the reported save made durable
    head: bytes | None = None  # "head_saved": the head's bytes
    phase: str = ""  # what the run was doing


@dataclass
class Journal:
    root: Path
    events: list[Event] = field(default_factory=list)
    synced: dict[Any, list[tuple[int, bytes]]] = field(default_factory=lambda: defaultdict(list))
    gen: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.RLock = field(default_factory=threading.RLock)
    bursts: dict[int, int] = field(default_factory=dict)  # frame number -> its press
    phase: str = "recording"
    compacting: bool = False

    # -- recording ---------------------------------------------------------------------------

    def install(self, monkeypatch: Any) -> None:
        """Watch os.fsync, os.replace, os.rename, os.unlink and os.mkdir under ``root``."""
        real = {n: getattr(os, n) for n in ("fsync", "replace", "rename", "unlink", "mkdir")}

        def fsync(fd: int) -> None:
            real["fsync"](fd)
            path = os.readlink(f"/proc/self/fd/{fd}")
            if not self._mine(path):
                return
            with self.lock:
                st = os.fstat(fd)
                if stat.S_ISDIR(st.st_mode):
                    self._event("dirsync")
                else:
                    with open(f"/proc/self/fd/{fd}", "rb") as f:
                        data = f.read()
                    self.synced[self._key(st.st_ino)].append((len(self.events), data))
                    self._event("fsync")

        def replacing(name: str) -> Any:
            def op(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
                with self.lock:
                    self._retire(dst)
                    real[name](src, dst, *args, **kwargs)
                    if self._mine(dst):
                        self._event(name)

            return op

        def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
            with self.lock:
                self._retire(path)
                real["unlink"](path, *args, **kwargs)
                if self._mine(path):
                    self._event("unlink")

        def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
            with self.lock:
                real["mkdir"](path, *args, **kwargs)
                if self._mine(path):
                    self._event("mkdir")

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replacing("replace"))
        monkeypatch.setattr(os, "rename", replacing("rename"))
        monkeypatch.setattr(os, "unlink", unlink)
        monkeypatch.setattr(os, "remove", unlink)
        monkeypatch.setattr(os, "mkdir", mkdir)

    def note(self, kind: str, **facts: Any) -> None:
        """A fact of the run (a save reported done, a head saved or removed) at this point."""
        with self.lock:
            self._event(kind, **facts)

    def _mine(self, path: Any) -> bool:
        return str(os.path.abspath(path)).startswith(str(self.root))

    def _key(self, ino: int) -> tuple[int, int]:
        return ino, self.gen[ino]

    def _retire(self, path: Any) -> None:
        """An inode losing its name: a later file may get its number, not its content."""
        try:
            st = os.lstat(path)
        except OSError:
            return
        if st.st_nlink <= 1 and not stat.S_ISDIR(st.st_mode):
            self.gen[st.st_ino] += 1

    def _event(self, kind: str, **facts: Any) -> None:
        phase = "compaction" if self.compacting else self.phase
        self.events.append(Event(kind, self._list(), phase=phase, **facts))

    def _list(self) -> dict[str, tuple[str, Any]]:
        out: dict[str, tuple[str, Any]] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            for d in dirnames:
                out[os.path.normpath(os.path.join(rel, d))] = ("dir", None)
            for f in filenames:
                path = os.path.join(dirpath, f)
                try:
                    ino = os.lstat(path).st_ino
                except OSError:
                    continue
                out[os.path.normpath(os.path.join(rel, f))] = ("file", self._key(ino))
        return out

    # -- replaying ---------------------------------------------------------------------------

    def cut_points(self, n: int, rng: random.Random) -> list[tuple[int, int]]:
        """``n`` cuts (i, j): after event i, the metadata as listed at event j. One cut falls in
        each phase first (a phase of a few events, such as the cap's, is not left to chance:
        how many events each has depends on the saver thread's timing), the rest anywhere."""
        by_phase: dict[str, list[int]] = defaultdict(list)
        for k, event in enumerate(self.events):
            by_phase[event.phase].append(k)
        firsts = [rng.choice(ks) for _, ks in sorted(by_phase.items())][:n]
        cuts = []
        for i in firsts + [rng.randrange(len(self.events)) for _ in range(n - len(firsts))]:
            last_sync = max(
                (k for k in range(i + 1) if self.events[k].kind == "dirsync"), default=0
            )
            cuts.append((i, rng.randint(last_sync, i)))
        return cuts

    def disk(self, i: int, j: int, into: Path) -> None:
        """Write what the cut leaves into the folder ``into``."""
        into.mkdir(parents=True, exist_ok=True)
        listing = self.events[j].listing
        for rel, (kind, _) in sorted(listing.items()):
            if kind == "dir":
                (into / rel).mkdir(parents=True, exist_ok=True)
        for rel, (kind, key) in listing.items():
            if kind != "file":
                continue
            parent = os.path.dirname(rel)
            if parent and listing.get(parent, ("", None))[0] != "dir":
                continue  # its folder's own name was not on disk
            content = b""
            for at, data in self.synced.get(key, []):
                if at <= i:
                    content = data
            (into / rel).write_bytes(content)


def reported(journal: Journal, i: int) -> tuple[set[int] | None, set[int] | None]:
    """The frames of the last save reported done by event i, and of the next one (in flight)."""
    before = after = None
    for k, ev in enumerate(journal.events):
        if ev.kind != "saved":
            continue
        if k <= i:
            before = set(ev.ids.tolist())
        else:
            after = set(ev.ids.tolist())
            break
    return before, after


def heads_at(journal: Journal, i: int) -> tuple[set[bytes], bool]:
    """The heads a cut after event i may leave, and whether no head at all is allowed."""
    allowed: set[bytes] = set()
    none_ok = True
    for k, ev in enumerate(journal.events):
        if ev.kind == "head_saved":
            if k <= i:
                allowed, none_ok = {ev.head}, False
            else:
                allowed.add(ev.head)  # in flight: may be durable already
                break
        elif ev.kind == "head_removed" and k <= i:
            none_ok = True  # a new visitor: the unlink may or may not have reached the disk
    return allowed, none_ok


# -- the run and the checks ------------------------------------------------------------------


def workload(root: Path, journal: Journal, backbone: Any, seed: int = 0) -> dict[str, int]:
    """A kiosk's day in miniature on the real recorder, saver thread, trainer and head save:
    presses, TRAIN, undo, a refresh sitting, the cap dropping the first sitting, clear, a new
    visitor, and presses enough for the saver to compact. Returns what happened, counted."""
    from edgepac.app.config import load_config
    from edgepac.app.recorder import Recorder
    from edgepac.app.trainer import Trainer
    from edgepac.learning.store import SampleStore

    rng = np.random.default_rng(seed)
    cfg = load_config(paths=[], overrides={"learning.dense.epochs": 3})
    shape = backbone.feature_shape
    store = SampleStore(
        shape,
        scale=backbone.scale,
        zero_point=backbone.zero_point,
        identity=backbone.identity,
        class_names=POSES,
    )
    rec = Recorder(store, root / "samples")
    rec.on_saved = lambda snap: journal.note("saved", ids=snap.ids.copy())
    head_path = root / "head.npz"
    trainer = Trainer(cfg.learning, rec, backbone.identity, head_path)
    real_save = trainer._save

    def save_head(head: Any) -> None:
        real_save(head)
        if trainer.problem is None:
            journal.note("head_saved", head=head_path.read_bytes())

    trainer._save = save_head  # type: ignore[method-assign]
    means = {p: 40 + 50 * k for k, p in enumerate(POSES)}
    image = np.zeros((48, 64, 3), np.uint8)
    counts = defaultdict(int)

    def press(pose: str, n: int) -> None:
        rec.begin(pose)
        for _ in range(n):
            rec.add(rng.normal(means[pose], 12, shape).clip(0, 255).astype(np.uint8), image)
        rec.end()
        counts["presses"] += 1
        if rng.random() < 0.5:
            time.sleep(0.01)  # sometimes the next press comes while the save is on its way

    def train() -> None:
        journal.phase = "train"
        trainer.start()
        trainer.join(60)
        counts["trainings"] += 1
        journal.phase = "recording"

    def phase(name: str) -> None:
        rec.save_now()  # what came before is saved: the cuts from here on are this phase's
        journal.phase = name

    rec.start()
    for pose in POSES:  # the first sitting
        press(pose, 6)
        press(pose, 5)
    train()
    phase("undo")
    rec.undo()
    counts["undos"] += 1
    rec.save_now()
    journal.phase = "recording"
    rec.new_session()  # the second sitting: a refresh of three poses
    for pose in POSES[:3]:
        press(pose, 6)
    train()
    phase("cap")
    # The cap: room for a bit more than the second sitting: the first one goes.
    rec.max_bytes = (len(rec) - 30) * store.frame_bytes
    press("right", 4)
    rec.save_now()
    counts["cap_dropped"] = rec.dropped_by_cap
    rec.max_bytes = None
    phase("clear")
    rec.clear()  # the C key
    counts["clears"] += 1
    rec.save_now()
    journal.phase = "recording"
    rec.new_session()
    for pose in POSES:
        press(pose, 5)
    train()
    phase("new visitor")
    rec.clear()  # a new visitor ("forget"): the samples and the model go
    journal.note("head_removed")  # from here on, the old head may be there or not
    head_path.unlink(missing_ok=True)
    counts["new_visitors"] += 1
    rec.save_now()
    journal.phase = "recording"
    rec.new_session()
    for k in range(14):  # many short presses: the saver compacts what piles up
        press(POSES[k % 4], 3)
        rec.save_now()  # each its own segment
        if k == 6:
            rec.undo()
            counts["undos"] += 1
    train()
    rec.stop()
    counts["compactions"] = sum(1 for e in journal.events if e.kind == "compacted")
    return dict(counts)


@dataclass
class Cut:
    frames_lost: int = 0
    presses_lost: int = 0
    broken: list[str] = field(default_factory=list)
    state: str = ""


def check_cut(journal: Journal, i: int, j: int, into: Path, backbone: Any, boot: bool) -> Cut:
    """Rebuild the disk a cut after event i leaves, start on it, and say what went wrong."""
    from edgepac.app.trainer import load_saved_head
    from edgepac.learning.folder import open_store

    journal.disk(i, j, into)
    cut = Cut()
    store, _ = open_store(
        into,
        backbone.feature_shape,
        scale=backbone.scale,
        zero_point=backbone.zero_point,
        identity=backbone.identity,
        class_names=POSES,
    )
    if store.notice:
        cut.broken.append(f"samples: {store.notice}")
    loaded = set(store.ids.tolist())
    before, after = reported(journal, i)
    if before is not None and loaded not in (before, after):
        wanted = before & after if after is not None else before
        lost = wanted - loaded
        cut.frames_lost = len(lost)
        cut.presses_lost = len({journal.bursts[f] for f in lost})
        if loaded - before - (after or set()):
            cut.broken.append("samples: frames a reported drop had removed came back")
    allowed, none_ok = heads_at(journal, i)
    head_path = into / "head.npz"
    if head_path.exists():
        head, notice = load_saved_head(head_path, backbone.identity)
        if notice or head is None:
            cut.broken.append(f"head: {notice}")
        elif head_path.read_bytes() not in allowed:
            cut.broken.append("head: neither the last head saved nor the one being saved")
    elif not none_ok:
        cut.broken.append("head: the head reported saved is gone")
    aside = [p.name for p in into.rglob("*") if p.suffix in (".corrupt", ".unused")]
    if aside:
        cut.broken.append(f"moved aside: {aside}")
    if boot:
        cut.state = boot_state(into, backbone)
        if cut.state not in ("collect", "playing"):
            cut.broken.append(f"the arcade stopped at {cut.state}")
    return cut


def boot_state(state_dir: Path, backbone: Any) -> str:
    """A fresh arcade on the disk: where it gets to (PLAY pressed if it welcomes back)."""
    from edgepac.app.app import App
    from edgepac.app.arcade import Event, Kind, State
    from edgepac.app.config import load_config
    from edgepac.camera.demo_player import DemoPlayer
    from edgepac.game.controllers import Autopilot
    from edgepac.game.game import Game

    cfg = load_config(paths=[], overrides={"screen.attract_after_s": 0.0})
    app = App(
        cfg,
        source=DemoPlayer(),
        backbone=backbone,
        state_dir=state_dir,
        make_game=lambda: Game(seed=1),
        autopilot=Autopilot(),
    )
    with app:
        for _ in range(3):
            app.step()
        if app.arcade.state is State.WELCOME:
            app.post(Event(Kind.PLAY))
            for _ in range(3):
                app.step()
        return app.arcade.state.value


def run_cuts(
    root: Path, backbone: Any, monkeypatch: Any, n: int, boots: int, seed: int = 0
) -> dict[str, Any]:
    """Record one run, then replay ``n`` random cuts of it (``boots`` of them also boot the
    arcade); the figures for the test and the benchmark."""
    from edgepac.learning import folder as folder_module

    state = root / "state"
    state.mkdir()
    journal = Journal(state)
    real_save = folder_module.StoreFolder.save
    real_compact = folder_module.StoreFolder.compact

    def save(self: Any, snap: Any) -> bool:
        journal.bursts.update(zip(snap.new.ids.tolist(), snap.new.bursts.tolist(), strict=True))
        return real_save(self, snap)

    def compact(self: Any, *args: Any, **kwargs: Any) -> int:
        journal.compacting = True
        try:
            merged = real_compact(self, *args, **kwargs)
        finally:
            journal.compacting = False
        if merged:
            journal.note("compacted")
        return merged

    monkeypatch.setattr(folder_module.StoreFolder, "save", save)
    monkeypatch.setattr(folder_module.StoreFolder, "compact", compact)
    monkeypatch.setattr(folder_module, "MAX_SEGMENTS", 6)
    journal.install(monkeypatch)
    t0 = time.monotonic()
    happened = workload(state, journal, backbone, seed)
    monkeypatch.undo()  # replaying and booting use the real os calls
    recorded_s = time.monotonic() - t0
    rng = random.Random(seed)
    cuts = journal.cut_points(n, rng)
    booted = set(rng.sample(range(n), min(boots, n)))
    results = []
    t0 = time.monotonic()
    for k, (i, j) in enumerate(cuts):
        results.append(check_cut(journal, i, j, root / f"cut{k}", backbone, k in booted))
    phases: dict[str, int] = defaultdict(int)
    for i, _ in cuts:
        phases[journal.events[i].phase] += 1
    return {
        "cuts": n,
        "events": len(journal.events),
        "booted": len(booted),
        "presses_lost": sum(c.presses_lost for c in results),
        "frames_lost": sum(c.frames_lost for c in results),
        "files_broken": sum(1 for c in results if c.broken),
        "problems": [b for c in results for b in c.broken][:10],
        "states": sorted({c.state for c in results if c.state}),
        "happened": happened,
        "cuts_by_phase": dict(phases),
        "record_s": round(recorded_s, 2),
        "replay_s": round(time.monotonic() - t0, 2),
    }
