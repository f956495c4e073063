"""The scripted player of ``edgepac demo``: poses for the demo camera and presses the buttons.

It does what a visitor would: for each class, take the pose, hold the class button until about
30 frames are recorded, let go (or, with ``--presses K``, the same frames in K presses); press
TRAIN and wait; press PLAY; then, for the play time, take the pose the autopilot would steer
with, so that the arcade's smoothed requests can be scored against the true pose of every frame.

With ``--second-session`` (``second_session``) the story goes on: the camera is knocked and the
light changes (``KNOCKED``) while the player plays on with the first model; then the kiosk
restarts for a new sitting, greets the player ("hold each button for a second to refresh"),
the player holds each pose's button until its tile is ticked, and plays while the model
refreshes in the background; once it has, the play is scored again (``Returning``).

With ``--touch`` (``Fingers``) nothing is pressed: the kiosk idles into attract mode, and the
player wakes it, records, trains, plays and signs the high-score table with real SDL finger
events (and SDL's mouse copy of each, which the app must ignore) at the middle of each on-screen
target as the screen last drew it, turned as the panel is. With ``--timed`` each pose is a tap
of its button (or tile): the arcade counts down and records a hands-free burst.

The director is called once per main-loop frame (``App.run(until=director)``) and drives the app
only through its inputs (``press``: a posted event, or a real gpiozero pin in the tests) and the
demo player's ``pose``: the app cannot tell it from a person.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from edgepac.app.arcade import Event, Kind, State
from edgepac.errors import EdgePacError

SETTLE_S = 0.25  # after a pose change, frames already in flight still show the old pose
HOLD_S = 0.5  # a held button is held at least this long (a shorter press is a tap: TAP_S)
# Between the sittings the camera was bumped on its mount (the picture moved 13 % of its width
# to the side and 5 % down, rolled 7 degrees anticlockwise, zoomed 10 %) and the room is lit by
# a dim warm lamp. The demo player's poses are far apart: the learning benchmark's smaller knock
# (4 %, 8 % zoom) left a first model reading every frame, so the refresh showed nothing; this
# one costs it about a third of its frames (0.6-0.8 right, as the benchmark's photos).
KNOCKED = {"shift": (0.13, 0.05), "zoom": 1.1, "roll": -7.0, "light": (0.6, 0.5, 0.35)}


class PlayAccuracy:
    """Play accuracy over one stretch of play, from the app's running counts: of the smoothed
    request (what steers; the lag after each change of pose counts against it) and of each
    frame's most likely pose (``raw``: the model alone)."""

    def __init__(self, app: Any) -> None:
        self.stats = app.stats
        self.start = self._counts()

    def _counts(self) -> tuple[int, int, int]:
        s = self.stats
        return s.play_frames, s.play_correct, s.play_raw_correct

    def accuracy(self, raw: bool = False) -> float | None:
        frames, right, raw_right = (a - b for a, b in zip(self._counts(), self.start, strict=True))
        return (raw_right if raw else right) / frames if frames else None


class Fingers:
    """The demo player's hand on the touch screen: SDL finger events where the targets show."""

    def __init__(self) -> None:
        self.taps = 0  # fingers put down on a target
        self._down: dict[str, tuple[float, float, int]] = {}  # target held -> (x, y, finger)
        self._next_finger = 1

    def ready(self, app: Any, name: str) -> bool:
        return name in app.targets()

    def put_down(self, app: Any, name: str) -> None:
        """A finger on the middle of target ``name``, as SDL reports it (x, y of the window)."""
        import pygame

        rect = app.targets()[name]
        turn = app.presenter.rotation
        x, y = turn.to_window(*rect.center)
        w, h = turn.window
        finger = self._next_finger
        self._next_finger += 1
        self._post(pygame.FINGERDOWN, x / w, y / h, finger)
        self._down[name] = (x / w, y / h, finger)
        self.taps += 1

    def lift(self, name: str) -> None:
        import pygame

        x, y, finger = self._down.pop(name)
        self._post(pygame.FINGERUP, x, y, finger)

    def tap(self, app: Any, name: str) -> None:
        """Down and up in one frame: shorter than any hold."""
        self.put_down(app, name)
        self.lift(name)

    def _post(self, kind: int, x: float, y: float, finger: int) -> None:
        import pygame

        pygame.event.post(
            pygame.event.Event(kind, touch_id=1, finger_id=finger, x=x, y=y, dx=0.0, dy=0.0)
        )
        # SDL's copy of each touch as the mouse: one press must stay one press.
        w, h = pygame.display.get_surface().get_size()
        mouse = pygame.MOUSEBUTTONDOWN if kind == pygame.FINGERDOWN else pygame.MOUSEBUTTONUP
        pos = (round(x * w), round(y * h))
        pygame.event.post(pygame.event.Event(mouse, pos=pos, button=1, touch=True))


class Director:
    def __init__(
        self,
        player: Any,
        press: Callable[[Event], None],
        autopilot: Any,
        *,
        samples: int = 30,
        presses: int = 1,
        play_seconds: float = 60.0,
        timeout_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.player = player
        self.press = press
        self.autopilot = autopilot
        self.samples = samples
        self.presses = presses  # each pose's frames in this many presses of its button
        self.play_seconds = play_seconds
        self.timeout_s = timeout_s
        self.clock = clock
        self.phase = "start"
        self.play_started: float | None = None
        self.play_ended: float | None = None
        self.train_s: float | None = None
        self.accuracy: float | None = None  # of the play (the first sitting's, here)
        self.raw_accuracy: float | None = None
        self.knock = False  # then knock the camera, change the light and play on
        self.knocked_accuracy: float | None = None
        self.knocked_raw_accuracy: float | None = None
        self._steps: Iterator[None] | None = None
        self.fingers: Fingers | None = None  # set: touch the screen instead of the buttons
        self.timed = False  # set: tap each pose for a hands-free burst instead of holding
        self.initials: str | None = None  # signed by touch in the table, once signed

    def __call__(self, app: Any) -> bool:
        """One frame of the script; True once it is over."""
        if self._steps is None:
            self._steps = self._script(app)
        try:
            next(self._steps)
        except StopIteration:
            return True
        return False

    def _wait(self, app: Any, done: Callable[[], bool], what: str) -> Iterator[None]:
        end = self.clock() + self.timeout_s
        while not done():
            if self.clock() > end:
                raise EdgePacError(f"demo: timed out waiting for {what}")
            if not app.running:
                raise EdgePacError(f"demo: the app stopped while waiting for {what}")
            yield

    def _pause(self, seconds: float) -> Iterator[None]:
        end = self.clock() + seconds
        while self.clock() < end:
            yield

    # -- pressing: a button's event, or a finger on its target --------------------------------

    def _push(self, app: Any, event: Event) -> Iterator[None]:
        """Press (HOLD), let go (RELEASE) or press-and-release (TRAIN, PLAY) a button; by touch,
        once the screen shows its target."""
        fingers = self.fingers
        if fingers is None:
            self.press(event)
            return
        if event.kind is Kind.RELEASE:
            fingers.lift(event.name)
            return
        name = event.name if event.kind is Kind.HOLD else event.kind.value
        yield from self._wait(app, lambda: fingers.ready(app, name), f"the {name} target")
        if event.kind is Kind.HOLD:
            fingers.put_down(app, name)
        else:
            fingers.tap(app, name)

    def _tap(self, app: Any, name: str) -> Iterator[None]:
        """A short press of a pose's button or tile (a timed burst, a letter)."""
        if self.fingers is None:
            self.press(Event(Kind.HOLD, name))
            self.press(Event(Kind.RELEASE, name))
            return
        yield from self._wait(app, lambda: self.fingers.ready(app, name), f"the {name} target")
        self.fingers.tap(app, name)

    # -- the story -------------------------------------------------------------------------------

    def _record(self, app: Any, name: str) -> Iterator[None]:
        """Hold the pose's button until ``samples`` more frames are in, in ``presses`` presses;
        each is held at least HOLD_S where a shorter press would be a tap (a timed burst)."""
        arcade = app.arcade
        start = arcade.counts.get(name, 0)
        shortest = HOLD_S if app.cfg.collect.burst_s > 0 else 0.0
        for k in range(1, self.presses + 1):
            target = start + round(self.samples * k / self.presses)
            yield from self._push(app, Event(Kind.HOLD, name))
            held_until = self.clock() + shortest
            yield from self._wait(
                app,
                lambda t=target, h=held_until: arcade.counts.get(name, 0) >= t
                and self.clock() >= h,
                f"{name} samples",
            )
            yield from self._push(app, Event(Kind.RELEASE, name))
            yield

    def _record_timed(self, app: Any, name: str) -> Iterator[None]:
        """Tap the pose's button and keep posing through the countdown and the burst."""
        arcade = app.arcade
        before = arcade.counts.get(name, 0)
        yield from self._tap(app, name)
        yield from self._wait(app, lambda: arcade.timed is not None, f"{name}'s countdown")
        yield from self._wait(app, lambda: arcade.timed is None, f"{name}'s timed burst")
        yield from self._wait(app, lambda: arcade.counts.get(name, 0) > before, f"{name} frames")

    def _wake(self, app: Any) -> Iterator[None]:
        """The kiosk idles in attract mode until the player taps the screen."""
        arcade = app.arcade
        self.phase = "attract"
        yield from self._wait(app, lambda: arcade.attract, "attract mode")
        yield from self._push(app, Event(Kind.PLAY))  # on ATTRACT the whole screen is PLAY
        yield from self._wait(app, lambda: not arcade.attract, "the wake-up")
        arcade.attract_after_s = 0.0  # the scripted player stays: no more attract mode

    def _script(self, app: Any) -> Iterator[None]:
        arcade = app.arcade
        yield from self._wait(app, lambda: app.frame is not None, "the first camera frame")
        if self.fingers is not None and arcade.attract_after_s > 0:
            yield from self._wake(app)
        for name in app.class_names:
            self.phase = f"record {name}"
            self.player.pose = name
            yield from self._pause(SETTLE_S)
            if self.timed:
                yield from self._record_timed(app, name)
            else:
                yield from self._record(app, name)
        self.player.pose = None
        self.phase = "train"
        t0 = self.clock()
        yield from self._push(app, Event(Kind.TRAIN))
        yield from self._wait(app, lambda: arcade.state is State.TRAINING, "training to start")
        yield from self._wait(app, lambda: arcade.result is not None, "training")
        self.train_s = self.clock() - t0
        if not arcade.result.ok:
            raise EdgePacError(f"demo: training failed: {arcade.result.error}")
        self.phase = "play"
        yield from self._push(app, Event(Kind.PLAY))
        yield from self._wait(app, lambda: arcade.state is State.PLAYING, "the game to start")
        self.play_started = self.clock()
        score = PlayAccuracy(app)
        yield from self._play(app, self.play_seconds)
        self.accuracy, self.raw_accuracy = score.accuracy(), score.accuracy(raw=True)
        self.play_ended = self.clock()
        if self.fingers is not None and self.initials is None:
            yield from self._to_the_table(app)
        if self.knock:
            self.phase = "knocked"
            self.player.move_camera(**KNOCKED)
            yield from self._pause(SETTLE_S)
            score = yield from self._new_game(app)
            yield from self._play(app, self.play_seconds)
            self.knocked_accuracy = score.accuracy()
            self.knocked_raw_accuracy = score.accuracy(raw=True)
        self.phase = "done"

    def _new_game(self, app: Any) -> Iterator[None]:
        """PLAY in a game starts a new one: each scored stretch starts as the first did (the
        READY pause and the first corners), so their accuracies compare. Returns its
        PlayAccuracy."""
        game = app.game
        self.press(Event(Kind.PLAY))
        yield from self._wait(app, lambda: app.game is not game, "a new game")
        return PlayAccuracy(app)

    def _play(self, app: Any, seconds: float) -> Iterator[None]:
        """Play for ``seconds``: take the pose the autopilot would steer with."""
        end = self.clock() + seconds
        while self.clock() < end:
            if self.fingers is not None and app.arcade.initials is not None:
                yield from self._sign(app)  # a game over with a high score: sign by touch
            self._steer(app)
            yield

    def _to_the_table(self, app: Any) -> Iterator[None]:
        """After the scored play: lean towards the nearest ghost until the game is over, then
        sign the table."""
        arcade = app.arcade
        self.phase = "initials"
        end = self.clock() + self.timeout_s
        while arcade.initials is None and not app.game.game_over:
            if self.clock() > end:
                raise EdgePacError("demo: timed out waiting for a game over")
            self.player.pose = _towards_a_ghost(app.game)
            yield
        self.player.pose = None
        if arcade.initials is not None:  # the score made the table
            yield from self._sign(app)

    def _sign(self, app: Any) -> Iterator[None]:
        """NEW HIGH SCORE by touch: the first letter up to B, the next one to C, DONE."""
        arcade = app.arcade
        for name in ("up", "right", "up", "up", "play"):
            yield from self._tap(app, name)
            yield  # the screen redraws (the letter and its targets move on)
            yield
        yield from self._wait(app, lambda: arcade.initials is None, "the initials to be saved")
        entries = app.games.high_scores.entries
        self.initials = entries[0].name if entries else None

    def _steer(self, app: Any) -> None:
        game = app.game
        if getattr(game, "game_over", False):
            if self.fingers is None:
                self.press(Event(Kind.PLAY))  # another game (or the table signed as it stands)
            elif app.arcade.initials is None and self.fingers.ready(app, "play"):
                self.fingers.tap(app, "play")  # PLAY AGAIN, on the screen
        wish = self.autopilot.request(game)
        if wish is not None:
            self.player.pose = wish.value


def _towards_a_ghost(game: Any) -> str | None:
    """The pose that leads Pac-Man along the maze to the nearest hunting ghost (the quick way
    to a game over): a breadth-first search from his tile."""
    from collections import deque

    from edgepac.game.direction import TIE_ORDER
    from edgepac.game.ghosts import GhostState
    from edgepac.game.maze import HEIGHT, WIDTH

    maze = game.maze
    hunters = {
        (min(max(g.tile[0], 0), WIDTH - 1), g.tile[1])
        for g in game.ghosts
        if g.state is GhostState.ACTIVE and not g.frightened
    }
    px, py = game.pacman.tile
    start = (min(max(px, 0), WIDTH - 1), py)
    first: dict[tuple[int, int], Any] = {start: None}
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        if (x, y) in hunters and first[(x, y)] is not None:
            return first[(x, y)].value
        for d in TIE_ORDER:
            nxt = ((x + d.dx) % WIDTH, y + d.dy)
            if nxt not in first and 0 <= nxt[1] < HEIGHT and maze.is_open(*nxt):
                first[nxt] = first[(x, y)] or d
                queue.append(nxt)
    return None


class Returning(Director):
    """The second sitting: welcomed back, hold each pose's button (or, by touch, its tile) until
    its tile is ticked, play while the model refreshes, then play scored (a new game is started
    with the PLAY button, by touch too: a game shows no PLAY target until it is over). Measures
    what the refresh cost the player: ``recording_s`` (the holds, settling into each pose
    included) and ``training_s`` (from the last release until the refreshed model plays)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording_s: float | None = None
        self.training_s: float | None = None
        self.frames = 0  # recorded in the refresh

    def _script(self, app: Any) -> Iterator[None]:
        arcade = app.arcade
        yield from self._wait(app, lambda: app.frame is not None, "the first camera frame")
        if self.fingers is not None:
            # The player is there from the start: no attract mode (its new visitor would
            # forget the model this sitting is to refresh).
            arcade.attract_after_s = 0.0
        yield from self._wait(app, lambda: arcade.state is State.WELCOME, "the welcome")
        self.phase = "refresh"
        before = dict(arcade.counts)
        t0 = self.clock()
        for name in arcade.welcome.poses:
            self.player.pose = name
            yield from self._pause(SETTLE_S)
            yield from self._push(app, Event(Kind.HOLD, name))  # a button, or a finger on its tile
            yield from self._wait(
                app,
                lambda n=name: arcade.welcome is None or n in arcade.welcome.done,
                f"{name} to be ticked",
            )
            yield from self._push(app, Event(Kind.RELEASE, name))
            yield
        released = self.clock()
        self.recording_s = released - t0
        yield from self._wait(app, lambda: arcade.state is State.PLAYING, "the game to start")
        self.frames = sum(arcade.counts.values()) - sum(before.values())
        head = app.head
        # The game is on meanwhile: the player plays (unscored) until the refreshed model is in.
        end = self.clock() + self.timeout_s
        while arcade.refreshing:
            if self.clock() > end:
                raise EdgePacError("demo: timed out waiting for the refresh")
            self._steer(app)
            yield
        self.training_s = self.clock() - released
        if app.head is head:
            raise EdgePacError(f"demo: the refresh failed: {arcade.message_text()}")
        self.phase = "play"
        self.play_started = self.clock()
        score = yield from self._new_game(app)
        yield from self._play(app, self.play_seconds)
        self.accuracy, self.raw_accuracy = score.accuracy(), score.accuracy(raw=True)
        self.play_ended = self.clock()
        self.phase = "done"
