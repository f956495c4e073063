# shellcheck shell=bash
# Shared by scripts/run and scripts/test: make .venv if needed and install the project into it.
# Reinstalls only when pyproject.toml changed or an extra is missing, so repeat runs start fast.
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
  # The stamp: pyproject.toml's checksum on the first line, then each extra installed with it.
  # An install takes the extras wanted now and those already there, so alternating
  # scripts/test ([test]) and scripts/run (none) installs once, not at every switch.
  local stamp="$VENV/.edgepac-installed"
  local sha
  sha="$(sha256sum <"$ROOT/pyproject.toml" | cut -d" " -f1)"
  local have=()
  if [ -f "$stamp" ]; then  # (pip keeps an extra's packages when pyproject.toml changes too)
    mapfile -t have < <(tail -n +2 "$stamp")
  fi
  local want=("${have[@]}") missing=0 extra
  for extra in ${extras//[][,]/ }; do
    if [[ " ${have[*]} " != *" $extra "* ]]; then
      want+=("$extra")
      missing=1
    fi
  done
  if [ ! -f "$stamp" ] || [ "$(head -n 1 "$stamp")" != "$sha" ] || [ "$missing" = 1 ]; then
    local spec="$ROOT"
    if [ "${#want[@]}" -gt 0 ]; then
      spec="${ROOT}[$(IFS=,; echo "${want[*]}")]"
    fi
    echo "edgepac: installing into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    local log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install -e "$spec" >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "edgepac: installing failed; the whole log is in $log" >&2
      exit 1
    fi
    printf '%s\n' "$sha" "${want[@]}" >"$stamp"
  fi
}
