"""`edgepac doctor` with config `model.tm`: the model line checks the Teachable Machine model the
arcade will play (real TM exports, tests/data/tm), and says how to mend it when it is missing,
damaged or cannot steer."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from edgepac import doctor, paths
from edgepac.cli import main
from edgepac.vision import tm

DATA = Path(__file__).resolve().parent / "data" / "tm"
FIX = "-> run `edgepac import-tm PATH --name my-project --map LABEL=DIRECTION ...`"


@pytest.fixture
def tm_config(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config naming a TM model; only the vision doctor runs (the others probe hardware)."""
    monkeypatch.setattr(doctor, "DOCTOR_MODULES", ("edgepac.vision.doctor",))
    config = paths.config_files()[-1]
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[model]\ntm = "my-project"\n')
    return config


def lines(capsys: pytest.CaptureFixture[str], code: int) -> dict[str, str]:
    assert main(["doctor"]) == code
    out = capsys.readouterr().out.splitlines()
    return {line.split(":", 1)[0][5:]: line for line in out}


def stored(zip_name: str, *maps: str) -> Path:
    args = [a for m in maps for a in ("--map", m)]
    assert main(["import-tm", str(DATA / zip_name), "--name", "my-project", *args]) == 0
    return tm.store_path("my-project")


@pytest.mark.parametrize(
    ("zip_name", "kind"),
    [("converted_tflite_quantized.zip", "uint8"), ("converted_tflite.zip", "float")],
)
def test_an_imported_model_is_the_model_line(
    tm_config: Path, capsys: pytest.CaptureFixture[str], zip_name: str, kind: str
) -> None:
    stored(zip_name, "Class 1=up", "Class 2=down")
    capsys.readouterr()
    found = lines(capsys, 0)
    assert found["model"] == (
        f"OK   model: Teachable Machine model my-project ({kind}, 224): Class 1 -> up, "
        f"Class 2 -> down ({tm.tm_folder()})"
    )
    # EdgePac's own MobileNet is not needed to play it: missing is not a FIX.
    assert found["EdgePac's model"].startswith("OK   EdgePac's model: none in ")
    assert "not needed while model.tm plays" in found["EdgePac's model"]


def test_a_missing_model_says_to_import_it(
    tm_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = lines(capsys, 1)["model"]
    assert line.startswith(
        "FIX  model: model.tm = 'my-project': no Teachable Machine model 'my-project' "
        f"(none is stored here yet) (looked in {tm.tm_folder()}) "
    )
    assert FIX in line


def _rewrite(path: Path, **changes: bytes) -> None:
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files.update(changes)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("truncated", "is damaged (BadZipFile)"),
        ("model", "is damaged (its model does not match its checksum)"),
        ("embedding", "Teachable Machine model my-project: ai-edge-litert"),
        ("head", "is damaged (its head does not fit its model)"),
    ],
)
def test_a_damaged_model_says_to_import_it_again(
    tm_config: Path, capsys: pytest.CaptureFixture[str], damage: str, said: str
) -> None:
    path = stored("converted_tflite_quantized.zip", "Class 1=up", "Class 2=down")
    data = path.read_bytes()
    if damage == "truncated":  # a power cut mid-copy
        path.write_bytes(data[: len(data) // 2])
    elif damage == "model":
        with zipfile.ZipFile(path) as z:
            model = bytearray(z.read("model.tflite"))
        model[len(model) // 2] ^= 0xFF
        _rewrite(path, **{"model.tflite": bytes(model)})
    elif damage == "embedding":
        with zipfile.ZipFile(path) as z:
            cut = z.read("embedding.tflite")
        _rewrite(path, **{"embedding.tflite": cut[: len(cut) // 3]})
    else:
        with zipfile.ZipFile(path) as z, np.load(io.BytesIO(z.read("head.npz"))) as npz:
            W1, b1, W2 = npz["W1"], npz["b1"], npz["W2"]
        buf = io.BytesIO()
        np.savez(buf, W1=W1[:100], b1=b1, W2=W2)  # a head cut for another model
        _rewrite(path, **{"head.npz": buf.getvalue()})
    capsys.readouterr()
    line = lines(capsys, 1)["model"]
    assert line.startswith("FIX  model: model.tm = 'my-project': ")
    assert said in line, line
    assert FIX in line
    assert path.exists(), "the doctor only reads: the damaged file stays for the user"


def test_a_model_that_cannot_steer_is_a_fix(
    tm_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A TM zip named straight in the config: "Class 1"/"Class 2" name no direction.
    tm_config.write_text(f'[model]\ntm = "{DATA / "converted_tflite.zip"}"\n')
    line = lines(capsys, 1)["model"]
    assert line.startswith(
        "FIX  model: Teachable Machine model converted_tflite (float, 224) steers 0 ways "
        "(its labels Class 1, Class 2 map to nothing): Pac-Man needs two "
    )
    assert "-> run `edgepac import-tm PATH --name converted_tflite --map LABEL=DIRECTION" in line


def test_without_model_tm_the_model_line_is_edgepacs_own(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, test_data: Path
) -> None:
    monkeypatch.setattr(doctor, "DOCTOR_MODULES", ("edgepac.vision.doctor",))
    monkeypatch.setenv("EDGEPAC_MODEL_SEARCH", str(test_data / "models"))
    stored("converted_tflite_quantized.zip", "Class 1=up", "Class 2=down")  # stored, not named
    capsys.readouterr()
    found = lines(capsys, 1)
    assert found["model"].startswith("FIX  model: none in ")
    assert "EdgePac's model" not in found
