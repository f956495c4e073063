"""What the screen shows, as one immutable snapshot: the contract between the app and its screens.

The main thread builds a ``View`` once per frame from the state it owns, and ``Screen.draw``
draws nothing else: no screen reads ``App``. A View is plain data (numbers, strings, tuples,
NumPy arrays the app no longer writes to) plus references to the games, which only the
game's Renderer reads. So a View can be built without an App: ``edgepac screenshots`` and the
screen tests make one for every state by hand.

Who fills what (the app builds it; nothing here has I/O):

    page            which screen: COLLECT, TRAINING, PLAYING, ATTRACT, INITIALS, PROBLEM or
                    WELCOME (a returning player: hold each button for a second to refresh)
    poses           one per class, in class order: count, thumbnail, colour, what to press
    recording       the pose being recorded, with how many frames this burst took so far
    camera          the newest camera frame (H x W x 3 uint8) and its sequence number
    training        progress, losses, the result of the last run
    bars            the model's smoothed guess per pose and the direction being sent
    model           trained / out of date / none, and how well it did on frames it never saw
    banners         messages: INFO ones pass, ERROR ones stay until dealt with (the app decides)
    confirm_clear   the "clear everything?" question, or None
    scores          the high-score table; ``initials`` the NEW HIGH SCORE entry
    problem         a "cannot run: here is how to fix it" screen (e.g. no backbone model)
    overlay         the fps/latency figures (F key), or None
    welcome         WELCOME's progress: the poses to hold, those done, the hold under way
    refresh         in a game: a pose being taught (the game paused), a refresh running in the
                    background, or the suggestion to refresh (the model has been unsure)
    countdown       a hands-free burst: counting down to recording, or recording for a while
    coach           after TRAIN: each pose's share right on held-back frames, and advice
    press_goal      presses COLLECT asks for per pose (``Pose.presses`` counts them), and
      press_hint    a hint on how to pose (e.g. "A BIT CLOSER")
    model_label     where the model in use came from, when it is not the arcade's own
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgepac.poses import Colour, pose_colour


class Page(enum.Enum):
    COLLECT = "collect"  # teach: hold a pose's button while you pose
    TRAINING = "training"  # learning, then the result and "PLAY"
    PLAYING = "playing"  # the game (game over included: ``game_over``)
    ATTRACT = "attract"  # nobody there: the autopilot plays, the high-score table shows
    INITIALS = "initials"  # NEW HIGH SCORE: enter your initials
    PROBLEM = "problem"  # the arcade cannot run; ``problem`` says how to fix it
    WELCOME = "welcome"  # a returning player: hold each button for a second to refresh


class Severity(enum.Enum):
    INFO = "info"  # passes after a few seconds (shown at the bottom)
    WARNING = "warning"  # something went wrong but the arcade goes on (top, amber)
    ERROR = "error"  # stays until it is dealt with (top, red)


class ModelStatus(enum.Enum):
    NONE = "none"  # nothing learned yet
    TRAINED = "trained"  # learned from the samples shown
    OUT_OF_DATE = "out_of_date"  # samples changed since it was trained: TRAIN again


@dataclass(frozen=True)
class Pose:
    """One class's tile: what it is called, what it has, what to press to record it."""

    name: str
    count: int = 0  # samples recorded
    # A small picture of the pose (side x side x 3 uint8), or None before the first burst.
    # It should come from the middle of a burst: the first frame is taken before the body
    # has moved and shows the previous pose. The app records it; the screen only scales it.
    thumbnail: np.ndarray | None = None
    colour: Colour = (200, 200, 200)
    # What to press, as the visitor sees it: "UP button" on a kiosk, "UP arrow key" on a
    # desktop. Empty: the screen says "<NAME> button" or "<NAME> key" after ``View.keyboard``.
    press: str = ""
    presses: int = 0  # presses recorded for this pose this sitting: dots on the tile
    weak: bool = False  # the coach marks this tile: teach it again


@dataclass(frozen=True)
class Countdown:
    """A hands-free burst: a short press of a pose's button or tile counts down, then records."""

    pose: str
    phase: str  # "wait" (counting down) or "record" (recording)
    seconds_left: float  # of this phase
    frames: int = 0  # recorded so far in this burst


@dataclass(frozen=True)
class CoachView:
    """After TRAIN: how well each pose did on held-back frames, and what to teach next."""

    # (pose, share right) in class order; None: too few frames
    accuracy: tuple[tuple[str, float | None], ...]
    # one line for the screen, e.g. "LEFT LOOKS LIKE UP: HOLD LEFT AGAIN AND LEAN FURTHER"
    advice: str
    confused: tuple[str, str] | None = None  # (pose, the pose it is taken for)


@dataclass(frozen=True)
class Training:
    running: bool = False
    progress: float = 0.0  # 0..1
    losses: tuple[float, ...] = ()  # one per batch so far
    total_batches: int = 0  # the curve spans this many batches
    poses: int = 0  # poses being learned
    frames: int = 0  # frames learned from
    held_out: int = 0  # frames kept aside to test the result
    done: bool = False  # finished with success (``accuracy`` says how well)
    accuracy: float | None = None  # share of the kept-aside frames it got right; None: too few
    error: str | None = None  # failed: why, in a sentence
    kept_previous: bool = False  # failed or stopped, and the earlier model still plays


@dataclass(frozen=True)
class Bars:
    """The model's current guess while playing (or collecting, once a model exists)."""

    names: tuple[str, ...]  # the head's classes, in its order
    values: tuple[float, ...]  # smoothed probability per class, 0..1
    chosen: str | None = None  # the smoothed, confident class, or None (not sure)
    sending: str | None = None  # the direction sent to the game, or None


@dataclass(frozen=True)
class Banner:
    text: str
    severity: Severity = Severity.INFO


@dataclass(frozen=True)
class ConfirmClear:
    samples: int  # how many would be lost
    seconds_left: float = 10.0  # until no answer means "keep them"


@dataclass(frozen=True)
class Score:
    rank: int  # 1-based
    score: int
    name: str = ""  # initials, "" for an unnamed entry
    level: int = 1


@dataclass(frozen=True)
class Initials:
    """NEW HIGH SCORE: letters chosen so far, entered with the buttons (or keys)."""

    score: int
    rank: int
    letters: str = "A"  # the letters so far, the last one being chosen
    length: int = 3  # letters to enter
    seconds_left: float = 30.0  # then the entry is saved as it is


@dataclass(frozen=True)
class Problem:
    """Why the arcade cannot run, and the one thing to do about it."""

    title: str  # e.g. "No camera model"
    fix: str  # e.g. "Run: edgepac fetch-model"
    detail: str = ""  # a smaller line: the path searched, the error


@dataclass(frozen=True)
class Welcome:
    """A returning player's greeting: each pose the model knows, held for a second, refreshes
    it for today's light and camera; PLAY skips."""

    poses: tuple[str, ...]  # the poses to hold, in class order
    done: tuple[str, ...] = ()  # held long enough
    held: float = 0.0  # the pose being held (``View.recording``): how far to done, 0..1


@dataclass(frozen=True)
class Refresh:
    """A quick top-up of the model during a game."""

    teaching: str | None = None  # this pose's button is held: the game waits, frames go in
    running: bool = False  # the model refreshes in the background (the game goes on)
    suggest: bool = False  # unsure for a few seconds: suggest holding a pose's button


@dataclass(frozen=True)
class Overlay:
    screen_fps: float | None = None
    model_fps: float | None = None
    infer_ms: float | None = None
    latency_p95_ms: float | None = None
    dropped: int = 0
    game_ticks_per_s: float | None = None


@dataclass(frozen=True)
class View:
    """Everything one frame of the screen shows. Build a new one per frame; never mutate."""

    page: Page = Page.COLLECT
    poses: tuple[Pose, ...] = ()
    recording: str | None = None  # the pose being recorded (its button is held)
    burst: int = 0  # frames recorded in this burst so far
    camera: np.ndarray | None = None  # newest frame, H x W x 3 uint8 RGB; None: no picture yet
    camera_seq: int = -1  # changes when ``camera`` does (the screen rescales only then)
    training: Training | None = None
    bars: Bars | None = None
    model: ModelStatus = ModelStatus.NONE
    model_accuracy: float | None = None  # of the model in use, on frames it never saw
    banners: tuple[Banner, ...] = ()
    confirm_clear: ConfirmClear | None = None
    game: Any = None  # the Game to draw (the player's, or the autopilot's in ATTRACT)
    game_over: bool = False
    high_score: int = 0  # the table's best (never the autopilot's)
    scores: tuple[Score, ...] = ()
    new_rank: int | None = None  # the rank just reached, highlighted in the table
    initials: Initials | None = None
    problem: Problem | None = None
    keyboard: bool = False  # hints name keys (desktop) instead of buttons (kiosk)
    # The screen takes touches (a touchscreen was found, or a finger has touched it): hints
    # name the screen's tiles and buttons, and TRAINING and GAME OVER show TEACH MORE.
    touch: bool = False
    overlay: Overlay | None = None
    welcome: Welcome | None = None
    refresh: Refresh | None = None
    t: float = 0.0  # seconds on any clock: drives blinking, so a View draws the same each time
    countdown: Countdown | None = None  # a hands-free burst counting down or recording
    coach: CoachView | None = None  # TRAINING's per-pose result and advice
    press_goal: int = 0  # presses COLLECT asks for per pose; 0 = no guidance
    press_hint: str | None = None  # e.g. "A BIT CLOSER"
    model_label: str | None = None  # e.g. "TEACHABLE MACHINE: my-project"

    def pose(self, name: str) -> Pose | None:
        for p in self.poses:
            if p.name == name:
                return p
        return None

    @property
    def errors(self) -> tuple[Banner, ...]:
        return tuple(b for b in self.banners if b.severity is not Severity.INFO)

    @property
    def message(self) -> Banner | None:
        """The newest passing message, if any."""
        infos = [b for b in self.banners if b.severity is Severity.INFO]
        return infos[-1] if infos else None


def poses_for(
    class_names: Sequence[str],
    counts: dict[str, int] | None = None,
    thumbnails: dict[str, np.ndarray] | None = None,
    press: dict[str, str] | None = None,
) -> tuple[Pose, ...]:
    """The tiles for ``class_names``, each in its own colour (a helper for whoever builds Views)."""
    counts = counts or {}
    thumbnails = thumbnails or {}
    press = press or {}
    return tuple(
        Pose(
            name=name,
            count=int(counts.get(name, 0)),
            thumbnail=thumbnails.get(name),
            colour=pose_colour(name, i),
            press=press.get(name, ""),
        )
        for i, name in enumerate(class_names)
    )
