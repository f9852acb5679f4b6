"""The GPU backend: CuPy arrays on CUDA devices.

CuPy allocates arrays and launches kernels on its *current device*; microtorch
makes a tensor's device current around each op (``on_device``), so tensors on
``cuda:1`` compute on GPU 1. cupy is imported when this backend is built (the
first time a cuda tensor is asked for), never by ``import microtorch``.
"""
from __future__ import annotations

from typing import Any

from .. import _determinism
from .base import _SCATTER_UFUNCS, NO_SWITCH, Backend, scatter_in_rounds
from .numpy_backend import DEFAULT_SEED

INSTALL_HINT = (
    "pip install cupy-cuda12x (CUDA 12 wheels; cupy-cuda13x for CUDA 13: pick the CUDA version `nvidia-smi` shows), "
    "or pip install -e \".[cuda]\" from a checkout"
)

# dtypes CuPy's scatter-add (atomicAdd) accepts; others go through float64
_SCATTER_ADD_DTYPES = frozenset(("float16", "float32", "float64", "int32", "uint32", "uint64"))


def import_cupy() -> Any:
    """cupy, or a clear error saying what is missing: the package or a usable GPU."""
    try:
        import cupy
    except ImportError as e:
        raise RuntimeError(f"the cuda device needs CuPy, which is not installed ({e}). Install it with: {INSTALL_HINT}") from None
    if int(cupy.__version__.split(".")[0]) < 14:
        # CuPy 13 promotes Python scalars by value (float16_array * 1e5 is float32); NumPy 2, CuPy 14 and torch do not
        raise RuntimeError(
            f"the cuda device needs CuPy 14 or newer (NumPy 2's promotion of Python scalars), found "
            f"{cupy.__version__}. Upgrade with: {INSTALL_HINT}"
        )
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, no device, driver too old for this CuPy
        raise RuntimeError(
            f"CuPy is installed but cannot use a GPU: {type(e).__name__}: {e}. cuda tensors need an NVIDIA GPU "
            f"with a working driver, and a CuPy wheel matching its CUDA version ({INSTALL_HINT})"
        ) from None
    if count < 1:
        raise RuntimeError("CuPy is installed but sees no GPU (cupy.cuda.runtime.getDeviceCount() == 0)")
    return cupy


class CupyBackend(Backend):
    dlpack_device_type = 2  # kDLCUDA

    def __init__(self) -> None:
        cupy = import_cupy()
        self.xp = cupy
        self._runtime = cupy.cuda.runtime
        self._count = self._runtime.getDeviceCount()
        self._devices = [cupy.cuda.Device(i) for i in range(self._count)]  # reusable context managers
        self._seed = DEFAULT_SEED
        self._generators: dict = {}  # device index -> cupy.random.Generator, made on first use
        try:  # the special-function library (``special_function``)
            import cupyx.scipy.special as special
        except ImportError:  # a CuPy stand-in without cupyx
            special = None
        self._special = special

    # ---- devices -------------------------------------------------------------------
    def device_count(self) -> int:
        return self._count

    def errstate(self) -> Any:
        return NO_SWITCH  # GPU kernels do not warn about floating-point errors

    def describe(self) -> dict:
        info = super().describe()
        info["CUDA runtime"] = self._runtime.runtimeGetVersion()
        for i in range(self._count):
            props = self._runtime.getDeviceProperties(i)
            name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
            info[f"cuda:{i}"] = f"{name}, {props['totalGlobalMem'] / 2**30:.1f} GiB"
        return info

    def current_device(self) -> int:
        return self._runtime.getDevice()

    def set_device(self, index: int) -> None:
        self.check_index(index)
        self._devices[index].use()

    def on_device(self, index: int | None):
        if index is None or index == self._runtime.getDevice():
            return NO_SWITCH
        return self._devices[index]

    def device_index(self, array: Any) -> int:
        return array.device.id

    # ---- arrays --------------------------------------------------------------------
    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        cupy = self.xp
        with self.on_device(index):
            if isinstance(data, cupy.ndarray) and data.device.id != self._runtime.getDevice():
                # from another GPU (a peer copy): CuPy copies only contiguous arrays between devices
                if not (data.flags.c_contiguous or data.flags.f_contiguous):
                    with data.device:
                        data = cupy.ascontiguousarray(data)
                copy = True
            return cupy.array(data, dtype=dtype, copy=True) if copy else cupy.asarray(data, dtype=dtype)

    def to_numpy(self, array: Any) -> Any:
        return array.get()  # CuPy switches to the array's device itself

    def from_dlpack(self, obj: Any, index: int | None) -> Any:
        with self.on_device(index):
            return self.xp.from_dlpack(obj)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        if _determinism.enabled and target.dtype.kind in "fc":  # atomic float adds sum in any order: in rounds
            self._scatter_add_in_order(target, index, values)
            return
        if target.dtype.name in _SCATTER_ADD_DTYPES:
            self.xp.add.at(target, index, values)  # cupyx.scatter_add: atomicAdd, repeated indices add up
            return
        wide = target.astype("float64")
        self.xp.add.at(wide, index, values.astype("float64"))
        target[...] = wide.astype(target.dtype)

    def _scatter_add_in_order(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` with each cell's values added in index order (deterministic algorithms):
        the cells any key names (ints, slices, arrays) are read off an arange of the target's size."""
        xp = self.xp
        positions = xp.arange(target.size).reshape(target.shape)[index]
        cells = target.reshape(-1) if target.flags.c_contiguous else target.ravel()  # (ravel copies)
        scatter_in_rounds(xp, cells, (positions,), values, xp.add)
        if not target.flags.c_contiguous:
            target[...] = cells.reshape(target.shape)

    def scatter_reduce(self, target: Any, index: Any, values: Any, how: str) -> None:
        if how == "sum":
            self.scatter_add(target, index, values)
            return
        # CuPy's ufunc.at has no multiply, and its maximum/minimum are atomics for a few dtypes only
        scatter_in_rounds(self.xp, target, index, values, getattr(self.xp, _SCATTER_UFUNCS[how]))

    def erf(self, x: Any) -> Any:
        try:
            from cupyx.scipy.special import erf  # ships with CuPy
        except ImportError:  # a CuPy stand-in without cupyx (tests/fake_cupy.py)
            return super().erf(x)
        return erf(x)

    def special_function(self, name: str) -> Any:
        """``cupyx.scipy.special``'s ``name`` (it ships with CuPy)."""
        function = getattr(self._special, name, None)
        if function is None:
            raise NotImplementedError(f"the cuda backend has no special function {name}: cupyx.scipy.special of "
                                      f"CuPy {self.xp.__version__} lacks it")
        return function

    # ---- random numbers: one cupy.random.Generator per device ----------------------------
    def manual_seed(self, seed: int) -> None:
        self._seed = int(seed)
        self._generators.clear()

    def manual_seed_device(self, seed: int, index: int) -> None:
        """Reseed only device ``index`` (``microtorch.cuda.manual_seed``)."""
        with self._devices[index]:
            self._generators[index] = self.xp.random.default_rng(int(seed))

    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        # a cuRAND generator keeps its state on the device it was made on and works only there
        with self.on_device(index):
            return self.xp.random.default_rng(DEFAULT_SEED if seed is None else seed)

    def default_generator(self, index: int | None) -> Any:
        index = self._runtime.getDevice() if index is None else index
        gen = self._generators.get(index)
        if gen is None:
            gen = self._generators[index] = self.new_generator(self._seed, index)
        return gen

    # cuRAND draws float32/float64 only (the base class casts float16) and works on its own device
    def uniform(self, shape, low, high, dtype, index, generator=None):
        with self.on_device(index):
            return super().uniform(shape, low, high, dtype, index, generator)

    def normal(self, shape, mean, std, dtype, index, generator=None):
        with self.on_device(index):
            return super().normal(shape, mean, std, dtype, index, generator)

    def integers(self, low, high, shape, dtype, index, generator=None):
        with self.on_device(index):
            return super().integers(low, high, shape, dtype, index, generator)

    def permutation(self, n, index, generator=None):
        with self.on_device(index):
            return super().permutation(n, index, generator)

    # ---- execution and memory -------------------------------------------------------
    def synchronize(self, index: int | None = None) -> None:
        if index is None:
            index = self._runtime.getDevice()
        self._devices[index].synchronize()

    def memory_stats(self, index: int | None = None) -> dict:
        """Bytes in use by tensors and bytes held by CuPy's memory pool on device ``index``."""
        pool = self.xp.get_default_memory_pool()
        with self.on_device(index):
            return {"allocated_bytes": pool.used_bytes(), "reserved_bytes": pool.total_bytes()}

    def empty_cache(self, index: int | None = None) -> None:
        """Give the pool's free blocks on device ``index`` back to the driver."""
        with self.on_device(index):
            self.xp.get_default_memory_pool().free_all_blocks()

    # ---- communication ------------------------------------------------------------------
    def nccl(self) -> Any:
        """``cupy.cuda.nccl``, NCCL's bindings, for microtorch.distributed's nccl backend."""
        nccl = getattr(self.xp.cuda, "nccl", None)
        if nccl is None:
            try:
                import cupy.cuda.nccl as nccl  # type: ignore[no-redef]  # (the submodule, when not yet an attribute)
            except ImportError as e:
                raise RuntimeError(
                    f"backend 'nccl' needs CuPy's NCCL bindings, which failed to load ({e}); install NCCL for CuPy "
                    "(pip install nvidia-nccl-cu12 for the CUDA 12 wheels) or use backend='mpi' on cpu tensors"
                ) from None
        return nccl

    def pointer(self, array: Any) -> int:
        """The device address of ``array``'s first element."""
        return array.__cuda_array_interface__["data"][0]

    def current_stream(self, index: int) -> Any:
        """The stream CuPy launches work on for device ``index``."""
        with self.on_device(index):
            return self.xp.cuda.get_current_stream()

    def event(self, index: int) -> Any:
        """A new CUDA event on device ``index`` (``record(stream)``, ``done``)."""
        with self.on_device(index):
            return self.xp.cuda.Event(block=False, disable_timing=True)
