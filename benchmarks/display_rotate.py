"""display.rotate's cost: turning one frame onto the panel, per frame, against the 60 Hz budget.

    SDL_VIDEODRIVER=dummy .venv/bin/python benchmarks/display_rotate.py [--size 720x1280]
        [--page docs/benchmarks/display_rotate.md]

Peers in the same run, interleaved, so the shared machine's noise cancels in the ratios: the
presenter's NumPy copy from a rotated view (what the app does: allocates nothing per frame) for
each angle, and SDL's ``pygame.transform.rotate`` + blit (a new surface every frame) at 90.
Prints one JSON object: median milliseconds per frame and the ratios to the SDL turn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from docs_page import add_page_flag, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="720x1280", help="the panel, WxH")
    parser.add_argument("--frames", type=int, default=200)
    add_page_flag(parser)
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from edgepac.app.present import Presenter

    w, h = (int(v) for v in args.size.lower().split("x"))
    pygame.display.init()
    display = pygame.display.set_mode((w, h))
    presenters = {d: Presenter(display, d) for d in (0, 90, 180, 270)}
    for p in presenters.values():
        p.surface.fill((30, 60, 90))
    logical90 = presenters[90].surface

    def sdl_turn() -> None:
        display.blit(pygame.transform.rotate(logical90, -90), (0, 0))

    peers = {f"numpy_{d}": presenters[d].present for d in (0, 90, 180, 270)}
    peers["sdl_rotate_blit_90"] = sdl_turn
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(args.frames):
        for name, turn in peers.items():
            t0 = time.perf_counter()
            turn()
            times[name].append(time.perf_counter() - t0)
    ms = {name: round(statistics.median(t) * 1000, 3) for name, t in times.items()}
    sdl = ms["sdl_rotate_blit_90"]
    out = {
        "size": args.size,
        "frames": args.frames,
        "median_ms": ms,
        "ratio_to_sdl": {k: round(v / sdl, 2) for k, v in ms.items() if sdl},
    }
    print(json.dumps(out))
    if args.page:
        figures: dict[str, object] = {"size": args.size, "frames": args.frames}
        figures |= {f"{k}_ms": v for k, v in ms.items()}
        figures |= {f"{k}_to_sdl": r for k, r in out["ratio_to_sdl"].items()}
        write(args.page, figures)


if __name__ == "__main__":
    main()
