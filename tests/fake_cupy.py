"""A NumPy stand-in for CuPy with two fake GPUs, strict about CuPy's current-device rule.

CuPy allocates new arrays and runs kernels on its *current device*; an array that
lives on another GPU is only reachable through peer access (slow, and an error
where peer access is unavailable). This module imitates that without a GPU:
each array remembers the device it was made on, and any kernel (ufunc, array
function, advanced indexing, assignment, ``astype``) touching an array of a
device that is not current raises :class:`WrongDevice`. Building the real
``CupyBackend`` on it lets the test suite run the CuPy backend's code, and
microtorch's device switching, on ``cuda:1``-like devices in CI.

Only what microtorch uses is imitated; it is a check of device plumbing, not of CuPy's numerics.
"""
from __future__ import annotations

import types

import numpy as np

DEVICE_COUNT = 2


class WrongDevice(AssertionError):
    """A kernel touched an array that lives on a device other than the current one."""


class _State:
    current = 0
    stack: list = []


def _check(objs) -> None:
    for o in objs:
        if isinstance(o, FakeArray):
            if o._dev != _State.current:
                raise WrongDevice(f"array on device {o._dev} used while device {_State.current} is current")
        elif isinstance(o, (list, tuple)):
            _check(o)


def _wrap(result):
    """Arrays made by a kernel live on the current device; CuPy returns 0-d arrays, not scalars."""
    if isinstance(result, tuple):
        return tuple(_wrap(r) for r in result)
    if isinstance(result, list):
        return [_wrap(r) for r in result]
    if isinstance(result, FakeArray):
        return result
    if isinstance(result, (np.ndarray, np.generic)):
        out = np.asarray(result).view(FakeArray)
        out._dev = _State.current
        return out
    return result


def _is_basic(key) -> bool:
    key = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


class _Flags:
    """CuPy's flags: no ``writeable`` (CuPy has no read-only arrays)."""

    def __init__(self, flags):
        self.c_contiguous, self.f_contiguous, self.owndata = flags.c_contiguous, flags.f_contiguous, flags.owndata


class FakeDevice:
    def __init__(self, index: int):
        self.id = index

    def __enter__(self):
        _State.stack.append(_State.current)
        _State.current = self.id
        return self

    def __exit__(self, *exc):
        _State.current = _State.stack.pop()

    def use(self):
        _State.current = self.id

    def synchronize(self):
        pass

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class FakeArray(np.ndarray):
    """A NumPy array that remembers its fake GPU."""

    _dev = 0

    def __array_finalize__(self, obj):
        self._dev = getattr(obj, "_dev", _State.current)  # views (and astype/copy) start from their source

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        _check(inputs)
        _check(out or ())
        plain = tuple(i.view(np.ndarray) if isinstance(i, FakeArray) else i for i in inputs)
        if out:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, FakeArray) else o for o in out)
        result = getattr(ufunc, method)(*plain, **kwargs)
        if method == "at":
            return None
        if out:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        _check(args)
        _check(kwargs.values())
        return _wrap(super().__array_function__(func, types, args, kwargs))

    def __getitem__(self, key):
        if not _is_basic(key):  # a gather kernel; basic indexing only makes a view
            _check((self, key))
        return _wrap(super().__getitem__(key))

    def __setitem__(self, key, value):
        _check((self, key, value))
        super().__setitem__(key, value)

    def astype(self, *args, **kwargs):
        _check((self,))
        return super().astype(*args, **kwargs)

    def copy(self, order="C"):  # CuPy copies onto the current device, from any device
        out = np.array(self.view(np.ndarray), order=order, copy=True).view(FakeArray)
        out._dev = _State.current
        return out

    def get(self):
        return np.array(self.view(np.ndarray), copy=True)

    @property
    def device(self):
        return FakeDevice(self._dev)

    @property
    def __cuda_array_interface__(self):  # host memory here: tests/fake_nccl.py reads it back
        return {"data": (self.__array_interface__["data"][0], False), "shape": self.shape,
                "typestr": self.dtype.str, "version": 3}

    @property
    def flags(self):
        return _Flags(super().flags)


def array(obj, dtype=None, copy=True, order="K", ndmin=0):
    if isinstance(obj, FakeArray) and obj._dev != _State.current:  # a copy between devices
        if not (obj.flags.c_contiguous or obj.flags.f_contiguous):
            raise NotImplementedError("CuPy cannot copy non-contiguous array between devices.")
        obj = obj.get()
    if isinstance(obj, FakeArray):
        obj = obj.view(np.ndarray)
    out = np.array(obj, dtype=dtype, copy=True if copy else None, order=order, ndmin=ndmin).view(FakeArray)
    out._dev = _State.current
    return out


def asarray(obj, dtype=None, order=None):
    if isinstance(obj, FakeArray) and obj._dev == _State.current and (dtype is None or obj.dtype == dtype) and order is None:
        return obj
    return array(obj, dtype=dtype, copy=False, order=order or "K")


def ascontiguousarray(a):
    _check((a,))
    return _wrap(np.ascontiguousarray(a.view(np.ndarray)))


class _Generator:
    """cuRAND generators keep their state on the device they were made on."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)
        self._dev = _State.current

    def _run(self, name, *args, **kwargs):
        if _State.current != self._dev:
            raise RuntimeError(f"This generator was created on device {self._dev}, used on {_State.current}")
        return _wrap(getattr(self._rng, name)(*args, **kwargs))

    def random(self, size=None, dtype="float64"):
        return self._run("random", size, dtype=dtype)

    def standard_normal(self, size=None, dtype="float64"):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype).name} for standard_normal")
        return self._run("standard_normal", size, dtype=dtype)

    def integers(self, low, high=None, size=None, dtype="int64"):
        return self._run("integers", low, high, size=size, dtype=dtype)


class _Stream:
    """A stream of a fake device (kernels run at once, so it is always idle)."""

    def __init__(self, device: int):
        self.device_id = device
        self.ptr = 0


class _Event:
    def __init__(self, block=False, disable_timing=False):
        self.done = False

    def record(self, stream=None):
        self.done = True


class _Pool:
    def used_bytes(self):
        return 0

    def total_bytes(self):
        return 0

    def free_all_blocks(self):
        pass


_pool = _Pool()


def _creation(fn):
    def made_on_current_device(*args, **kwargs):
        _check(args)
        return _wrap(fn(*args, **kwargs))

    return made_on_current_device


class _Namespace(types.ModuleType):
    """``cupy``: NumPy's functions, with arrays made on the current fake device."""

    def __getattr__(self, name):
        attr = getattr(np, name)
        if isinstance(attr, np.ufunc) or isinstance(attr, type) or not callable(attr):
            return attr
        return _creation(attr)


def _as_strided(x, shape=None, strides=None):
    """CuPy's as_strided: a view of the same device's memory (NumPy's would make a plain ndarray)."""
    _check([x])
    out = np.lib.stride_tricks.as_strided(x.view(np.ndarray), shape, strides).view(FakeArray)
    out._dev = x._dev
    return out


def make() -> types.ModuleType:
    cupy = _Namespace("cupy")
    cupy.__version__ = "14.0.0"
    cupy.ndarray = FakeArray
    cupy.array = array
    cupy.asarray = asarray
    cupy.ascontiguousarray = ascontiguousarray
    cupy.get_default_memory_pool = lambda: _pool
    cupy.random = types.SimpleNamespace(default_rng=_Generator)
    cupy.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))
    runtime = types.SimpleNamespace(
        getDeviceCount=lambda: DEVICE_COUNT,
        getDevice=lambda: _State.current,
        setDevice=lambda i: setattr(_State, "current", i),
    )
    cupy.cuda = types.SimpleNamespace(runtime=runtime, Device=FakeDevice, Event=_Event,
                                      get_current_stream=lambda: _Stream(_State.current))
    return cupy


def current_device() -> int:
    return _State.current


def set_current_device(index: int) -> None:
    _State.current = index
