"""Keeping NumPy's BLAS from fighting the camera, the backbone and the screen for the CPU.

The arcade trains while it runs; `edgepac train` and `edgepac bench` do what it does, so their
figures are the arcade's.
"""

from __future__ import annotations


def limit_blas_threads(n: int) -> bool:
    """Ask the OpenBLAS under NumPy for ``n`` threads; True if it listened.

    Training shares the CPU with the camera, the backbone and the screen. OpenBLAS's own worker
    threads spin while they wait, and on a busy machine that made a 60-batch training take 14 s
    instead of 0.7 s. One thread keeps training fast and everything else live.
    """
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return False
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in (
            "scipy_openblas_set_num_threads64_",  # NumPy's wheels (64-bit integer builds)
            "openblas_set_num_threads64_",
            "openblas_set_num_threads",  # Debian's and Raspberry Pi OS's libopenblas
        ):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(n))
                return True
    return False
