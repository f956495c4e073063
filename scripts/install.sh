#!/usr/bin/env bash
# Install EdgePac as a boot-to-game kiosk on Raspberry Pi OS (Bookworm or Trixie).
#
#   sudo ./scripts/install.sh            # everything; safe to run again (each step checks first)
#   ./scripts/install.sh --dry-run       # print the steps, change nothing (no sudo needed)
#   ./scripts/install.sh --venv-only DIR # only the kiosk's venv, at DIR (tests, scripts/kiosk-lane)
#
# Steps: apt packages (picamera2, pygame with KMSDRM, lgpio...), the system user "edgepac", the
# app in /opt/edgepac with a venv that sees the OS's packages, the model (`edgepac fetch-model`:
# the kiosk itself has no network), /etc/edgepac/config.toml, the systemd unit enabled on tty1,
# console blanking off, the state directory checked to last a reboot (--state-partition mounts
# one for it: raspi-config's Overlay File System, docs/kiosk-overlay.md). Afterwards:
# `sudo systemctl start edgepac` or reboot.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: sudo scripts/install.sh [--dry-run] [--force] [--cage] [--webcam] [--model FILE_OR_DIR]
                               [--no-start] [--state-partition DEVICE]
       scripts/install.sh --venv-only DIR
  --dry-run      print each step instead of doing it
  --force        install on a machine that is not a Raspberry Pi with Raspberry Pi OS
  --cage         run the app under the cage Wayland kiosk (for a pygame without kmsdrm)
  --webcam       also install OpenCV (python3-opencv) for a USB webcam instead of a Pi camera
  --model PATH   take the model from a file or folder instead of downloading it
  --no-start     enable the kiosk for the next boot but do not start it now
  --state-partition DEVICE  mount this ext4 partition (e.g. LABEL=edgepac-state) at
                 /var/lib/edgepac from /etc/fstab: the samples and model outlive reboots with
                 raspi-config's Overlay File System on (docs/kiosk-overlay.md)
  --venv-only DIR  make only the kiosk's venv, at DIR, exactly as the install does (no Pi, no
                 root, no apt, no user, no systemd needed; the OS's python3-numpy must be there)
EOF
}

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/edgepac
ETC=/etc/edgepac
UNIT=/etc/systemd/system/edgepac.service
DROPIN=/etc/systemd/system/edgepac.service.d/cage.conf
USER_NAME=edgepac
GROUPS_WANTED=(video render input gpio audio)
# The OS's interpreter, not whichever python3 is first on PATH (pyenv, conda...): the OS's
# compiled modules (picamera2, pygame with KMSDRM, cv2, lgpio) are built for it alone.
OS_PYTHON=/usr/bin/python3
PACKAGES=(python3-venv python3-pip python3-picamera2 python3-pygame python3-lgpio python3-numpy
  python3-pil rpicam-apps-lite)

DRY_RUN=0 FORCE=0 CAGE=0 WEBCAM=0 START=1 MODEL="" VENV_ONLY="" STATE_PART=""
STATE=/var/lib/edgepac  # systemd's StateDirectory=edgepac
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --force) FORCE=1 ;;
    --cage) CAGE=1 ;;
    --webcam) WEBCAM=1 ;;
    --no-start) START=0 ;;
    --model)
      [ $# -ge 2 ] || { echo "install.sh: --model needs a file or folder" >&2; exit 2; }
      MODEL="$2"
      shift
      ;;
    --state-partition)
      [ $# -ge 2 ] || { echo "install.sh: --state-partition needs a device or LABEL=..." >&2; exit 2; }
      STATE_PART="$2"
      shift
      ;;
    --venv-only)
      [ $# -ge 2 ] || { echo "install.sh: --venv-only needs a folder for the venv" >&2; exit 2; }
      VENV_ONLY="$2"
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*"; }
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# The kiosk's venv at $1 with the app from $2. It sees the OS's packages
# (--system-site-packages: picamera2, pygame with KMSDRM, lgpio, cv2); the OS's pygame is kept
# (PyPI's has no KMSDRM); NumPy follows edgepac/os_numpy.py's rule (the OS's NumPy ABI, PyPI's
# OpenBLAS: the OS's own runs on the reference BLAS, 10x slower to train); the rest from PyPI.
make_venv() {
  local venv="$1" app="$2" numpy
  if ! numpy="$("$OS_PYTHON" -I "$SRC/edgepac/os_numpy.py" requirement)"; then
    [ "$DRY_RUN" = 1 ] || exit 1
    numpy="numpy(the major of the OS's python3-numpy)"
  fi
  if [ ! -x "$venv/bin/python" ]; then
    run "$OS_PYTHON" -m venv --system-site-packages "$venv"
  fi
  # --ignore-installed: PyPI's wheel even where the OS's NumPy already satisfies the range.
  run "$venv/bin/python" -m pip install --quiet --ignore-installed "$numpy"
  run "$venv/bin/python" -m pip install --quiet --upgrade --no-deps "$app"
  local requirements
  mapfile -t requirements < <("$OS_PYTHON" -I -c '
import sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
print("\n".join(d for d in deps if not d.replace(" ", "").startswith("pygame")))
' "$SRC/pyproject.toml")
  # The NumPy range again, so that nothing (ml_dtypes' newest needs NumPy 2) moves it.
  run "$venv/bin/python" -m pip install --quiet "$numpy" "${requirements[@]}"
  # An OpenBLAS older than the CPU runs its generic kernel, 3-4x slower: name the right one.
  run "$OS_PYTHON" -I "$SRC/edgepac/os_numpy.py" tune "$venv"
}

if [ -n "$VENV_ONLY" ]; then
  say "the kiosk's venv in $VENV_ONLY (only)"
  make_venv "$VENV_ONLY" "$SRC"
  say "done: $VENV_ONLY/bin/edgepac"
  exit 0
fi

# -- is this the machine it is for? ------------------------------------------------------------
model="$({ tr -d '\0' </proc/device-tree/model; } 2>/dev/null || true)"
# shellcheck source=/dev/null
codename="$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)"
if [[ "$model" != *"Raspberry Pi"* ]] || [[ "$codename" != bookworm && "$codename" != trixie ]]; then
  if [ "$FORCE" != 1 ]; then
    echo "install.sh: this is for a Raspberry Pi with Raspberry Pi OS Bookworm or Trixie;" >&2
    echo "  here: ${model:-not a Raspberry Pi}, ${codename:-unknown OS}. Nothing was changed." >&2
    echo "  To try anyway: --force (add --dry-run to see the steps first)." >&2
    exit 1
  fi
  say "not a Raspberry Pi with Bookworm/Trixie (${model:-unknown}, ${codename:-unknown}): --force"
fi
if [ "$DRY_RUN" != 1 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run it as root: sudo $0 $*" >&2
  exit 1
fi

# -- 1. packages from the OS (picamera2 and a pygame with KMSDRM come only from there) -----------
wanted=("${PACKAGES[@]}")
[ "$CAGE" = 1 ] && wanted+=(cage)
[ "$WEBCAM" = 1 ] && wanted+=(python3-opencv)
say "apt packages: ${wanted[*]}"
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "  all installed"
fi

# -- 2. the system user, in the groups that reach the devices ---------------------------------
say "system user $USER_NAME"
if ! id "$USER_NAME" >/dev/null 2>&1; then
  run useradd --system --user-group --home-dir /var/lib/edgepac --no-create-home \
    --shell /usr/sbin/nologin "$USER_NAME"
fi
for group in "${GROUPS_WANTED[@]}"; do
  if getent group "$group" >/dev/null; then
    id -nG "$USER_NAME" 2>/dev/null | grep -qw "$group" || run usermod -aG "$group" "$USER_NAME"
  else
    say "  no group $group here (skipped)"
  fi
done

# -- 3. the app and its venv ------------------------------------------------------------------
say "the app in $PREFIX"
run install -d -m 0755 "$PREFIX" "$PREFIX/models"
if [ "$SRC" != "$PREFIX" ]; then
  if [ "$DRY_RUN" = 1 ]; then
    printf '+ tar -C %s -c . | tar -C %s -x   (without .git, .venv, model files)\n' "$SRC" "$PREFIX"
  else
    tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude='*.tflite' --exclude='*.tgz' \
      --exclude=__pycache__ -cf - . | tar -C "$PREFIX" --no-same-owner -xf -
  fi
fi
make_venv "$PREFIX/.venv" "$PREFIX"

# -- 4. the model, now: the kiosk runs without network -----------------------------------------
say "the model in $PREFIX/models"
fetch=("$PREFIX/.venv/bin/edgepac" fetch-model)
[ -n "$MODEL" ] && fetch+=(--from "$MODEL")
run env EDGEPAC_MODELS="$PREFIX/models" "${fetch[@]}"
run chmod -R a+rX "$PREFIX"

# -- 5. the config ------------------------------------------------------------------------------
say "config $ETC/config.toml"
run install -d -m 0755 "$ETC"
if [ ! -f "$ETC/config.toml" ]; then
  run install -m 0644 "$SRC/systemd/config.example.toml" "$ETC/config.toml"
else
  say "  kept the existing one"
fi
# A bad key stops the install here, not the kiosk at boot.
run "$PREFIX/.venv/bin/python" -c "from edgepac.app.config import load_config; load_config()"

# -- 6. the kiosk unit on tty1 --------------------------------------------------------------------
say "systemd unit $UNIT"
run install -m 0644 "$SRC/systemd/edgepac.service" "$UNIT"
if [ "$CAGE" = 1 ]; then
  run install -d -m 0755 "$(dirname "$DROPIN")"
  run install -m 0644 "$SRC/systemd/cage.conf" "$DROPIN"
elif [ -e "$DROPIN" ]; then
  run rm -f "$DROPIN"
fi
run systemctl daemon-reload
# tty1 belongs to the arcade: no login prompt fighting it for the screen at boot.
run systemctl disable getty@tty1.service
run systemctl enable edgepac.service

if [ "$(systemctl get-default 2>/dev/null || true)" = graphical.target ]; then
  say "  note: this system boots to a desktop, which takes the screen from tty1. For the kiosk:"
  say "  sudo systemctl set-default multi-user.target (or start from Raspberry Pi OS Lite)"
fi

# -- 7. no console blanking (the screen must stay on while people play) -------------------------
cmdline="${EDGEPAC_CMDLINE:-/boot/firmware/cmdline.txt}"  # Bookworm and Trixie keep it here
[ -f "$cmdline" ] || cmdline=/boot/cmdline.txt
say "console blanking off ($cmdline)"
if [ ! -f "$cmdline" ]; then
  say "  no $cmdline here (skipped)"
elif grep -qw "consoleblank=0" "$cmdline"; then
  say "  already off"
else
  run sed -i '1 s/$/ consoleblank=0/' "$cmdline"
fi
if [ -c /dev/tty1 ]; then  # and for this boot: the console's own "blank after 0 minutes"
  run sh -c "printf '\\033[9;0]' > /dev/tty1"
fi

# -- 8. a state directory that lasts a reboot ---------------------------------------------------
# With raspi-config's Overlay File System on, / is an overlay whose changes live in RAM: every
# sample and model would vanish at the next boot. A partition of its own keeps them.
say "state directory $STATE"
fstab="${EDGEPAC_FSTAB:-/etc/fstab}"
if [ -n "$STATE_PART" ]; then
  if grep -qE "^[^#]*[[:space:]]${STATE}[[:space:]]" "$fstab" 2>/dev/null; then
    say "  already in $fstab"
  else
    line="$STATE_PART $STATE ext4 defaults,noatime,commit=60 0 2"
    say "  $fstab: $line"
    run sh -c 'printf "%s\n" "$1" >> "$2"' sh "$line" "$fstab"
  fi
  run mkdir -p "$STATE"
  run sh -c 'mountpoint -q "$1" || mount "$1"' sh "$STATE"
  run chown "$USER_NAME:$USER_NAME" "$STATE"
  run chmod 0700 "$STATE"
fi
fstype="$(findmnt -n -o FSTYPE -T "$STATE" 2>/dev/null || findmnt -n -o FSTYPE -T /var/lib 2>/dev/null || true)"
case "$fstype" in
  overlay | tmpfs | ramfs)
    say "  WARNING: $STATE is on $fstype: the samples and model are lost at every reboot."
    say "  Give it a partition: sudo $0 --state-partition LABEL=edgepac-state (docs/kiosk-overlay.md)"
    ;;
  *) say "  on ${fstype:-an unknown file system}" ;;
esac

# -- 9. go ------------------------------------------------------------------------------------------
if [ "$START" = 1 ]; then
  say "starting the kiosk"
  run systemctl restart edgepac.service
fi
say "done. Check the machine with: sudo -u $USER_NAME env EDGEPAC_MODELS=$PREFIX/models STATE_DIRECTORY=/var/lib/edgepac $PREFIX/.venv/bin/edgepac doctor"
say "Logs: journalctl -u edgepac -f"
