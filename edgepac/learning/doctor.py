"""Doctor check for training: NumPy on an optimised BLAS (the reference one trains 10x slower)."""

from __future__ import annotations

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
                     "set OPENBLAS_CORETYPE=Haswell (or SkylakeX) in the environment (the "
                     "kiosk: sudo systemctl edit edgepac, Environment=OPENBLAS_CORETYPE=...)")
    kernel = f" ({core} kernel)" if core else ""
    return Check("numpy", True, f"NumPy {numpy.__version__} on {names}{kernel}")


def checks() -> list[Check]:
    return [numpy_check()]
