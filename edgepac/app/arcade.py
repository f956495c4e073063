"""The arcade's rules: what each button does in each state. Pure logic, no I/O, no clock of its own.

    COLLECT ──TRAIN (two classes or more)──▶ TRAINING ──done, PLAY──▶ PLAYING
       ▲  ◀──────────── BACK / a class button (to record more) ──────────┘
       └── idle for attract_after_s: the autopilot plays (attract) until any button

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


@dataclass(frozen=True)
class Action:
    do: Do
    name: str | None = None


@dataclass
class TrainingResult:
    ok: bool
    accuracy: float | None  # held-out accuracy, None when there were too few samples to hold out
    error: str | None = None


@dataclass
class Message:
    text: str
    until: float


@dataclass
class Arcade:
    """The state machine. Times are seconds on any monotonic clock the caller chooses."""

    class_names: Sequence[str] = ("up", "down", "left", "right")
    attract_after_s: float = 60.0  # 0 turns attract mode off
    state: State = State.COLLECT
    recording: str | None = None  # the class being recorded while its button is held
    training_running: bool = False
    result: TrainingResult | None = None
    confirming_clear: bool = False
    attract: bool = False
    # Facts the app keeps up to date.
    counts: dict[str, int] = field(default_factory=dict)
    has_head: bool = False
    # Private bookkeeping.
    message: Message | None = None
    _confirm_until: float = 0.0
    _last_activity: float | None = None

    # -- what the player did ------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Action]:
        self._last_activity = now
        if self.attract:
            return self._leave_attract(event, now)
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
        return [Action(Do.END_BURST, name)]

    def _train(self, now: float) -> list[Action]:
        if self.state is State.TRAINING and self.training_running:
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
        if not self.has_head:
            self.say("Nothing learned yet: record two poses or more, then press TRAIN", now)
            return []
        self.state = State.PLAYING
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
        self._confirm_until = now + CONFIRM_S
        return []

    def _answer_clear(self, event: Event, now: float) -> list[Action]:
        if event.kind is Kind.TRAIN:
            self.confirming_clear = False
            self.state = State.COLLECT
            self.result = None
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
        if self.confirming_clear and now >= self._confirm_until:
            self.confirming_clear = False
            self.say("Kept your samples", now)
        idle = now - self._last_activity
        if (
            self.attract_after_s > 0
            and not self.attract
            and idle >= self.attract_after_s
            and self.recording is None
            and not self.training_running
            and not self.confirming_clear
        ):
            self.attract = True
            return [Action(Do.START_ATTRACT)]
        return []

    def say(self, text: str, now: float, seconds: float = MESSAGE_S) -> None:
        self.message = Message(text, now + seconds)

    def message_text(self) -> str | None:
        return self.message.text if self.message else None
