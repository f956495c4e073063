"""The kiosk venv's NumPy rule: the OS's NumPy ABI, on an optimised BLAS, decided per OS.

The kiosk's venv sees the OS's compiled modules (picamera2's simplejpeg, python3-opencv, the
OS's pygame), which were built against the OS's NumPy: Bookworm's 1.24, Trixie's 2.2. A module
built against NumPy N.x imports with any NumPy N.y at least as new, and with no other major (a
NumPy 2 under Bookworm's cv2: "numpy.core.multiarray failed to import"; picamera2's issues #1088
and #1211). But the OS's NumPy itself runs on Debian's reference BLAS, which trained a head
10-15x slower in `edgepac bench` (docs/benchmarks/kiosk-numpy.md has the figures). So the venv
gets PyPI's newest NumPy *of the OS's major* (its wheels carry their own OpenBLAS), never older
than the OS's: ``requirement()`` below is the one place this is decided.

``python3 -m edgepac.os_numpy`` style use without edgepac installed: ``scripts/install.sh`` runs
this file with the OS's python3 (``python3 -I os_numpy.py requirement``) before the venv exists.
The doctor and the kiosk lane's test import it.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

# Names of the BLAS libraries that are not Debian's reference one (libblas3).
OPTIMISED_BLAS = ("openblas", "blis", "mkl", "atlas", "armpl")


def os_paths() -> list[str]:
    """Where the OS's own packages live on sys.path (outside this venv, if in one)."""
    in_venv = sys.prefix != sys.base_prefix
    return [p for p in sys.path if p and not (in_venv and p.startswith(sys.prefix))
            and Path(p).is_dir()]


def os_numpy_version() -> str | None:
    """The version of the OS's NumPy (python3-numpy), even where the venv shadows it."""
    for dist in importlib.metadata.distributions(name="numpy", path=os_paths()):
        return str(dist.version)
    return None


def major(version: str) -> int:
    return int(version.split(".")[0])


def requirement(os_version: str) -> str:
    """What pip installs into the kiosk venv: the OS's major, at least the OS's version."""
    return f"numpy>={os_version},<{major(os_version) + 1}"


def abi_matches(venv_version: str, os_version: str) -> bool:
    """Can the OS's NumPy-compiled modules import with ``venv_version``?"""
    return major(venv_version) == major(os_version) and _tuple(venv_version) >= _tuple(os_version)


def _tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


_BLAS_PROBE = """
import ctypes, json, os
import numpy
found, core = set(), None
for line in open(f"/proc/{os.getpid()}/maps"):
    path = line.split()[-1] if "/" in line else ""
    if "blas" in os.path.basename(path).lower():
        found.add(os.path.realpath(path))
for path in sorted(found):  # which kernel OpenBLAS chose for this CPU
    for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                 "openblas_get_corename"):
        get = getattr(ctypes.CDLL(path), name, None)
        if get is not None and core is None:
            get.restype = ctypes.c_char_p
            core = get().decode()
print(json.dumps([sorted(found), core]))
"""

# OpenBLAS's fallback kernels for a CPU newer than the OpenBLAS (an x86-64 one, here; armv8 is
# the arm64 one).
GENERIC_KERNELS = ("Prescott", "Core2", "Katmai", "armv8")


def probe_blas(python: str | None = None,
               env: dict[str, str] | None = None) -> tuple[list[str], str | None]:
    """The BLAS libraries NumPy loads (real paths) and OpenBLAS's kernel, seen in a fresh
    ``python`` (this one by default) that imports NumPy alone: other modules (the OS's cv2)
    load BLAS libraries too."""
    done = subprocess.run([python or sys.executable, "-c", _BLAS_PROBE], capture_output=True,
                          text=True, timeout=60, check=False, env=env)
    if done.returncode:
        return [], None
    libraries, core = json.loads(done.stdout.strip().splitlines()[-1])
    return libraries, core


def blas_libraries(python: str | None = None) -> list[str]:
    return probe_blas(python)[0]


def numpy_blas(libraries: list[str]) -> list[str]:
    """Of the BLAS libraries loaded, those NumPy computes with. Debian's NumPy calls the generic
    libblas.so.3, whichever library the alternatives (or LD_LIBRARY_PATH) make it: that one
    decides, even where an OpenBLAS is loaded too (for LAPACK). PyPI's wheels bring their own."""
    generic = [lib for lib in libraries if Path(lib).name.startswith(("libblas.", "libcblas."))]
    return generic or libraries


def is_optimised(libraries: list[str]) -> bool:
    judged = numpy_blas(libraries)
    return bool(judged) and all(any(n in lib.lower() for n in OPTIMISED_BLAS) for lib in judged)


# -- An OpenBLAS older than the CPU ------------------------------------------------------------
# OpenBLAS picks its kernel by the CPU's model number, so an OpenBLAS older than the CPU (NumPy
# 1.26.4's 0.3.23 on a 2023 Xeon) falls back to a generic kernel 3-4x slower, though the CPU runs
# the newer kernels' instructions. OPENBLAS_CORETYPE names the kernel instead; the installer sets
# it for the kiosk's venv only when the probe saw the fallback and OpenBLAS accepts the name.

# The kernel a CPU can run, by the instruction sets /proc/cpuinfo lists (x86-64), best first.
X86_CORES = (
    ("SkylakeX", {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}),
    ("Haswell", {"avx2", "fma"}),
    ("Sandybridge", {"avx"}),
)
# arm64 by "CPU part": a Pi 4's Cortex-A72 and a Pi 5's Cortex-A76 (Neoverse N1 is its server twin).
ARM_CORES = {"0xd08": "CortexA72", "0xd0b": "NeoverseN1"}

CORE_FILE = "edgepac-openblas-core.pth"  # in the venv's site-packages, read at every start


def cpu_core(cpuinfo: str, machine: str) -> str | None:
    """The OpenBLAS kernel this CPU can run, from the text of /proc/cpuinfo."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    if machine in ("x86_64", "amd64"):
        flags = set(fields.get("flags", "").split())
        return next((core for core, needs in X86_CORES if needs <= flags), None)
    if machine in ("aarch64", "arm64"):
        return ARM_CORES.get(fields.get("cpu part", "").lower())
    return None


def core_to_set(python: str, cpuinfo: str, machine: str) -> str | None:
    """The OPENBLAS_CORETYPE that ``python``'s NumPy needs: None when its OpenBLAS already
    knows this CPU (or is no OpenBLAS), else a kernel the CPU runs and OpenBLAS, told, uses."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    _, core = probe_blas(python, env)
    wanted = cpu_core(cpuinfo, machine)
    if core not in GENERIC_KERNELS or wanted is None:
        return None
    _, told = probe_blas(python, {**env, "OPENBLAS_CORETYPE": wanted})
    return wanted if told and told.lower() == wanted.lower() else None


def write_core(site_packages: Path, core: str | None) -> Path:
    """Make the venv start with OPENBLAS_CORETYPE=``core`` (a .pth line runs before any import;
    setdefault: the environment, e.g. systemd's, still wins), or with nothing when None."""
    path = site_packages / CORE_FILE
    if core is None:
        path.unlink(missing_ok=True)
    else:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(f"import os; os.environ.setdefault('OPENBLAS_CORETYPE', {core!r})\n")
        tmp.replace(path)
    return path


# What NumPy's C API says when a module meets a NumPy of another ABI than it was built for.
ABI_SIGNS = (
    "numpy.dtype size changed",  # simplejpeg (picamera2) built for NumPy 2, running on 1.x
    "_ARRAY_API not found",  # a module built for 1.x under NumPy 2
    "numpy.core.multiarray failed to import",  # the same, as cv2 reports it
    "compiled using NumPy",
)


def is_abi_error(err: BaseException) -> bool:
    text = f"{err} {err.__cause__ or ''} {err.__context__ or ''}"
    return any(sign in text for sign in ABI_SIGNS)


def venv_numpy_version() -> str | None:
    """The NumPy this Python imports (the venv's own, if it has one), without importing it."""
    try:
        return importlib.metadata.version("numpy")
    except importlib.metadata.PackageNotFoundError:
        return None


def fix_command(abi: bool = False) -> str:
    """The command that gives this venv the NumPy the rule wants (the OS's major, PyPI's BLAS).

    Outside a venv that sees an OS NumPy: for the ABI, the installer (it makes such a venv); for
    the BLAS, an optimised one for the OS's NumPy through apt."""
    os_version = os_numpy_version()
    if os_version is None or sys.prefix == sys.base_prefix:
        if abi:
            return "sudo scripts/install.sh again (its venv has the OS's NumPy ABI)"
        return "sudo apt install libopenblas0-pthread (an optimised BLAS for the OS's NumPy)"
    sudo = "" if os.access(sys.prefix, os.W_OK) else "sudo "
    return (f"{sudo}{Path(sys.prefix) / 'bin' / 'pip'} install --ignore-installed "
            f"'{requirement(os_version)}' (or run scripts/install.sh again)")


def abi_advice(module: str, err: BaseException) -> str:
    """One line for a module that does not import because of NumPy's ABI."""
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return (f"{module} does not import ({first}): it was built for the OS's NumPy "
            f"{os_numpy_version()}, this venv has NumPy {venv_numpy_version()}; "
            f"{fix_command(abi=True)}")


def tune_venv(venv: Path) -> str:
    """For ``install.sh``: set (or clear) the venv's OPENBLAS_CORETYPE; one line saying what."""
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    write_core(Path(site), None)  # a stale setting must not outlive a NumPy that knows the CPU
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    core = core_to_set(python, cpuinfo, os.uname().machine)
    if core is None:
        return f"OpenBLAS kernel: {probe_blas(python)[1] or 'not OpenBLAS'} (its own choice)"
    path = write_core(Path(site), core)
    return (f"OpenBLAS kernel: {core}, set in {path} (this OpenBLAS is older than the CPU and "
            f"fell back to its generic kernel)")


if __name__ == "__main__":  # for scripts/install.sh, with the OS's python3
    if sys.argv[1:] == ["requirement"]:
        found = os_numpy_version()
        if found is None:
            sys.exit("os_numpy.py: the OS has no NumPy: sudo apt install python3-numpy")
        print(requirement(found))
    elif len(sys.argv) == 3 and sys.argv[1] == "tune":
        print(tune_venv(Path(sys.argv[2])))
    else:
        sys.exit("usage: python3 -I os_numpy.py requirement | tune VENV")
