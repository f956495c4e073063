"""Which NumPy should the kiosk's venv have? `edgepac bench`'s learning figures, per Python stack.

    python benchmarks/kiosk_numpy.py --rounds 3 \\
        dev=.venv/bin/python kiosk=/tmp/kiosk/bin/python \\
        os-reference=/tmp/osnumpy/bin/python:LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas

Each NAME=PYTHON[:VAR=VALUE...] is one stack (a venv's python, with extra environment variables,
e.g. to force Debian's reference BLAS); PYTHON may be a command, e.g. "chroot ROOT VENV/bin/python"
for the Trixie root's venv (`scripts/kiosk-lane` compares each kiosk venv with the dev one so).
In each round every stack runs `edgepac bench --json` in turn (interleaved, because the machine
is shared and noisy; OPENBLAS_NUM_THREADS=1, as the app's training runs, makes the figures
steadier on a busy machine); the table has the median per stack of head_train_s,
head_train_default_s and head_predict_ms, the ratio of head_train_s to the first stack's, and
which NumPy, BLAS and OpenBLAS kernel the stack loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

KEYS = ("head_train_s", "head_train_default_s", "head_predict_ms")
PROBE = ("import json, numpy; from edgepac.os_numpy import probe_blas as b; l, c = b();"
         "print(json.dumps([numpy.__version__, [p.rsplit('/', 2)[-2:] for p in l], c]))")


def stack(spec: str) -> tuple[str, str, dict[str, str]]:
    name, _, rest = spec.partition("=")
    python, *assignments = rest.split(":")
    env = dict(a.split("=", 1) for a in assignments)
    return name, python, env


def run(python: str, env: dict[str, str], *args: str) -> str:
    full = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", **env}
    done = subprocess.run([*shlex.split(python), *args], capture_output=True, text=True,
                          env=full, check=False, timeout=900)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stacks", nargs="+", help="NAME=PYTHON[:VAR=VALUE...]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=10, help="`edgepac bench --frames`")
    args = parser.parse_args()
    stacks = [stack(s) for s in args.stacks]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in stacks}
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds):
        for name, python, env in stacks:
            out = run(python, env, "-m", "edgepac", "bench", "--json", "--frames",
                      str(args.frames))
            runs[name].append(json.loads(out))
            print(name, {k: runs[name][-1].get(k) for k in KEYS}, file=sys.stderr, flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    first = None
    print(f"{'stack':<16} {'numpy':<8} {'blas (kernel)':<56} "
          + " ".join(f"{k:>20}" for k in KEYS) + "   vs first")
    for name, python, env in stacks:
        version, blas, core = json.loads(run(python, env, "-c", PROBE))
        medians = [statistics.median(r[k] for r in runs[name]) for k in KEYS]
        first = first or medians[0]
        libs = ",".join(b[-1] for b in blas)[:44] + f" ({core})"
        print(f"{name:<16} {version:<8} {libs:<56} "
              + " ".join(f"{m:>20.3f}" for m in medians) + f"   {medians[0] / first:.2f}x")


if __name__ == "__main__":
    main()
