"""The config file: layering (/etc, user, flags), every bad value named, the example in sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edgepac.app.config import Config, example, keys, load_config, parse_overrides
from edgepac.errors import EdgePacError
from edgepac.paths import config_files

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_no_files_gives_the_documented_defaults(tmp_path):
    cfg = load_config([tmp_path / "missing.toml"])
    assert cfg == Config()
    assert cfg.camera.source == "auto" and (cfg.camera.width, cfg.camera.height) == (640, 480)
    assert cfg.buttons.class_pins() == {"up": 17, "down": 27, "left": 22, "right": 23}
    assert cfg.buttons.leds is None and cfg.buttons.record_led is None
    assert cfg.model.path is None and cfg.model.input_size is None


def test_later_files_override_earlier_ones_and_flags_override_both(tmp_path):
    system = write(
        tmp_path / "etc.toml",
        '[camera]\nsource = "webcam"\nfps = 15\n[buttons]\nleds = [5, 6, 12, 13]\n',
    )
    user = write(tmp_path / "user.toml", "[camera]\nfps = 20\n[screen]\nfullscreen = false\n")
    cfg = load_config([system, user], {"camera.source": "demo", "buttons.leds": "false"})
    assert cfg.camera.source == "demo"  # flag over file
    assert cfg.camera.fps == 20  # user over /etc
    assert cfg.screen.fullscreen is False
    assert cfg.buttons.leds is None  # a flag can switch the LEDs off again


def test_default_paths_are_etc_then_the_user_config_dir(tmp_path, monkeypatch):
    user = config_files()[1]
    assert config_files()[0] == Path("/etc/edgepac/config.toml")
    write(user, "[play]\nsmoothing_frames = 9\n")
    assert load_config().play.smoothing_frames == 9


def test_flag_strings_are_read_as_toml_values():
    cfg = load_config(
        [],
        parse_overrides(
            [
                "buttons.leds=5,6,12,13",
                "screen.show_fps=true",
                "model.input_size=160",
                "learning.dense.learning_rate=0.001",
                "camera.device=/dev/video2",
                "model.path=",
            ]
        ),
    )
    assert cfg.buttons.leds == (5, 6, 12, 13)
    assert cfg.screen.show_fps is True and cfg.model.input_size == 160
    assert cfg.learning.dense.learning_rate == 0.001
    assert cfg.camera.device == "/dev/video2" and cfg.model.path is None
    with pytest.raises(EdgePacError, match=r"section\.key=value"):
        parse_overrides(["camera.source"])


def test_head_hyperparameters_follow_the_chosen_head(tmp_path):
    path = write(
        tmp_path / "c.toml",
        '[learning]\nhead = "knn"\n[learning.knn]\nk = 3\n[learning.dense]\nepochs = 50\n',
    )
    cfg = load_config([path])
    assert cfg.learning.hyperparameters() == {"k": 3}
    assert load_config([], {"learning.dense.epochs": 50}).learning.hyperparameters()["epochs"] == 50


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[camera]\nfps = 0\n", r"camera\.fps = 0 in .*c\.toml .*from 1 to 120"),
        ("[camera]\nsorce = 'demo'\n", r"unknown key 'camera\.sorce'.*source, width"),
        ("[camra]\nsource = 'demo'\n", r"unknown key 'camra'.*\[camera\]"),
        ("fps = 3\n", r"unknown key 'fps'"),
        ("[camera]\nsource = 'kinect'\n", r'camera\.source = "kinect".*"picamera2"'),
        ("[camera]\nrotation = 90\n", r"camera\.rotation = 90 .*0 or 180"),
        ("[camera]\nsource = 'replay'\n", r"needs camera\.replay_path"),
        ("[camera]\nwidth = {a = 1}\n", r"camera\.width = \{\.\.\.\}"),
        ("[screen]\nfullscreen = 1\n", r"screen\.fullscreen = 1 .*true or false"),
        ("[buttons]\nup = 40\n", r"buttons\.up = 40 .*BCM GPIO number from 0 to 27"),
        ("[buttons]\nup = 17.0\n", r"buttons\.up = 17\.0"),
        ("[buttons]\ntrain = 17\n", r"buttons\.train and buttons\.up are both on GPIO17"),
        ("[buttons]\nleds = [5, 6]\n", r"buttons\.leds = \[5, 6\] .*list of 4"),
        ("[buttons]\nleds = [5, 6, 12, 25]\n", r"buttons\.leds\[3\] and buttons\.play .*GPIO25"),
        ("[buttons]\nrecord_led = true\n", r"buttons\.record_led = true"),
        ("[play]\nconfidence_threshold = 1.5\n", r"from 0 to 1"),
        ("[play]\ndifficulty = 'insane'\n", r'"easy", "relaxed", "normal", "hard"'),
        ("[learning]\nhead = 'svm'\n", r'"dense", "knn"'),
        ("[learning.dense]\nunits = 'many'\n", r"learning\.dense\.units = \"many\""),
        ("[learning.dense]\nnormalise = 'l2'\n", r"unknown key 'learning\.dense\.normalise'"),
        ("[store]\nmax_mb = 8\n", r"store\.max_mb = 8 .*from 16 to 65536"),
        ("[store]\nmax_mb = '1G'\n", r"store\.max_mb = \"1G\""),
    ],
)
def test_a_bad_file_names_the_key_where_it_is_and_what_is_allowed(tmp_path, text, message):
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(EdgePacError, match=message) as err:
        load_config([path])
    assert "\n" not in str(err.value)


def test_a_file_that_is_not_toml_is_named(tmp_path):
    path = write(tmp_path / "c.toml", "[camera\nsource = demo\n")
    with pytest.raises(EdgePacError, match=r"c\.toml is not valid TOML"):
        load_config([path])


def test_a_bad_flag_says_it_came_from_the_command_line():
    with pytest.raises(EdgePacError, match=r"camera\.fps = 500 on the command line"):
        load_config([], {"camera.fps": "500"})
    with pytest.raises(EdgePacError, match=r"unknown key 'camera\.speed' on the command line"):
        load_config([], {"camera.speed": "1"})


def test_config_is_frozen():
    cfg = load_config([])
    with pytest.raises(AttributeError):
        cfg.camera.fps = 10  # type: ignore[misc]


def test_the_example_file_documents_every_key_with_its_default_and_loads(tmp_path):
    committed = (REPO / "systemd" / "config.example.toml").read_text()
    assert committed == example(), "regenerate: python -m edgepac.app.config > systemd/config..."
    for name in keys():
        assert f"# {name.rpartition('.')[2]} = " in committed, name
    # Uncommenting every "# key = default" line gives the defaults back.
    leaves = {name.rpartition(".")[2] for name in keys()}
    active = "\n".join(
        line[2:] if re.match(r"# ([a-z_]+) = ", line) and line[2:].split(" ")[0] in leaves else line
        for line in committed.splitlines()
    )
    path = write(tmp_path / "all.toml", active)
    assert load_config([path]) == Config()


def test_the_config_allows_exactly_what_the_head_accepts():
    # a value at a config key's bound is one the head takes, and one past it neither takes
    from edgepac.learning.heads import make_head

    checked = 0
    for name, spec in keys().items():
        section, _, param = name.rpartition(".")
        if section not in ("learning.dense", "learning.knn") or spec.kind == "choice":
            continue
        head = section.rpartition(".")[2]
        for bound, step in ((spec.lo, -1), (spec.hi, +1)):
            if bound is None:
                continue
            value = int(bound) if spec.kind == "int" else float(bound)
            learning = load_config([], {name: str(value)}).learning
            assert getattr(getattr(learning, head), param) == value
            make_head(head, **{param: value})
            past = value + step if spec.kind == "int" else value * (1 + step * 1e-3) + step * 1e-9
            with pytest.raises(EdgePacError, match=param):
                load_config([], {name: str(past)})
            with pytest.raises(EdgePacError, match=rf"^{param} must"):
                make_head(head, **{param: past})
            checked += 1
    assert checked >= 14  # every numeric dense and knn key, both ends where it has two


def test_head_hyperparameters_are_accepted_by_the_learning_core():
    heads = pytest.importorskip("edgepac.learning.heads")
    for head in ("dense", "knn"):
        cfg = load_config([], {"learning.head": head})
        model = heads.make_head(cfg.learning.head, **cfg.learning.hyperparameters())
        assert model.get_params() == {**model.get_params(), **cfg.learning.hyperparameters()}
