"""From the arcade: with `learning.export = true`, each TRAIN also writes the player's
controller as a Teachable Machine zip in the state folder; a clear takes it away again."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edgepac.app.app import App
from edgepac.app.arcade import State
from edgepac.app.config import load_config
from edgepac.app.screen import panel_width
from edgepac.camera.demo_player import DemoPainter, DemoPlayer
from edgepac.controls.events import Event, Kind
from edgepac.errors import EdgePacError
from edgepac.game.controllers import Autopilot
from edgepac.game.game import Game
from edgepac.game.render import Renderer
from edgepac.poses import POSES


def make_app(state: Path, model: Path, cfg: Any) -> App:
    from edgepac.vision.backbone import Backbone

    return App(
        cfg,
        source=DemoPlayer(fps=30),
        backbone=Backbone(model, input_size=224, num_threads=1),
        state_dir=state,
        make_game=lambda: Game(seed=7, difficulty=cfg.play.difficulty),
        autopilot=Autopilot(),
        renderer_factory=lambda size: Renderer(screen_size=size, panel_width=panel_width(size)),
    )


def run_until(app: App, done: Any, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    app.run(until=lambda a: done(a) or time.monotonic() > end)
    assert done(app), "timed out"


def teach_and_train(app: App, poses: tuple[str, ...], frames: int = 12) -> None:
    player: DemoPlayer = app.source
    for name in poses:
        player.pose = name
        run_until(app, lambda a, n=name: a.frame is not None and a.frame.truth == n)
        want = app.arcade.counts.get(name, 0) + frames
        app.post(Event(Kind.HOLD, name))
        run_until(app, lambda a, n=name, w=want: a.arcade.counts.get(n, 0) >= w)
        app.post(Event(Kind.RELEASE, name))
        run_until(app, lambda a: a.arcade.recording is None)
    before = app.arcade.result
    app.post(Event(Kind.TRAIN))
    run_until(app, lambda a: a.arcade.state is State.TRAINING)
    run_until(app, lambda a: a.arcade.result not in (None, before), timeout=90)  # a busy machine
    assert app.arcade.result.ok, app.arcade.result.error


@pytest.mark.slow
def test_export_on_writes_the_controller_at_each_train_and_a_clear_removes_it(
    tmp_path: Path, model_025_128: Path
) -> None:
    from ai_edge_litert.interpreter import Interpreter

    from edgepac.vision.backbone import Backbone

    cfg = load_config(
        paths=[], overrides={"screen.attract_after_s": 0.0, "learning.export": "true"}
    )
    app = make_app(tmp_path, model_025_128, cfg)
    out = tmp_path / "controller.zip"
    with app:
        run_until(app, lambda a: a.frame is not None)
        teach_and_train(app, POSES)
        assert out.is_file()  # written with the head, before the result came back
        with zipfile.ZipFile(out) as zf:
            assert zf.read("labels.txt").decode() == "0 up\n1 down\n2 left\n3 right\n"
            interp = Interpreter(model_content=zf.read("model.tflite"))
        # the zip is the head that plays: the same probabilities on the same frame
        interp.allocate_tensors()
        frame = DemoPainter().draw("left", np.random.default_rng(3))[8:232, 48:272]
        interp.set_tensor(interp.get_input_details()[0]["index"], frame[None].copy())
        interp.invoke()
        theirs = interp.get_tensor(interp.get_output_details()[0]["index"])[0]
        bb = Backbone(model_025_128, input_size=224)  # the app's own is busy on its thread
        ours = app.head.predict_proba(bb.dequantize(bb.features(frame)))
        assert np.abs(theirs - ours).max() < 0.01
        first = out.read_bytes()

        # another TRAIN (a pose taught again) writes the new head's controller over the old
        teach_and_train(app, ("up",))
        assert out.read_bytes() != first
        assert zipfile.ZipFile(io.BytesIO(out.read_bytes())).testzip() is None

        # a clear (TRAIN+PLAY held, then TRAIN to confirm) forgets the model and its export
        app.post(Event(Kind.CLEAR))
        app.step()
        app.post(Event(Kind.TRAIN))
        run_until(app, lambda a: not out.exists() and not (tmp_path / "head.npz").exists())


@pytest.mark.slow
def test_export_off_by_default_writes_no_zip(tmp_path: Path, model_025_128: Path) -> None:
    cfg = load_config(paths=[], overrides={"screen.attract_after_s": 0.0})
    assert cfg.learning.export is False
    app = make_app(tmp_path, model_025_128, cfg)
    with app:
        run_until(app, lambda a: a.frame is not None)
        teach_and_train(app, ("up", "down"))
    assert (tmp_path / "head.npz").exists() and not (tmp_path / "controller.zip").exists()


def test_export_with_a_knn_head_is_a_config_error_that_names_the_key() -> None:
    with pytest.raises(EdgePacError, match=r'learning\.export = true .* learning\.head = "dense"'):
        load_config(paths=[], overrides={"learning.export": "true", "learning.head": "knn"})
