"""A benchmark writes its own page: its latest figures into ``docs/benchmarks/<name>.md``.

A benchmark with ``--page FILE`` replaces the block between the page's two markers with its
command, the machine, the date, the load and the figures it just measured, and leaves the rest
of the page (what the figures mean, earlier runs) as it is. So a page is regenerated, never
edited by hand, and a figure always comes with the command that made it.

    .venv/bin/python benchmarks/game_speed.py --page docs/benchmarks/game-speed.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import sys
from pathlib import Path

BEGIN = "<!-- begin: written by the benchmark's --page; do not edit by hand -->"
END = "<!-- end: written by the benchmark's --page -->"


def add_page_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--page",
        type=Path,
        metavar="FILE.md",
        help="also write the figures into this page (docs/benchmarks/...), between its markers",
    )


def machine() -> str:
    """What ran it: CPU, cores, OS, Python, in one line."""
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = f"{names[0]} ({platform.machine()})" if names else cpu
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def figures_table(figures: dict[str, object]) -> str:
    rows = ["| figure | value |", "| --- | --- |"]
    rows += [f"| `{k}` | {v} |" for k, v in figures.items()]
    return "\n".join(rows) + "\n"


def block(figures: dict[str, object], argv: list[str] | None = None) -> str:
    """The generated block: command, machine, date and load, then the figures."""
    argv = sys.argv if argv is None else argv
    args, skip = [], False
    for arg in argv[1:]:  # the command as run, without --page itself
        if skip or arg == "--page":
            skip = not skip
            continue
        if not arg.startswith("--page="):
            args.append(arg)
    command = shlex.join([".venv/bin/python", f"benchmarks/{Path(argv[0]).name}", *args])
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{BEGIN}\n\n## Latest run\n\n"
        f"- **Command:** `{command}`\n- **Machine:** {machine()}\n"
        f"- **Date:** {now}; load average {load} (1, 5, 15 min) at the end\n\n"
        f"{figures_table(figures)}\n{END}"
    )


def write(page: Path, figures: dict[str, object], argv: list[str] | None = None) -> None:
    """Put the block into ``page``, in place of the old one, else at the page's end."""
    text = page.read_text() if page.exists() else f"# {page.stem}\n"
    new = block(figures, argv)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    tmp = page.with_name(f".{page.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, page)
    print(f"wrote the figures into {page}", file=sys.stderr)
