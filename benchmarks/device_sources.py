"""The camera edge: what a frame costs before the backbone sees it.

    python benchmarks/device_sources.py [--seconds 3] [--rounds 3]
    [--page docs/benchmarks/device-sources.md]   # also write the figures into its page

Prints one JSON object:
- demo_draw_ms_{320,640}: the demo player's drawing per frame (figure, light, noise), median;
- handoff_us_p50/p95 vs queue_us_p50/p95: from ``put`` in one thread to ``get`` returning in
  another, for LatestFrame and for its obvious peer, a ``queue.Queue(maxsize=1)`` (which must
  block or drop by hand); rounds alternate the two so the shared machine's load hits both alike;
- source_latency_ms_p50/p95, fps, dropped: a DemoPlayer at 30 fps read by a reader that takes
  5 ms per frame (as the 0.25_128 backbone on this machine does): capture time to ``read``
  returning, frames per second delivered, frames dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import threading
import time

import numpy as np
from docs_page import add_page_flag, write

from edgepac.camera.demo_player import DemoPainter, DemoPlayer
from edgepac.camera.handoff import LatestFrame


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def draw_ms(size: tuple[int, int], n: int = 150) -> float:
    painter = DemoPainter(size)
    rng = np.random.default_rng(0)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        painter.draw(("up", "down", "left", "right", None)[i % 5], rng, i / 30)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def handoff_us(kind: str, n: int = 2000) -> list[float]:
    """put -> get latency with the consumer already waiting, in microseconds."""
    slot: LatestFrame[float] = LatestFrame()
    q: queue.Queue[float] = queue.Queue(maxsize=1)
    ready = threading.Event()
    out: list[float] = []

    def consume() -> None:
        for _ in range(n):
            ready.set()
            sent = slot.get(5.0) if kind == "latest" else q.get(timeout=5.0)
            out.append((time.perf_counter() - sent) * 1e6)

    reader = threading.Thread(target=consume)
    reader.start()
    for _ in range(n):
        ready.wait()
        ready.clear()
        time.sleep(0.0002)  # let the reader block in get
        if kind == "latest":
            slot.put(time.perf_counter())
        else:
            q.put(time.perf_counter())
    reader.join()
    return out


def source_run(seconds: float) -> dict[str, float]:
    latencies = []
    with DemoPlayer((640, 480), fps=30) as player:
        player.read(2.0)
        start, first = time.monotonic(), player.captured
        while time.monotonic() - start < seconds:
            frame = player.read(2.0)
            latencies.append((time.monotonic() - frame.t) * 1e3)
            time.sleep(0.005)  # the backbone's share
        delivered = player.captured - first
        return {
            "source_latency_ms_p50": round(pct(latencies, 50), 3),
            "source_latency_ms_p95": round(pct(latencies, 95), 3),
            "fps": round(delivered / (time.monotonic() - start), 1),
            "dropped": player.dropped,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    add_page_flag(parser)
    args = parser.parse_args()
    latest: list[float] = []
    peer: list[float] = []
    for _ in range(args.rounds):  # alternate, so load spikes hit both
        latest += handoff_us("latest")
        peer += handoff_us("queue")
    result = {
        "load_before": round(os.getloadavg()[0], 2),
        "demo_draw_ms_320": round(draw_ms((320, 240)), 3),
        "demo_draw_ms_640": round(draw_ms((640, 480)), 3),
        "handoff_us_p50": round(pct(latest, 50), 1),
        "handoff_us_p95": round(pct(latest, 95), 1),
        "queue_us_p50": round(pct(peer, 50), 1),
        "queue_us_p95": round(pct(peer, 95), 1),
        **source_run(args.seconds),
        "load_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))
    if args.page:
        write(args.page, result)


if __name__ == "__main__":
    main()
