#!/usr/bin/env bash
# Install EdgePac as a boot-to-game kiosk on Raspberry Pi OS (Bookworm or Trixie).
#
#   sudo ./scripts/install.sh            # everything; safe to run again (each step checks first)
#   ./scripts/install.sh --dry-run       # print the steps, change nothing (no sudo needed)
#
# Steps: apt packages (picamera2, pygame with KMSDRM, lgpio...), the system user "edgepac", the
# app in /opt/edgepac with a venv that sees the OS's packages, the model (`edgepac fetch-model`:
# the kiosk itself has no network), /etc/edgepac/config.toml, the systemd unit enabled on tty1,
# console blanking off. Afterwards: `sudo systemctl start edgepac` or reboot.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: sudo scripts/install.sh [--dry-run] [--force] [--cage] [--webcam] [--model FILE_OR_DIR]
                               [--no-start]
  --dry-run      print each step instead of doing it
  --force        install on a machine that is not a Raspberry Pi with Raspberry Pi OS
  --cage         run the app under the cage Wayland kiosk (for a pygame without kmsdrm)
  --webcam       also install OpenCV (python3-opencv) for a USB webcam instead of a Pi camera
  --model PATH   take the model from a file or folder instead of downloading it
  --no-start     enable the kiosk for the next boot but do not start it now
EOF
}

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/edgepac
ETC=/etc/edgepac
UNIT=/etc/systemd/system/edgepac.service
DROPIN=/etc/systemd/system/edgepac.service.d/cage.conf
USER_NAME=edgepac
GROUPS_WANTED=(video render input gpio audio)
PACKAGES=(python3-venv python3-pip python3-picamera2 python3-pygame python3-lgpio python3-numpy
  python3-pil rpicam-apps-lite)

DRY_RUN=0 FORCE=0 CAGE=0 WEBCAM=0 START=1 MODEL=""
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
say "apt packages: ${PACKAGES[*]}"
wanted=("${PACKAGES[@]}")
[ "$CAGE" = 1 ] && wanted+=(cage)
[ "$WEBCAM" = 1 ] && wanted+=(python3-opencv)
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
if [ ! -x "$PREFIX/.venv/bin/python" ]; then
  # --system-site-packages: the venv sees the OS's picamera2, pygame (KMSDRM) and lgpio.
  run python3 -m venv --system-site-packages "$PREFIX/.venv"
fi
# Keep the OS's pygame (its SDL has KMSDRM; PyPI's has not): install edgepac without it, then
# the other requirements from PyPI where the OS's packages do not already satisfy them.
run "$PREFIX/.venv/bin/python" -m pip install --quiet --upgrade --no-deps "$PREFIX"
mapfile -t requirements < <(python3 -c '
import sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]
print("\n".join(d for d in deps if not d.replace(" ", "").startswith("pygame")))
' "$SRC/pyproject.toml")
run "$PREFIX/.venv/bin/python" -m pip install --quiet "${requirements[@]}"

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

# -- 8. go ------------------------------------------------------------------------------------------
if [ "$START" = 1 ]; then
  say "starting the kiosk"
  run systemctl restart edgepac.service
fi
say "done. Check the machine with: sudo -u $USER_NAME $PREFIX/.venv/bin/edgepac doctor"
say "Logs: journalctl -u edgepac -f"
