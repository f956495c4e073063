"""Doctor check for training: NumPy on an optimised BLAS (the reference one trains 10x slower)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from edgepac import os_numpy
from edgepac.doctor import Check


def numpy_check() -> Check:
    import numpy

    libraries, core = os_numpy.probe_blas()
    names = ", ".join(Path(lib).name for lib in os_numpy.numpy_blas(libraries)) or "no BLAS found"
    if not os_numpy.is_optimised(libraries):
        return Check("numpy", False, f"NumPy {numpy.__version__} on the reference BLAS ({names}): "
                     "training a head takes ~10x longer", os_numpy.fix_command())
    if core in os_numpy.GENERIC_KERNELS:  # OpenBLAS older than the CPU: its slowest kernel
        return Check("numpy", False, f"NumPy {numpy.__version__} on {names}, whose OpenBLAS does "
                     f"not know this CPU and runs its generic {core} kernel (3-4x slower)",
                     core_fix())
    named = " named by OPENBLAS_CORETYPE" if os.environ.get("OPENBLAS_CORETYPE") else ""
    kernel = f" ({core} kernel{named})" if core else ""
    return Check("numpy", True, f"NumPy {numpy.__version__} on {names}{kernel}")


def core_fix() -> str:
    """Name the kernel this CPU runs: for a venv, in the venv (what install.sh does)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    core = os_numpy.cpu_core(cpuinfo, os.uname().machine) or "Haswell"
    if sys.prefix != sys.base_prefix:
        sudo = "" if os.access(sys.prefix, os.W_OK) else "sudo "
        return (f"{sudo}{Path(sys.prefix) / 'bin' / 'python'} -m edgepac.os_numpy tune "
                f"{sys.prefix} (sets OPENBLAS_CORETYPE={core} for this venv, as install.sh does)")
    return (f"set OPENBLAS_CORETYPE={core} in the environment (the kiosk: sudo systemctl edit "
            f"edgepac, Environment=OPENBLAS_CORETYPE={core})")


def checks() -> list[Check]:
    return [numpy_check()]
