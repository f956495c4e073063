"""Sound is synthesised in code, plays where there is a device and is silent where there is none."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from edgepac.game.game import START_S
from edgepac.game.sound import RATE, Sounds, waveforms


def test_waveforms_are_real_sounds() -> None:
    waves = waveforms()
    assert {"waka_a", "waka_b", "energizer", "fright", "ghost", "fruit", "death"} <= set(waves)
    for name, w in waves.items():
        assert w.dtype == np.float32 and np.isfinite(w).all(), name
        assert 0.05 * RATE <= len(w) <= (4.1 if name == "start" else 3) * RATE, name  # short
        assert 0.05 < np.abs(w).max() <= 1.0, name  # not silent, not clipping
    # The start jingle plays through a new game's READY! (4 s, as the arcade's ~4.2 s tune).
    assert len(waves["start"]) / RATE == pytest.approx(START_S, abs=0.1)
    assert not np.array_equal(waves["waka_a"], waves["waka_b"])  # the two halves of the chomp


def test_plays_on_the_dummy_audio_device() -> None:
    pygame.mixer.quit()
    sounds = Sounds()
    try:
        assert sounds.available
        assert sounds.play("dot") is None  # unknown name: nothing, no crash
        sounds.react(["dot", "energizer", "ghost", "death", "collapse"], frightened=True)
        assert sounds._fright_channel is not None  # the warble loops while ghosts are blue
        sounds.react([], frightened=False)
        assert sounds._fright_channel is None
    finally:
        pygame.mixer.quit()


def test_silent_without_an_audio_device(monkeypatch: pytest.MonkeyPatch) -> None:
    pygame.mixer.quit()
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-device")
    sounds = Sounds()
    assert not sounds.available
    sounds.react(["dot", "death"], frightened=True)  # quietly nothing
    assert sounds.play("death") is None
    assert not Sounds(enabled=False).available
