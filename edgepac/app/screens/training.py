"""TRAINING: the camera and the live guesses stay; a progress bar and a curve of how wrong
the model still is (rescaled as it falls); then the result in plain words and PLAY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pygame

from edgepac.app.screens.canvas import (
    AMBER,
    BG,
    DIM,
    GREEN,
    PANEL,
    PINK,
    PROMPT_CAP,
    RED,
    TEXT,
    WHITE,
    YELLOW,
    blink,
    wrap,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import CoachView, View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    surface.fill(BG)
    tr = view.training
    # Running, or not started yet: until it is done or failed, it is learning.
    running = tr is None or not (tr.done or tr.error is not None)
    failed = tr is not None and tr.error is not None
    title = "TRAINING FAILED" if failed else "LEARNING YOUR MOVES" if running else "LEARNED!"
    s.header(surface, view, title)
    # The visitor still sees themselves and what the model makes of them.
    s.preview(surface, view, layout.train_camera)
    if view.bars is not None:
        s.bars(surface, view, view.bars, layout.train_bars, 9)
    else:
        counts(s, surface, view, layout.train_bars)
    # Beside or under them: progress and the curve.
    side = layout.train_side
    rx, rw = side.x, side.w
    progress = 1.0 if tr is not None and tr.done else tr.progress if tr is not None else 0.0
    bar = pygame.Rect(rx, side.y, rw, round(28 * u))
    s.regions["progress"] = bar
    pygame.draw.rect(surface, PANEL, bar, border_radius=round(6 * u))
    fill = bar.copy()
    fill.w = round(bar.w * max(0.0, min(1.0, progress)))
    pygame.draw.rect(surface, RED if failed else GREEN, fill, border_radius=round(6 * u))
    s.text(surface, f"{progress:.0%}", bar.center, 12, WHITE, "center")
    coach = view.coach if tr is not None and tr.done else None
    plot_h = layout.plot_h
    if coach is not None:  # the coach's rows take the room of the curve's lower part
        plot_h = max(round(40 * u), plot_h - round(coach_height(s, coach, rw) - 60 * u))
    plot = pygame.Rect(rx, bar.bottom + round(30 * u), rw, plot_h)
    s.text(
        surface,
        "MISTAKES: FALLING MEANS IT IS LEARNING",
        (rx, plot.y - 6 * u),
        9,
        DIM,
        "bottomleft",
        bg=BG,
        width=rw,
    )
    loss_curve(s, surface, plot, tr.losses if tr else (), tr.total_batches if tr else 0)
    y = plot.bottom + 10 * u
    area = layout.train_prompt
    if tr is None or running:
        if tr is not None and tr.frames:
            info = f"Learning {tr.poses} poses from {tr.frames} pictures."
            s.text(surface, info, (rx, y), 10, TEXT, bg=BG, width=rw)
            if tr.held_out:
                test = f"{tr.held_out} more are kept aside to test it."
                s.text(surface, test, (rx, y + 22 * u), 10, DIM, bg=BG, width=rw)
        s.prompt(surface, f"LEARNING... {progress:.0%}", area, GREEN)
        # A kiosk has no BACK button: training is a few seconds' wait there.
        wait = s.key(view, "a few seconds: keep posing to see yourself", "Esc stops it")
        if view.message is None:
            s.footer(surface, wait)
    elif failed:
        kept = "The earlier model still plays." if tr.kept_previous else "Nothing was learned."
        lines = wrap(tr.error or "", s.font(10), rw)[:2]
        for i, line in enumerate(lines):
            s.text(surface, line, (rx, y + i * 22 * u), 10, PINK, bg=BG, width=rw)
        s.text(surface, kept, (rx, y + 48 * u), 10, TEXT, bg=BG, width=rw)
        s.prompt(surface, "RECORD MORE, THEN TRAIN AGAIN", area, YELLOW)
    else:
        s.text(surface, result_words(tr), (rx, y), 11, GREEN, bg=BG, width=rw)
        if coach is not None:
            coaching(s, surface, view, coach, pygame.Rect(rx, round(y + 24 * u), rw, 0))
        else:
            tip = "Pose in front of the camera:"
            s.text(surface, tip, (rx, y + 26 * u), 10, TEXT, bg=BG, width=rw)
            s.text(
                surface, "the bars show what it sees.", (rx, y + 48 * u), 10, TEXT, bg=BG, width=rw
            )
        # By touch, TEACH MORE (back to the tiles) beside the prompt: it takes the right part.
        side = pygame.Rect(area.right - round(196 * u), area.y, round(180 * u), area.h)
        more = s.teach_more(surface, view, side)
        if more.w:
            area = pygame.Rect(area.x, area.y, side.x - area.x, area.h)
        play = s.key(view, "PLAY", "P")
        colour = YELLOW if blink(view.t, 1.2, 0.75) else WHITE
        s.prompt(surface, f"PRESS {play} TO PLAY!", area, colour, PROMPT_CAP + 4, button="play")
        if view.message is None and not view.touch:  # by touch, TEACH MORE says it
            pose_word = "an arrow key" if view.keyboard else "a pose button"
            s.footer(surface, f"or hold {pose_word} to teach me more")


COACH_ROW = 20  # units per pose row of the coach


def coach_height(s: Parts, coach: CoachView, width: int) -> float:
    """How tall the coach's rows and advice are (in pixels) at ``width``."""
    lines = wrap(coach.advice, s.font(10), width)[:2]
    return (len(coach.accuracy) * COACH_ROW + 8 + len(lines) * 20 + 24) * s.u


def coaching(
    s: Parts, surface: pygame.Surface, view: View, coach: CoachView, at: pygame.Rect
) -> None:
    """After TRAIN: a bar per pose for its share right on frames it never saw, the pose a weak
    one is taken for, and the one thing to do next."""
    u = s.u
    cap = 9
    label_w = max(s.width_of(name.upper(), cap) for name, _ in coach.accuracy) + round(30 * u)
    pct_w = s.width_of("100%", cap) + round(8 * u)
    y = at.y
    for name, share in coach.accuracy:
        colour = s.colour(view, name)
        cy = y + COACH_ROW * u / 2
        s.arrow(surface, name, (at.x + 8 * u, cy), 6, colour)
        s.text(surface, name.upper(), (at.x + 20 * u, cy), cap, colour, "midleft", bg=BG)
        back = pygame.Rect(at.x + label_w, round(cy - 6 * u), at.w - label_w - pct_w, round(12 * u))
        pygame.draw.rect(surface, PANEL, back, border_radius=round(3 * u))
        s.regions[f"coach:{name}"] = back
        if share is None:
            s.text(surface, "too few", back.center, 8, DIM, "center")
        else:
            front = back.copy()
            front.w = round(back.w * max(0.0, min(1.0, share)))
            weak = coach.confused is not None and coach.confused[0] == name
            if front.w:
                pygame.draw.rect(surface, colour, front, border_radius=round(3 * u))
            if weak:  # the pose taken for another: framed, its share in red
                pygame.draw.rect(surface, PINK, back, max(1, round(2 * u)), round(3 * u))
            ink = PINK if weak else TEXT
            s.text(surface, f"{share:.0%}", (at.right, cy), cap, ink, "midright", bg=BG)
        y += COACH_ROW * u
    y += 8 * u
    for line in wrap(coach.advice, s.font(10), at.w)[:2]:
        s.text(surface, line, (at.x, y), 10, AMBER, bg=BG, width=at.w)
        y += 20 * u
    s.regions["coach"] = pygame.Rect(at.x, at.y, at.w, round(y - at.y))


def result_words(tr: Any) -> str:
    """How well it did, in words a visitor uses."""
    if tr.accuracy is None or not tr.held_out:
        return "Too few pictures to test it: just try it!"
    right = round(tr.accuracy * tr.held_out)
    return f"Tested on {tr.held_out} new pictures: {right} right ({tr.accuracy:.0%})"


def counts(s: Parts, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
    """What is being learned, one coloured row per pose (before any model exists)."""
    u = s.u
    rows = max(1, len(view.poses))
    row_h = min(area.h / rows, 30 * u)
    for i, pose in enumerate(view.poses):
        y = area.y + i * row_h + row_h / 2
        s.arrow(surface, pose.name, (area.x + 12 * u, y), 8, pose.colour)
        s.text(surface, pose.name.upper(), (area.x + 30 * u, y), 11, pose.colour, "midleft", bg=BG)
        words = f"{pose.count} pictures"
        if 40 * u + s.width_of(pose.name.upper(), 11) + s.width_of(words, 10) > area.w:
            words = f"{pose.count}"  # a narrow column: the number says it
        s.text(surface, words, (area.right, y), 10, DIM, "midright", bg=BG)


def loss_curve(
    s: Parts, surface: pygame.Surface, plot: pygame.Rect, losses: Sequence[float], total: int = 0
) -> None:
    """The loss per batch, left to right over ``total`` batches, on a log scale from the
    highest to the lowest loss so far: it keeps falling visibly instead of lying flat
    along the bottom once it is a tenth of where it started."""
    u = s.u
    s.regions["plot"] = plot
    pygame.draw.rect(surface, PANEL, plot, border_radius=round(6 * u))
    values = np.asarray(losses[-4000:], dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) == 0:
        s.text(surface, "starting...", plot.center, 10, DIM, "center")
        return
    logs = np.log(values)
    hi, lo = float(logs.max()), float(logs.min())
    span = max(hi - lo, 1e-6)
    inner = plot.inflate(-round(12 * u), -round(12 * u))
    count = max(total, len(values))
    k = min(len(values), inner.w)
    cols = np.linspace(0, len(values) - 1, k).astype(int)
    xs = inner.x + cols * ((inner.w - 1) / max(1, count - 1))
    ys = inner.y + (hi - logs[cols]) / span * (inner.h - 1)
    if k == 1:
        pygame.draw.circle(surface, YELLOW, (round(xs[0]), round(ys[0])), max(2, round(3 * u)))
    else:
        points = list(zip(xs.tolist(), ys.tolist(), strict=True))
        pygame.draw.lines(surface, YELLOW, False, points, max(2, round(3 * u)))
