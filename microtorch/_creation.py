"""Factories: ``tensor``, ``zeros``, ``arange``, ``randn``, ... with torch's signatures."""
from __future__ import annotations

import math
import os
from typing import Any, Sequence

from . import _determinism, _dtype
from ._device import as_device, on_device
from ._dtype import dtype, dtype_of_array, get_default_dtype
from ._memory_format import check_layout
from ._signatures import write_out
from ._tensor import Tensor
from ._promotion import _expect, _floating_kernel, _shape_arg
from ._absent import ABSENT
from .backends import get_backend

_float = float


def _finish(data: Any, dev: Any, requires_grad: bool) -> Tensor:
    t = Tensor._make(data, dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_name(d: Any, default: dtype | None = None) -> str | None:
    d = default if d is None else _dtype.as_dtype(d)
    return None if d is None else d.name


def _check_shape(shape: tuple) -> tuple:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


# ---- from data --------------------------------------------------------------------------------------
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or a Tensor)."""
    if isinstance(data, Tensor):
        out = data.detach().to(device=device if device is not None else data.device, dtype=dtype, copy=True)
        if out._data is data._data:
            out = out.clone()
        return _finish(out._data, out._device, requires_grad)
    dev = as_device(device)
    floating = dtype is not None and _dtype.as_dtype(dtype).is_floating_point
    array = _host_array(data, dev, copy=True, floating=floating)
    with on_device(dev):
        if dtype is not None:
            target = _dtype.as_dtype(dtype)
            if array.dtype.kind == "c" and not hasattr(data, "dtype") and not target.is_complex:
                raise TypeError("must be real number, not complex")  # (torch's, for Python complex numbers)
            array = array.astype(target.name, copy=False)
        elif not hasattr(data, "dtype") and array.dtype.kind == "f":
            array = array.astype(get_default_dtype().name, copy=False)  # Python floats become float32
        elif not hasattr(data, "dtype") and array.dtype.kind in "iu":
            array = array.astype("int64", copy=False)
        elif not hasattr(data, "dtype") and array.dtype.kind == "c":  # Python complex numbers become complex64
            array = array.astype(_dtype.default_complex_dtype().name, copy=False)
    dtype_of_array(array)  # rejects unsupported element types with a clear message
    return _finish(array, dev, requires_grad)


def _host_array(data: Any, dev: Any, copy: bool | None, floating: bool = False) -> Any:
    """``data`` as an array on ``dev``; Python ints beyond 64 bits become floats for a ``floating`` dtype (as in
    torch) and raise torch's ValueError otherwise."""
    backend = dev.backend
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data):
        data = [v.tolist() if isinstance(v, Tensor) else v for v in data]
    try:
        array = backend.asarray(data, index=dev.index, copy=copy)
    except ValueError as e:
        shape = _ragged_message(data)
        raise ValueError(shape or f"could not make a tensor from this data: {e}") from None
    if array.dtype.kind in "Ou" and _holds_huge_int(data):
        if not floating:
            raise ValueError("Overflow when unpacking long long")
        with on_device(dev):
            array = array.astype("float64")
    if array.dtype.kind in "OUSVM" and array.dtype.name != "bfloat16":
        raise TypeError(
            f"could not infer a tensor dtype from data of type {type(data).__name__} (array dtype {array.dtype}); "
            "use numbers, nested lists of numbers, or arrays"
        )
    return array


def _holds_huge_int(data: Any) -> bool:
    """Whether nested lists of numbers hold a Python int beyond int64 (NumPy makes uint64 or object arrays)."""
    if isinstance(data, (list, tuple)):
        return any(_holds_huge_int(v) for v in data)
    return isinstance(data, int) and not -0x8000000000000000 <= data < 0x8000000000000000


def _ragged_message(data: Any, depth: int = 0) -> str | None:
    """torch's wording for nested lists of uneven length."""
    if not isinstance(data, (list, tuple)) or not data:
        return None
    lengths = [len(v) if isinstance(v, (list, tuple)) else None for v in data]
    first = lengths[0]
    for n in lengths[1:]:
        if n != first:
            return f"expected sequence of length {first} at dim {depth + 1} (got {n})"
    for v in data:
        msg = _ragged_message(v, depth + 1)
        if msg:
            return msg
    return None


def as_tensor(data: Any, *, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing ``data``'s memory when it can (same device and dtype), else a copy."""
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device, dtype=dtype)
    dev = as_device(device)
    if hasattr(data, "dtype") and hasattr(data, "shape"):
        array = _host_array(data, dev, copy=None)
        if dtype is not None:
            with on_device(dev):
                array = array.astype(_dtype.as_dtype(dtype).name, copy=False)
        dtype_of_array(array)
        return Tensor._make(array, dev)
    return tensor(data, dtype=dtype, device=dev)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor, sharing its memory when dtype and device allow (``copy=True`` always copies)."""
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t


def from_numpy(array: Any) -> Tensor:
    """A cpu tensor sharing memory with a NumPy array."""
    numpy = get_backend("cpu").xp
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtype_of_array(array)
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a copy "
                         "of your array  with array.copy().) ")
    return Tensor._make(array, as_device("cpu"))


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with any DLPack exporter (NumPy or CuPy arrays, torch tensors, ...),
    on the device that holds its data (``torch.from_dlpack``)."""
    from .backends import _REGISTRY

    if not hasattr(ext_tensor, "__dlpack_device__"):
        raise TypeError(f"from_dlpack() expects an object with __dlpack__ and __dlpack_device__, got {type(ext_tensor).__name__}")
    dl_type, dl_index = ext_tensor.__dlpack_device__()
    # the first registered backend whose arrays live on that kind of device (a lazy one's class says)
    device_type = next((name for name, b in _REGISTRY.items() if getattr(b, "dlpack_device_type", None) == dl_type), None)
    if device_type is None:
        raise RuntimeError(f"from_dlpack(): no registered backend holds DLPack device type {int(dl_type)} (1 is CPU, 2 is CUDA)")
    dev = as_device("cpu" if device_type == "cpu" else f"{device_type}:{int(dl_index)}")
    array = dev.backend.from_dlpack(ext_tensor, dev.index)
    dtype_of_array(array)
    return Tensor._make(array, dev)


# ---- filled -----------------------------------------------------------------------------------------
def _filled(kind: str, size: tuple, fill: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    dev = as_device(device)
    shape = _check_shape(_shape_arg(size))
    backend = dev.backend
    with backend.on_device(dev.index):
        if kind == "full":
            name = _dtype_name(dtype) or _scalar_dtype_name(fill)
            if not isinstance(fill, Tensor):  # torch refuses a value the dtype cannot hold
                fill = _dtype.checked_scalar(fill, _dtype._dtype_from_name(name))
            array = backend.xp.full(shape, fill, dtype=name)
        else:
            array = getattr(backend.xp, kind)(shape, dtype=_dtype_name(dtype, get_default_dtype()))
    return _finish(array, dev, requires_grad)


def _scalar_dtype_name(value: Any) -> str:
    if isinstance(value, Tensor):
        return value.dtype.name
    return _dtype.scalar_dtype(value).name


def _sizes(sizes: tuple, size: Any, layout: Any) -> tuple:
    """The shape from ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``."""
    check_layout(layout)
    if size is None:
        return sizes
    if sizes:
        raise TypeError("pass the size positionally or as size=, not both")
    return (size,)


def zeros(*sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size."""
    return write_out(out, _filled("zeros", _sizes(sizes, size, layout), None, dtype, device, requires_grad), "zeros")


def ones(*sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    return write_out(out, _filled("ones", _sizes(sizes, size, layout), None, dtype, device, requires_grad), "ones")


def empty(*sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None) -> Tensor:
    """An uninitialised tensor of the given size (filled while deterministic algorithms are asked for, as torch)."""
    t = _filled("empty", _sizes(sizes, size, layout), None, dtype, device, requires_grad)
    if _determinism.enabled:
        _determinism.fill_uninitialized(t._data)
    return write_out(out, t, "empty")


def full(size: Sequence[int], fill_value: Any, *, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with ``fill_value``."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    check_layout(layout)
    return write_out(out, _filled("full", (size,), fill_value, dtype, device, requires_grad), "full")


def _like(t: Tensor, dtype: Any, device: Any, layout: Any = None) -> tuple:
    if not isinstance(t, Tensor):  # the *_like factories' first argument, as torch checks it
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(t).__name__}")
    check_layout(layout)
    return (t.dtype if dtype is None else dtype), (t.device if device is None else device)


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
               pin_memory: bool = False,
               memory_format: Any = None) -> Tensor:
    """Zeros of ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return zeros(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
              pin_memory: bool = False,
              memory_format: Any = None) -> Tensor:
    """Ones of ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return ones(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
               pin_memory: bool = False,
               memory_format: Any = None) -> Tensor:
    """An uninitialised tensor of ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return empty(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, pin_memory: bool = False,
              memory_format: Any = None) -> Tensor:
    """``fill_value`` everywhere, in ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return full(input.shape, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


# ---- ranges -----------------------------------------------------------------------------------------
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) in steps of ``step`` (``arange(end)`` starts at 0)."""
    if end is None:
        start, end = 0, start
    if type(start) is int and type(end) is int and type(step) is int and dtype is None and step and (end - start) * step >= 0:
        dev = as_device(device)  # Python ints: int64 values start + i step, as torch's integer kernel, in one call
        with dev.backend.on_device(dev.index):
            return _finish(dev.backend.xp.arange(start, end, step, dtype="int64"), dev, requires_grad)
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign (start={start}, end={end}, step={step})")
    if dtype is None:
        dtype = get_default_dtype() if any(isinstance(v, _float) for v in values) else _dtype.int64
    dev = as_device(device)
    n = max(0, math.ceil((end - start) / step))
    if not _dtype.as_dtype(dtype).is_floating_point:  # torch's integer kernel: start and step truncated first
        start, step = int(start), int(step)
    with dev.backend.on_device(dev.index):
        array = (dev.backend.xp.arange(n, dtype="float64") * step + start).astype(_dtype_name(dtype))
    return _finish(array, dev, requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` points from ``start`` to ``end``, by torch's kernel (integer dtypes truncate the ends first)."""
    dev = as_device(device)
    name = get_default_dtype().name if dtype is None else _dtype.as_dtype(dtype).name
    with dev.backend.on_device(dev.index):
        array = _spaced(dev.backend.xp, "linspace", start, end, steps, name, None)
    return _finish(array, dev, requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``base`` to the powers ``linspace(start, end, steps)``, by torch's kernel."""
    dev = as_device(device)
    name = get_default_dtype().name if dtype is None else _dtype.as_dtype(dtype).name
    with dev.backend.on_device(dev.index):
        array = _spaced(dev.backend.xp, "logspace", start, end, steps, name, _float(base))
    return _finish(array, dev, requires_grad)


def _spaced(xp: Any, fn: str, start: Any, end: Any, steps: Any, name: Any, base: float | None) -> Any:
    """torch's linspace/logspace kernel: start + step i for the first half of the points, end - step (steps - 1 - i)
    for the rest, in the dtype (in float64 for integer dtypes, whose ends are truncated to integers first)."""
    if not isinstance(steps, int) or isinstance(steps, bool):
        given = ", ".join(type(v).__name__ for v in (start, end, steps))
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({given}), but expected "
                        f"(Number start, Number end, int steps, ...)")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    integral = not _dtype.as_dtype(name).is_floating_point
    compute = "float64" if integral else name
    first, last = (xp.asarray(int(v) if integral else v, dtype=compute) for v in (start, end))
    index = xp.arange(steps, dtype=compute)
    if steps == 1:
        points = xp.full((1,), first, dtype=compute)
    else:
        step = (last - first) / (steps - 1)
        points = xp.where(index < steps // 2, first + step * index, last - step * (steps - 1 - index))
    if base is not None:
        points = xp.power(base, points.astype("float64"))
    return points.astype(name)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m (default n x n) identity matrix."""
    for name, size in (("n", n), ("m", m)):
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(size).__name__}")
        if size is not None and size >= 0x8000000000000000:
            raise ValueError("Overflow when unpacking long long")
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    dev = as_device(device)
    with dev.backend.on_device(dev.index):
        array = dev.backend.xp.eye(n, m, dtype=_dtype_name(dtype, get_default_dtype()))
    return _finish(array, dev, requires_grad)


# ---- random -----------------------------------------------------------------------------------------
class Generator:
    """A source of random numbers for one device (``torch.Generator``)."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(device)
        self._seed: int | None = None
        self._generator = self.device.backend.new_generator(None, self.device.index)

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self._generator = self.device.backend.new_generator(self._seed, self.device.index)
        return self

    def initial_seed(self) -> int:
        from .backends.numpy_backend import DEFAULT_SEED

        return DEFAULT_SEED if self._seed is None else self._seed

    def seed(self) -> int:
        """Seed from the operating system's entropy (not reproducible); returns the seed."""
        seed = int.from_bytes(os.urandom(8), "little") >> 1  # (63 bits: any int64 seed prints as torch's do)
        self.manual_seed(seed)
        return seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 cpu tensor (``torch.Generator.get_state``), for ``set_state``."""
        data = self.device.backend.generator_state(self._generator)
        cpu = as_device("cpu")
        return _finish(cpu.backend.xp.frombuffer(data, dtype="uint8").copy(), cpu, False)

    def set_state(self, new_state: Tensor) -> "Generator":
        """Put the generator back in a state ``get_state`` returned (``torch.Generator.set_state``)."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if not new_state.is_contiguous():
            raise RuntimeError("RNG state must be contiguous")
        self.device.backend.set_generator_state(self._generator, new_state.cpu().numpy().tobytes())
        return self


class _DefaultGenerator(Generator):
    """A device's own generator, the one its ops draw from without ``generator=`` (for the cpu:
    ``torch.default_generator``; for a GPU, what ``cuda.get_rng_state`` reads)."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(device)
        self._seed = None

    @property  # (read through: manual_seed gives the backend a new generator object)
    def _generator(self) -> Any:
        return self.device.backend.default_generator(self.device.index)

    def __repr__(self) -> str:
        return "microtorch.default_generator" if self.device.type == "cpu" else f"<default generator of {self.device}>"

    def manual_seed(self, seed: int) -> Generator:
        """Seed this device's generator only (``microtorch.manual_seed`` seeds every device's)."""
        self._seed = int(seed)
        if self.device.index is None:
            self.device.backend.manual_seed(self._seed)
        else:
            self.device.backend.manual_seed_device(self._seed, self.device.index)
        return self


#: the cpu generator that ops draw from when given none (``torch.default_generator``)
default_generator = _DefaultGenerator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator of every backend (cpu and any device), as ``torch.manual_seed``; returns
    ``default_generator``."""
    from .backends import seed_all

    seed_all(int(seed))
    default_generator._seed = int(seed)
    return default_generator


def backend_generator(generator: Any, fn: str) -> Any:
    """The backend's generator behind a ``Generator`` (None: the device's default one), or torch's TypeError."""
    if generator is None:
        return None
    if not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    return generator._generator


def _random(kind: str, size: Any, a: Any, b: Any, dtype: Any, device: Any, requires_grad: bool, generator: Any) -> Tensor:
    gen = backend_generator(generator, {"uniform": "rand", "normal": "randn", "integers": "randint"}[kind])
    dev = as_device(device if device is not None or generator is None else generator.device)
    shape = _check_shape(_shape_arg(size))
    backend = dev.backend
    if kind == "integers":
        name = _dtype_name(dtype, _dtype.int64)
        with backend.on_device(dev.index):
            array = backend.integers(a, b, shape, name, dev.index, gen)
    else:
        name = _dtype_name(dtype, get_default_dtype())
        if kind == "normal" and name in _COMPLEX_PARTS:  # real and imaginary parts each N(0, 1/2), as torch's
            with backend.on_device(dev.index):
                parts = backend.normal(shape + (2,), a, b * 0.5 ** 0.5, _COMPLEX_PARTS[name], dev.index, gen)
            return _finish(parts.view(name)[..., 0], dev, requires_grad)
        if _dtype.as_dtype(name)._category != 2:
            raise RuntimeError(f"{'rand' if kind == 'uniform' else 'randn'}(): expected a floating point dtype, got {name}")
        with backend.on_device(dev.index):
            array = getattr(backend, kind)(shape, a, b, name, dev.index, gen)
    return _finish(array, dev, requires_grad)


#: the real dtype of each complex dtype's parts (randn draws them)
_COMPLEX_PARTS = {"complex64": "float32", "complex128": "float64"}


def rand(*sizes: Any, size: Any = None, generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform draws from [0, 1)."""
    t = _random("uniform", _sizes(sizes, size, layout), 0.0, 1.0, dtype, device, requires_grad, generator)
    return write_out(out, t, "rand")


def randn(*sizes: Any, size: Any = None, generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal draws."""
    t = _random("normal", _sizes(sizes, size, layout), 0.0, 1.0, dtype, device, requires_grad, generator)
    return write_out(out, t, "randn")


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    if len(bounds) == 1:
        low, high = 0, bounds[0]
    elif len(bounds) == 2:
        low, high = bounds
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _random("integers", (size,), int(low), int(high), dtype, device, requires_grad, generator)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0, ..., n - 1 (int64 unless ``dtype``)."""
    (n,) = _shape_arg((n,))
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dev = as_device(device)
    gen = backend_generator(generator, "randperm")
    with on_device(dev):
        array = dev.backend.permutation(int(n), dev.index, gen).astype(_dtype_name(dtype, _dtype.int64), copy=False)
    return Tensor._make(array, dev)


def rand_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    """Uniform draws from [0, 1) in ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return rand(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """Standard normal draws in ``input``'s size, dtype and device (unless given)."""
    d, dev = _like(input, dtype, device, layout)
    return randn(input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None, layout: Any = None,
                 device: Any = None, requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """Integers in [low, high) in ``input``'s size, dtype and device (unless given)."""
    if high is None:
        low, high = 0, low
    d, dev = _like(input, dtype, device, layout)
    return randint(low, high, input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def normal(mean: Any, std: Any = ABSENT, size: Sequence[int] | None = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None) -> Tensor:
    """``normal(mean, std, size)`` with float mean/std, or tensors of means/stds (a tensor of means alone: std 1)."""
    if std is ABSENT and not isinstance(mean, Tensor):
        raise TypeError("normal(): a float mean needs a std (normal(mean, std, size))")
    std = 1.0 if std is ABSENT else std
    for name, value in (("mean", mean), ("std", std)):
        if isinstance(value, complex):
            raise TypeError(f"normal(): argument '{name}' must be float, not complex")
    _check_std(std)
    # (float parameters, as torch's: an int beyond int64 is a float there too)
    mean, std = (float(v) if isinstance(v, int) else v for v in (mean, std))
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        noise = randn(like.shape, dtype=like.dtype, device=like.device, generator=generator)
        return (noise * std + mean).detach()
    return _random("normal", size, float(mean), float(std), dtype, device, False, generator)


def _check_std(std: Any) -> None:
    """normal's std: a non-negative number or a tensor of them (torch's errors)."""
    if isinstance(std, Tensor):
        if std.numel() and not (std >= 0).all().item():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        return
    if not isinstance(std, (int, float)):
        raise TypeError(f"normal(): argument 'std' must be float or Tensor, not {type(std).__name__}")
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def bernoulli(input: Tensor, p: Any = ABSENT, *, generator: Any = None, out: Any = None) -> Tensor:  # noqa: A002
    """0/1 draws, 1 with probability ``input`` (or ``p``, a number in [0, 1]) elementwise."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    backend_generator(generator, "bernoulli")
    if p is ABSENT:
        if input.numel() and not ((input >= 0) & (input <= 1)).all().item():
            raise RuntimeError("bernoulli(): Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        probs = input
    else:
        probs = full_like(input, _probability(p))
    draws = rand(probs.shape, dtype=probs.dtype, device=probs.device, generator=generator)
    return write_out(out, (draws < probs).to(probs.dtype), "bernoulli")


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-D cpu tensor over the bytes of an object with the buffer protocol (``bytearray``, ``array``, ``mmap``,
    ...), sharing its memory: ``count`` elements of ``dtype`` (-1: all) from byte ``offset``, with torch's checks.
    A read-only buffer (``bytes``) is copied, with torch's warning's first sentence."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length, size = view.nbytes, _dtype.as_dtype(dtype).itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length ({length} "
                         "bytes) minus 1")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({size})")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) must not be "
                         f"greater than actual buffer length ({length} bytes)")
    cpu = as_device("cpu")
    array = cpu.backend.xp.frombuffer(view.cast("B"), dtype=_dtype_name(dtype), count=count, offset=offset)
    if not array.flags.writeable:
        import warnings

        warnings.warn("The given buffer is not writable: microtorch copies it (torch would share it).", UserWarning,
                      stacklevel=2)
        array = array.copy()
    return _finish(array, cpu, requires_grad)


def poisson(input: Tensor, generator: Any = None) -> Tensor:  # noqa: A002
    """One draw from Poisson(rate) per element of ``input`` (the rates), in its dtype. The draws carry no graph
    (torch's have a node whose gradient is zero)."""
    _expect(input, Tensor, "poisson", "input")
    _floating_kernel(input, "poisson", f"poisson_{input.device.type}")
    if input.numel() and not (input.detach() >= 0).all().item():  # (nan too)
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    dev = input.device
    gen = backend_generator(generator, "poisson")
    with dev.backend.on_device(dev.index):
        try:
            draws = dev.backend.poisson(input._data, dev.index, gen)
        except ValueError as e:  # (NumPy's sampler refuses rates near 2^63 and inf)
            raise RuntimeError(f"poisson(): a rate is too large to sample ({e})") from None
    return _finish(draws, dev, False)


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """One draw from Binomial(count, prob) per element of the broadcast ``count`` and ``prob`` (floating tensors of
    one dtype), in that dtype; as torch's sampler, counts are floored and clipped at 0, probabilities clipped to
    [0, 1] (1 or more: the count itself), and a nan probability or an infinite count gives nan. The draws carry
    no graph (torch's have a node whose gradient is not implemented)."""
    from ._functions import broadcast_tensors
    from ._signatures import _SCALAR_TYPE_NAMES

    _expect(count, Tensor, "binomial", "count")
    _expect(prob, Tensor, "binomial", "prob", 2)
    for name, t in (("count", count), ("prob", prob)):
        if not t.is_floating_point():
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{_SCALAR_TYPE_NAMES[t.dtype.name]}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {_SCALAR_TYPE_NAMES[prob.dtype.name]} but expected "
                           f"{_SCALAR_TYPE_NAMES[count.dtype.name]}")
    if prob.device != count.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{count.device} and {prob.device}!")
    counts, probs = broadcast_tensors(count.detach(), prob.detach())
    dev = count.device
    gen = backend_generator(generator, "binomial")
    with dev.backend.on_device(dev.index):
        draws = dev.backend.binomial(counts._data, probs._data, dev.index, gen)
    return _finish(draws, dev, False)


def _probability(p: Any) -> float:
    """bernoulli's ``p``: a Python number or a 0-d tensor in [0, 1]."""
    if isinstance(p, Tensor) and p.ndim == 0:
        p = p.item()
    if not isinstance(p, (int, float)):
        raise TypeError(f"bernoulli(): argument 'p' must be float, not {type(p).__name__}")
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return float(p)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None,
                out: Any = None) -> Tensor:  # noqa: A002
    """Sample indices from rows of non-negative weights (Gumbel top-k without replacement)."""
    return write_out(out, _multinomial(input, num_samples, replacement, generator), "multinomial")


def _multinomial(input: Tensor, num_samples: int, replacement: bool, generator: Any) -> Tensor:  # noqa: A002
    backend_generator(generator, "multinomial")
    if not isinstance(input, Tensor) or input._data.dtype.kind not in "fV":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype.name.capitalize() if isinstance(input, Tensor) else type(input).__name__}")
    probs = input.detach().double()
    if not isinstance(num_samples, int) or num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if probs.ndim not in (1, 2):
        raise RuntimeError("multinomial(): prob_dist must be 1 or 2 dim")
    if (probs < 0).any().item() or not probs.isfinite().all().item():
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs if probs.ndim == 2 else probs.unsqueeze(0)
    if (rows.sum(-1) <= 0).any().item():
        raise RuntimeError("multinomial(): invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError("multinomial(): cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if replacement:
        cdf = (rows / rows.sum(-1, keepdim=True)).cumsum(-1)
        u = rand(rows.shape[0], num_samples, dtype=_dtype.float64, device=rows.device, generator=generator)
        xp = rows.device.backend.xp
        with on_device(rows.device):
            picks = xp.stack([xp.searchsorted(cdf._data[i], u._data[i], side="right") for i in range(rows.shape[0])])
            out = Tensor._make(xp.minimum(picks, rows.shape[-1] - 1).astype("int64"), rows.device)
    else:
        gumbel = -(-rand(rows.shape, dtype=_dtype.float64, device=rows.device, generator=generator).clamp_min(1e-300).log()).log()
        keys = rows.log() + gumbel
        xp = rows.device.backend.xp
        with on_device(rows.device):
            out = Tensor._make(xp.argsort(-keys._data, axis=-1)[:, :num_samples].astype("int64"), rows.device)
    return out if probs.ndim == 2 else out[0]


# ---- strided and permuted empties, scalar_tensor, triangle indices (issue 21) ------------------------------
def _check_strides(size: Any, stride: Any) -> tuple:
    shape = _check_shape(_shape_arg((size,)))
    strides = tuple(stride)
    if len(strides) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides ({len(strides)})")
    if any(not isinstance(s, int) or s < 0 for s in strides):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(strides)}")
    return shape


def empty_strided(size: Sequence[int], stride: Sequence[int], *, dtype: Any = None, layout: Any = None,
                  device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of ``size``; ``stride`` is checked (one non-negative stride per dim) but the
    result is contiguous, since microtorch's arrays are row-major."""
    check_layout(layout)
    return empty(_check_strides(size, stride), dtype=dtype, device=device, requires_grad=requires_grad)


def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of ``size``; ``physical_layout`` (a permutation of the dims: torch's memory order)
    is checked, but the result is contiguous, since microtorch's arrays are row-major."""
    shape = _check_shape(_shape_arg((size,)))
    order = tuple(physical_layout)
    if len(order) != len(shape):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(shape)} is not equal to len(physical_layout) = {len(order)}")
    if sorted(order) != list(range(len(shape))):
        raise RuntimeError("Duplicate dim not allowed" if len(set(order)) < len(order) else
                           f"physical_layout {list(order)} is not a permutation of the dims of size {list(shape)}")
    check_layout(layout)
    return empty(shape, dtype=dtype, device=device, requires_grad=requires_grad)


def scalar_tensor(s: Any, *, dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s``, of the default float dtype unless given."""
    if isinstance(s, Tensor):
        s = s.item()
    check_layout(layout)
    return full((), s, dtype=get_default_dtype() if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def _triangle_indices(lower: bool, row: int, col: int, offset: int, dtype: Any, device: Any, layout: Any) -> Tensor:
    """The (2, N) row and column indices of the lower (or upper) triangle of a row x col matrix, row by row."""
    check_layout(layout)
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else f"col must be non-negative, got{col}")
    name = _dtype_name(dtype, _dtype.int64)
    if name not in ("int32", "int64"):
        raise RuntimeError(f"\"{'tril' if lower else 'triu'}_indices\" not implemented for '{name}'")
    dev = as_device(device)
    xp = dev.backend.xp
    with dev.backend.on_device(dev.index):
        rows, cols = (xp.tril_indices if lower else xp.triu_indices)(row, offset, col)
        return _finish(xp.stack([rows, cols]).astype(name), dev, False)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The indices of the lower triangle (on and below diagonal ``offset``) of a row x col matrix, as (2, N)."""
    return _triangle_indices(True, row, col, offset, dtype, device, layout)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The indices of the upper triangle (on and above diagonal ``offset``) of a row x col matrix, as (2, N)."""
    return _triangle_indices(False, row, col, offset, dtype, device, layout)
