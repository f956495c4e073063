"""From the arcade: with `learning.export = true`, each TRAIN also writes the player's
controller as a Teachable Machine zip in the state folder; a clear takes it away again."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import make_app, record, run_until

from edgepac.app.app import App
from edgepac.app.arcade import State
from edgepac.app.config import load_config
from edgepac.camera.demo_player import DemoPainter
from edgepac.controls.events import Event, Kind
from edgepac.errors import EdgePacError
from edgepac.poses import POSES
from edgepac.vision.backbone import Backbone


def teach_and_train(app: App, poses: tuple[str, ...], frames: int = 12) -> None:
    for name in poses:
        record(app, name, frames)
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

    app = make_app(tmp_path, Backbone(model_025_128, input_size=224), **{"learning.export": "true"})
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
    app = make_app(tmp_path, Backbone(model_025_128, input_size=224))
    assert app.cfg.learning.export is False
    with app:
        run_until(app, lambda a: a.frame is not None)
        teach_and_train(app, ("up", "down"))
    assert (tmp_path / "head.npz").exists() and not (tmp_path / "controller.zip").exists()


def test_export_with_a_knn_head_is_a_config_error_that_names_the_key() -> None:
    with pytest.raises(EdgePacError, match=r'learning\.export = true .* learning\.head = "dense"'):
        load_config(paths=[], overrides={"learning.export": "true", "learning.head": "knn"})


def test_an_export_that_fails_is_said_and_the_trained_head_still_plays(tmp_path: Path) -> None:
    """The export runs after the head is saved: when it cannot be written (here: the arcade
    plays a model the export does not take) the screen says so and the new head plays."""
    from types import SimpleNamespace

    from edgepac.app.recorder import Recorder
    from edgepac.app.trainer import Trainer
    from edgepac.export.controller import exporter
    from edgepac.learning.store import SampleStore

    store = SampleStore((2, 2, 4), scale=0.1, zero_point=0, class_names=("up", "down"))
    rec = Recorder(store, tmp_path / "samples")
    for name, value in (("up", 10), ("down", 200)):
        rec.begin(name)
        for i in range(8):
            rec.add(np.full((2, 2, 4), value + i, np.uint8), np.zeros((8, 8, 3), np.uint8))
        rec.end()
    tm_like = SimpleNamespace(cut_layer="tm_embedding", model_path=tmp_path / "m", input_size=224)
    learning = load_config(paths=[], overrides={"learning.export": "true"}).learning
    trainer = Trainer(
        learning, rec, None, tmp_path / "head.npz", exporter(tm_like, tmp_path / "c.zip")
    )
    trainer.start()
    trainer.join(timeout=60)
    (done,) = trainer.finished()
    assert done.result.ok and done.head is not None and (tmp_path / "head.npz").exists()
    assert trainer.problem is not None and trainer.problem.startswith("controller.zip not written")
    assert "learning.export = false" in trainer.problem
    assert not (tmp_path / "c.zip").exists()
