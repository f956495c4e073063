"""Sound effects synthesised in code (NumPy waveforms played by pygame.mixer); no recordings.

Where there is no audio device - a kiosk without speakers, CI, ``--headless`` - every call is a
quiet no-op: the game never fails for want of sound.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pygame

log = logging.getLogger(__name__)

RATE = 22050


def _tone(freqs: np.ndarray, volume: float = 0.3, square: float = 0.5) -> np.ndarray:
    """A wave following the per-sample frequencies, part square (arcade-ish), part sine."""
    phase = 2 * np.pi * np.cumsum(freqs) / RATE
    sine = np.sin(phase)
    wave = (1 - square) * sine + square * np.sign(sine)
    n = len(freqs)
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (RATE * 0.004))
    return (wave * fade * volume).astype(np.float32)


def _sweep(f0: float, f1: float, seconds: float, **kw: float) -> np.ndarray:
    return _tone(np.linspace(f0, f1, int(RATE * seconds)), **kw)


def _notes(seq: Iterable[tuple[float, float]], **kw: float) -> np.ndarray:
    """(frequency Hz or 0 for a rest, seconds) pairs, one after another."""
    parts = []
    for f, s in seq:
        n = int(RATE * s)
        parts.append(np.zeros(n, np.float32) if f == 0 else _tone(np.full(n, f), **kw))
    return np.concatenate(parts)


def waveforms() -> dict[str, np.ndarray]:
    """Every effect as float32 samples in [-1, 1] at RATE Hz (pure: testable without audio)."""
    death = np.concatenate([_sweep(800 - 60 * i, 300 - 20 * i, 0.11) for i in range(10)])
    return {
        "waka_a": _sweep(260, 520, 0.09, volume=0.25),
        "waka_b": _sweep(520, 260, 0.09, volume=0.25),
        "energizer": _sweep(200, 900, 0.25),
        # The frightened warble: a low siren that loops while the ghosts are blue.
        "fright": _tone(300 + 120 * np.sin(np.linspace(0, 2 * np.pi * 4, int(RATE * 0.5))), 0.18),
        "ghost": _sweep(200, 1600, 0.35, volume=0.3),
        "fruit": _notes([(660, 0.06), (880, 0.06), (1320, 0.12)]),
        "death": death,
        "extra_life": _notes([(1047, 0.08), (0, 0.04)] * 5),
        # An original start jingle (not the arcade's tune) as long as a new game's READY! (4 s):
        # each chord (C, D minor, E minor, G) up four notes and back two, then a close on C.
        "start": _notes(
            [
                (f, 0.125)
                for a, b, c, d in (
                    (523, 659, 784, 1047),
                    (587, 698, 880, 1175),
                    (659, 784, 988, 1319),
                    (784, 988, 1175, 1568),
                )
                for f in (a, b, c, d, c, b)
            ]
            + [(1047, 0.25), (784, 0.25), (1047, 0.5)],
            volume=0.25,
        ),
        "level_clear": _notes([(784, 0.1), (988, 0.1), (1175, 0.1), (1568, 0.3)]),
    }


class Sounds:
    """The game's sound effects, or silence when there is no audio device (or ``enabled=False``)."""

    def __init__(self, enabled: bool = True) -> None:
        self.available = False
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        self._waka = 0
        self._fright_channel: pygame.mixer.Channel | None = None
        if not enabled:
            return
        try:
            import pygame  # imported here: a missing mixer must not stop the game

            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=1, buffer=512)
            freq, _, channels = pygame.mixer.get_init()
            for name, wave in waveforms().items():
                if freq != RATE:  # the device insisted on its own rate: resample by index
                    idx = np.linspace(0, len(wave) - 1, int(len(wave) * freq / RATE))
                    wave = wave[idx.astype(int)]
                pcm = (wave * 32767).astype(np.int16)
                if channels > 1:
                    pcm = np.repeat(pcm[:, None], channels, axis=1)
                self._sounds[name] = pygame.sndarray.make_sound(np.ascontiguousarray(pcm))
            self.available = True
        except Exception as err:  # no device, no driver, no mixer module: play on in silence
            log.info("no sound: %s", err)
            self._sounds.clear()

    def play(self, name: str, loops: int = 0) -> pygame.mixer.Channel | None:
        """Start an effect; returns its channel (None when silent)."""
        sound = self._sounds.get(name)
        if sound is None:
            return None
        return sound.play(loops=loops)

    def react(self, events: Iterable[str], frightened: bool = False) -> None:
        """Play what a game tick's events call for; keep the warble going while ghosts are blue."""
        if not self.available:
            return
        for event in events:
            if event == "dot":
                self._waka ^= 1
                self.play("waka_a" if self._waka else "waka_b")
            elif event in ("energizer", "ghost", "fruit", "extra_life", "level_clear"):
                self.play(event)
            elif event == "collapse":  # the death sound goes with Pac-Man's collapse
                self.play("death")
        if frightened and self._fright_channel is None:
            self._fright_channel = self.play("fright", loops=-1)
        elif not frightened and self._fright_channel is not None:
            self._fright_channel.stop()
            self._fright_channel = None
