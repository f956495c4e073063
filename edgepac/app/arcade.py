"""The arcade's rules: what each button does in each state. Pure logic, no I/O, no clock of its own.

    COLLECT ──TRAIN (two classes or more)──▶ TRAINING ──done, PLAY──▶ PLAYING
       ▲  ◀──────── BACK / a class button after a game over (to record more) ──┘
       └── idle for attract_after_s: the autopilot plays (attract) until any button
    a game over with a score for the table: NEW HIGH SCORE, initials entered with the buttons

A returning player (the kiosk keeps samples and model across restarts, but the light and the
camera have moved since): a new sitting (``sitting()`` at boot, or the end of attract mode)
with a trained model begins in WELCOME, "hold each button for a second to refresh". Those
bursts are the new session; once every pose has had its second (or PLAY, which skips), the
model refreshes in the background from the one that plays while the game starts. In a game,
holding a class button teaches that pose on the spot: the game pauses while it is held, and
on release a refresh starts and play resumes. A game whose smoothed guess stays unsure for
``UNSURE_S`` suggests such a refresh.

Hands-free recording: a short press of a pose's button (under ``TAP_S``) in COLLECT or WELCOME
starts a timed burst, as Teachable Machine's "hold to record" off does: ``countdown_s`` to step
back and pose, then ``burst_s`` of recording, begun and ended by ``tick`` as a held button's
would be. A pose's button pressed again (any pose's) cancels it, and so do TRAIN, PLAY, BACK and
CLEAR (which then only cancel). The tap's own few frames are dropped: they were no pose.

The machine never touches the camera, the store or the screen: ``handle(event, now)`` returns
the actions the app must carry out (begin a burst, start training, a new game...), and the app
tells it the facts it needs (``counts``, ``has_head``, ``training_finished``). That keeps every
rule testable in microseconds, and keeps the threads in ``app.py``.

Six buttons are all a kiosk has (four classes, TRAIN, PLAY), so every state can be left with
them: a class button in PLAYING goes back to recording, TRAIN retrains, and a clear is confirmed
with TRAIN and cancelled with PLAY. BACK (Esc on a keyboard) is a shortcut, never required.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edgepac.controls.events import Event, Kind

# The player's events are the controls' own (buttons and keys both make them); re-exported here.
from edgepac.poses import POSES

__all__ = ["Action", "Arcade", "Do", "Event", "Kind", "State", "TrainingResult"]

MESSAGE_S = 4.0  # how long a message stays on screen
CONFIRM_S = 10.0  # an unanswered "clear everything?" is a no
# A second of a pose is ~10-30 frames: the top-up benchmark's 10 frames a pose from the new
# session took a first session's head from ~0.65 to 0.97 on it.
REFRESH_HOLD_S = 1.0
TAP_S = 0.3  # a press shorter than this is a tap: it starts a timed burst
UNSURE_S = 5.0  # a game this long without a confident guess suggests a refresh
# Guided presses: COLLECT asks for a few short presses a pose, each posed a little differently
# (issue 20: the same 50 frames as 5 presses instead of 2 raised the hard poses' ceiling).
PRESS_GOAL = 3
PRESS_HINTS = ("AS YOU WOULD PLAY", "A BIT CLOSER", "A BIT TO THE SIDE")
SURE_S = 1.0  # the suggestion goes after this long sure again (not on one lucky frame)


class State(enum.Enum):
    COLLECT = "collect"
    TRAINING = "training"
    PLAYING = "playing"
    WELCOME = "welcome"  # a returning player: hold each button for a second to refresh


class Do(enum.Enum):
    """What the app must do as a result of an event."""

    BEGIN_BURST = "begin_burst"  # start recording ``name``: one sample per processed frame
    END_BURST = "end_burst"  # stop recording; save the samples
    DROP_BURST = "drop_burst"  # stop recording and forget the frames: a tap was no pose
    START_TRAINING = "start_training"
    CANCEL_TRAINING = "cancel_training"
    NEW_GAME = "new_game"
    CLEAR_SAMPLES = "clear_samples"
    START_ATTRACT = "start_attract"  # the autopilot takes over the screen
    STOP_ATTRACT = "stop_attract"
    FORGET_VISITOR = "forget_visitor"  # clear the samples and the model for the next visitor
    SAVE_SCORE = "save_score"  # into the high-score table, ``name`` = the initials
    NEW_SESSION = "new_session"  # a new sitting: the bursts that follow are its own
    START_REFRESH = "start_refresh"  # train in the background from the head that plays


@dataclass(frozen=True)
class Action:
    do: Do
    name: str | None = None
    score: int = 0  # SAVE_SCORE: the score and level being signed
    level: int = 0


@dataclass
class TrainingResult:
    ok: bool
    accuracy: float | None  # held-out accuracy, None when there were too few samples to hold out
    error: str | None = None
    run: int = 0  # which TRAIN press this answers (the trainer numbers them)
    coaching: Any = None  # learning.coach.Coaching of the held-out frames (ok runs)


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
INITIALS = 3
INITIALS_S = 30.0  # an abandoned entry is saved as it stands, like an arcade cabinet does


@dataclass
class InitialsEntry:
    """A NEW HIGH SCORE being signed: UP/DOWN change the letter, LEFT/RIGHT move, PLAY or TRAIN
    (or RIGHT past the last letter) saves it."""

    score: int
    level: int
    letters: list[int] = field(default_factory=lambda: [0] * INITIALS)
    cursor: int = 0
    until: float = 0.0

    @property
    def text(self) -> str:
        return "".join(LETTERS[i] for i in self.letters)


@dataclass
class Greeting:
    """A returning player's greeting: the poses the model knows, and those held long enough."""

    poses: tuple[str, ...]
    done: set[str] = field(default_factory=set)
    recorded: bool = False  # a burst went into the new session (PLAY then refreshes with it)

    @property
    def complete(self) -> bool:
        return set(self.poses) <= self.done


@dataclass
class Timed:
    """A hands-free burst: counting down ("wait"), then recording ("record") until ``until``."""

    pose: str
    phase: str  # "wait" or "record"
    until: float  # when this phase ends


@dataclass
class Message:
    text: str
    until: float


@dataclass
class Arcade:
    """The state machine. Times are seconds on any monotonic clock the caller chooses."""

    class_names: Sequence[str] = POSES
    attract_after_s: float = 60.0  # 0 turns attract mode off
    new_visitor: str = "forget"  # play.new_visitor: what attract mode does to the last samples
    countdown_s: float = 2.0  # collect.countdown_s: a tap's wait before its timed burst records
    burst_s: float = 2.0  # collect.burst_s: how long a timed burst records; 0 = taps do not
    state: State = State.COLLECT
    recording: str | None = None  # the class being recorded while its button is held
    training_running: bool = False
    result: TrainingResult | None = None
    confirming_clear: bool = False
    attract: bool = False
    # Facts the app keeps up to date.
    counts: dict[str, int] = field(default_factory=dict)
    has_head: bool = False
    # The head was trained before the samples last changed: it plays, but says so.
    out_of_date: bool = False
    # Samples were cleared after a head was trained: that head is gone too (never plays).
    cleared: bool = False
    initials: InitialsEntry | None = None  # a NEW HIGH SCORE is being signed
    # False while there is no camera model: nothing to record or train, the keys steer instead.
    has_backbone: bool = True
    welcome: Greeting | None = None  # WELCOME's progress
    refreshing: bool = False  # the running training is a refresh: the game goes on meanwhile
    in_game: bool = False  # the player's game is on (not over): a class button teaches in it
    suggest_refresh: bool = False  # the model has been unsure in this game for UNSURE_S
    # The coach's weak poses since the last training: one press of one teaches it and retrains.
    weak: set[str] = field(default_factory=set)
    timed: Timed | None = None  # a hands-free burst counting down or recording
    # Private bookkeeping.
    message: Message | None = None
    confirm_until: float = 0.0
    _last_activity: float | None = None
    _held_since: float = 0.0  # when the button being recorded went down
    _unsure_since: float | None = None
    _sure_since: float | None = None
    _swallow: str | None = None  # the press that cancelled a timed burst: its release does nothing

    # -- what the player did ------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Action]:
        self._last_activity = now
        if self.attract:
            return self._leave_attract(event, now)
        if self.initials is not None:
            return self._sign(event, now)
        if self.confirming_clear:
            return self._answer_clear(event, now)
        if self.timed is not None and event.kind is not Kind.RELEASE:
            return self._cancel_timed(event, now)
        if event.kind is Kind.RELEASE and event.name is not None and event.name == self._swallow:
            self._swallow = None
            return []
        if event.kind is Kind.HOLD:
            return self._hold(event.name, now)
        if event.kind is Kind.RELEASE:
            return self._release(event.name, now)
        if self.recording is not None:
            self.say(f"Let go of {self.recording.upper()} first", now)
            return []
        if self.state is State.WELCOME and event.kind is Kind.PLAY:
            return self._skip_welcome(now)
        if self.state is State.WELCOME and event.kind is not Kind.CLEAR:
            self.welcome = None  # TRAIN learns afresh, BACK goes to the teaching screen
            self.state = State.COLLECT
        if event.kind is Kind.TRAIN:
            return self._train(now)
        if event.kind is Kind.PLAY:
            return self._play(now)
        if event.kind is Kind.BACK:
            return self._back(now)
        if event.kind is Kind.CLEAR:
            return self._ask_clear(now)
        return []

    def _hold(self, name: str | None, now: float) -> list[Action]:
        self._swallow = None  # pressed again: that release is this press's
        if name not in self.class_names:
            return []
        if not self.has_backbone:
            return []  # nothing can record yet; the screen says how to get a model
        if self.recording is not None:
            if name != self.recording:  # two class buttons at once: keep the first
                self.say(f"One pose at a time: still recording {self.recording.upper()}", now)
            return []
        if self.state is State.TRAINING and self.training_running:
            self.say("Wait for training to finish, or press BACK to stop it", now)
            return []
        self.recording = name
        self._held_since = now
        if self.state is State.WELCOME or (self.state is State.PLAYING and self.teaches_in_game):
            return [Action(Do.BEGIN_BURST, name)]  # the game (if any) pauses while it is held
        # From a game over or a finished TRAINING, a class button means "record more".
        self.state = State.COLLECT
        self.result = None
        self.in_game = False
        return [Action(Do.BEGIN_BURST, name)]

    def _release(self, name: str | None, now: float) -> list[Action]:
        if name is None or name != self.recording or self.timed is not None:
            return []  # the release of an ignored press, or a bounce
        if now - self._held_since < TAP_S and self._taps_record:
            self.recording = None
            self.timed = Timed(name, "wait", now + self.countdown_s)
            if self.has_head:
                self.out_of_date = True
            if self.welcome is not None and self.state is State.WELCOME:
                self.welcome.recorded = True
            return [Action(Do.DROP_BURST, name), *self._tick_timed(now)]
        return self._end_recording(name, now)

    @property
    def _taps_record(self) -> bool:
        """A tap starts a timed burst here (not in a game: there a press pauses it while held)."""
        return self.burst_s > 0 and self.state in (State.COLLECT, State.WELCOME)

    def _tick_timed(self, now: float) -> list[Action]:
        """The timed burst's clock: the countdown ends in recording, the recording in a release."""
        timed = self.timed
        if timed is None or now < timed.until:
            return []
        self._last_activity = now  # someone is posing out there: no attract mode
        if timed.phase == "wait":
            timed.phase, timed.until = "record", now + self.burst_s
            self.recording = timed.pose
            self._held_since = now
            return [Action(Do.BEGIN_BURST, timed.pose)]
        self.timed = None
        return self._end_recording(timed.pose, now)

    def _cancel_timed(self, event: Event, now: float) -> list[Action]:
        """A press during a timed burst stops it (the frames it took are kept), and does no more."""
        timed = self.timed
        assert timed is not None
        self.timed = None
        if event.kind is Kind.HOLD:
            self._swallow = event.name
        self.say(f"{timed.pose.upper()} stopped", now)
        if timed.phase != "record":
            return []
        self.recording = None
        return [Action(Do.END_BURST, timed.pose)]

    def countdown(self, now: float) -> tuple[str, str, float] | None:
        """The timed burst on screen: (pose, "wait" or "record", seconds left of that phase)."""
        timed = self.timed
        if timed is None:
            return None
        return timed.pose, timed.phase, max(0.0, timed.until - now)

    def _end_recording(self, name: str, now: float) -> list[Action]:
        """The recording of ``name`` ends (its button came up, or its timed burst is over)."""
        self.recording = None
        if self.has_head:
            self.out_of_date = True  # the head has not seen these samples
        actions = [Action(Do.END_BURST, name)]
        if self.state is State.WELCOME and self.welcome is not None:
            self.welcome.recorded = True
            if now - self._held_since >= REFRESH_HOLD_S:
                self.welcome.done.add(name)
            else:
                self.say(f"Hold {name.upper()} a little longer: a second or so", now)
            if self.welcome.complete:
                actions += self._refresh(now) + self._start_game()
        elif self.state is State.PLAYING and self.in_game:
            actions += self._refresh(now)  # taught in the game: it resumes at once
        elif self.state is State.COLLECT and name in self.weak:
            self.weak.discard(name)  # the coach asked for this one: learn it at once
            actions += self._train(now)
        return actions

    @property
    def teaches_in_game(self) -> bool:
        """A class button in this game teaches its pose without leaving the game."""
        return self.in_game and self.has_head

    @property
    def game_paused(self) -> bool:
        """The player's game waits while a pose is being taught in it."""
        return self.state is State.PLAYING and self.in_game and self.recording is not None

    # -- a returning player --------------------------------------------------------------------

    def sitting(self, now: float) -> list[Action]:
        """A new sitting begins (the kiosk booted, or attract mode ended): a new session, and a
        player with a trained model is welcomed back to refresh it."""
        self._last_activity = now
        actions = [Action(Do.NEW_SESSION)]
        poses = tuple(c for c in self.class_names if self.counts.get(c, 0) > 0)
        if self.has_head and self.has_backbone and len(poses) >= 2 and not self.training_running:
            self.state = State.WELCOME
            self.welcome = Greeting(poses)
            self.result = None
        return actions

    def _skip_welcome(self, now: float) -> list[Action]:
        """PLAY on WELCOME: play now, refreshed with whatever was held so far."""
        welcome = self.welcome
        refresh = self._refresh(now) if welcome is not None and welcome.recorded else []
        return refresh + self._start_game()

    def _refresh(self, now: float) -> list[Action]:
        """Train in the background from the head that plays (a few epochs, seconds)."""
        self.training_running = True
        self.refreshing = True
        self.suggest_refresh = False
        self._unsure_since = None
        return [Action(Do.START_REFRESH)]

    def _start_game(self) -> list[Action]:
        self.state = State.PLAYING
        self.welcome = None
        self.in_game = True
        self.message = None  # a hint from the menus must not cover the game
        self.suggest_refresh = False
        self._unsure_since = None
        return [Action(Do.NEW_GAME)]

    def seen(self, sure: bool, now: float) -> None:
        """Each frame of a game: was the smoothed guess confident? Unsure for ``UNSURE_S``
        (the light or the camera changed, or a new player) suggests a refresh."""
        if not self.in_game or self.recording is not None or self.refreshing:
            self._unsure_since = self._sure_since = None
            return
        if sure:
            self._unsure_since = None
            if self._sure_since is None:
                self._sure_since = now
            if now - self._sure_since >= SURE_S:
                self.suggest_refresh = False
            return
        self._sure_since = None
        if self._unsure_since is None:
            self._unsure_since = now
        if now - self._unsure_since >= UNSURE_S:
            self.suggest_refresh = True

    def _train(self, now: float) -> list[Action]:
        if self.state is State.TRAINING and self.training_running:
            return []
        if not self.has_backbone:
            self.say("No camera model yet: nothing to learn with (PLAY steers with the keys)", now)
            return []
        with_samples = [c for c in self.class_names if self.counts.get(c, 0) > 0]
        if len(with_samples) < 2:
            self.say("Record at least two poses first: hold a button while you pose", now)
            return []
        self.state = State.TRAINING
        self.training_running = True
        self.refreshing = False  # a refresh still running is superseded by this training
        self.in_game = False
        self.result = None
        return [Action(Do.START_TRAINING)]

    def _play(self, now: float) -> list[Action]:
        if self.state is State.TRAINING and self.training_running:
            self.say("Still training: PLAY when it is done", now)
            return []
        if not self.has_head and self.has_backbone:
            if self.cleared:
                self.say("The model went with the samples: record your poses, then TRAIN", now)
            else:
                self.say("Nothing learned yet: record two poses or more, then press TRAIN", now)
            return []
        return self._start_game()

    def _back(self, now: float) -> list[Action]:
        actions: list[Action] = []
        if self.state is State.TRAINING and self.training_running:
            self.training_running = False
            self.say("Training stopped; the previous model is kept", now)
            actions.append(Action(Do.CANCEL_TRAINING))
        self.state = State.COLLECT
        self.result = None
        self.in_game = False
        return actions

    def _ask_clear(self, now: float) -> list[Action]:
        if self.state is State.TRAINING and self.training_running:
            self.say("Wait for training to finish before clearing", now)
            return []
        self.confirming_clear = True
        self.confirm_until = now + CONFIRM_S
        return []

    def _answer_clear(self, event: Event, now: float) -> list[Action]:
        if event.kind is Kind.TRAIN:
            self.confirming_clear = False
            self.state = State.COLLECT
            self.result = None
            self.welcome = None
            self.in_game = False
            self.cleared = self.cleared or self.has_head
            self.has_head = False  # a head without its samples must not play
            self.weak = set()
            self.out_of_date = False
            self.say("All samples cleared", now)
            actions = [Action(Do.CLEAR_SAMPLES)]
            if self.training_running:  # a refresh of what was just cleared: nobody wants it
                self.training_running = self.refreshing = False
                actions.insert(0, Action(Do.CANCEL_TRAINING))
            return actions
        if event.kind in (Kind.PLAY, Kind.BACK):
            self.confirming_clear = False
            self.say("Kept your samples", now)
        return []  # class buttons and repeats wait for the answer

    def _leave_attract(self, event: Event, now: float) -> list[Action]:
        # The press that wakes the kiosk up only wakes it up; its release is ignored.
        self.attract = False
        return [Action(Do.STOP_ATTRACT), *self.sitting(now)]

    # -- what the app tells it ----------------------------------------------------------------

    def training_finished(self, result: TrainingResult, now: float) -> None:
        if not self.training_running:
            return  # cancelled meanwhile: nobody is waiting for this result
        self.training_running = False
        if result.ok:
            coaching = result.coaching
            self.weak = set(coaching.weak) if coaching is not None else set()
        if self.refreshing:
            self.refreshing = False
            if result.ok:
                self.has_head, self.out_of_date, self.cleared = True, False, False
                self.say("Refreshed: the model knows how you pose today", now)
            else:
                self.say(f"Refresh failed ({result.error}); the previous model is kept", now)
            return
        self.result = result
        if result.ok:
            self.has_head = True
            self.out_of_date = False
            self.cleared = False
        else:
            kept = "the previous model is kept" if self.has_head else "nothing was learned"
            self.say(f"Training failed ({result.error}); {kept}", now)

    def active(self, now: float) -> None:
        """Someone is there (e.g. their pose changed the direction): no attract mode yet."""
        self._last_activity = now

    def tick(self, now: float) -> list[Action]:
        """Called every frame: expires messages and questions, enters attract mode when idle."""
        if self._last_activity is None:
            self._last_activity = now
        if self.message is not None and now >= self.message.until:
            self.message = None
        if self.confirming_clear and now >= self.confirm_until:
            self.confirming_clear = False
            self.say("Kept your samples", now)
        timed = self._tick_timed(now)
        if timed:
            return timed
        welcome = self.welcome
        if welcome is not None and self.recording and now - self._held_since >= REFRESH_HOLD_S:
            welcome.done.add(self.recording)  # ticked while still held: let go when you like
        idle = now - self._last_activity
        if self.initials is not None and now >= self.initials.until:
            return self._save_initials(now)  # walked away: the score is kept as it stands
        if (
            self.attract_after_s > 0
            and not self.attract
            and idle >= self.attract_after_s
            and self.recording is None
            and self.timed is None
            and not self.training_running
            and not self.confirming_clear
        ):
            return self._start_attract(now)
        return []

    def _start_attract(self, now: float) -> list[Action]:
        self.attract = True
        self.state = State.COLLECT
        self.result = None
        self.welcome = None
        self.in_game = False
        actions = [Action(Do.START_ATTRACT)]
        if self.new_visitor == "forget":
            # The next visitor teaches their own poses: last visitor's pictures and model go.
            self.counts = {}
            self.has_head = self.out_of_date = self.cleared = False
            self.weak = set()
            actions.append(Action(Do.FORGET_VISITOR))
        return actions

    # -- a NEW HIGH SCORE ---------------------------------------------------------------------

    def game_over(self, score: int, level: int, qualifies: bool, now: float) -> list[Action]:
        """The player's game ended: sign the table if the score is in it."""
        self._last_activity = now
        self.in_game = False
        self.suggest_refresh = False
        if not qualifies:
            return []
        self.initials = InitialsEntry(score, level, until=now + INITIALS_S)
        return []

    def _sign(self, event: Event, now: float) -> list[Action]:
        sign = self.initials
        assert sign is not None
        sign.until = now + INITIALS_S
        if event.kind is Kind.HOLD and event.name in ("up", "down"):
            step = 1 if event.name == "up" else -1
            sign.letters[sign.cursor] = (sign.letters[sign.cursor] + step) % len(LETTERS)
        elif event.kind is Kind.HOLD and event.name == "left":
            sign.cursor = max(0, sign.cursor - 1)
        elif event.kind is Kind.HOLD and event.name == "right":
            if sign.cursor == INITIALS - 1:
                return self._save_initials(now)
            sign.cursor += 1
        elif event.kind in (Kind.PLAY, Kind.TRAIN, Kind.BACK):
            return self._save_initials(now)
        return []  # releases and the rest

    def _save_initials(self, now: float) -> list[Action]:
        sign = self.initials
        assert sign is not None
        self.initials = None
        self._last_activity = now
        initials = sign.text.strip() or "???"
        return [Action(Do.SAVE_SCORE, initials, score=sign.score, level=sign.level)]

    def say(self, text: str, now: float, seconds: float = MESSAGE_S) -> None:
        self.message = Message(text, now + seconds)

    def message_text(self) -> str | None:
        return self.message.text if self.message else None

    def held_for(self, now: float) -> float:
        """Seconds the button being recorded has been held (0 when none is)."""
        return now - self._held_since if self.recording is not None else 0.0
