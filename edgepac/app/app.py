"""The arcade running: the main thread and the owners it wires together.

    camera thread (the FrameSource's own) ──▶ one-slot LatestFrame (stale frames dropped)
    inference thread (inference.py): features ─▶ recorder ─▶ head ─▶ smoothing ─▶ prediction
    saver thread (recorder.py): writes each burst's new frames (a segment), from a snapshot
    training threads (trainer.py): one run at a time, numbered; losses for the curve
    model watcher (here): only while there is no model, looks for one every few seconds
    main thread (here): pygame events and buttons ─▶ Arcade rules ─▶ actions for the owners
                        ─▶ game ticks as the clock says ─▶ a View ─▶ Screen.draw, 60 times a second

Each piece of shared state has one owner, the only thread that writes it (see the app section
of docs/ARCHITECTURE.md); the others read what it publishes, swapped whole. The main thread
never waits on slow work: it writes no file and copies no samples; the one lock it takes (the
recorder's, on a button press or release) is never held longer than one memory copy.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app import view as v
from edgepac.app.arcade import Action, Arcade, Do, Event, Kind, State
from edgepac.app.clock import FramePacer
from edgepac.app.games import Games
from edgepac.app.inference import Inference, Prediction
from edgepac.app.lights import Lights
from edgepac.app.recorder import Recorder, thumbnail
from edgepac.app.snapshot import Snapshots
from edgepac.app.stats import Stats, peak_rss_mb
from edgepac.app.trainer import Trainer, load_saved_head
from edgepac.app.training import give_back_big_arrays, limit_blas_threads
from edgepac.errors import EdgePacError
from edgepac.export.controller import EXPORT_NAME, exporter
from edgepac.poses import POSES

__all__ = ["App", "Prediction", "thumbnail"]

log = logging.getLogger(__name__)

FPS = 60
SWITCH_INTERVAL_S = 0.001  # see start()
MODEL_POLL_S = 3.0  # how often a kiosk without a model looks for one


class App:
    """The whole arcade. Build it from parts (``build.build_app`` does it from config).

    ``source``: a started-or-not FrameSource; ``backbone``: a vision Backbone, or None when
    there is no model (``model_problem`` says why, ``find_backbone()`` is asked again every few
    seconds off the main thread); ``make_game()`` a new Game; ``autopilot`` a game Controller
    for attract mode; ``clock`` the monotonic clock the main loop reads (a test may fake it).
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
        class_names: tuple[str, ...] = POSES,
        button_names: dict[str, str] | None = None,
        draw: bool = True,
        sound: bool = False,
        model_problem: str | None = None,
        find_backbone: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        heads_for: Callable[[Any], tuple[Any, Any]] | None = None,
        model_label: str | None = None,
    ) -> None:
        from edgepac.game.direction import Direction
        from edgepac.game.highscores import HighScores

        give_back_big_arrays()  # before the samples are loaded
        self.cfg = cfg
        self.source = source
        self.state_dir = Path(state_dir)
        self.class_names = class_names
        self.button_names = button_names or {}
        # ``screen_size`` is the panel's; the pages lay out for the picture, turned by rotate.
        self.rotate = int(cfg.display.rotate)
        w, h = screen_size
        self.screen_size = (h, w) if self.rotate in (90, 270) else (w, h)
        self.fullscreen = fullscreen
        self.draw_enabled = draw
        self.sound_enabled = sound
        self.clock = clock
        # The arrows pose the demo player when it is the camera.
        self.pose_keys = hasattr(source, "pose") and hasattr(source, "painter")
        self._renderer_factory = renderer_factory
        self._directions = {d.value: d for d in Direction}

        self.arcade = Arcade(
            class_names,
            attract_after_s=float(cfg.screen.attract_after_s),
            new_visitor=cfg.play.new_visitor,
            countdown_s=float(cfg.collect.countdown_s),
            burst_s=float(cfg.collect.burst_s),
        )
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._messages: queue.SimpleQueue[str] = queue.SimpleQueue()  # from other threads
        self.stats = Stats()
        self.show_fps = bool(cfg.screen.show_fps)
        self.notices: list[str] = []  # things said at start (corrupt files, refused head)
        self.head_path = self.state_dir / "head.npz"
        self.export_path = self.state_dir / EXPORT_NAME  # learning.export's controller.zip
        # A model made elsewhere (Teachable Machine): ``heads_for(backbone)`` gives the head that
        # plays until one is trained here and the one each TRAIN refines (its classes ours),
        # either may be None; the screens name it (``model_label``).
        self._heads_for = heads_for
        self._start_head: Any = None
        self.model_label = model_label
        self.trained_accuracy: float | None = None  # of the head in use, when measured

        # The owners (see the module docstring); the recorder and trainer need a backbone.
        self.recorder: Recorder | None = None
        self.trainer: Trainer | None = None
        self.inference = Inference(source, None, None, cfg.play, self.stats)
        self.model_problem = model_problem if backbone is None else None
        self._find_backbone = find_backbone
        self._found: queue.SimpleQueue[Any] = queue.SimpleQueue()  # from the model watcher
        self.backbone: Any = None
        if backbone is not None:
            self._use_backbone(backbone)
        self.arcade.has_backbone = backbone is not None
        self.games = Games(make_game, autopilot, HighScores(self.state_dir / "highscores.json"))
        self.keys_steer = None  # an ArrowKeys: arrows steer when there is no model

        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._chores: list[threading.Thread] = []  # short file jobs, finished before exit
        self.surface: Any = None
        self.lights = Lights()  # the buttons' LEDs
        self.buttons: list[Any] = []  # polled each frame: ``poll() -> list of control events``
        self.screen: Any = None
        self.presenter: Any = None
        self.keyboard: Any = None
        self.touch: Any = None
        self._touch_events: frozenset[int] = frozenset()
        self.touch_found = False  # Linux reported a touchscreen when the screen opened
        self.fps_meter: Any = None  # pygame's Clock, once the screen is open
        self.running = False
        self._quit = False
        self.started = self.clock()
        self._last_frame: float | None = None
        self._last_request_seq = -1
        self._switch_interval: float | None = None
        self._snapshots = Snapshots()
        now = self.clock()
        for notice in self.notices:
            self.arcade.say(notice, now, seconds=8.0)

    def _use_backbone(self, backbone: Any) -> None:
        """Load what was saved for this backbone and give the owners their parts."""
        from edgepac.learning.folder import open_store

        store, folder = open_store(
            self.state_dir,
            backbone.feature_shape,
            scale=backbone.scale,
            zero_point=backbone.zero_point,
            identity=backbone.identity,
            class_names=self.class_names,
        )
        if store.notice:
            self.notices.append(store.notice)
        recorder = Recorder(store, folder, self.cfg.store.max_mb)
        export = None
        if self.cfg.learning.export:  # the player's controller, to take anywhere
            export = exporter(backbone, self.export_path)
        trainer = Trainer(self.cfg.learning, recorder, backbone.identity, self.head_path, export)
        head, notice = load_saved_head(self.head_path, backbone.identity)
        if notice:
            self.notices.append(notice)
        if self._heads_for is not None:
            self._start_head, trainer.base_head = self._heads_for(backbone)
        if head is None:
            head = self._start_head
        self.backbone = backbone
        self.recorder, self.trainer = recorder, trainer
        self.inference.use_head(head)
        self.inference.use_backbone(backbone, recorder)
        self.arcade.has_head = head is not None
        self.arcade.has_backbone = True
        self.arcade.counts = recorder.counts

    # -- what other code reads -------------------------------------------------------------------

    @property
    def head(self) -> Any:
        """The trained head in use, or None."""
        return self.inference.head

    @property
    def frame(self) -> Any:
        """The newest camera frame processed."""
        return self.inference.frame

    @property
    def game(self) -> Any:
        return self.games.game

    @property
    def attract_game(self) -> Any:
        return self.games.attract_game

    # -- start and stop ----------------------------------------------------------------------

    def physical_size(self) -> tuple[int, int]:
        """The window or display to open (``screen_size`` is the picture's: turned at 90/270)."""
        w, h = self.screen_size
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def start(self) -> App:
        import pygame

        from edgepac.app.present import Presenter
        from edgepac.app.screens import Screen
        from edgepac.controls.doctor import has_touchscreen
        from edgepac.controls.touch import TOUCH_EVENTS, TouchControls

        flags = pygame.FULLSCREEN if self.fullscreen else 0
        try:
            pygame.display.init()
            pygame.font.init()
            display = pygame.display.set_mode(self.physical_size(), flags)
        except pygame.error as err:
            raise EdgePacError(
                f"cannot open the screen ({err}); run `edgepac doctor` to see which SDL video "
                "drivers work here, or use --headless"
            ) from None
        # The pages draw the picture unturned; display.rotate turns it (and the touches).
        self.presenter = Presenter(display, self.rotate)
        self.surface = self.presenter.surface
        self.screen_size = self.presenter.size
        pygame.display.set_caption("EdgePac")
        # A kiosk hides the cursor; touch does not need it (SDL's finger events come anyway).
        pygame.mouse.set_visible(not self.fullscreen)
        self.touch = TouchControls(self.presenter.rotation, clock=self.clock)
        self.touch_found = has_touchscreen()
        self._touch_events = TOUCH_EVENTS
        renderer = self._renderer_factory(self.screen_size) if self._renderer_factory else None
        self.screen = Screen(self.screen_size, renderer, self.class_names, self.button_names)
        from edgepac.controls.keyboard import KeyboardControls
        from edgepac.game.controllers import ArrowKeys
        from edgepac.game.sound import Sounds

        # The game's own synthesised effects, for the player's games (attract mode is silent).
        self.games.sounds = Sounds(enabled=self.sound_enabled)
        self.keyboard = KeyboardControls()
        self.keys_steer = ArrowKeys()
        self.fps_meter = pygame.time.Clock()  # measures the screen's fps for the overlay
        self.pacer = FramePacer(FPS, self.clock, time.sleep)
        # The main thread runs Python most of the time; by default a thread waiting for the GIL
        # may wait 5 ms for it. Inference is the latency that matters: let it in sooner.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        limit_blas_threads(1)
        self.source.start()
        self._stop.clear()
        self.inference.start()
        if self.recorder is not None:
            self.recorder.start()
        elif self._find_backbone is not None:
            t = threading.Thread(target=self._watch_for_model, name="edgepac-model", daemon=True)
            t.start()
            self._threads.append(t)
        # Everything made so far (modules, pygame, the model, the game) lives as long as the app:
        # out of the collector's way, a full collection no longer scans it (one took 220 ms of
        # a frame on a busy machine).
        gc.collect()
        gc.freeze()
        self.running = not self._quit  # a SIGTERM that came while starting still counts
        self.started = self.clock()
        # A boot is a new sitting: a returning player with a trained model is welcomed back.
        self._do(self.arcade.sitting(self.started), self.started)
        return self

    def stop(self) -> None:
        self.running = False
        self._stop.set()
        if self.trainer is not None:
            self.trainer.stop()
        self.inference.stop()
        with contextlib.suppress(Exception):
            self.source.stop()
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()
        if self.recorder is not None:
            self.recorder.stop()  # and saves whatever the last burst added
        self.games.stop()
        for chore in self._chores:
            chore.join(timeout=5)
        self._chores.clear()
        gc.unfreeze()
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def __enter__(self) -> App:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- input from any thread ---------------------------------------------------------------

    def post(self, event: Event) -> None:
        """Thread-safe: buttons (gpiozero's threads), keys and scripts call this."""
        self.events.put(event)

    def quit(self) -> None:
        """Thread- and signal-safe: the main loop ends after this frame (then ``stop()``)."""
        self._quit = True
        self.running = False

    def say(self, text: str) -> None:
        """Thread-safe: put a passing message on the screen (the main thread shows it)."""
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
        self.lights.attach(buttons)

    # -- the main thread ---------------------------------------------------------------------

    def run(self, seconds: float | None = None, until: Callable[[App], bool] | None = None) -> None:
        """The main loop at 60 fps until the window closes, ``seconds`` pass or ``until``."""
        end = None if seconds is None else self.clock() + seconds
        while self.running:
            self.step()
            if until is not None and until(self):
                return
            if end is not None and self.clock() >= end:
                return

    def step(self) -> None:
        """One frame of the main thread: input, rules, the game's due ticks, drawing."""
        import pygame

        now = self.clock()
        if self._last_frame is not None:
            self.stats.frame_ms.add((now - self._last_frame) * 1000.0)
        self._last_frame = now
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self.running = False
            else:
                self.on_pygame_event(ev)
        for buttons in self.buttons:
            for ev in buttons.poll():
                self.post_control(ev)
        self._take_reports(now)
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            self._do(self.arcade.handle(event, now), now)
        self._do(self.arcade.tick(now), now)
        self._tick_games(now)
        self._light()
        if self.draw_enabled:
            self.screen.draw(self.surface, self.view(now))
            self.presenter.present()
            pygame.display.flip()
        self.fps_meter.tick()
        self.pacer.wait()

    def _take_reports(self, now: float) -> None:
        """What the other threads finished since the last frame."""
        while True:
            try:
                self.arcade.say(self._messages.get_nowait(), now, seconds=8.0)
            except queue.Empty:
                break
        while True:
            try:
                backbone = self._found.get_nowait()
            except queue.Empty:
                break
            self._use_backbone(backbone)
            self.model_problem = None
            self.recorder.start()
            self.arcade.say("The camera model is here: hold a pose's button to teach it", now)
            # The samples and model just loaded are an earlier sitting's: what is recorded from
            # now on is a new session, and a returning player is welcomed back (unless a game
            # or attract mode is on: then the sitting only begins its session).
            arcade = self.arcade
            if arcade.state is State.COLLECT and not arcade.attract and not arcade.in_game:
                self._do(arcade.sitting(now), now)
            else:
                self.recorder.new_session()
        trainer = self.trainer
        if trainer is not None:
            for done in trainer.finished():
                if done.result.ok and self.arcade.training_running:
                    self.inference.use_head(done.head)  # one assignment: never half swapped
                    self.trained_accuracy = done.result.accuracy
                self.arcade.training_finished(done.result, now)
        if self.recorder is not None:
            self.arcade.counts = self.recorder.counts  # swapped whole by the recorder

    def _light(self) -> None:
        pred = self.inference.prediction if self.head is not None else None
        self.lights.show(pred.name if pred is not None else None, self.arcade.recording is not None)

    def on_pygame_event(self, ev: Any) -> None:
        """The keyboard (the controls area's mapping: arrows held to record, T train, P play,
        Esc back, C clear, F the overlay), plus Q to quit.

        With the demo player as the camera, the arrows also set its pose (held: it poses while
        you record; in a game: it keeps the last pose, and the model must read it from the
        picture to steer). Without a model the arrows steer Pac-Man themselves. With a real
        camera, an arrow held in a game teaches its pose there, as a pose button does.
        """
        import pygame

        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_q:
            self.running = False
            return
        if ev.type in self._touch_events:
            # A target on the screen acts exactly like its physical button.
            for control in self.touch.handle(ev, self.targets()):
                self.post_control(control)
            if ev.type != pygame.WINDOWFOCUSLOST:  # the keyboard lets go of its keys too
                return
        in_game = (
            self.arcade.state is State.PLAYING
            and not self.arcade.attract
            and self.arcade.initials is None
        )
        if in_game and self.backbone is None and self.keys_steer.handle_event(ev):
            self.arcade.active(self.clock())  # someone is steering: not idle
        for control in self.keyboard.handle(ev):
            name = control.name
            if name is not None and in_game and (self.pose_keys or self.backbone is None):
                if self.pose_keys and control.kind is Kind.HOLD:
                    self.source.pose = name
                continue  # the arrows pose the demo player (or steer): not the buttons
            # Otherwise an arrow held in a game is a pose button: it teaches that pose there.
            if name is not None and self.pose_keys and control.kind is Kind.HOLD:
                self.source.pose = name
            self.post_control(control)

    @property
    def touchscreen(self) -> bool:
        """The screen takes touches: Linux reported a touchscreen, or a finger has touched it
        (the pages then name the screen's tiles and buttons in their hints)."""
        return self.touch_found or (self.touch is not None and self.touch.fingers > 0)

    def targets(self) -> dict[str, Any]:
        """The on-screen buttons as last drawn (name -> rect on the logical surface)."""
        return getattr(self.screen, "targets", None) or {}

    def _tick_games(self, now: float) -> None:
        arcade = self.arcade
        # A pose being taught in the game holds it (and its clock) until the button comes up.
        playing = arcade.state is State.PLAYING and not arcade.attract and not arcade.game_paused
        self.inference.playing = playing
        request = None
        if playing and self.backbone is None:
            request = self.keys_steer.request(self.games.game)
        elif playing:
            pred = self.inference.prediction if self.head is not None else None
            if pred is not None:
                arcade.seen(pred.sure, now)  # unsure for long: suggest a refresh
                request = self._directions.get(pred.name) if pred.name else None
                if pred.seq != self._last_request_seq:
                    self._last_request_seq = pred.seq
                    self.stats.tick_latency_ms.add((now - pred.t_capture) * 1000.0)
            if request is not None and request != self.games.request:
                arcade.active(now)  # someone is steering: not idle
        ended = self.games.tick(now, attract=arcade.attract, playing=playing, request=request)
        if ended:
            game = self.games.game
            qualifies = self.games.high_scores.qualifies(game.score)
            self._do(arcade.game_over(game.score, game.level, qualifies, now), now)

    def _do(self, actions: list[Action], now: float) -> None:
        recorder, trainer = self.recorder, self.trainer
        for action in actions:
            if action.do is Do.BEGIN_BURST and recorder is not None:
                recorder.begin(action.name)
            elif action.do is Do.END_BURST and recorder is not None:
                recorder.end()
            elif action.do is Do.DROP_BURST and recorder is not None:
                recorder.drop()
            elif action.do is Do.START_TRAINING and trainer is not None:
                trainer.start()
            elif action.do is Do.START_REFRESH and trainer is not None:
                trainer.start(warm_from=self.inference.head)  # a few epochs from it, on a copy
            elif action.do is Do.NEW_SESSION and recorder is not None:
                recorder.new_session()
            elif action.do is Do.CANCEL_TRAINING and trainer is not None:
                trainer.cancel()
            elif action.do is Do.NEW_GAME:
                self.games.new_game()
                self.inference.reset_smoothing()
            elif action.do in (Do.CLEAR_SAMPLES, Do.FORGET_VISITOR):
                self._forget(now)
            elif action.do is Do.START_ATTRACT:
                self.games.start_attract()
            elif action.do is Do.STOP_ATTRACT:
                self.games.stop_attract()
            elif action.do is Do.SAVE_SCORE:
                self.games.save_score(action.score, action.level, action.name or "")

    def _forget(self, now: float) -> None:
        """The samples and the model they made go (a clear, or the next visitor's fresh start)."""
        if self.recorder is not None:
            self.recorder.clear()
        self.inference.use_head(self._start_head)  # a Teachable Machine model plays again
        self.arcade.has_head = self._start_head is not None
        self.arcade.cleared = self.arcade.cleared and self._start_head is None
        self.trained_accuracy = None
        made = (self.head_path, self.export_path)  # the model, and its export if any

        def remove() -> None:  # a file operation: not on the main thread
            for path in made:
                try:
                    path.unlink(missing_ok=True)
                except OSError as err:
                    log.warning("could not remove %s: %s", path, err)

        chore = threading.Thread(target=remove, name="edgepac-forget", daemon=True)
        chore.start()
        self._chores = [t for t in self._chores if t.is_alive()] + [chore]

    # -- what the screen shows ---------------------------------------------------------------

    def view(self, now: float | None = None) -> v.View:
        """One frame's snapshot for ``Screen.draw`` (see ``snapshot.py``)."""
        return self._snapshots.build(self, self.clock() if now is None else now)

    # -- without a model ---------------------------------------------------------------------

    def _watch_for_model(self) -> None:
        """Off the main thread: look for a model every few seconds until one loads."""
        while not self._stop.wait(MODEL_POLL_S):
            try:
                backbone = self._find_backbone()
            except EdgePacError as err:
                self.model_problem = str(err)
                continue
            except Exception as err:  # a half-copied file, say: try again later
                log.warning("the model could not be loaded yet: %s", err)
                continue
            if backbone is not None:
                self._found.put(backbone)
                return

    # -- figures -----------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        s = self.stats
        elapsed = max(1e-9, self.clock() - self.started)
        dropped = int(getattr(self.source, "dropped", 0))
        frames = s.frame_ms.recent()
        return {
            "frames": s.processed,
            "fps": s.processed / elapsed,
            "dropped": dropped,
            "latency_ms_p50": s.latency_ms.percentile(50),
            "latency_ms_p95": s.latency_ms.percentile(95),
            "tick_latency_ms_p95": s.tick_latency_ms.percentile(95),
            "frame_age_ms_p50": s.frame_age_ms.percentile(50),
            "frame_age_ms_p95": s.frame_age_ms.percentile(95),
            "infer_ms_p50": s.infer_ms.percentile(50),
            "play_frames": s.play_frames,
            "accuracy": s.play_correct / s.play_frames if s.play_frames else None,
            "raw_accuracy": s.play_raw_correct / s.play_frames if s.play_frames else None,
            **s.steering.figures(),
            "smoothing": self.cfg.play.smoothing,
            "rss_mb": peak_rss_mb(),
            "frame_ms_p99": s.frame_ms.percentile(99),
            "frame_ms_max": float(np.max(frames)) if len(frames) else None,
            "game_ticks_per_s": self.games.ticks_per_s(),
            "touches": self.touch.presses if self.touch is not None else 0,
        }
