"""The View of one frame, built on the main thread from what each owner publishes.

No lock is taken and nothing big is copied: the camera frame is the inference thread's newest
(never written again once published), counts and thumbnails are the recorder's whole-swapped
objects, the losses a tuple of the current run's list. The pose tiles and the score table are
rebuilt only when what they show changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from edgepac.app import view as v
from edgepac.app.arcade import PRESS_GOAL, PRESS_HINTS, REFRESH_HOLD_S, State

PAGES = {
    State.COLLECT: v.Page.COLLECT,
    State.TRAINING: v.Page.TRAINING,
    State.PLAYING: v.Page.PLAYING,
    State.WELCOME: v.Page.WELCOME,
}


class Snapshots:
    """Builds Views for one App; keeps the few parts worth reusing between frames."""

    def __init__(self) -> None:
        self._poses: tuple[Any, tuple[v.Pose, ...]] = (None, ())
        self._scores: tuple[int, tuple[v.Score, ...]] = (-1, ())

    def build(self, app: Any, now: float) -> v.View:
        arcade, games, inference = app.arcade, app.games, app.inference
        frame = inference.frame
        if arcade.attract:
            page = v.Page.ATTRACT
        elif arcade.initials is not None:
            page = v.Page.INITIALS
        elif app.backbone is None and arcade.state is not State.PLAYING:
            page = v.Page.PROBLEM
        else:
            page = PAGES[arcade.state]
        game = games.attract_game if arcade.attract else games.game
        return v.View(
            page=page,
            poses=self._pose_tiles(app),
            recording=arcade.recording,
            burst=app.recorder.burst if arcade.recording and app.recorder is not None else 0,
            camera=frame.image if frame is not None else None,
            camera_seq=frame.seq if frame is not None else -1,
            training=training(app) if arcade.state is State.TRAINING else None,
            bars=bars(app),
            model=model_status(app),
            model_accuracy=app.trained_accuracy if app.head is not None else None,
            banners=banners(app),
            confirm_clear=confirm_clear(arcade, now),
            game=game,
            game_over=bool(getattr(game, "game_over", False)),
            high_score=games.high_scores.best,  # the table's: never the autopilot's score
            scores=self._score_table(games.high_scores.entries),
            new_rank=games.new_rank,
            initials=initials(arcade, games, now),
            problem=problem(app.model_problem),
            keyboard=not app.buttons,
            touch=app.touchscreen,
            overlay=overlay(app) if app.show_fps else None,
            welcome=welcome(arcade, now),
            refresh=refresh(arcade),
            t=now,
            coach=coach(arcade) if page is v.Page.TRAINING else None,
            press_goal=PRESS_GOAL if page is v.Page.COLLECT else 0,
            press_hint=press_hint(app, arcade) if page is v.Page.COLLECT else None,
            countdown=countdown(arcade, app.recorder, now),
            model_label=getattr(app, "model_label", None),
        )

    def _pose_tiles(self, app: Any) -> tuple[v.Pose, ...]:
        recorder = app.recorder
        counts = recorder.counts if recorder is not None else {}
        thumbs = recorder.thumbnails if recorder is not None else {}
        presses = recorder.presses if recorder is not None else {}
        weak = frozenset(app.arcade.weak)
        stamp = (id(counts), id(thumbs), id(presses), weak)  # the recorder swaps them whole
        last, tiles = self._poses
        if stamp != last:
            tiles = tuple(
                replace(tile, presses=presses.get(tile.name, 0), weak=tile.name in weak)
                for tile in v.poses_for(app.class_names, counts, thumbs, app.button_names)
            )
            self._poses = (stamp, tiles)
        return tiles

    def _score_table(self, entries: list[Any]) -> tuple[v.Score, ...]:
        stamp = hash(tuple((e.score, e.name) for e in entries))
        if stamp != self._scores[0]:
            table = tuple(
                v.Score(rank=i + 1, score=e.score, name=e.name, level=e.level)
                for i, e in enumerate(entries)
            )
            self._scores = (stamp, table)
        return self._scores[1]


def welcome(arcade: Any, now: float) -> v.Welcome | None:
    w = arcade.welcome
    if w is None or arcade.state is not State.WELCOME:
        return None
    held = min(1.0, arcade.held_for(now) / REFRESH_HOLD_S) if arcade.recording else 0.0
    done = tuple(p for p in w.poses if p in w.done)
    return v.Welcome(poses=w.poses, done=done, held=held)


def coach(arcade: Any) -> v.CoachView | None:
    """TRAINING's report card, once a training (not a refresh) has finished well."""
    result = arcade.result
    coaching = result.coaching if result is not None and result.ok else None
    if coaching is None:
        return None
    return v.CoachView(
        accuracy=tuple(coaching.accuracy.items()),
        advice=coaching.advice,
        confused=coaching.confused,
    )


def press_hint(app: Any, arcade: Any) -> str | None:
    """How to pose on the next press: each press of a pose gets the next hint, so the presses
    differ a little (where the player stands, how far they lean); None once every pose with
    presses to go has them all."""
    presses = app.recorder.presses if app.recorder is not None else {}
    timed = arcade.timed  # a tap's burst counting down: the hint is for the press to come
    pose = arcade.recording or (timed.pose if timed is not None else None)
    if pose is not None:  # this press's own hint (the count goes up when it ends)
        done = presses.get(pose, 0)
    else:  # the next press of the pose furthest from the goal
        done = min((presses.get(p, 0) for p in app.class_names), default=PRESS_GOAL)
    return PRESS_HINTS[done % len(PRESS_HINTS)] if done < PRESS_GOAL else None


def countdown(arcade: Any, recorder: Any, now: float) -> v.Countdown | None:
    """A tap's hands-free burst: the countdown, then the recording with its frames so far."""
    timed = arcade.countdown(now)
    if timed is None:
        return None
    pose, phase, left = timed
    frames = recorder.burst if phase == "record" and recorder is not None else 0
    return v.Countdown(pose=pose, phase=phase, seconds_left=left, frames=frames)


def refresh(arcade: Any) -> v.Refresh | None:
    if arcade.state is not State.PLAYING:
        return None
    teaching = arcade.recording if arcade.game_paused else None
    if teaching is None and not arcade.refreshing and not arcade.suggest_refresh:
        return None
    return v.Refresh(teaching=teaching, running=arcade.refreshing, suggest=arcade.suggest_refresh)


def model_status(app: Any) -> v.ModelStatus:
    if app.head is None or not app.arcade.has_head:
        return v.ModelStatus.NONE
    return v.ModelStatus.OUT_OF_DATE if app.arcade.out_of_date else v.ModelStatus.TRAINED


def training(app: Any) -> v.Training:
    arcade, trainer = app.arcade, app.trainer
    result = arcade.result
    if trainer is None:
        return v.Training()
    return v.Training(
        running=arcade.training_running,
        progress=trainer.progress if arcade.training_running or result else 0.0,
        losses=tuple(trainer.losses),
        total_batches=trainer.total_batches,
        poses=trainer.poses,
        frames=trainer.frames,
        held_out=trainer.held_out,
        done=bool(result and result.ok),
        accuracy=result.accuracy if result else None,
        error=result.error if result and not result.ok else None,
        kept_previous=bool(result and not result.ok and app.head is not None),
    )


def bars(app: Any) -> v.Bars | None:
    pred = app.inference.prediction if app.head is not None else None
    if pred is None:
        return None
    sending = app.games.request
    return v.Bars(
        names=pred.classes,
        values=tuple(float(x) for x in pred.smoothed),
        chosen=pred.name,
        sending=sending.value if sending is not None else None,
    )


def banners(app: Any) -> tuple[v.Banner, ...]:
    """Each owner's lasting trouble (until it is dealt with), then the passing message."""
    error, warning = v.Severity.ERROR, v.Severity.WARNING
    recorder, trainer = app.recorder, app.trainer
    lasting = (
        (app.inference.camera_status, error, "Camera: "),
        (app.inference.error, error, ""),
        (recorder.problem if recorder else None, error, ""),
        (trainer.problem if trainer else None, warning, ""),
        (trainer.waiting if trainer else None, warning, ""),
        (app.games.problem, warning, ""),
    )
    out = [
        v.Banner(prefix + text[:1].upper() + text[1:], severity)
        for text, severity, prefix in lasting
        if text
    ]
    message = app.arcade.message_text()
    if message:
        out.append(v.Banner(message))
    return tuple(out)


def confirm_clear(arcade: Any, now: float) -> v.ConfirmClear | None:
    if not arcade.confirming_clear:
        return None
    return v.ConfirmClear(
        samples=sum(arcade.counts.values()), seconds_left=max(0.0, arcade.confirm_until - now)
    )


def initials(arcade: Any, games: Any, now: float) -> v.Initials | None:
    sign = arcade.initials
    if sign is None:
        return None
    return v.Initials(
        score=sign.score,
        rank=games.rank_of(sign.score),
        letters=sign.text[: sign.cursor + 1],
        seconds_left=max(0.0, sign.until - now),
    )


def problem(model_problem: str | None) -> v.Problem | None:
    if model_problem is None:
        return None
    # The fix is the one big line, read at a metre: the command alone (one line at 800x480);
    # the offline way (--from FILE) is in the detail, the line from vision that says what is
    # missing, with the good news that nothing else is needed.
    return v.Problem(
        title="No camera model yet",
        fix="Run: edgepac fetch-model",
        detail=f"{model_problem.replace('`', '')}. It is picked up by itself.",  # no ` glyph
    )


def overlay(app: Any) -> v.Overlay:
    s = app.stats
    return v.Overlay(
        screen_fps=app.fps_meter.get_fps() if app.fps_meter else None,
        model_fps=s.fps(),
        infer_ms=s.infer_ms.percentile(50),
        latency_p95_ms=s.latency_ms.percentile(95),
        dropped=int(getattr(app.source, "dropped", 0)),
        game_ticks_per_s=app.games.ticks_per_s(),
    )
