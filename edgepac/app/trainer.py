"""The trainer: one training run at a time, in its own thread, each with a run number.

    main thread       start() on TRAIN (returns the run's number), cancel() on BACK,
                      results() each frame: finished runs, each carrying its number
    training thread   copies the samples (under the recorder's short lock), turns them into
                      float32, fits the head, measures it on held-out frames, saves it

Everything slow, the float32 copy included, happens on the training thread. A second TRAIN
after BACK starts a new run at once; its thread first waits (off the main thread) for the
cancelled run to notice and stop, and says so meanwhile (``waiting``). A result whose number
is not the latest run's is dropped by the main thread: a cancelled head never plays.
"""

from __future__ import annotations

import copy
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app.arcade import TrainingResult
from edgepac.app.training import batches_in_fit, head_to_train, training_data
from edgepac.errors import EdgePacError

log = logging.getLogger(__name__)


class _Cancelled(Exception):
    pass


@dataclass(frozen=True)
class Finished:
    """A run's end, for the main thread: the result for the rules and the head to play."""

    result: TrainingResult
    head: Any  # None unless result.ok


class Trainer:
    """Owns the training threads and what they report: losses, progress, sizes, problems."""

    def __init__(
        self,
        learning: Any,
        recorder: Any,
        identity: Any,
        head_path: Path,
        export: Callable[[Any], object] | None = None,
    ) -> None:
        self.learning = learning  # cfg.learning
        self.recorder = recorder
        self.identity = identity
        self.head_path = Path(head_path)
        self.export = export  # learning.export: writes the saved head as a TM zip, here
        self.run = 0  # the latest run's number; the main thread alone changes it
        # Published for the screen (each swapped whole or appended by the current run only).
        self.losses: list[float] = []
        self.progress = 0.0
        self.total_batches = 0
        # What the run learns from: poses, frames to learn from, frames kept aside to test it.
        self.poses = self.frames = self.held_out = 0
        self.waiting: str | None = None  # "stopping the previous run" while it takes its time
        self.problem: str | None = None  # the trained head could not be saved
        # CPU seconds the latest finished run took on its thread (copy, fit, test, save): the
        # per-part cost a Pi estimate scales, whatever else shared the machine meanwhile.
        self.cpu_s: float | None = None
        # What a TRAIN starts from when no head plays yet: None (from scratch), or a head made
        # elsewhere (a Teachable Machine model's, its classes the store's) that training refines.
        self.base_head: Any = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._done: queue.SimpleQueue[tuple[int, Finished]] = queue.SimpleQueue()

    # -- the main thread -----------------------------------------------------------------------

    def start(self, warm_from: Any = None) -> int:
        """A new run; a previous one still running is cancelled and waited for, off this thread.
        ``warm_from``: the head that plays, for a refresh (a few epochs from its weights)."""
        self._cancel.set()
        self.run += 1
        self.losses = []
        self.progress = 0.0
        self.total_batches = 0
        self.poses = self.frames = self.held_out = 0
        previous, self._cancel = self._thread, threading.Event()
        self._thread = threading.Thread(
            target=self._train,
            args=(self.run, self._cancel, previous, warm_from),
            name=f"edgepac-training-{self.run}",
            daemon=True,
        )
        self._thread.start()
        return self.run

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def finished(self) -> list[Finished]:
        """Runs that ended since the last call, the latest run's only (older ones are dropped)."""
        out = []
        while True:
            try:
                run, finished = self._done.get_nowait()
            except queue.Empty:
                return out
            if run == self.run:
                out.append(finished)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the current run to end (never from the main loop: tests, scripts)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._cancel.set()
        self.join(timeout)

    # -- the training thread -------------------------------------------------------------------

    def _train(
        self,
        run: int,
        cancel: threading.Event,
        previous: threading.Thread | None,
        warm_from: Any,
    ) -> None:
        if previous is not None and previous.is_alive():
            self.waiting = "Stopping the last training first..."
            previous.join()
            if self.run == run:
                self.waiting = None
        if cancel.is_set():
            return
        started = time.thread_time()
        try:
            finished = self._fit(run, cancel, warm_from)
        except _Cancelled:
            return
        except Exception as err:  # whatever it was, the screen must not wait forever
            why = str(err) if isinstance(err, EdgePacError) else f"{type(err).__name__}: {err}"
            log.warning("training failed: %s", why)
            result = TrainingResult(ok=False, accuracy=None, error=why, run=run)
            self._done.put((run, Finished(result, None)))
            return
        if cancel.is_set():  # BACK came after the last batch: nobody wants this head
            return
        self._save(finished.head)
        self._export(finished.head)
        if self.run == run:
            self.cpu_s = time.thread_time() - started
        self._done.put((run, finished))

    def _fit(self, run: int, cancel: threading.Event, warm_from: Any) -> Finished:
        learning = self.learning
        cap = learning.max_frames_per_pose or None
        # Learning's choice (capped, newest sessions first, recency-weighted), copied as uint8
        # under the recorder's lock; the float32 copy of just those rows is made here.
        data = training_data(self.recorder.training_set(cap), learning.holdout, cap)
        if self.run == run:
            self.poses = len(np.unique(data.y))
            self.frames, self.held_out = len(data.y), len(data.y_test)
        # A refresh starts from a copy of the head that plays (which keeps playing meanwhile).
        if self.base_head is not None:
            # A model made elsewhere: every run refines it, from the head that plays when that
            # is one of its line (a refresh), else from the model itself; with its own recipe.
            start = warm_from if _same_line(warm_from, self.base_head) else self.base_head
            head = copy.deepcopy(start).set_params(warm_start=True)
        else:
            warm = warm_from is not None
            head = head_to_train(warm_from, learning.head, learning.hyperparameters(), warm)
        warm = hasattr(head, "fits_warm") and head.fits_warm(
            data.names, int(np.prod(data.X.shape[1:]))
        )
        batches = batches_in_fit(head, len(data.y), warm=warm)
        losses: list[float] = []
        if self.run == run:
            self.total_batches = batches
            self.losses = losses

        def on_batch(epoch: int, batch: int, loss: float) -> None:
            if cancel.is_set():
                raise _Cancelled
            losses.append(float(loss))
            if self.run == run:
                self.progress = min(1.0, len(losses) / batches) if batches else 0.0

        head.fit(
            data.X, data.y, class_names=data.names, sample_weight=data.weights, callback=on_batch
        )
        accuracy = data.accuracy(head)
        coaching = data.coaching(head)  # per pose, on the same held-out frames
        proba = head.predict_proba(data.X[:1])
        if not np.isfinite(proba).all():
            raise EdgePacError("the model gives NaN: try a lower learning rate")
        if self.run == run:
            self.progress = 1.0
        result = TrainingResult(ok=True, accuracy=accuracy, run=run, coaching=coaching)
        return Finished(result, head)

    def _save(self, head: Any) -> None:
        try:
            head.save(self.head_path, self.identity)
        except OSError as err:
            log.warning("could not save the trained head: %s", err)
            self.problem = (
                f"Could not save the trained model ({err.strerror or err}): it plays, but "
                "will be gone after a restart"
            )
        else:
            self.problem = None

    def _export(self, head: Any) -> None:
        if self.export is None:
            return
        try:
            self.export(head)
        except (EdgePacError, OSError) as err:  # the head plays all the same
            log.warning("could not write the Teachable Machine export: %s", err)
            self.problem = f"controller.zip not written: {err}"  # the new head plays


def _same_line(head: Any, base: Any) -> bool:
    """Is ``head`` trained from ``base`` (same kind and recipe, warm or not)?"""
    if head is None or type(head) is not type(base):
        return False
    skip = ("warm_start",)
    a, b = head.get_params(), base.get_params()
    return {k: v for k, v in a.items() if k not in skip} == {
        k: v for k, v in b.items() if k not in skip
    }


def load_saved_head(path: Path, identity: Any) -> tuple[Any, str | None]:
    """The head the last run saved, or None and a line for the screen saying why not."""
    from edgepac.atomic import move_aside
    from edgepac.learning.files import CorruptFile, OtherBackbone
    from edgepac.learning.heads import load_head

    if not path.exists():
        return None, None
    try:
        return load_head(path, identity), None
    except OtherBackbone as err:
        # Kept (never overwritten by the next training) for whoever wants it back.
        moved = move_aside(path, ".other-backbone")
        log.warning("%s; moved it aside to %s", err, moved)
        return None, (
            f"The saved model was trained with another backbone: moved aside to {moved.name}."
            " Press TRAIN to learn again"
        )
    except CorruptFile as err:
        log.warning("%s", err)
        moved = err.moved_to.name if err.moved_to else "*.corrupt"
        return None, f"The saved model was damaged: moved aside to {moved}"
    except EdgePacError as err:
        log.warning("%s", err)
        return None, f"The saved model cannot be used: {err}"
