"""The kiosk: the systemd unit's sandbox (systemd-analyze), the scripts (bash -n, shellcheck) and
the installer's dry run."""

from __future__ import annotations

import configparser
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edgepac import os_numpy

REPO = Path(__file__).resolve().parent.parent
UNIT = REPO / "systemd" / "edgepac.service"
SCRIPTS = [*sorted((REPO / "scripts").iterdir()), REPO / ".ci" / "run"]
MAX_EXPOSURE = 2.0


def need(tool: str) -> str:
    path = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is needed in CI")
        pytest.skip(f"{tool} not installed")
    return path


def exposure(unit: Path) -> float:
    done = subprocess.run(
        [need("systemd-analyze"), "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout)
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    return float(found.group(1))


def unit_settings(*paths: Path) -> dict[str, list[str]]:
    """Every Key=value of the unit (and drop-ins), values of repeated keys in order."""
    settings: dict[str, list[str]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
                key, _, value = line.partition("=")
                settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_unit_sandbox_exposure_is_at_most_2():
    assert exposure(UNIT) <= MAX_EXPOSURE


def test_the_cage_variant_keeps_the_sandbox(tmp_path):
    shutil.copy(UNIT, tmp_path / UNIT.name)
    dropins = tmp_path / "edgepac.service.d"
    dropins.mkdir()
    shutil.copy(REPO / "systemd" / "cage.conf", dropins / "cage.conf")
    assert exposure(tmp_path / UNIT.name) <= MAX_EXPOSURE
    # the drop-in is really read: loosening it shows in the score
    (dropins / "zz-loose.conf").write_text("[Service]\nPrivateNetwork=no\n")
    assert exposure(tmp_path / UNIT.name) > exposure(UNIT)


def test_the_unit_runs_the_app_unprivileged_on_tty1_with_the_devices_it_needs():
    s = unit_settings(UNIT)
    assert s["ExecStart"] == ["/opt/edgepac/.venv/bin/edgepac run"]
    assert s["User"] == ["edgepac"] and s["Restart"] == ["always"]
    groups = {"video", "render", "input", "gpio", "audio"}
    assert set(s["SupplementaryGroups"][0].split()) == groups
    assert s["StateDirectory"] == ["edgepac"] and s["PrivateNetwork"] == ["yes"]
    assert s["Conflicts"] == ["getty@tty1.service"] and s["TTYPath"] == ["/dev/tty1"]
    assert s["StandardInput"] == ["tty"] and s["ProtectSystem"] == ["strict"]
    allowed = {v.split()[0] for v in s["DeviceAllow"]}
    # screen, libcamera (media controller, video and subdevices, DMA heaps), input, GPIO, console
    assert allowed == {
        "char-drm",
        "char-media",
        "char-video4linux",
        "char-dma_heap",
        "char-input",
        "char-gpiochip",
        "char-alsa",  # the game's sounds
        "/dev/tty1",
    }
    assert s["DevicePolicy"] == ["closed"]
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(UNIT.read_text())
    assert parser.sections() == ["Unit", "Service", "Install"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_parse_and_are_shellcheck_clean(script):
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    done = subprocess.run(
        [need("shellcheck"), "-x", str(script)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def install(*args: str, cmdline: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDGEPAC_CMDLINE": str(cmdline or "/nonexistent")}
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "install.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_installer_refuses_politely_on_a_machine_that_is_not_a_pi():
    model = Path("/proc/device-tree/model")
    if model.exists() and "Raspberry Pi" in model.read_text(errors="replace"):
        pytest.skip("this is a Raspberry Pi")
    done = install("--dry-run")
    assert done.returncode == 1
    assert "for a Raspberry Pi with Raspberry Pi OS" in done.stderr
    assert "Nothing was changed" in done.stderr and "--force" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_installer_dry_run_shows_every_step_and_changes_nothing(tmp_path):
    cmdline = tmp_path / "cmdline.txt"
    cmdline.write_text("console=tty1 root=PARTUUID=1234-02 rootwait\n")
    done = install("--dry-run", "--force", "--model", str(tmp_path), cmdline=cmdline)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    steps = [
        "python3-picamera2",
        "python3-pygame",
        "python3-lgpio",  # apt, if missing
        "useradd --system",
        # the OS's python3 (its compiled modules are built for it), not PATH's first one
        "/usr/bin/python3 -m venv --system-site-packages /opt/edgepac/.venv",
        "pip install --quiet --ignore-installed numpy",  # the NumPy rule: edgepac/os_numpy.py
        "pip install --quiet --upgrade --no-deps /opt/edgepac",
        "edgepac/os_numpy.py tune /opt/edgepac/.venv",  # OpenBLAS told the kernel, if it must be
        f"edgepac fetch-model --from {tmp_path}",
        "/etc/edgepac/config.toml",
        "install -m 0644",
        "systemctl enable edgepac.service",
        "systemctl disable getty@tty1.service",
        f"sed -i 1\\ s/\\$/\\ consoleblank=0/ {cmdline}",
        "systemctl restart edgepac.service",
    ]
    for step in steps:
        assert step in out, step
    assert "pygame" not in out.split("--no-deps")[1].split("\n")[1]  # the OS's pygame stays
    assert "consoleblank" not in cmdline.read_text()  # a dry run changes nothing
    cmdline.write_text("console=tty1 consoleblank=0\n")  # run again: the step is done already
    assert "already off" in install("--dry-run", "--force", cmdline=cmdline).stdout
    done = install("--dry-run", "--force", "--cage", "--webcam", "--no-start")
    assert "cage.conf" in done.stdout and "restart" not in done.stdout
    # The state on a partition of its own (raspi-config's overlay root keeps / in RAM).
    kept = install("--dry-run", "--force", "--state-partition", "LABEL=edgepac-state").stdout
    assert "LABEL=edgepac-state /var/lib/edgepac ext4 defaults,noatime,commit=60 0 2" in kept
    assert 'mount\\ \\"\\$1\\" sh /var/lib/edgepac' in kept
    assert "chown edgepac:edgepac /var/lib/edgepac" in kept
    # the packages it wants, whether or not this machine has them already
    wanted = next(line for line in done.stdout.splitlines() if "apt packages:" in line)
    assert "python3-opencv" in wanted.split() and "cage" in wanted.split()
    assert install("--bogus").returncode == 2


# -- the kiosk venv's NumPy: the OS's ABI, an optimised BLAS (edgepac/os_numpy.py) -----------------

LANE = os.environ.get("EDGEPAC_KIOSK_LANE")  # set by scripts/kiosk-lane inside the kiosk's venv
OS_PYTHON = "/usr/bin/python3"
lane_only = pytest.mark.skipif(not LANE, reason="runs in the kiosk's venv: scripts/kiosk-lane")


def test_the_numpy_rule_keeps_the_os_major_and_never_goes_older():
    assert os_numpy.requirement("1.24.2") == "numpy>=1.24.2,<2"  # Bookworm
    assert os_numpy.requirement("2.2.4") == "numpy>=2.2.4,<3"  # Trixie
    assert os_numpy.abi_matches("1.26.4", "1.24.2")
    assert not os_numpy.abi_matches("2.4.6", "1.24.2")  # Bookworm's cv2 under NumPy 2: broken
    assert not os_numpy.abi_matches("1.26.4", "2.2.4")  # Trixie's modules under NumPy 1
    assert not os_numpy.abi_matches("2.1.0", "2.2.4")  # older than what they were built with
    assert os_numpy.abi_matches("2.3.0rc1", "2.2.4")


def test_the_installer_takes_the_rule_from_the_os_numpy(tmp_path):
    """install.sh runs os_numpy.py with the OS's python3: the requirement follows its NumPy."""
    fake_os = tmp_path / "site"
    (fake_os / "numpy-1.24.2.dist-info").mkdir(parents=True)
    (fake_os / "numpy-1.24.2.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: numpy\nVersion: 1.24.2\n")
    script = REPO / "edgepac" / "os_numpy.py"
    code = f"import sys; sys.path.insert(0, {str(fake_os)!r}); sys.argv[1:] = ['requirement'];"
    code += f"exec(open({str(script)!r}).read())"
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.strip() == "numpy>=1.24.2,<2", done.stderr
    done = subprocess.run([sys.executable, "-I", str(script), "requirement"],
                          capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    if done.returncode:  # this interpreter has no NumPy of its own: say which package to get
        assert "sudo apt install python3-numpy" in done.stderr


def test_the_blas_detector_tells_openblas_from_the_reference_one():
    assert os_numpy.is_optimised(os_numpy.blas_libraries())  # this venv: PyPI's NumPy, OpenBLAS
    assert not os_numpy.is_optimised(["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"])
    assert os_numpy.is_optimised(["/usr/lib/aarch64-linux-gnu/openblas-pthread/libblas.so.3"])
    # Debian's NumPy made to load the reference libblas while LAPACK pulls OpenBLAS in: reference
    assert not os_numpy.is_optimised(["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0",
                                      "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp.so"])


@lane_only
def test_the_kiosk_venv_numpy_has_the_os_abi_and_an_optimised_blas():
    """In the venv `install.sh --venv-only` made: the OS's compiled modules import and work with
    this NumPy, and it trains on an optimised BLAS (the reference one is 10x slower)."""
    import numpy as np

    found = os_numpy.os_numpy_version()
    assert found, "the OS has no python3-numpy"
    assert Path(np.__file__).is_relative_to(sys.prefix), "the venv must have its own NumPy"
    assert os_numpy.abi_matches(np.__version__, found), (np.__version__, found)
    libraries, core = os_numpy.probe_blas()
    assert os_numpy.is_optimised(libraries), libraries
    assert core not in os_numpy.GENERIC_KERNELS, f"OpenBLAS runs its generic {core} kernel"
    import cv2  # Debian's python3-opencv, built against the OS's NumPy
    import pygame

    bgr = np.zeros((2, 3, 3), np.uint8)
    bgr[..., 0] = 255
    assert cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)[0, 0].tolist() == [0, 0, 255]
    assert Path(cv2.__file__).is_relative_to("/usr/lib") and Path(
        pygame.__file__).is_relative_to("/usr/lib"), "the OS's modules, not PyPI's"


def os_python_with_numpy() -> str:
    """The OS's python3 when it has the OS's NumPy (the lane makes sure it has); else skip."""
    has = Path(OS_PYTHON).exists() and subprocess.run(
        [OS_PYTHON, "-I", "-c", "import numpy"], capture_output=True, timeout=60).returncode == 0
    if not has:
        if LANE:
            pytest.fail("the kiosk lane installs python3-numpy: it is missing")
        pytest.skip("no python3-numpy here (scripts/kiosk-lane installs it)")
    return OS_PYTHON


def os_python_line(code: str, **env: str) -> str:
    done = subprocess.run([os_python_with_numpy(), "-s", "-c", code], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_doctor_sees_numpy_on_the_reference_blas_and_names_the_fix():
    """The OS's NumPy, made to load Debian's reference BLAS: a FIX line with the apt command."""
    triplet = os_python_line("import sysconfig; print(sysconfig.get_config_var('MULTIARCH'))")
    reference = Path("/usr/lib") / triplet / "blas"
    if not (reference / "libblas.so.3").exists():
        pytest.skip(f"no reference BLAS in {reference} (libblas3)")
    line = os_python_line("from edgepac.learning.doctor import numpy_check as c; "
                          "print(c().line())", LD_LIBRARY_PATH=str(reference))
    assert line.startswith("FIX  numpy: NumPy ") and "on the reference BLAS (libblas.so" in line
    assert line.endswith("-> sudo apt install libopenblas0-pthread (an optimised BLAS for the "
                         "OS's NumPy)")


def test_doctor_numpy_fix_in_a_kiosk_venv_is_the_rule_s_pip_command(monkeypatch):
    from edgepac.learning import doctor

    monkeypatch.setattr(os_numpy, "os_numpy_version", lambda: "2.2.4")  # Trixie's
    monkeypatch.setattr(os_numpy.sys, "base_prefix", "/usr")
    probe = os_numpy.probe_blas
    monkeypatch.setattr(os_numpy, "probe_blas",
                        lambda: (["/usr/lib/x/blas/libblas.so.3.12.1"], None))
    check = doctor.numpy_check()
    assert not check.ok and "reference BLAS (libblas.so.3.12.1)" in check.detail
    pip = Path(sys.prefix) / "bin" / "pip"
    assert check.what_to_do.startswith(f"{pip} install --ignore-installed 'numpy>=2.2.4,<3'")
    monkeypatch.setattr(os_numpy, "probe_blas", probe)
    # this venv's own NumPy: PyPI's OpenBLAS (whose kernel may still be generic on a new CPU)
    assert "reference BLAS" not in doctor.numpy_check().detail


@pytest.mark.slow
def test_doctor_sees_openblas_on_its_generic_kernel_and_names_the_fix():
    """An OpenBLAS older than the CPU falls back to its generic kernel (numpy 1.26.4's does on
    this machine's Xeon: 3-4x slower); forced here with OPENBLAS_CORETYPE, on any x86-64."""
    if platform.machine() != "x86_64":
        pytest.skip("the generic kernel forced here is an x86-64 one")
    code = "from edgepac.learning.doctor import numpy_check as c; print(c().line())"

    def line(core: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120, check=True,
                              env={**os.environ, "OPENBLAS_CORETYPE": core})
        return done.stdout.strip().splitlines()[-1]

    slow = line("Prescott")
    assert slow.startswith("FIX  numpy: ")  # newer OpenBLAS builds call it Katmai
    assert any(f"generic {kernel} kernel" in slow for kernel in os_numpy.GENERIC_KERNELS)
    core = os_numpy.cpu_core(Path("/proc/cpuinfo").read_text(), "x86_64") or "Haswell"
    assert f"-> {sys.prefix}/bin/python -m edgepac.os_numpy tune {sys.prefix} " in slow
    assert f"OPENBLAS_CORETYPE={core} " in slow
    fine = line("Haswell")
    assert fine.startswith("OK   numpy: ") and "(Haswell kernel named by OPENBLAS_CORETYPE)" in fine


# /proc/cpuinfo's lines that matter, from real machines (flags shortened to the telling ones)
XEON_2023 = "model name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu sse2 avx avx2 fma " \
    "avx512f avx512dq avx512cd avx512bw avx512vl amx_tile\n"
LAPTOP_2015 = "flags\t\t: fpu sse2 sse4_2 avx avx2 fma\n"
PI_4 = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n"
PI_5 = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n"


def test_the_kernel_a_cpu_runs_is_read_from_its_instruction_sets():
    assert os_numpy.cpu_core(XEON_2023, "x86_64") == "SkylakeX"
    assert os_numpy.cpu_core(LAPTOP_2015, "x86_64") == "Haswell"
    assert os_numpy.cpu_core("flags\t: fpu sse2\n", "x86_64") is None  # the generic one is right
    assert os_numpy.cpu_core(PI_4, "aarch64") == "CortexA72"
    assert os_numpy.cpu_core(PI_5, "aarch64") == "NeoverseN1"
    assert os_numpy.cpu_core(PI_4, "riscv64") is None


@pytest.mark.slow
def test_an_openblas_older_than_the_cpu_is_told_its_kernel_for_the_venv_only(tmp_path):
    """An OpenBLAS that does not know this CPU (played by a python that starts OpenBLAS on its
    generic kernel unless told otherwise) gets the kernel the CPU runs, in a .pth line that
    the venv runs at every start; the environment still wins; a second run can take it away."""
    core = os_numpy.cpu_core(Path("/proc/cpuinfo").read_text(), platform.machine())
    if core is None or platform.machine() != "x86_64":
        pytest.skip("this CPU has no better x86-64 kernel than the generic one")
    old_openblas = tmp_path / "python"
    old_openblas.write_text('#!/bin/sh\nexport OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Prescott}"\n'
                            f'exec {sys.executable} "$@"\n')
    old_openblas.chmod(0o755)
    cpuinfo = Path("/proc/cpuinfo").read_text()
    # (in the kiosk's venv this process has the .pth's OPENBLAS_CORETYPE: not for the probes)
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    assert os_numpy.probe_blas(str(old_openblas), clean)[1] in os_numpy.GENERIC_KERNELS
    assert os_numpy.core_to_set(str(old_openblas), cpuinfo, "x86_64") == core
    if os_numpy.probe_blas(sys.executable, clean)[1] not in os_numpy.GENERIC_KERNELS:
        assert os_numpy.core_to_set(sys.executable, cpuinfo, "x86_64") is None  # it knows this CPU

    site = tmp_path / "site-packages"
    site.mkdir()
    path = os_numpy.write_core(site, core)
    started = (f"import site; site.addsitedir({str(site)!r}); "
               "from edgepac.os_numpy import probe_blas; print(probe_blas()[1])")

    def kernel(**env: str) -> str:
        done = subprocess.run([sys.executable, "-c", started], capture_output=True, text=True,
                              timeout=120, check=True, env={**clean, **env})
        return done.stdout.strip()

    assert kernel().lower() == core.lower()
    assert kernel(OPENBLAS_CORETYPE="Haswell") == "Haswell"  # systemd's Environment= wins
    os_numpy.write_core(site, None)
    assert not path.exists()


@lane_only
@pytest.mark.slow
def test_a_numpy_of_another_abi_breaks_the_os_cv2_and_the_doctor_mends_it(tmp_path):
    """For real: a venv over the OS's packages given NumPy of the other major; the OS's cv2
    fails to import, doctor's FIX line names the command, and after it cv2 imports again."""
    os_version = os_numpy.os_numpy_version()
    assert os_version
    if os_numpy.major(os_version) != 1:
        pytest.skip("Trixie's NumPy is 2.x and PyPI has no NumPy 1 for its Python 3.13")
    venv = tmp_path / "venv"
    subprocess.run([OS_PYTHON, "-m", "venv", "--system-site-packages", str(venv)], check=True,
                   timeout=120)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "numpy>=2"], check=True, timeout=600)
    check = ("import sys; sys.path.insert(0, sys.argv[1]); "
             "from edgepac.camera.doctor import imports_check; print(imports_check().line())")

    def doctor_line() -> str:
        done = subprocess.run([str(venv / "bin" / "python"), "-c", check, str(REPO)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    broken = doctor_line()
    assert broken.startswith("FIX  camera modules: cv2 (OpenCV) (numpy.core.multiarray failed")
    assert f"built for the OS's NumPy {os_version}, this venv has NumPy 2." in broken
    command = broken.split(" -> ", 1)[1].split(" (or run")[0]
    assert command.startswith(f"{venv / 'bin' / 'pip'} install --ignore-installed 'numpy>=")
    subprocess.run(command, shell=True, check=True, timeout=600)
    assert doctor_line() == "OK   camera modules: cv2 (OpenCV) import"


def tflite_runtime_here() -> None:
    import importlib.util

    if importlib.util.find_spec("tflite_runtime") is None:  # the lane's Bookworm step adds it
        pytest.skip("no tflite-runtime here (wheels for Python 3.11 only, with NumPy < 2)")


@pytest.mark.model
def test_tflite_runtime_gives_litert_s_activations_without_xnnpack(model_025_128, tmp_path,
                                                                   monkeypatch):
    """tflite-runtime 2.14 runs TFLite's own kernels: bit for bit LiteRT's without its XNNPACK
    delegate. XNNPACK requantizes differently, so LiteRT's default differs by a few steps."""
    tflite_runtime_here()
    import functools

    import numpy as np
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    from edgepac.vision import interpreter
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.images import load_rgb

    monkeypatch.setenv("EDGEPAC_MODELS", str(tmp_path))
    photos = [load_rgb(p) for p in sorted((model_025_128.parent.parent / "images").iterdir())]

    def activations(name: str, **kwargs: object) -> np.ndarray:
        monkeypatch.setenv("EDGEPAC_INTERPRETER", name)
        if kwargs:
            kind = interpreter.find_interpreter()
            cls = functools.partial(Interpreter, **kwargs)
            monkeypatch.setattr(interpreter, "find_interpreter",
                                lambda: interpreter.InterpreterKind(kind.name, kind.version, cls))
        backbone = Backbone(model_025_128, input_size=224)
        monkeypatch.undo()
        monkeypatch.setenv("EDGEPAC_MODELS", str(tmp_path))
        assert backbone.interpreter_name.startswith(name)
        return backbone.features_batch(photos).astype(int)

    runtime = activations("tflite-runtime")
    builtin = activations("ai-edge-litert", experimental_op_resolver_type=(
        OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
    xnnpack = activations("ai-edge-litert")
    assert np.array_equal(runtime, builtin)
    step = np.abs(runtime - xnnpack)
    assert 0 < step.mean() < 3 and np.percentile(step, 99) <= 24, (step.mean(), step.max())
