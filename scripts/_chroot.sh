# shellcheck shell=bash
# Shared by scripts/kiosk-lane and scripts/aarch64-check: a Debian root made once with
# debootstrap (cached outside the clone), entered with chroot; every mount is undone on exit.
set -euo pipefail

CACHE="${EDGEPAC_LANE_CACHE:-/var/cache/edgepac}"
MIRROR="${EDGEPAC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

MOUNTS=()
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount -l "${MOUNTS[$i]}" 2>/dev/null || true
  done
  MOUNTS=()
}
trap unmount_all EXIT

bind() {  # bind FROM AT [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  MOUNTS+=("$2")
  [ "${3:-}" = ro ] && mount -o remount,bind,ro "$2"
  return 0
}

# debian_root NAME RELEASE ARCH: $CACHE/NAME holds a minimal RELEASE for ARCH with python3.
debian_root() {
  local target="$CACHE/$1"
  if [ ! -x "$target/usr/bin/python3" ]; then
    echo "debootstrap $2 ($3) into $target, once" >&2
    command -v debootstrap >/dev/null \
      || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    rm -rf "$target.tmp"
    mkdir -p "$CACHE"
    debootstrap --arch="$3" --variant=minbase \
      --include=python3,python3-venv,python3-numpy,python3-pygame \
      "$2" "$target.tmp" "$MIRROR" >"$CACHE/$1.debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/$1.debootstrap.log" >&2; return 1; }
    mv "$target.tmp" "$target"
  fi
}

# open_root TARGET DIR...: the kernel's file systems, the host's DNS and certificate authorities
# (a proxy's, say: pip inside reaches PyPI as it does here; bound, not rebuilt inside, which
# takes many minutes under emulation), and each DIR at the same path.
open_root() {
  local target="$1" dir
  shift
  cp /etc/resolv.conf "$target/etc/resolv.conf"
  bind /etc/ssl/certs "$target/etc/ssl/certs" ro
  bind /proc "$target/proc"
  bind /sys "$target/sys"
  bind /dev "$target/dev"
  for dir in "$@"; do
    bind "$dir" "$target$dir"
  done
}

in_root() {  # in_root TARGET COMMAND...: with a clean environment, as a login would have
  chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "${@:2}"
}
