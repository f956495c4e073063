"""The arcade's rules: what each button does in each state. Pure logic, no I/O, no clock of its own.

    COLLECT ──TRAIN (two classes or more)──▶ TRAINING ──done, PLAY──▶ PLAYING
       ▲  ◀──────────── BACK / a class button (to record more) ──────────┘
       └── idle for attract_after_s: the autopilot plays (attract) until any button
    a game over with a score for the table: NEW HIGH SCORE, initials entered with the buttons

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

# The player's events are the controls' own (buttons and keys both make them); re-exported here.
from edgepac.controls.events import Event, Kind

__all__ = ["Action", "Arcade", "Do", "Event", "Kind", "State", "TrainingResult"]

MESSAGE_S = 4.0  # how long a message stays on screen
CONFIRM_S = 10.0  # an unanswered "clear everything?" is a no


class State(enum.Enum):
    COLLECT = "collect"
    TRAINING = "training"
    PLAYING = "playing"


class Do(enum.Enum):
    """What the app must do as a result of an event."""

    BEGIN_BURST = "begin_burst"  # start recording ``name``: one sample per processed frame
    END_BURST = "end_burst"  # stop recording; save the samples
    START_TRAINING = "start_training"
    CANCEL_TRAINING = "cancel_training"
    NEW_GAME = "new_game"
    CLEAR_SAMPLES = "clear_samples"
    START_ATTRACT = "start_attract"  # the autopilot takes over the screen
    STOP_ATTRACT = "stop_attract"
    FORGET_VISITOR = "forget_visitor"  # clear the samples and the model for the next visitor
    SAVE_SCORE = "save_score"  # into the high-score table, ``name`` = the initials


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


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
INITIALS = 3
INITIALS_S = 30.0  # an abandoned entry is saved as it stands, like an arcade cabinet does


@dataclass
class Initials:
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
class Message:
    text: str
    until: float


@dataclass
class Arcade:
    """The state machine. Times are seconds on any monotonic clock the caller chooses."""

    class_names: Sequence[str] = ("up", "down", "left", "right")
    attract_after_s: float = 60.0  # 0 turns attract mode off
    new_visitor: str = "forget"  # play.new_visitor: what attract mode does to the last samples
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
    initials: Initials | None = None  # a NEW HIGH SCORE is being signed
    # False while there is no camera model: nothing to record or train, the keys steer instead.
    has_backbone: bool = True
    # Private bookkeeping.
    message: Message | None = None
    confirm_until: float = 0.0
    _last_activity: float | None = None

    # -- what the player did ------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Action]:
        self._last_activity = now
        if self.attract:
            return self._leave_attract(event, now)
        if self.initials is not None:
            return self._sign(event, now)
        if self.confirming_clear:
            return self._answer_clear(event, now)
        if event.kind is Kind.HOLD:
            return self._hold(event.name, now)
        if event.kind is Kind.RELEASE:
            return self._release(event.name)
        if self.recording is not None:
            self.say(f"Let go of {self.recording.upper()} first", now)
            return []
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
        # From PLAYING or a finished TRAINING, a class button means "record more".
        self.state = State.COLLECT
        self.result = None
        self.recording = name
        return [Action(Do.BEGIN_BURST, name)]

    def _release(self, name: str | None) -> list[Action]:
        if name is None or name != self.recording:
            return []  # the release of an ignored press, or a bounce
        self.recording = None
        if self.has_head:
            self.out_of_date = True  # the head has not seen these samples
        return [Action(Do.END_BURST, name)]

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
        self.state = State.PLAYING
        self.message = None  # a hint from the menus must not cover the game
        return [Action(Do.NEW_GAME)]

    def _back(self, now: float) -> list[Action]:
        actions: list[Action] = []
        if self.state is State.TRAINING and self.training_running:
            self.training_running = False
            self.say("Training stopped; the previous model is kept", now)
            actions.append(Action(Do.CANCEL_TRAINING))
        self.state = State.COLLECT
        self.result = None
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
            self.cleared = self.cleared or self.has_head
            self.has_head = False  # a head without its samples must not play
            self.out_of_date = False
            self.say("All samples cleared", now)
            return [Action(Do.CLEAR_SAMPLES)]
        if event.kind in (Kind.PLAY, Kind.BACK):
            self.confirming_clear = False
            self.say("Kept your samples", now)
        return []  # class buttons and repeats wait for the answer

    def _leave_attract(self, event: Event, now: float) -> list[Action]:
        # The press that wakes the kiosk up only wakes it up; its release is ignored.
        self.attract = False
        return [Action(Do.STOP_ATTRACT)]

    # -- what the app tells it ----------------------------------------------------------------

    def training_finished(self, result: TrainingResult, now: float) -> None:
        if not self.training_running:
            return  # cancelled meanwhile: nobody is waiting for this result
        self.training_running = False
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
        idle = now - self._last_activity
        if self.initials is not None and now >= self.initials.until:
            return self._save_initials(now)  # walked away: the score is kept as it stands
        if (
            self.attract_after_s > 0
            and not self.attract
            and idle >= self.attract_after_s
            and self.recording is None
            and not self.training_running
            and not self.confirming_clear
        ):
            return self._start_attract(now)
        return []

    def _start_attract(self, now: float) -> list[Action]:
        self.attract = True
        self.state = State.COLLECT
        self.result = None
        actions = [Action(Do.START_ATTRACT)]
        if self.new_visitor == "forget":
            # The next visitor teaches their own poses: last visitor's pictures and model go.
            self.counts = {}
            self.has_head = self.out_of_date = self.cleared = False
            actions.append(Action(Do.FORGET_VISITOR))
        return actions

    # -- a NEW HIGH SCORE ---------------------------------------------------------------------

    def game_over(self, score: int, level: int, qualifies: bool, now: float) -> list[Action]:
        """The player's game ended: sign the table if the score is in it."""
        self._last_activity = now
        if not qualifies:
            return []
        self.initials = Initials(score, level, until=now + INITIALS_S)
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
