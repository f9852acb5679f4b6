"""Skinny float32 products in pieces that OpenBLAS's AVX-512 builds run with their direct kernel.

OpenBLAS's SkylakeX, Cooperlake and SapphireRapids kernels compute a float32 GEMM of at most 100^3
multiply-adds directly on the operands (no packing copies, one thread). A larger product with a short side,
such as LeNet's first convolution ((6 x 25) @ (25 x 200704) forward, (6 x 200704) @ (200704 x 25) for the
weight gradient), takes the packed path instead, which is slow for so few rows. Cut along its long dimension
into pieces under that bound (columns of the output, or slices of the inner dimension whose products are
summed), it runs 1.3-4x faster on one thread (measured: DEVELOPERS.md's performance notes). Other BLAS
builds get the one call: where the direct kernel is missing the pieces would only add calls.
"""
from __future__ import annotations

from typing import Any

import numpy

from . import _threads

#: OpenBLAS's core names (threadpoolctl's ``architecture``) that have the direct float32 kernel
DIRECT_KERNEL_CORES = frozenset({"SkylakeX", "Cooperlake", "SapphireRapids"})
#: the largest product (M * N * K multiply-adds) OpenBLAS gives its direct kernel
DIRECT_LIMIT = 100 ** 3
#: products are cut only while the output has at most this many rows and the two short sides multiply to at
#: most ``SHORT_AREA``: measured gains for (6, 25), (3, 27), (8, 72), (12, 75), (6, 150), (25, 6); none or losses
#: for (16, 150), (32, 64), (150, 16), (150, 6)
MAX_ROWS = 32
SHORT_AREA = 1000

#: whether NumPy's BLAS has the direct kernel: None until first asked (threadpoolctl reads it; without
#: threadpoolctl, no); tests set True or False to force a route
direct_kernel: bool | None = None


def has_direct_kernel() -> bool:
    """Whether NumPy's own BLAS is an OpenBLAS whose core has the direct float32 kernel."""
    global direct_kernel
    if direct_kernel is None:
        try:
            from threadpoolctl import threadpool_info
        except ImportError:
            direct_kernel = False
        else:
            direct_kernel = any(pool.get("internal_api") == "openblas" and "numpy" in pool.get("filepath", "")
                                and pool.get("architecture") in DIRECT_KERNEL_CORES for pool in threadpool_info())
    return direct_kernel


def matmul(a: Any, b: Any) -> Any:
    """``a @ b`` for 2-D arrays; a skinny float32 product in direct-kernel pieces where the BLAS has that kernel
    (column pieces shared out across the intra-op threads: the direct kernel runs on one)."""
    m, k = a.shape
    n = b.shape[1]
    if (m > MAX_ROWS or m * n * k <= DIRECT_LIMIT or a.dtype != numpy.float32 or b.dtype != numpy.float32
            or not has_direct_kernel()):
        return numpy.matmul(a, b)
    if m * k <= SHORT_AREA and n > k:  # long columns: each piece writes its own columns of the output
        out = numpy.empty((m, n), dtype=numpy.float32)
        step = DIRECT_LIMIT // (m * k)

        def columns(lo: int, hi: int) -> None:  # (pieces lo..hi)
            for start in range(lo * step, min(hi * step, n), step):
                numpy.matmul(a, b[:, start:start + step], out=out[:, start:start + step])

        _threads.run_chunks(columns, -(-n // step))
        return out
    if m * n <= SHORT_AREA and k > n:  # a long inner dimension: the pieces' products summed in order, on this
        step = DIRECT_LIMIT // (m * n)  # thread (split across two, reading memory made it 10-14 % slower)
        out = numpy.matmul(a[:, :step], b[:step])
        piece = numpy.empty_like(out)
        for start in range(step, k, step):
            out += numpy.matmul(a[:, start:start + step], b[start:start + step], out=piece)
        return out
    return numpy.matmul(a, b)

