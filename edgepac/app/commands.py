"""`edgepac run` (the arcade) and `edgepac demo` (the whole arcade on the scripted demo player).

Imports nothing heavy at module level: `edgepac --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from edgepac.cli import add_input_size, add_size, positive_float
from edgepac.errors import EdgePacError


def register(sub: Any) -> None:
    run = sub.add_parser(
        "run",
        help="start the arcade (camera, buttons, screen)",
        description="Start the arcade: record your poses, train, play. Flags override the config "
        "files (/etc/edgepac/config.toml, then ~/.config/edgepac/config.toml).",
    )
    _model_flags(run)
    run.add_argument(
        "--ensure-model",
        action="store_true",
        help="fetch the default model first if there is none (./scripts/run does)",
    )
    run.add_argument(
        "--camera",
        choices=("auto", "picamera2", "webcam", "demo", "replay"),
        help="where frames come from (config camera.source)",
    )
    run.add_argument("--windowed", action="store_true", help="a window, not the full screen")
    add_size(run, None, "screen or window size, e.g. 800x480")
    run.add_argument(
        "--headless",
        action="store_true",
        help="no display (SDL's dummy driver): for tests and measurements",
    )
    run.add_argument("--show-fps", action="store_true", help="show the FPS/latency overlay")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="any config key, e.g. --set play.smoothing=mean (repeatable)",
    )
    run.add_argument("--seconds", type=positive_float, help="quit after this many seconds")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser(
        "demo",
        help="the whole arcade on the demo player, with scripted button presses",
        description="Record about 30 frames per pose of the virtual player, train with the "
        "defaults, then play while the player takes the pose the autopilot wants; with --json "
        "print accuracy, fps, latency and memory.",
    )
    _model_flags(demo)
    demo.add_argument("--headless", action="store_true", help="no display (SDL's dummy driver)")
    demo.add_argument("--json", action="store_true", help="print one JSON object at the end")
    demo.add_argument(
        "--play-seconds",
        type=positive_float,
        default=60.0,
        metavar="S",
        help="how long the virtual player plays (default 60)",
    )
    demo.add_argument("--samples", type=int, default=30, help="frames recorded per pose")
    demo.add_argument(
        "--presses",
        type=int,
        default=1,
        metavar="K",
        help="record each pose's frames in K presses of its button (default 1)",
    )
    demo.add_argument(
        "--second-session",
        action="store_true",
        help="then knock the camera and change the light, play on, restart the kiosk for a "
        "new sitting and refresh (hold each button for a second); reports play accuracy "
        "before and after the refresh and the seconds it took",
    )
    demo.add_argument(
        "--touch",
        action="store_true",
        help="press nothing: wake the kiosk from attract mode, record, train, play and sign the "
        "table with SDL touch events on the screen's targets; the JSON adds touches",
    )
    demo.add_argument(
        "--timed",
        action="store_true",
        help="record each pose hands-free: a tap, the countdown, a timed burst "
        "(collect.countdown_s, collect.burst_s)",
    )
    add_size(demo, "800x480", "screen size")
    demo.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="any config key (repeatable)",
    )
    demo.set_defaults(func=cmd_demo)


def _model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="M", help="a .tflite path or a known variant name")
    p.add_argument(
        "--tm",
        metavar="NAME|PATH",
        help="play a Teachable Machine model (a name from `edgepac import-tm`; config model.tm)",
    )
    add_input_size(p)


def _config(args: argparse.Namespace, extra: dict[str, Any]) -> Any:
    from edgepac.app.config import load_config, parse_overrides

    overrides: dict[str, Any] = parse_overrides(getattr(args, "set", []) or [])
    if args.model and getattr(args, "tm", None):
        raise EdgePacError("give --model or --tm, not both")
    if args.model:
        overrides["model.path"] = args.model
        overrides["model.tm"] = ""  # --model means EdgePac's own, whatever the config says
    if getattr(args, "tm", None):
        overrides["model.tm"] = args.tm
    if args.input_size is not None:  # 0 too: the model's run size, as for every command
        overrides["model.input_size"] = args.input_size
    overrides.update(extra)
    return load_config(overrides=overrides)


def cmd_run(args: argparse.Namespace) -> int:
    # systemd stops the kiosk with SIGTERM: before the arcade is up there is nothing to save.
    signal.signal(signal.SIGTERM, _exit_quietly)
    extra: dict[str, Any] = {}
    if args.camera:
        extra["camera.source"] = args.camera
    if args.windowed:
        extra["screen.fullscreen"] = False
    if args.show_fps:
        extra["screen.show_fps"] = True
    size = args.size
    if size:
        extra["screen.width"], extra["screen.height"] = size
    if args.headless:
        _headless()
    cfg = _config(args, extra)
    from edgepac.app.build import build_app, open_buttons

    model_path, problem = _find_model(cfg, args.ensure_model)
    app = build_app(cfg, headless=args.headless, model_path=model_path, model_problem=problem)
    if problem is not None:
        # A kiosk without a model keeps its screen (systemd would restart an exit forever).
        print(f"edgepac: {problem}; the arcade runs without it until one is there",
              file=sys.stderr)
    buttons = open_buttons(cfg, app)
    # From now on SIGTERM finishes the frame, saves, closes the camera and exits 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: app.quit())
    try:
        with app:
            app.run(seconds=args.seconds)
    finally:
        if buttons is not None:
            buttons.close()
    return 0


def _find_model(cfg: Any, ensure: bool) -> tuple[Path | None, str | None]:
    """The model to run, or None and a line saying what is missing and how to fix it."""
    from edgepac.vision.models import find_model_or_problem

    if cfg.model.tm:  # a Teachable Machine model: found by name (the arcade retries it)
        from edgepac.vision.tm import resolve_tm

        try:
            resolve_tm(cfg.model.tm)
        except EdgePacError as err:
            return None, str(err)
        return None, None

    return find_model_or_problem(cfg.model.path, ensure=ensure)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.samples < 5:
        raise EdgePacError(f"--samples must be at least 5, got {args.samples}")
    if not 1 <= args.presses <= args.samples:
        raise EdgePacError(
            f"--presses must be from 1 to --samples ({args.samples}), got {args.presses}"
        )
    if args.headless:
        _headless()
    size = args.size or (800, 480)
    extra = {
        "camera.source": "demo",
        "screen.fullscreen": False,
        "screen.width": size[0],
        "screen.height": size[1],
        # The scripted player is always there; by touch the kiosk idles first, and a tap wakes it.
        "screen.attract_after_s": 1.0 if args.touch else 0.0,
        "buttons.gpio": "off",
    }
    if args.presses > 1 and not args.timed:
        # K short presses a pose: each records while held (a press under 0.3 s would otherwise
        # be a tap, starting a timed burst)
        extra["collect.burst_s"] = 0.0
    cfg = _config(args, extra)
    if args.timed and cfg.collect.burst_s <= 0:
        raise EdgePacError("demo --timed records timed bursts: set collect.burst_s above 0")

    # The demo records into a throw-away state directory: it never touches the player's.
    with tempfile.TemporaryDirectory(prefix="edgepac-demo-") as state:
        return _demo(args, cfg, Path(state))


def _demo(args: argparse.Namespace, cfg: Any, state: Path) -> int:
    from edgepac.app.build import build_app, make_autopilot, make_source
    from edgepac.app.demo import Director, Fingers

    app = build_app(
        cfg, headless=args.headless, state_dir=state, source=make_source(cfg),
        tm_plays_first=False,  # the demo player teaches from the start, on TM's head
    )  # fmt: skip
    with app:
        director = Director(
            app.source,
            app.post,  # presses go in like the keyboard's
            make_autopilot(),
            samples=args.samples,
            presses=args.presses,
            play_seconds=args.play_seconds,
        )
        director.knock = args.second_session
        director.fingers = Fingers() if args.touch else None
        director.timed = args.timed
        t0 = time.monotonic()
        app.run(until=director)
        figures = app.figures()
    figures |= _store_io(app)  # after the exit's last save
    if director.phase != "done":
        raise EdgePacError("demo: the window was closed before the demo ended")
    first = {
        "train_s": director.train_s,
        "train_cpu_s": app.trainer.cpu_s,  # the training thread's own CPU seconds
        "heldout_accuracy": _heldout(app),
    }
    if args.touch:  # scored over the play, not the wait for the ghosts to end the game after it
        figures["accuracy"], figures["raw_accuracy"] = director.accuracy, director.raw_accuracy
    taps = director.fingers.taps if director.fingers else 0  # fingers put on targets
    if args.second_session:
        first_touches = figures["touches"]
        app, second, taps = _second_sitting(args, cfg, state)
        # The figures are the second sitting's (its own app's); the first's touches beside them.
        figures = app.figures() | second | {
            "first_touches": first_touches,
            "first_accuracy": director.accuracy,
            "first_raw_accuracy": director.raw_accuracy,
            "knocked_accuracy": director.knocked_accuracy,
            "knocked_raw_accuracy": director.knocked_raw_accuracy,
        }
    figures |= {
        "seconds": time.monotonic() - t0,
        "play_seconds": args.play_seconds,
        "samples_per_class": args.samples,
        "presses": args.presses,
        **first,
        "score": getattr(app.game, "score", None),
        "model": str(app.backbone.model_path),
        "tm": cfg.model.tm,
        "input_size": app.backbone.input_size,
        "feature_shape": list(app.backbone.feature_shape),
        "interpreter": app.backbone.interpreter_name,
        "head": cfg.learning.head,
        "source_fps": cfg.camera.fps,
        "touch": args.touch,
        "timed": args.timed,
        "taps": taps,
        "initials": director.initials,  # signed by touch
        "frames_per_pose": dict(app.arcade.counts),  # recorded (held, or timed bursts)
    }
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    elif args.second_session:
        print(
            f"play accuracy: first sitting {figures['first_accuracy']:.1%}, camera knocked "
            f"{figures['knocked_accuracy']:.1%}, after the refresh "
            f"{figures['refreshed_accuracy']:.1%}; the refresh took {figures['refresh_s']:.1f} s "
            f"({figures['refresh_recording_s']:.1f} s holding the buttons, "
            f"{figures['refresh_training_s']:.1f} s training)"
        )
    else:
        acc = figures["accuracy"]
        print(
            f"accuracy {acc:.1%} of {figures['play_frames']} play frames, "
            f"{figures['fps']:.1f} fps, p95 latency {figures['latency_ms_p95']:.1f} ms, "
            f"peak RSS {figures['rss_mb']:.0f} MB, dropped {figures['dropped']}"
        )
        lag = figures["steer_lag_frames_p50"]
        turns = (
            f"turns {lag:.0f} frame(s) after the player (p95 "
            f"{figures['steer_lag_frames_p95']:.0f})"
            if lag is not None
            else "the player did not change pose"
        )
        print(
            f"steering ({figures['smoothing']}): {turns}, "
            f"{figures['false_turns_per_min'] or 0:.1f} false turns a minute"
        )
    return 0


def _store_io(app: Any) -> dict[str, Any]:
    """What saving the samples cost: our own count (bytes and fsyncs the store's folder made)
    and the kernel's for the whole process so far (/proc/self/io: write_bytes reached the
    block layer, wchar went through write calls)."""
    recorder = app.recorder
    figures: dict[str, Any] = {
        "recorded_bytes": len(recorder) * recorder._store.frame_bytes,
        "store_bytes_written": recorder.folder.bytes_written,
        "store_fsyncs": recorder.folder.fsyncs,
        "store_saves": recorder.saves,
    }
    try:
        io = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        figures |= {"io_write_bytes": int(io["write_bytes"]), "io_wchar": int(io["wchar"])}
    except (OSError, KeyError, ValueError):  # not Linux, or no task I/O accounting
        pass
    return figures


def _heldout(app: Any) -> float | None:
    result = app.arcade.result
    return result.accuracy if result is not None else None


def _second_sitting(
    args: argparse.Namespace, cfg: Any, state: Path
) -> tuple[Any, dict, int]:
    """The kiosk restarted (another hour, the camera still knocked): the returning player is
    welcomed back, refreshes (by touch with ``--touch``) and plays. Returns the app, what the
    refresh cost and the fingers put on targets."""
    from edgepac.app.build import build_app, make_autopilot, make_source
    from edgepac.app.demo import KNOCKED, Fingers, Returning

    source = make_source(cfg)
    source.move_camera(**KNOCKED)
    app = build_app(cfg, headless=args.headless, state_dir=state, source=source)
    with app:
        director = Returning(
            app.source, app.post, make_autopilot(), play_seconds=args.play_seconds
        )
        director.fingers = Fingers() if args.touch else None
        app.run(until=director)
    if director.phase != "done":
        raise EdgePacError("demo: the window was closed before the second sitting ended")
    recording, training = director.recording_s or 0.0, director.training_s or 0.0
    return app, {
        "refreshed_accuracy": director.accuracy,
        "refreshed_raw_accuracy": director.raw_accuracy,
        "refresh_recording_s": recording,
        "refresh_training_s": training,
        "refresh_training_cpu_s": app.trainer.cpu_s,
        "refresh_s": recording + training,
        "refresh_frames": director.frames,
    }, director.fingers.taps if director.fingers else 0


def _exit_quietly(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _headless() -> None:
    # Before pygame is imported anywhere: SDL reads these once.
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: edgepac run | edgepac demo")
