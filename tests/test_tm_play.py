"""A Teachable Machine model in EdgePac: its predictions agree with TM's recipe, its head warm
starts EdgePac's, and every command that takes --model takes --tm.

TM's own predictions (tests/data/tm/tm_predictions.json) were recorded with TM's converter
recipe and a bare TFLite interpreter (tests/data/tm/make_fixtures.py); here a bare LiteRT
interpreter runs TM's whole model as TM's snippet would, next to EdgePac's cut model and head.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from edgepac.cli import main
from edgepac.learning.heads import dense_head_from_weights, with_classes
from edgepac.poses import POSES
from edgepac.vision import tm
from edgepac.vision.images import load_rgb
from edgepac.vision.preprocess import SquareResizer

DATA = Path(__file__).resolve().parent / "data" / "tm"
ZIPS = {"float": DATA / "converted_tflite.zip", "uint8": DATA / "converted_tflite_quantized.zip"}
RECORDED = json.loads((DATA / "tm_predictions.json").read_text())
TM_IMAGES = {"tm:Class 1/0.png": DATA / "images/Class 1/0.png",
             "tm:Class 2/0.png": DATA / "images/Class 2/0.png"}  # fmt: skip
PHOTOS = ("hot_dog.jpg", "parrot.jpg", "cat.bmp")
MAPS = {"Class 1": "up", "Class 2": "down"}


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("EDGEPAC_MODELS", str(folder))
    monkeypatch.setenv("EDGEPAC_STATE", str(tmp_path / "state"))
    return folder


@pytest.fixture(scope="module")
def stored() -> dict[str, tm.TmModel]:
    return {kind: tm.from_export(tm.read_export(z), kind, MAPS) for kind, z in ZIPS.items()}


def image_paths(images_dir: Path) -> dict[str, Path]:
    return {**TM_IMAGES, **{name: images_dir / name for name in PHOTOS}}


def tm_recipe(model: bytes, kind: str, image: np.ndarray) -> np.ndarray:
    """TM's whole model in a bare interpreter, as TM's Python snippet runs it: the centre
    square, 224 (bilinear), x/127.5 - 1 for the float model, raw pixels for the quantized one;
    -> probabilities (the uint8 output / 256, as TM's quantisation has it)."""
    from edgepac.vision.interpreter import find_interpreter

    interp = find_interpreter().cls(model_content=model)  # LiteRT, or tflite-runtime
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    pixels = SquareResizer(224, "bilinear")(image, np.empty((224, 224, 3), np.uint8))
    x = pixels.astype(np.float32) / 127.5 - 1.0 if kind == "float" else pixels
    interp.set_tensor(inp["index"], x[None])
    interp.invoke()
    y = interp.get_tensor(out["index"])[0]
    return y.astype(np.float64) if kind == "float" else y / 256.0


def recorded(key: str, kind: str) -> np.ndarray:
    values = np.array(RECORDED["images"][key][kind], dtype=np.float64)
    return values if kind == "float" else values / 256.0


# --- agreement with TM's recipe ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["float", "uint8"])
def test_predict_json_agrees_with_tms_recipe(
    kind: str, models: Path, images_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = image_paths(images_dir)
    assert main(["predict", "--tm", str(ZIPS[kind]), "--json", *map(str, paths.values())]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(paths)
    # TM's float model: to float precision; the quantized one computes its dense layers in 8
    # bits, EdgePac in float on the same int8 embedding: within a few of its 1/256 steps.
    tolerance = 1e-4 if kind == "float" else 0.02
    for (key, path), line in zip(paths.items(), lines, strict=True):
        assert line["image"] == str(path)
        tm_said = recorded(key, kind)
        got = np.array([line["probabilities"]["Class 1"], line["probabilities"]["Class 2"]])
        assert np.abs(got - tm_said).max() < tolerance, (key, got, tm_said)
        assert line["class"] == RECORDED["labels"][int(np.argmax(tm_said))], key
    # TM's own images are what TM's model was trained on: it is sure of them, and so are we.
    assert lines[0]["class"] == "Class 1" and lines[1]["class"] == "Class 2"


@pytest.mark.parametrize("kind", ["float", "uint8"])
def test_a_bare_interpreter_here_gives_what_tm_recorded(kind: str, images_dir: Path) -> None:
    """The recipe as the tests run it is TM's: same numbers as recorded with TensorFlow."""
    model = tm.read_export(ZIPS[kind]).model
    for key, path in image_paths(images_dir).items():
        got = tm_recipe(model, kind, load_rgb(path))
        assert np.abs(got - recorded(key, kind)).max() <= (1e-5 if kind == "float" else 1 / 256)


@pytest.mark.parametrize("kind", ["float", "uint8"])
def test_eval_reads_folders_named_as_tms_labels(
    kind: str, models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--tm", str(ZIPS[kind]), "--images", str(DATA / "images"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["classes"] == ["Class 1", "Class 2"]
    assert result["accuracy"] == 1.0 and result["n"] == 4


# --- the warm start: TM's head in EdgePac's ------------------------------------------------------


@pytest.mark.parametrize("kind", ["float", "uint8"])
def test_tms_head_in_edgepacs_predicts_what_tm_predicts(
    kind: str, stored: dict[str, tm.TmModel], images_dir: Path
) -> None:
    m = stored[kind]
    bb = tm.TmBackbone(m, resample="bilinear")
    head = dense_head_from_weights(m.W1, m.b1, m.W2, m.classes)
    assert head.classes_ == ["up", "down"]
    # What the arcade trains on, before any new frame: the same columns, zeros for the rest.
    arcade = with_classes(head, list(POSES))
    for path in image_paths(images_dir).values():
        image = load_rgb(path)
        want = tm_recipe(m.model, kind, image)
        exact = head.predict_proba(bb.embed(image))
        stored_8bit = head.predict_proba(bb.dequantize(bb.features(image)))  # the sample store's
        if kind == "float":
            assert np.abs(exact - want).max() < 1e-5
            assert np.abs(stored_8bit - want).max() < 0.01
        else:  # the int8 embedding is stored exactly: both paths are the same numbers
            assert np.array_equal(exact, stored_8bit)
            assert np.abs(exact - want).max() < 0.02
        assert np.argmax(stored_8bit) == np.argmax(want)
        z_head = np.maximum(bb.embed(image) @ m.W1 + m.b1, 0) @ arcade.W2_
        assert np.allclose(z_head[:2], np.maximum(bb.embed(image) @ m.W1 + m.b1, 0) @ m.W2)
        assert np.all(z_head[2:] == 0)


def test_train_with_tms_labels_starts_from_tms_head(
    models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "head.npz"
    code = main(["train", "--tm", str(ZIPS["uint8"]), "--images", str(DATA / "images"),
                 "--out", str(out), "--epochs", "1"])  # fmt: skip
    assert code == 0
    assert "starting from Teachable Machine model" in capsys.readouterr().err
    # The refined head is a head like any other on the TM embedding: eval takes it.
    assert main(["eval", "--tm", str(ZIPS["uint8"]), "--head", str(out),
                 "--images", str(DATA / "images"), "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0
    # ... and refuses it on EdgePac's own backbone (another backbone).
    assert main(["eval", "--tm", str(ZIPS["float"]), "--head", str(out),
                 "--images", str(DATA / "images")]) == 2  # fmt: skip
    assert "another backbone" in capsys.readouterr().err


def test_a_warm_fit_with_no_new_frames_keeps_tms_predictions(
    stored: dict[str, tm.TmModel], images_dir: Path
) -> None:
    """Zero epochs of refinement is TM's model; each press moves it from there, not from
    scratch: after a short warm fit on TM's own images it still agrees with TM on them."""
    m = stored["float"]
    bb = tm.TmBackbone(m, resample="bilinear")
    head = dense_head_from_weights(m.W1, m.b1, m.W2, m.classes, learning_rate=1e-3, warm_epochs=2)
    X = np.stack([bb.embed(load_rgb(p)) for p in TM_IMAGES.values()])
    before = head.predict_proba(X)
    head.set_params(warm_start=True).fit(X, np.array([0, 1]), class_names=["up", "down"])
    after = head.predict_proba(X)
    assert np.argmax(after, axis=1).tolist() == [0, 1]
    assert np.abs(after - before).max() < 0.05


# --- --tm on every command that takes --model ----------------------------------------------------


def test_a_stored_name_works_like_the_zip(
    models: Path, images_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-tm", str(ZIPS["float"]), "--name", "my-project",
                 "--map", "Class 1=up", "--map", "Class 2=down"]) == 0  # fmt: skip
    capsys.readouterr()
    image = str(images_dir / "hot_dog.jpg")
    assert main(["predict", "--tm", "my-project", "--json", image]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["predict", "--tm", str(ZIPS["float"]), "--json", image]) == 0
    assert json.loads(capsys.readouterr().out)["probabilities"] == by_name["probabilities"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["predict", "x.png"], "give --head HEAD (or --tm NAME"),
        (["predict", "--tm", "nope", "x.png"], "no Teachable Machine model 'nope'"),
        (["predict", "--tm", "ZIP", "--model", "0.25_224", "x.png"], "not both"),
        (["predict", "--tm", "ZIP", "--input-size", "160", "x.png"], "its own size"),
        (["run", "--tm", "ZIP", "--model", "0.25_224"], "not both"),
    ],
)
def test_tm_flags_refuse_in_one_line(
    models: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    argv = [str(ZIPS["float"]) if a == "ZIP" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


@pytest.mark.slow
def test_run_plays_a_tm_model_from_its_own_head_and_keeps_its_state_apart(
    models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edgepac.app.build import build_app
    from edgepac.app.config import load_config

    tm.import_tm(ZIPS["uint8"], "my-project", MAPS)
    cfg = load_config(overrides={"model.tm": "my-project", "camera.source": "demo",
                                 "buttons.gpio": "off"})  # fmt: skip
    app = build_app(cfg, headless=True)
    assert app.model_label == "TEACHABLE MACHINE: my-project"
    assert app.state_dir == tmp_path / "state" / "tm" / "my-project"
    # Before any training here, TM's head plays: a returning player's welcome, not COLLECT.
    assert app.head is not None and app.head.classes_ == ["up", "down"]
    assert app.trainer.base_head.classes_ == list(POSES)
    assert app.arcade.has_head
    with app:
        app.run(seconds=1.0)
        seen = app.view()
        assert seen.model_label == "TEACHABLE MACHINE: my-project"
    assert app.stats.processed > 0  # frames went through the TM embedding
    # The docs' picture (docs/screenshots/collect-teachable-machine.png) is what a visitor sees.
    from edgepac.app.screenshots import views

    shown = views()["collect-teachable-machine"]
    for field in ("page", "model", "model_accuracy", "model_label"):
        assert getattr(shown, field) == getattr(seen, field), field
    assert [(p.name, p.count) for p in shown.poses] == [(p.name, p.count) for p in seen.poses]
    assert seen.bars is not None and shown.bars.names == seen.bars.names == ("up", "down")
    # The whole command, in a line: plays, exits 0.
    assert main(["run", "--tm", "my-project", "--headless", "--camera", "demo",
                 "--seconds", "1", "--set", "buttons.gpio=off"]) == 0  # fmt: skip


def test_run_with_a_missing_tm_model_keeps_its_screen(
    models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--tm", "gone", "--headless", "--camera", "demo",
                 "--seconds", "0.5", "--set", "buttons.gpio=off"]) == 0  # fmt: skip
    assert "no Teachable Machine model 'gone'" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_teaches_the_demo_player_on_top_of_tms_embedding(
    models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tm.import_tm(ZIPS["uint8"], "my-project", MAPS)
    code = main(["demo", "--tm", "my-project", "--headless", "--json", "--samples", "12",
                 "--play-seconds", "4"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["tm"] == "my-project" and out["feature_shape"] == [1280]
    assert out["play_frames"] > 25
    assert out["raw_accuracy"] > 0.6  # measured 0.99 (see docs/teachable-machine.md)


def test_the_stored_model_is_what_import_checked(models: Path) -> None:
    m = tm.import_tm(ZIPS["float"], "p", MAPS)
    with zipfile.ZipFile(m.path) as z:
        assert z.read("model_unquant.tflite") == tm.read_export(ZIPS["float"]).model


def test_bench_reports_the_tm_model_beside_the_backbone_with_a_pi4_estimate(
    models: Path, model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from edgepac.vision.bench import figures

    tm.import_tm(ZIPS["uint8"], "my-project", MAPS)
    # The vision area's part of `edgepac bench --tm my-project` (the other areas take minutes).
    args = argparse.Namespace(tm="my-project", model=str(model_025_128), input_size=224,
                              threads=2, frames=3)  # fmt: skip
    out = figures(args)
    assert out["tm_model"] == "my-project" and out["tm_kind"] == "uint8"
    assert out["tm_threads"] == out["backbone_threads"] == 2  # the app's threads
    assert out["tm_ms"] > 0 and out["backbone_ms"] > 0
    assert out["tm_vs_backbone"] == pytest.approx(out["tm_ms"] / out["backbone_ms"], abs=0.006)
    assert out["tm_pi4_ms_estimate"] == pytest.approx(out["tm_ms"] * 8, abs=0.1)
    assert out["backbone_pi4_ms_estimate"] == pytest.approx(out["backbone_ms"] * 8, abs=0.1)
    assert main(["bench", "--tm", "nope"]) == 2  # said at once, before a minute of measuring
    assert "no Teachable Machine model 'nope'" in capsys.readouterr().err


def test_the_screen_names_the_tm_model_and_offers_play_before_any_pose(tmp_path: Path) -> None:
    from dataclasses import replace

    import pygame

    from edgepac.app.screens import Screen
    from edgepac.app.screenshots import views
    from edgepac.app.view import poses_for

    pygame.init()
    view = replace(views()["collect-teachable-machine"], poses=poses_for(POSES, {}, {}))
    screen = Screen((800, 480), None, POSES)
    screen.draw(pygame.Surface((800, 480)), view)
    assert "TEACHABLE MACHINE: my-project" in screen.said
    assert "PRESS PLAY TO PLAY" in screen.said  # TM's model plays: nothing to teach first


@pytest.mark.slow
def test_the_next_visitor_starts_from_the_tm_model_again(
    models: Path, images_dir: Path
) -> None:
    from edgepac.app.build import build_app
    from edgepac.app.config import load_config

    tm.import_tm(ZIPS["uint8"], "my-project", MAPS)
    cfg = load_config(overrides={"model.tm": "my-project", "camera.source": "demo",
                                 "buttons.gpio": "off"})  # fmt: skip
    app = build_app(cfg, headless=True)
    tm_head = app.head
    app._forget(0.0)  # what the end of attract mode does with play.new_visitor = "forget"
    assert app.head is tm_head and app.arcade.has_head


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["float", "uint8"])
def test_in_the_arcade_tms_model_predicts_what_tm_predicts_before_any_training(
    models: Path, kind: str
) -> None:
    """TM's own images through a replay camera: the arcade's prediction on the last frame is TM's
    recipe's, to float precision for the float model (its exact embedding, not the 8-bit copy
    the samples keep) and within its 8-bit steps for the quantized one."""
    from edgepac.app.build import build_app
    from edgepac.app.config import load_config

    m = tm.import_tm(ZIPS[kind], "my-project", MAPS)
    cfg = load_config(overrides={"model.tm": "my-project", "camera.source": "replay",
                                 "camera.replay_path": str(DATA / "images"),
                                 "buttons.gpio": "off"})  # fmt: skip
    app = build_app(cfg, headless=True)
    with app:
        app.run(seconds=1.0)
    frame, prediction = app.inference.frame, app.inference.prediction
    assert prediction is not None and prediction.seq == frame.seq
    want = tm_recipe(m.model, kind, frame.image)  # 224x224 already: no resize either way
    assert prediction.classes == ("up", "down")
    tolerance = 1e-5 if kind == "float" else 0.02
    assert np.abs(prediction.proba - want).max() < tolerance


def three_class_export(tmp_path: Path) -> Path:
    """TM's float model with a third class, "Nothing", made to win wherever "Class 1" would
    (its output row 2*w0 - w1): a TM project with a Nothing class, labelled Up, Down, Nothing."""
    from edgepac.vision import truncate

    files = {n: zipfile.ZipFile(ZIPS["float"]).read(n)
             for n in ("model_unquant.tflite", "labels.txt")}  # fmt: skip
    model = truncate.load_model(files["model_unquant.tflite"])
    graph = model.subgraphs[0]
    fc2 = next(op for op in graph.operators if len(op.inputs) >= 2
               and list(graph.tensors[op.inputs[1]].shape) == [2, 100])  # fmt: skip
    weights = graph.tensors[fc2.inputs[1]]
    buffer = model.buffers[weights.buffer]
    w = np.frombuffer(np.asarray(buffer.data, np.uint8).tobytes(), np.float32).reshape(2, 100)
    w3 = np.vstack([w, 2 * w[0] - w[1]]).astype(np.float32)
    buffer.data = np.frombuffer(w3.tobytes(), np.uint8)
    weights.shape = np.array([3, 100], np.int32)
    for t in graph.tensors:  # the logits and the probabilities: [1, 2] -> [1, 3]
        if list(t.shape) == [1, 2]:
            t.shape = np.array([1, 3], np.int32)
            if t.shapeSignature is not None:
                t.shapeSignature = np.array([-1, 3], np.int32)
    path = tmp_path / "converted_tflite.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model_unquant.tflite", truncate.pack(model))
        z.writestr("labels.txt", "0 Up\n1 Down\n2 Nothing\n")
    return path


@pytest.mark.slow
def test_a_nothing_class_maps_by_itself_and_steers_nowhere(
    models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edgepac.app.arcade import Event, Kind
    from edgepac.app.build import build_app
    from edgepac.app.config import load_config

    export = three_class_export(tmp_path)
    assert main(["import-tm", str(export), "--name", "with-nothing"]) == 0  # no --map needed
    assert "Up -> up, Down -> down, Nothing -> nothing" in capsys.readouterr().err
    assert tm.resolve_tm("with-nothing").classes == ["up", "down", "Nothing"]
    first, second = (str(p) for p in TM_IMAGES.values())
    assert main(["predict", "--tm", "with-nothing", first, second]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{first}: Nothing") and out[1].startswith(f"{second}: Down")
    # In a game, a player TM calls "Nothing" sends no direction.
    still = tmp_path / "still"
    still.mkdir()
    (still / "0.png").write_bytes(Path(first).read_bytes())
    overrides = {"model.tm": "with-nothing", "camera.source": "replay",
                 "camera.replay_path": str(still), "buttons.gpio": "off"}  # fmt: skip
    cfg = load_config(overrides=overrides)
    app = build_app(cfg, headless=True)
    with app:
        app.post(Event(Kind.PLAY))
        app.run(seconds=1.5)
        view = app.view()
    assert view.page.value == "playing"
    assert view.bars is not None and view.bars.chosen == "Nothing"
    assert view.bars.sending is None and app.games.request is None


def test_a_tm_model_imported_while_the_arcade_runs_plays_once_found(models: Path) -> None:
    from edgepac.app.build import build_app, make_backbone
    from edgepac.app.config import load_config

    cfg = load_config(overrides={"model.tm": "later", "camera.source": "demo",
                                 "buttons.gpio": "off"})  # fmt: skip
    app = build_app(cfg, headless=True, model_problem="no Teachable Machine model 'later'")
    assert app.backbone is None and app.model_label == "TEACHABLE MACHINE: later"
    tm.import_tm(ZIPS["uint8"], "later", MAPS)
    app._use_backbone(make_backbone(cfg))  # what the model watcher does once it finds it
    assert app.head is not None and app.head.classes_ == ["up", "down"]
    assert app.trainer.base_head.classes_ == list(POSES)
