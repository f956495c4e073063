"""Doctor check for training: NumPy on an optimised BLAS (the reference one trains 10x slower)."""

from __future__ import annotations

from pathlib import Path

from edgepac.doctor import Check
from edgepac.os_numpy import blas_libraries, fix_command, is_optimised, numpy_blas


def numpy_check() -> Check:
    import numpy

    libraries = blas_libraries()
    names = ", ".join(Path(lib).name for lib in numpy_blas(libraries)) or "no BLAS library found"
    if is_optimised(libraries):
        return Check("numpy", True, f"NumPy {numpy.__version__} on {names}")
    return Check("numpy", False, f"NumPy {numpy.__version__} on the reference BLAS ({names}): "
                 "training a head takes ~10x longer", fix_command())


def checks() -> list[Check]:
    return [numpy_check()]
