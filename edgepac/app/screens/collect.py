"""COLLECT: the camera, a tile per pose (its picture, count, what to press), the model's
state and the next step; with a model, the tile of the pose it sees now is framed."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    BG,
    PINK,
    PROMPT_CAP,
    WHITE,
    YELLOW,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import Bars, ModelStatus, View


def collect_prompt(s: Parts, view: View) -> tuple[str, str]:
    """The next step on COLLECT, and the smaller line of other choices under it."""
    train = s.key(view, "TRAIN", "T")
    play = s.key(view, "PLAY", "P")
    taught = [p for p in view.poses if p.count > 0]
    pose_word = "AN ARROW KEY" if view.keyboard else "A POSE BUTTON"
    others = (
        "T learn  P play  C clear all  F figures"
        if view.keyboard
        else "TRAIN + PLAY held: clear all"
    )
    if view.touch:  # the tiles are the buttons; a tap records hands-free
        pose_word, others = "A TILE", "a tap records hands-free"
    cd = view.countdown
    if cd is not None and cd.phase == "wait":
        return f"STEP BACK AND POSE {cd.pose.upper()}", "press or tap it again to cancel"
    if cd is not None:
        return f"HOLD IT: RECORDING {cd.pose.upper()}", "press or tap it again to stop"
    if view.recording:
        return "KEEP POSING - LET GO TO STOP", "more frames in more places make it better"
    if view.model is ModelStatus.TRAINED:  # (a Teachable Machine model: before any pose)
        return f"PRESS {play} TO PLAY", f"or hold {pose_word.lower()} to teach more    {others}"
    if not taught:
        return f"HOLD {pose_word} AND POSE", "each pose steers one way: teach two or more"
    if len(taught) == 1:
        return "NOW TEACH A SECOND POSE", others
    return f"PRESS {train} TO LEARN", f"or hold {pose_word.lower()} to teach more    {others}"


def collect_button(view: View) -> str | None:
    """The physical button COLLECT's prompt asks for, when it asks for one."""
    if view.recording or view.countdown or sum(p.count > 0 for p in view.poses) < 2:
        return None
    return "play" if view.model is ModelStatus.TRAINED else "train"


def guesses(s: Parts, surface: pygame.Surface, view: View, bars: Bars) -> None:
    """With a model: the tile of the pose it sees now is framed in white and tagged, so a
    visitor can check each pose before PLAY (nothing when it is not sure)."""
    u = s.u
    tile = s.regions.get(f"tile:{bars.chosen}") if bars.chosen else None
    if tile is None or bars.chosen is None:
        return
    frame = tile.inflate(round(8 * u), round(8 * u))
    pygame.draw.rect(surface, WHITE, frame, max(2, round(3 * u)), round(10 * u))
    img = s.render("I SEE THIS", 8, BG)
    tag = img.get_rect(center=(tile.centerx, frame.top))
    back = tag.inflate(round(12 * u), round(6 * u))
    label = s.regions.get("model_label")  # a top tile under the imported model's name
    if label is not None and back.colliderect(label):
        tag.centery = back.centery = frame.bottom  # the tag hangs below it instead
    pygame.draw.rect(surface, WHITE, back, border_radius=round(4 * u))
    surface.blit(img, tag)
    s.regions["seen_tag"] = back
    s.said.append("I SEE THIS")
    s.regions["seen"] = frame


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    s.camera_and_tiles(surface, view, "TEACH ME YOUR MOVES")
    if view.bars is not None and view.recording is None and view.countdown is None:
        guesses(s, surface, view, view.bars)
    s.press_hint(surface, view)
    s.countdown(surface, view)
    big, small = collect_prompt(s, view)
    button = collect_button(view)
    colour = PINK if view.recording or view.countdown else YELLOW
    if view.countdown is not None and view.countdown.phase == "wait":
        colour = s.colour(view, view.countdown.pose)
    s.prompt(surface, big, layout.teach_prompt, colour, PROMPT_CAP + 4, button=button)
    if view.message is None:  # a message takes the hint's place
        s.footer(surface, small, size=10, lift=12)
