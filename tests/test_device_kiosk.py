"""The kiosk: the systemd unit's sandbox (systemd-analyze), the scripts (bash -n, shellcheck) and
the installer's dry run."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        "venv --system-site-packages /opt/edgepac/.venv",
        "pip install --quiet --upgrade --no-deps /opt/edgepac",
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
    assert "python3-opencv" in done.stdout
    assert install("--bogus").returncode == 2
