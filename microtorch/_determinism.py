"""``use_deterministic_algorithms`` and its queries: one process-wide setting, as torch's.

The cpu backend is deterministic already (NumPy's loops, ``ufunc.at`` in index order, the thread pool's partial
sums added in order). The setting changes two things: ``empty`` and its family fill their memory (nan, or the
largest integer) while ``utils.deterministic.fill_uninitialized_memory`` is true, and the cuda backend's
floating scatter-adds (index_add, the backward of indexing, gather and embedding), CuPy's atomic adds, run in
rounds that add each cell's values in index order (``CupyBackend.scatter_add``). No op raises for lack of a
deterministic algorithm: on the cpu none is missing; on CUDA the order of cuBLAS's own sums is not controlled
(torch asks for ``CUBLAS_WORKSPACE_CONFIG`` there), and this is not verified on a GPU. ``warn_only`` is kept and
reported.
"""
from __future__ import annotations

from typing import Any

#: whether deterministic algorithms are asked for, and whether a missing one only warns
enabled = False
warn_only = False


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Make operations use deterministic algorithms (``torch.use_deterministic_algorithms``): ``empty`` fills its
    memory, CUDA scatter-adds run in order (see the module's notes). No op raises for lack of one, where torch's
    raise (or warn, with ``warn_only``)."""
    global enabled
    for name, value in (("'mode' (position 1)", mode), ("'warn_only'", warn_only)):
        if type(value) is not bool:
            raise TypeError(f"_set_deterministic_algorithms(): argument {name} must be bool, not {type(value).__name__}")
    enabled = mode
    globals()["warn_only"] = warn_only  # (kept even with mode False, as torch reports it)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in effect."""
    return enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether a missing deterministic algorithm only warns (``warn_only=True``)."""
    return warn_only


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``use_deterministic_algorithms`` by level: 0 / ``"default"`` off, 1 / ``"warn"`` warn only, 2 / ``"error"``."""
    if not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        levels = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in levels:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = levels[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """The level ``set_deterministic_debug_mode`` takes: 0 off, 1 warn only, 2 error."""
    return 0 if not enabled else 1 if warn_only else 2


def fill_uninitialized(array: Any) -> None:
    """Fill a new ``empty`` array as torch does in deterministic mode: the largest value (integers), True (bool),
    nan (the rest); only while ``utils.deterministic.fill_uninitialized_memory`` is true."""
    from .utils import deterministic

    if not deterministic.fill_uninitialized_memory:
        return
    kind, bits = array.dtype.kind, 8 * array.dtype.itemsize
    array[...] = (2 ** bits - 1 if kind == "u" else 2 ** (bits - 1) - 1 if kind == "i" else True if kind == "b"
                  else float("nan"))
