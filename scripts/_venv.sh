# shellcheck shell=bash
# Shared by scripts/run and scripts/test: make .venv if needed and install the project into it.
# Reinstalls only when pyproject.toml changed since the last install, so repeat runs start fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${EDGEPAC_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

ensure_venv() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "edgepac: creating $VENV" >&2
    # On Raspberry Pi OS the system picamera2 and pygame (with KMSDRM) live in system
    # site-packages; a Pi venv sees them. Elsewhere an isolated venv is cleaner.
    if [ -e /etc/rpi-issue ] || [ "${EDGEPAC_SYSTEM_SITE_PACKAGES:-0}" = 1 ]; then
      "$PYTHON" -m venv --system-site-packages "$VENV"
    else
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  local stamp="$VENV/.edgepac-installed"
  local want
  want="$(sha256sum <"$ROOT/pyproject.toml" | cut -d" " -f1) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "edgepac: installing into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    local log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install -e "$ROOT$extras" >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "edgepac: installing failed; the whole log is in $log" >&2
      exit 1
    fi
    echo "$want" >"$stamp"
  fi
}
