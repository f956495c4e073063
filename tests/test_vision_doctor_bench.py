"""`edgepac doctor` and `edgepac bench` as a user reads them."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from edgepac import bench, doctor
from edgepac.cli import main
from edgepac.vision import models


def test_check_lines_say_ok_or_what_to_do() -> None:
    assert doctor.Check("model", True, "here").line() == "OK   model: here"
    fix = doctor.Check("model", False, "none", "run `edgepac fetch-model`").line()
    assert fix == "FIX  model: none -> run `edgepac fetch-model`"


def test_doctor_with_a_model(
    model_025_128: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "DOCTOR_MODULES", ("edgepac.vision.doctor",))
    models.import_model(model_025_128)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("OK   interpreter: ai-edge-litert 2.")
    assert out[1].startswith(
        "OK   model: mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite at 224"
    )
    assert "gives 7x7x256" in out[1]


def test_doctor_without_a_model_says_how_to_get_one(
    test_data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "DOCTOR_MODULES", ("edgepac.vision.doctor",))
    monkeypatch.setenv(models.SEARCH_ENV, str(test_data / "models"))
    assert main(["doctor"]) == 1
    line = capsys.readouterr().out.splitlines()[1]
    assert (
        line.startswith("FIX  model: none in ")
        and "mobilenet_v1_0.25_128_quant.tflite can be" in line
    )
    assert line.endswith(
        "-> run `edgepac fetch-model` (or `edgepac fetch-model --from FILE_OR_DIR` offline)"
    )


def test_a_crashing_check_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = types.ModuleType("edgepac_broken_doctor")

    def checks() -> list[doctor.Check]:
        raise OSError("the camera caught fire")

    broken.checks = checks  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "edgepac_broken_doctor", broken)
    monkeypatch.setattr(doctor, "DOCTOR_MODULES", ("edgepac_broken_doctor", "edgepac.not_written"))
    (result,) = doctor.run_checks()
    assert not result.ok and "OSError: the camera caught fire" in result.detail


def test_display_check_lists_real_sdl_drivers() -> None:
    found = doctor.sdl_drivers()
    assert "dummy" in found["ok"] and found["pygame"].startswith("2.")
    (check,) = doctor.checks()
    assert check.name == "display" and ("dummy" in check.detail)
    if not check.ok:  # no screen here: the advice names the Pi's way to get one
        assert "kmsdrm" in check.what_to_do and "python3-pygame" in check.what_to_do


def test_display_check_is_ok_with_a_screen_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        doctor, "sdl_drivers", lambda: {"pygame": "2.6", "sdl": "2.28", "ok": ["kmsdrm", "dummy"]}
    )
    (check,) = doctor.checks()
    assert check.ok and "opens kmsdrm, dummy" in check.detail


@pytest.fixture
def vision_bench_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "BENCH_MODULES", ("edgepac.vision.bench", "edgepac.not_written"))


@pytest.mark.usefixtures("vision_bench_only")
def test_bench_prints_one_json_object(
    model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--model", str(model_025_128), "--frames", "3", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["feature_shape"] == [7, 7, 256]  # the 0.25_128 variant runs at 224
    assert figures["backbone_ms"] > 0 and figures["backbone_invoke_ms"] > 0
    assert figures["interpreter"].startswith("ai-edge-litert ")
    assert (
        main(["bench", "--model", str(model_025_128), "--frames", "3", "--input-size", "128"]) == 0
    )
    assert "feature_shape: [4, 4, 256]" in capsys.readouterr().out


@pytest.mark.usefixtures("vision_bench_only")
@pytest.mark.usefixtures("vision_bench_only")
def test_bench_without_a_model_reports_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--json", "--frames", "1"]) == 1
    captured = capsys.readouterr()
    assert "fetch-model" in json.loads(captured.out)["vision_error"]
