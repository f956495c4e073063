"""What a frame of each page costs to draw at each display shape (the main thread's work).

    nice .venv/bin/python benchmarks/screens_draw.py            # add --frames N, --json

The median milliseconds to draw PLAYING (with a new camera frame each time: the preview
rescales), COLLECT while recording (a tile redrawn per frame) and ATTRACT, per size, from the
screenshots' hand-built Views. Peers in the same run, so the shared machine's noise cancels in
the ratios: each shape against 800x480, the 33 ms a 30 fps frame may take.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import replace

SIZES = [(800, 480), (480, 320), (1024, 600), (720, 1280), (1280, 720), (1920, 1080)]
PAGES = ("playing", "collect-recording", "attract")


def measure(frames: int) -> dict[str, dict[str, float]]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from edgepac.app.screens import Screen, game_renderer
    from edgepac.app.screenshots import CLASSES, views

    pygame.display.init()
    every = views()
    results: dict[str, dict[str, float]] = {}
    for size in SIZES:
        screen = Screen(size, game_renderer(size), CLASSES)
        surface = pygame.Surface(size)
        row = {}
        for page in PAGES:
            view = every[page]
            times = []
            for i in range(frames):
                # A new camera frame and a burst one longer each time, as while playing.
                frame = replace(view, camera_seq=1000 + i, burst=view.burst + i, t=i / 30)
                t0 = time.perf_counter()
                screen.draw(surface, frame)
                times.append(time.perf_counter() - t0)
            row[page] = round(statistics.median(times) * 1000, 2)
        results[f"{size[0]}x{size[1]}"] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.frames)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    base = results["800x480"]
    print(f"{'size':>10}  " + "  ".join(f"{p:>24}" for p in PAGES))
    for size, row in results.items():
        cells = [f"{row[p]:7.2f} ms ({row[p] / base[p]:4.1f}x)" for p in PAGES]
        print(f"{size:>10}  " + "  ".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    main()
