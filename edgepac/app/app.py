"""The arcade running: camera, inference, training and the screen, in threads that never wait
on each other.

    camera thread (the FrameSource's own) ──▶ one-slot LatestFrame (stale frames dropped)
    inference thread: features ─▶ record while a class is held ─▶ head ─▶ smoothing ─▶ request
    training thread: only while training; reports each batch's loss for the curve
    main thread: pygame events and buttons ─▶ Arcade rules ─▶ game tick ─▶ draw, 60 times a second

Threads share a few references that they swap whole (the latest prediction, the head), and the
sample store behind one lock. The main thread never waits for the camera or the model: when
inference is slow the game still runs at 60 fps on the latest request it has.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app.arcade import Action, Arcade, Do, Event, Kind, State, TrainingResult
from edgepac.app.smoothing import Smoother
from edgepac.app.stats import Stats, peak_rss_mb
from edgepac.app.training import batches_in_fit, held_out_split, limit_blas_threads
from edgepac.errors import EdgePacError

log = logging.getLogger(__name__)

THUMB = 64  # thumbnail side in pixels, kept with the samples
FPS = 60
SWITCH_INTERVAL_S = 0.001  # see start()


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the inference thread last concluded, with the times needed to measure latency."""

    proba: np.ndarray  # per class, unsmoothed, in ``classes`` order (a copy, safe to keep)
    smoothed: np.ndarray  # the mean the request was decided on
    classes: tuple[str, ...]
    name: str | None  # the smoothed, confident class, or None
    t_capture: float  # when the camera took the frame (monotonic)
    t_request: float  # when this became the request to the game
    seq: int
    truth: str | None  # the demo player's true pose, for measuring accuracy


class _Cancelled(Exception):
    pass


class App:
    """The whole arcade. Build it from parts (``build.build_app`` does it from config).

    ``source``: a started-or-not FrameSource; ``backbone``: a vision Backbone;
    ``make_game()`` a new Game; ``autopilot`` a game Controller for attract mode.
    """

    def __init__(
        self,
        cfg: Any,
        *,
        source: Any,
        backbone: Any,
        state_dir: Path,
        make_game: Callable[[], Any],
        autopilot: Any,
        renderer_factory: Callable[[tuple[int, int]], Any] | None = None,
        screen_size: tuple[int, int] = (800, 480),
        fullscreen: bool = False,
        class_names: tuple[str, ...] = ("up", "down", "left", "right"),
        button_names: dict[str, str] | None = None,
        draw: bool = True,
        sound: bool = False,
    ) -> None:
        from edgepac.game.direction import Direction
        from edgepac.learning.store import SampleStore, save_path

        self.cfg = cfg
        self.source = source
        self.backbone = backbone
        self.state_dir = Path(state_dir)
        self.make_game = make_game
        self.autopilot = autopilot
        self.class_names = class_names
        self.button_names = button_names or {}
        self.screen_size = screen_size
        self.fullscreen = fullscreen
        self.draw_enabled = draw
        self.sound_enabled = sound
        self.sounds: Any = None
        # The arrows pose the demo player when it is the camera.
        self.pose_keys = hasattr(source, "pose") and hasattr(source, "painter")
        self._renderer_factory = renderer_factory
        self._directions = {d.value: d for d in Direction}

        self.arcade = Arcade(class_names, attract_after_s=float(cfg.screen.attract_after_s))
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._messages: queue.SimpleQueue[str] = queue.SimpleQueue()  # from other threads
        self.stats = Stats()
        self.show_fps = bool(cfg.screen.show_fps)
        self.notices: list[str] = []  # things said at start (corrupt files, refused head)

        # Samples: loaded from the state directory, or empty (a damaged file is moved aside).
        self.samples_path = save_path(self.state_dir)
        self.head_path = self.state_dir / "head.npz"
        bb = backbone
        self.store_lock = threading.Lock()
        self.store = SampleStore.load_or_empty(
            self.samples_path,
            bb.feature_shape,
            scale=bb.scale,
            zero_point=bb.zero_point,
            identity=bb.identity,
            class_names=class_names,
        )
        if self.store.notice:
            self.notices.append(self.store.notice)
        head = self._load_head()
        self.brain: tuple[Any, Smoother, np.ndarray] = self._brain_for(head)

        # Per-frame buffers, allocated once.
        self._q = np.empty(bb.feature_shape, dtype=np.uint8)
        self._x = np.empty(bb.feature_shape, dtype=np.float32)

        # Shared between threads (each swapped whole).
        self.prediction: Prediction | None = None
        self.frame: Any = None  # the newest frame processed (for the preview)
        self.camera_status: str | None = None  # None while the camera is fine
        self.inference_error: str | None = None  # None while frames go through the model
        self._recording: str | None = None
        self._need_thumbnail = False
        self._playing = False
        self._reset_smoother = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

        # Training, reported to the main thread.
        self.losses: list[float] = []  # one per batch, for the curve
        self.progress = 0.0
        self.total_batches = 0
        self.trained_accuracy: float | None = None  # of the head in use, when measured
        self.train_info = ""
        self._training: threading.Thread | None = None
        self._cancel_training = threading.Event()
        self._trained: queue.SimpleQueue[TrainingResult] = queue.SimpleQueue()
        self._save_request = threading.Event()
        self._dirty = False  # samples changed since the last save

        # The game the player plays, and the one the autopilot plays in attract mode.
        from edgepac.game.highscores import HighScores

        self.high_scores = HighScores(self.state_dir / "highscores.json")
        self.game: Any = make_game()
        self.attract_game: Any = None
        self._last_request_seq = -1
        self.request: Any = None  # the Direction being sent, for the screen
        self.surface: Any = None
        # Called with (class being sent or None, recording?) whenever that changes: the LEDs.
        self.light_listeners: list[Callable[[str | None, bool], None]] = []
        self.buttons: list[Any] = []  # polled each frame: ``poll() -> list of control events``
        self._lights: tuple[str | None, bool] = (None, False)
        self.screen: Any = None
        self.keyboard: Any = None
        self.clock: Any = None
        self.running = False
        self.started = time.monotonic()
        self._switch_interval: float | None = None

        self.arcade.has_head = self.head is not None
        self.arcade.counts = self.store.counts()
        self.thumbnails: dict[str, np.ndarray] = self.store.thumbnails  # for the tiles
        now = time.monotonic()
        for notice in self.notices:
            self.arcade.say(notice, now, seconds=8.0)

    @property
    def head(self) -> Any:
        """The trained head in use, or None."""
        return self.brain[0]

    # -- start and stop ----------------------------------------------------------------------

    def start(self) -> App:
        import pygame

        from edgepac.app.screen import Screen

        flags = pygame.FULLSCREEN if self.fullscreen else 0
        try:
            pygame.display.init()
            pygame.font.init()
            self.surface = pygame.display.set_mode(self.screen_size, flags)
        except pygame.error as err:
            raise EdgePacError(
                f"cannot open the screen ({err}); run `edgepac doctor` to see which SDL video "
                "drivers work here, or use --headless"
            ) from None
        self.screen_size = self.surface.get_size()
        pygame.display.set_caption("EdgePac")
        pygame.mouse.set_visible(not self.fullscreen)
        renderer = self._renderer_factory(self.screen_size) if self._renderer_factory else None
        if renderer is not None:
            renderer.high_score = self.high_scores.best
        self.screen = Screen(self.screen_size, renderer, self.class_names, self.button_names)
        from edgepac.controls.keyboard import KeyboardControls
        from edgepac.game.sound import Sounds

        # The game's own synthesised effects, for the player's games (attract mode is silent).
        self.sounds = Sounds(enabled=self.sound_enabled)

        self.keyboard = KeyboardControls()
        self.clock = pygame.time.Clock()
        # The main thread runs Python most of the time; by default a thread waiting for the GIL
        # may wait 5 ms for it. Inference is the latency that matters: let it in sooner.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        limit_blas_threads(1)
        self.source.start()
        self._stop.clear()
        for name, target in (("inference", self._infer_loop), ("saver", self._save_loop)):
            t = threading.Thread(target=target, name=f"edgepac-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        self.running = True
        self.started = time.monotonic()
        return self

    def stop(self) -> None:
        self.running = False
        self._cancel_training.set()
        self._stop.set()
        self._save_request.set()
        with contextlib.suppress(Exception):
            self.source.stop()
        for t in [*self._threads, self._training]:
            if t is not None:
                t.join(timeout=5)
        self._threads.clear()
        self._save_now()  # whatever the last burst added
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def __enter__(self) -> App:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the main thread ---------------------------------------------------------------------

    def post(self, event: Event) -> None:
        """Thread-safe: buttons (gpiozero's threads), keys and scripts call this."""
        self.events.put(event)

    def quit(self) -> None:
        """Thread- and signal-safe: the main loop ends after this frame (then ``stop()``)."""
        self.running = False

    def say(self, text: str) -> None:
        """Thread-safe: put a message on the screen (the main thread shows it)."""
        self._messages.put(text)

    def post_control(self, ev: Any) -> None:
        """An event from the controls area (buttons or keyboard), in the arcade's terms."""
        if ev.kind is Kind.FPS:
            self.show_fps = not self.show_fps
        else:
            self.post(ev)

    def attach_buttons(self, buttons: Any) -> None:
        """GPIO buttons (``edgepac.controls.buttons.ArcadeButtons``): polled every frame; their
        LEDs show the class being sent and whether we are recording."""
        self.buttons.append(buttons)

        def light(sent: str | None, recording: bool) -> None:
            buttons.show_prediction(sent)
            buttons.show_recording(recording)

        self.light_listeners.append(light)

    def run(self, seconds: float | None = None, until: Callable[[App], bool] | None = None) -> None:
        """The main loop at 60 fps until the window closes, ``seconds`` pass or ``until``."""
        end = None if seconds is None else time.monotonic() + seconds
        while self.running:
            self.step()
            if until is not None and until(self):
                return
            if end is not None and time.monotonic() >= end:
                return

    def step(self) -> None:
        """One frame of the main thread: input, rules, one game tick, drawing."""
        import pygame

        now = time.monotonic()
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self.running = False
            else:
                self.on_pygame_event(ev)
        for buttons in self.buttons:
            for ev in buttons.poll():
                self.post_control(ev)
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            self._do(self.arcade.handle(event, now), now)
        while True:
            try:
                self.arcade.say(self._messages.get_nowait(), now, seconds=8.0)
            except queue.Empty:
                break
        while True:
            try:
                result = self._trained.get_nowait()
            except queue.Empty:
                break
            self.arcade.training_finished(result, now)
            if result.ok:
                self.trained_accuracy = result.accuracy
        self.camera_status = self.source.error and str(self.source.error)
        with self.store_lock:  # the inference thread adds samples and thumbnails
            self.arcade.counts = self.store.counts()
            self.thumbnails = self.store.thumbnails
        self._do(self.arcade.tick(now), now)
        self._tick_game(now)
        self._light()
        if self.draw_enabled:
            self.screen.draw(self.surface, self)
            pygame.display.flip()
        self.clock.tick(FPS)

    def _light(self) -> None:
        """Tell the LEDs (if any) which class is predicted and whether we are recording.

        The predicted class is lit in every state, as Teachable Machine's buttons do, so a
        player can check a pose before pressing PLAY; in a game it is the direction sent.
        """
        pred = self.prediction if self.head is not None else None
        lit = pred.name if pred is not None else None
        state = (lit, self._recording is not None)
        if state != self._lights:
            self._lights = state
            for listener in self.light_listeners:
                listener(*state)

    def on_pygame_event(self, ev: Any) -> None:
        """The keyboard (the controls area's mapping: arrows held to record, T train, P play,
        Esc back, C clear, F the overlay), plus Q to quit.

        With the demo player as the camera, the arrows also set its pose (held: it poses while
        you record; in a game: it keeps the last pose, and the model must read it from the
        picture to steer).
        """
        import pygame

        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_q:
            self.running = False
            return
        for control in self.keyboard.handle(ev):
            name = control.name
            if name is not None and self.pose_keys:
                if control.kind is Kind.HOLD:
                    self.source.pose = name
                if self.arcade.state is State.PLAYING and not self.arcade.attract:
                    continue  # in a game the arrows move the virtual player, not the buttons
            self.post_control(control)

    def _tick_game(self, now: float) -> None:
        if self.arcade.attract:
            self.sounds.react((), frightened=False)
            if self.attract_game is None or self.attract_game.game_over:
                self.attract_game = self.make_game()
            self.attract_game.step(self.autopilot.request(self.attract_game))
            return
        if self.arcade.state is not State.PLAYING:
            self.request = None
            self.sounds.react((), frightened=False)  # no warble left playing over the menus
            return
        pred = self.prediction
        request = None
        if pred is not None:
            request = self._directions.get(pred.name) if pred.name else None
            if pred.seq != self._last_request_seq:
                self._last_request_seq = pred.seq
                self.stats.tick_latency_ms.add((now - pred.t_capture) * 1000.0)
        if request is not None and request != self.request:
            self.arcade.active(now)  # someone is steering: not idle
        self.request = request
        if not self.game.game_over:
            self.game.step(request)
            self.sounds.react(self.game.events, self.game.frightened)
            if self.game.game_over:
                self._game_ended(self.game)

    def _game_ended(self, game: Any) -> None:
        """A player's game is over: into the high-score table (kept in the state directory)."""
        try:
            self.high_scores.add(game.score, game.level)  # saved atomically if it qualifies
        except OSError as err:
            log.warning("could not save the high scores: %s", err)
        renderer = getattr(self.screen, "renderer", None)
        if renderer is not None:
            renderer.high_score = self.high_scores.best

    def _do(self, actions: list[Action], now: float) -> None:
        for action in actions:
            if action.do is Do.BEGIN_BURST:
                with self.store_lock:
                    self.store.begin_burst()
                    self._need_thumbnail = action.name not in self.store.thumbnails
                self._recording = action.name
            elif action.do is Do.END_BURST:
                self._recording = None
                self._dirty = True
                self._save_request.set()
            elif action.do is Do.START_TRAINING:
                self._start_training()
            elif action.do is Do.CANCEL_TRAINING:
                self._cancel_training.set()
            elif action.do is Do.NEW_GAME:
                self.game = self.make_game()
                self._reset_smoother = True
                self.sounds.play("start")
            elif action.do is Do.CLEAR_SAMPLES:
                with self.store_lock:
                    self.store.clear()
                self._dirty = True
                self._save_request.set()
            elif action.do is Do.START_ATTRACT:
                self.attract_game = self.make_game()
            elif action.do is Do.STOP_ATTRACT:
                self.attract_game = None
        self._playing = self.arcade.state is State.PLAYING and not self.arcade.attract

    # -- the inference thread ----------------------------------------------------------------

    def _infer_loop(self) -> None:
        from edgepac.camera.source import CameraError

        bb = self.backbone
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
            try:
                self._process(frame, bb)
            except Exception as err:  # never let one bad frame kill the thread
                error = f"the model failed on a frame ({type(err).__name__}: {err})"
                if error != self.inference_error:  # once per kind, not 30 times a second
                    log.exception("%s", error)
                self.inference_error = error
            else:
                self.inference_error = None

    def _process(self, frame: Any, bb: Any) -> None:
        t0 = time.monotonic()
        bb.features(frame.image, out=self._q)
        recording = self._recording
        if recording is not None:
            thumb = None
            if self._need_thumbnail:  # the first frame of a class is its picture on the tile
                self._need_thumbnail = False
                thumb = thumbnail(frame.image)
            with self.store_lock:
                self.store.add(recording, self._q, thumbnail=thumb)
        # The head and its smoother are swapped together when training ends: read them once.
        head, smoother, out = self.brain
        name = None
        proba = None
        if head is not None:
            if self._reset_smoother:
                self._reset_smoother = False
                smoother.reset()
            bb.dequantize(self._q, out=self._x)
            proba = head.predict_proba(self._x, out=out)
            name = smoother.update(proba)
        t1 = time.monotonic()
        self.frame = frame
        self.stats.processed += 1
        self.stats.infer_ms.add((t1 - t0) * 1000.0)
        self.stats.recent_frames.add(t1)
        if proba is not None:
            self.prediction = Prediction(
                proba=proba.copy(),
                smoothed=smoother.mean.copy(),
                classes=tuple(smoother.class_names),
                name=name,
                t_capture=frame.t,
                t_request=t1,
                seq=frame.seq,
                truth=frame.truth,
            )
            if self._playing:
                self.stats.latency_ms.add((t1 - frame.t) * 1000.0)
                self.stats.play_frames += 1
                if name is not None and name == frame.truth:
                    self.stats.play_correct += 1
                if smoother.class_names[int(np.argmax(proba))] == frame.truth:
                    self.stats.play_raw_correct += 1

    # -- training ----------------------------------------------------------------------------

    def _start_training(self) -> None:
        with self.store_lock:
            X = self.store.dequantized()
            y = self.store.labels.copy()
            names = list(self.store.class_names)
        self.losses = []
        self.progress = 0.0
        held = len(held_out_split(y, self.cfg.learning.holdout)[1])
        poses = len(np.unique(y))
        self.train_info = (
            f"Learning {poses} poses from {len(y) - held} frames; {held} kept aside to test it"
        )
        self._cancel_training = threading.Event()
        self._training = threading.Thread(
            target=self._train,
            args=(X, y, names, self._cancel_training),
            name="edgepac-training",
            daemon=True,
        )
        self._training.start()

    def _train(
        self, X: np.ndarray, y: np.ndarray, names: list[str], cancel: threading.Event
    ) -> None:
        from edgepac.learning.heads import make_head

        learning = self.cfg.learning
        train, test = held_out_split(y, learning.holdout)
        try:
            head = make_head(learning.head, **learning.hyperparameters())
            batches = batches_in_fit(head, len(train))
            self.total_batches = batches

            def on_batch(epoch: int, batch: int, loss: float) -> None:
                if cancel.is_set():
                    raise _Cancelled
                self.losses.append(float(loss))
                self.progress = min(1.0, len(self.losses) / batches) if batches else 0.0

            head.fit(X[train], y[train], class_names=names, callback=on_batch)
            accuracy = None
            if len(test):
                truth = np.asarray(names)[y[test]]
                accuracy = float(np.mean(np.asarray(head.predict(X[test])) == truth))
            proba = head.predict_proba(X[train[:1]])
            if not np.isfinite(proba).all():
                raise EdgePacError("the model gives NaN: try a lower learning rate")
        except _Cancelled:
            return
        except Exception as err:  # whatever it was, the screen must not wait forever
            why = str(err) if isinstance(err, EdgePacError) else f"{type(err).__name__}: {err}"
            log.warning("training failed: %s", why)
            self._trained.put(TrainingResult(ok=False, accuracy=None, error=why))
            return
        if cancel.is_set():  # BACK came after the last batch: nobody wants this head
            return
        self.progress = 1.0
        try:
            head.save(self.head_path, self.backbone.identity)
        except OSError as err:
            log.warning("could not save the trained head: %s", err)
            self.say(
                f"Could not save the trained model ({err.strerror or err}): it plays, but "
                "will be gone after a restart"
            )
        self.brain = self._brain_for(head)  # one assignment: never half swapped
        self._trained.put(TrainingResult(ok=True, accuracy=accuracy))

    # -- state on disk -----------------------------------------------------------------------

    def _load_head(self) -> Any:
        """The head saved last time, or None with a message saying why it cannot be used."""
        from edgepac.atomic import move_aside
        from edgepac.learning.files import CorruptFile, OtherBackbone
        from edgepac.learning.heads import load_head

        if not self.head_path.exists():
            return None
        try:
            return load_head(self.head_path, self.backbone.identity)
        except OtherBackbone as err:
            # Kept (never overwritten by the next training) for whoever wants it back.
            moved = move_aside(self.head_path, ".other-backbone")
            log.warning("%s; moved it aside to %s", err, moved)
            self.notices.append(
                f"The saved model was trained with another backbone: moved aside to {moved.name}."
                " Press TRAIN to learn again"
            )
        except CorruptFile as err:
            log.warning("%s", err)
            moved = err.moved_to.name if err.moved_to else "*.corrupt"
            self.notices.append(f"The saved model was damaged: moved aside to {moved}")
        except EdgePacError as err:
            log.warning("%s", err)
            self.notices.append(f"The saved model cannot be used: {err}")
        return None

    def _brain_for(self, head: Any) -> tuple[Any, Smoother, np.ndarray]:
        """The head, its smoother and its output buffer: what inference needs, made once."""
        names = list(head.classes_) if head is not None else list(self.class_names)
        play = self.cfg.play
        smoother = Smoother(
            names, frames=play.smoothing_frames, threshold=play.confidence_threshold
        )
        return head, smoother, np.empty(len(names), dtype=np.float32)

    def _save_loop(self) -> None:
        while not self._stop.is_set():
            self._save_request.wait()
            if self._stop.is_set():
                return
            self._save_request.clear()
            self._save_now()

    def _save_now(self) -> None:
        try:
            with self.store_lock:
                if not self._dirty:
                    return
                self._dirty = False
                self.store.save(self.samples_path)
        except OSError as err:
            log.warning("could not save the samples: %s", err)
            self.say(
                f"Could not save the samples ({err.strerror or err}); check the state "
                f"directory {self.state_dir}"
            )

    # -- figures -----------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        s = self.stats
        elapsed = max(1e-9, time.monotonic() - self.started)
        dropped = int(getattr(self.source, "dropped", 0))
        return {
            "frames": s.processed,
            "fps": s.processed / elapsed,
            "dropped": dropped,
            "latency_ms_p50": s.latency_ms.percentile(50),
            "latency_ms_p95": s.latency_ms.percentile(95),
            "tick_latency_ms_p95": s.tick_latency_ms.percentile(95),
            "infer_ms_p50": s.infer_ms.percentile(50),
            "play_frames": s.play_frames,
            "accuracy": s.play_correct / s.play_frames if s.play_frames else None,
            "raw_accuracy": s.play_raw_correct / s.play_frames if s.play_frames else None,
            "rss_mb": peak_rss_mb(),
        }


# -- small helpers, pure ---------------------------------------------------------------------


def thumbnail(image: np.ndarray, side: int = THUMB) -> np.ndarray:
    """The centre square the model sees, shrunk to ``side`` pixels (nearest neighbour)."""
    h, w = image.shape[:2]
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    idx = (np.arange(side) * s) // side
    return np.ascontiguousarray(image[y0 + idx[:, None], x0 + idx[None, :]])
