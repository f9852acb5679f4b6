"""The backend contract: what microtorch needs from an array library.

A backend is a small object, not a wrapper around every function. Ops call the
NumPy-compatible namespace ``xp`` directly (``ctx.xp.exp(x)``); the methods here
cover only what really differs between array libraries: placing arrays on a
device, moving them to the host, scatter-add, seeded random numbers,
synchronisation, memory statistics, and the array kernels a backend may want to
specialise (``im2col``/``col2im`` for convolution and pooling, ``erf``), and the special-function
library (``special_function``: SciPy's on the CPU, ``cupyx.scipy.special`` on the GPU).
"""
from __future__ import annotations

import contextlib
import json
import math
from abc import ABC, abstractmethod
from typing import Any, Callable


#: the ufunc whose ``at`` performs each of ``scatter_reduce``'s reductions
_SCATTER_UFUNCS = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}

#: ((top, bottom), (left, right)) of no padding
NO_PADDING = ((0, 0), (0, 0))

#: the context ``on_device`` returns when there is nothing to switch (one shared, reusable object)
NO_SWITCH = contextlib.nullcontext()


class Backend(ABC):
    """Serves every tensor whose ``device.type`` this backend is registered under."""

    #: a NumPy-compatible array namespace (``numpy``, ``cupy``, ...)
    xp: Any = None

    # ---- devices -----------------------------------------------------------------
    def device_count(self) -> int:
        """How many devices of this type exist (index 0 .. count-1)."""
        return 1

    def current_device(self) -> int:
        """The index that a bare device type (``'cuda'``) means."""
        return 0

    def check_index(self, index: int | None) -> None:
        """Raise if ``index`` does not name a device of this backend."""
        count = self.device_count()
        if index is not None and not 0 <= index < count:
            raise RuntimeError(f"invalid device index {index}: this backend has {count} device(s)")

    def set_device(self, index: int) -> None:
        """Make device ``index`` the current one."""
        self.check_index(index)

    def on_device(self, index: int | None) -> contextlib.AbstractContextManager:
        """A context in which arrays are allocated, and kernels run, on device ``index``
        (CuPy works on a "current device"); the default has one device and does nothing."""
        return NO_SWITCH

    def errstate(self) -> contextlib.AbstractContextManager:
        """A context in which floating-point errors (division by zero, overflow, invalid) give inf
        or nan silently, as in torch; the backward pass runs in one. The default is ``xp.errstate``
        where the namespace has one (NumPy's and CuPy's), else nothing."""
        errstate = getattr(self.xp, "errstate", None)
        return errstate(all="ignore") if errstate is not None else NO_SWITCH

    # ---- arrays ------------------------------------------------------------------
    @abstractmethod
    def asarray(self, data: Any, dtype: str | None = None, index: int | None = None, copy: bool | None = None) -> Any:
        """An array on device ``index`` from array-like ``data`` (host data, lists, scalars or
        this backend's arrays); ``dtype`` is a dtype name. ``copy=True`` always copies,
        ``None`` copies only when needed."""

    @abstractmethod
    def to_numpy(self, array: Any) -> Any:
        """A host ``numpy.ndarray`` with the array's values: the array itself when it already
        is one (host backends), else a new host copy."""

    def device_index(self, array: Any) -> int | None:
        """The device index an array lives on (``None`` for the host)."""
        return None

    #: the DLPack device type of this backend's arrays (1 = kDLCPU, 2 = kDLCUDA), or None
    dlpack_device_type: int | None = None

    def from_dlpack(self, obj: Any, index: int | None) -> Any:
        """An array sharing memory with ``obj``, which exports DLPack (``__dlpack__``)."""
        return self.xp.from_dlpack(obj)

    def may_share_memory(self, a: Any, b: Any) -> bool:
        """Whether two arrays may overlap in memory (an ``out=`` that must not alias an input, as torch checks);
        the default asks ``xp.may_share_memory`` (NumPy's and CuPy's), else answers False."""
        check = getattr(self.xp, "may_share_memory", None)
        return bool(check(a, b)) if check is not None else False

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` in place, summing over repeated indices
        (the backward of advanced indexing and of ``gather``)."""
        self.xp.add.at(target, index, values)

    def as_strided(self, array: Any, shape: tuple, strides: tuple) -> Any:
        """A view of ``array``'s memory with ``shape`` and byte ``strides``, starting at its first element
        (``diagonal``, ``unfold``, ``as_strided``); writing through it writes ``array``."""
        return self.xp.lib.stride_tricks.as_strided(array, shape, strides)
    def scatter_reduce(self, target: Any, index: Any, values: Any, how: str) -> None:
        """``target[index] = how(target[index], values)`` in place, reducing over repeated indices; ``how`` is
        ``sum``, ``prod``, ``amax`` or ``amin`` (nan propagates through amax/amin, as torch's). The default uses
        the namespace's ``ufunc.at`` (NumPy's)."""
        getattr(self.xp, _SCATTER_UFUNCS[how]).at(target, index, values)

    # ---- kernels for convolution and pooling ----------------------------------------
    def windows(self, x: Any, kernel_size: tuple, stride: tuple, padding: tuple, dilation: tuple,
                pad_value: float = 0.0, out_size: tuple | None = None) -> list:
        """The sliding windows of ``x`` (A, B, H, W) as kh*kw strided views, one per kernel offset
        (i, j) in row-major order: ``views[i*kw + j][a, b, p, q] = x_padded[a, b, p*sh + i*dh, q*sw + j*dw]``.
        ``padding`` is ((top, bottom), (left, right)), filled with ``pad_value``; without padding the
        views share ``x``'s memory (writing through them writes ``x``). ``out_size`` defaults to all
        the windows that fit."""
        out_size = out_size or window_counts(x.shape[2:], kernel_size, stride, padding, dilation)
        x = _pad2d(self.xp, x, padding, pad_value)
        offsets = window_offsets(kernel_size, stride, dilation, out_size)
        return [x[:, :, rows, columns] for _, _, rows, columns in offsets]

    def im2col(self, x: Any, kernel_size: tuple, stride: tuple, padding: tuple, dilation: tuple,
               out_size: tuple | None = None, batch_last: bool = False) -> Any:
        """The windows of ``x`` (N, C, H, W) copied into one array (C, kh, kw, N, Ho, Wo): channel-major,
        so a convolution is one GEMM (C_out, C*kh*kw) @ (C*kh*kw, N*Ho*Wo). One strided copy per kernel
        offset: no loop over pixels; samples in chunks (``run_chunks``), each padded on its own. With
        ``batch_last`` the array is (C, kh, kw, Ho, Wo, N)."""
        if batch_last:
            return self._im2col_batch_last(x, kernel_size, stride, padding, dilation, out_size)
        n, c, h, w = x.shape
        ho, wo = out_size or window_counts((h, w), kernel_size, stride, padding, dilation)
        cols = self.window_buffer((c, kernel_size[0] * kernel_size[1], n, ho, wo), x.dtype)

        def copy_windows(lo: int, hi: int) -> None:
            for k, view in enumerate(self.windows(x[lo:hi], kernel_size, stride, padding, dilation, out_size=(ho, wo))):
                cols[:, k, lo:hi] = view.transpose(1, 0, 2, 3)

        self.run_chunks(copy_windows, n, cols.size)
        return cols.reshape((c,) + tuple(kernel_size) + (n, ho, wo))

    def _im2col_batch_last(self, x: Any, kernel_size: tuple, stride: tuple, padding: tuple, dilation: tuple,
                           out_size: tuple | None) -> Any:
        """``im2col`` as (C, kh, kw, Ho, Wo, N), the batch innermost: x is copied once, transposed, into a padded
        (C, H, W, N) array, and each kernel offset's copy then runs over Wo*N contiguous cells at stride 1 (N at a
        larger stride), not Wo. Channels in chunks."""
        n, c, h, w = x.shape
        ((top, bottom), (left, right)) = padding
        ho, wo = out_size or window_counts((h, w), kernel_size, stride, padding, dilation)
        padded = self.xp.zeros((c, h + top + bottom, w + left + right, n), dtype=x.dtype)
        padded[:, top:top + h, left:left + w] = x.transpose(1, 2, 3, 0)
        cols = self.window_buffer((c,) + tuple(kernel_size) + (ho, wo, n), x.dtype)
        offsets = window_offsets(kernel_size, stride, dilation, (ho, wo))

        def copy_windows(lo: int, hi: int) -> None:
            for i, j, rows, columns in offsets:
                cols[lo:hi, i, j] = padded[lo:hi, rows, columns]

        self.run_chunks(copy_windows, c, cols.size)
        return cols

    def window_buffer(self, shape: tuple, dtype: Any) -> Any:
        """An uninitialised array for ``im2col``'s windows (every cell gets written). A backend may hand out
        again one whose earlier windows nobody references any more (the NumPy backend, for large ones)."""
        return self.xp.empty(shape, dtype=dtype)

    def col2im(self, cols: Any, shape: tuple, stride: tuple, padding: tuple, dilation: tuple,
               batch_last: bool = False) -> Any:
        """The adjoint of ``im2col``: each cell of ``cols`` (C, kh, kw, N, Ho, Wo) added back into the input
        position it was read from; returns an array of ``shape`` (N, C, H, W) (a channel-major view). Samples
        in chunks (``run_chunks``). With ``batch_last``, ``cols`` is (C, kh, kw, Ho, Wo, N)."""
        if batch_last:
            return self._col2im_batch_last(cols, shape, stride, padding, dilation)
        c, kh, kw, n, ho, wo = cols.shape
        ((top, bottom), (left, right)) = padding
        h, w = shape[2], shape[3]
        out = self.xp.zeros((c, n, h + top + bottom, w + left + right), dtype=cols.dtype)

        def add_windows(lo: int, hi: int) -> None:
            views = self.windows(out[:, lo:hi], (kh, kw), stride, NO_PADDING, dilation, out_size=(ho, wo))
            for k, view in enumerate(views):
                view += cols[:, k // kw, k % kw, lo:hi]

        self.run_chunks(add_windows, n, out.size)
        return out[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)

    def _col2im_batch_last(self, cols: Any, shape: tuple, stride: tuple, padding: tuple, dilation: tuple) -> Any:
        """``col2im`` of cols (C, kh, kw, Ho, Wo, N), the batch innermost: each kernel offset's add then runs over
        Wo*N contiguous cells at stride 1 (N at a larger stride), not Wo, which is what makes col2im slow for
        small images in large batches (LeNet's 10x10 at batch 512: 2.4 GB/s). Channels in chunks; the result
        is copied back channel-major, the layout of the other route."""
        c, kh, kw, ho, wo, n = cols.shape
        ((top, bottom), (left, right)) = padding
        h, w = shape[2], shape[3]
        out = self.xp.zeros((c, h + top + bottom, w + left + right, n), dtype=cols.dtype)
        offsets = window_offsets((kh, kw), stride, dilation, (ho, wo))

        def add_windows(lo: int, hi: int) -> None:
            for i, j, rows, columns in offsets:
                out[lo:hi, rows, columns] += cols[lo:hi, i, j]

        self.run_chunks(add_windows, c, out.size)
        result = self.xp.empty((c, n, h, w), dtype=cols.dtype)
        result[...] = out[:, top:top + h, left:left + w].transpose(0, 3, 1, 2)
        return result.transpose(1, 0, 2, 3)

    def run_chunks(self, task: Callable[[int, int], None], n: int, size: int) -> None:
        """Call ``task(lo, hi)`` for consecutive ranges covering ``0..n`` (samples of a batch), where each call
        writes its own disjoint part of an output of ``size`` elements (im2col, col2im, pooling windows). A host
        backend may run the ranges on several threads at once (the NumPy backend's pool, for large outputs);
        the default makes the one call ``task(0, n)``."""
        if n > 0:
            task(0, n)

    def ufunc(self, name: str, *operands: Any, **kwargs: Any) -> Any:
        """``xp.<name>(*operands, **kwargs)`` for a large elementwise call (the pointwise table sends its big ones
        here; the in-place updates pass ``out=`` and ``casting=``): a backend may split it across threads (the
        NumPy backend's pool). The default makes the one call."""
        return getattr(self.xp, name)(*operands, **kwargs)

    def elementwise(self, kernel: Any, out: Any, *operands: Any) -> Any:
        """Run ``kernel(xp, out, *operands)``, a fused elementwise kernel that writes ``out`` from operands of its
        shape (or single values) with ``xp`` calls (``out=`` into ``out`` or temporaries of its own): the fused
        passes of large activations and optimizer updates. A backend may run it on blocks of the flattened arrays
        across threads (the NumPy backend's pool); the default makes the one call. Returns ``out``."""
        kernel(self.xp, out, *operands)
        return out

    def matmul(self, a: Any, b: Any) -> Any:
        """``a @ b`` for 2-D arrays, the products of convolution and its adjoints: a backend may cut a skinny one
        into pieces its BLAS runs faster (the NumPy backend, on OpenBLAS's AVX-512 kernels); the default makes the
        one call."""
        return self.xp.matmul(a, b)

    def full_sum(self, x: Any) -> Any:
        """``x.sum()`` over every element of a large array: a backend may add partial sums computed across
        threads; the default makes the one call."""
        return x.sum()

    def erf(self, x: Any) -> Any:
        """The error function, elementwise. NumPy has none, so this default maps ``math.erf`` over host
        arrays (exact, slow); backends override it with a vectorised one (SciPy's, CuPy's ``cupyx.scipy``)."""
        if not hasattr(self.xp, "frompyfunc"):
            raise NotImplementedError(f"{type(self).__name__} must provide erf() (used by gelu)")
        return self.xp.asarray(self.xp.frompyfunc(math.erf, 1, 1)(x), dtype=x.dtype)

    def normal_cdf(self, x: Any) -> Any:
        """The standard normal cdf ``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` elementwise of a floating array, in its
        dtype (GELU's gate); a new array (or scalar for 0-d). The default is written with ``erf``."""
        cdf = self.erf(x * math.sqrt(0.5))
        cdf *= 0.5  # (in place where erf's array is new; a 0-d one may be a new scalar)
        cdf += 0.5
        return cdf

    def special_function(self, name: str) -> Any:
        """The elementwise function ``name`` of this backend's special-function library, with SciPy's name and
        semantics (``erfcx``, ``i0e``, ``k1``, ``zeta``, ... of ``scipy.special``): what ``microtorch.special``
        does not compute with ``xp`` alone. The default has no such library and raises NotImplementedError."""
        raise NotImplementedError(
            f"{type(self).__name__} has no special-function library: define special_function() to return "
            f"scipy.special's {name!r} for its arrays"
        )
    def lu_factor(self, a: Any) -> tuple:
        """The LU factorisation with partial pivoting of a batch of (m, n) matrices, as LAPACK's getrf:
        ``(LU, pivots, info)``, L's unit diagonal left out of the packed ``LU``; ``pivots`` (int32, 1-based,
        min(m, n) per matrix) says that row i was swapped with row ``pivots[i] - 1``; ``info`` (int32) is 0, or
        the 1-based index of the first zero pivot. ``xp.linalg`` has no LU, so this default is a column loop of
        whole-batch array operations (the first largest pivot, as LAPACK's idamax)."""
        xp = self.xp
        m, n = a.shape[-2:]
        batch = a.shape[:-2]
        count = math.prod(batch)
        lu = xp.array(a, copy=True).reshape((count, m, n))
        rows = xp.arange(count)
        pivots = xp.zeros((count, min(m, n)), dtype="int32")
        info = xp.zeros((count,), dtype="int32")
        for j in range(min(m, n)):
            p = xp.argmax(xp.abs(lu[:, j:, j]), axis=-1) + j
            pivots[:, j] = p + 1
            row_j, row_p = lu[:, j, :].copy(), lu[rows, p, :].copy()
            lu[:, j, :], lu[rows, p, :] = row_p, row_j
            pivot = lu[:, j, j]
            zero = pivot == 0
            info = xp.where((info == 0) & zero, j + 1, info).astype("int32")
            lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
        return lu.reshape(a.shape), pivots.reshape(batch + (min(m, n),)), info.reshape(batch)

    # ---- random numbers ----------------------------------------------------------
    # The samplers below draw from generators with NumPy's Generator API (random,
    # standard_normal, integers), which numpy.random.Generator and cupy.random.Generator share;
    # a backend with another kind of generator overrides them.
    @abstractmethod
    def manual_seed(self, seed: int) -> None:
        """Reseed the default generator of every device of this backend."""

    def manual_seed_device(self, seed: int, index: int) -> None:
        """Reseed the default generator of device ``index`` only (one generator: all of them)."""
        self.manual_seed(seed)

    @abstractmethod
    def new_generator(self, seed: int | None = None, index: int | None = None) -> Any:
        """A fresh, independent generator object (``microtorch.Generator`` wraps it)."""

    @abstractmethod
    def default_generator(self, index: int | None) -> Any:
        """The generator that samples on device ``index`` when no generator is given."""

    def generator_state(self, generator: Any) -> bytes:
        """``generator``'s state as bytes (``Generator.get_state``). NumPy's bit generators describe theirs as a dict
        of numbers (``bit_generator.state``), written here as JSON: reading it back (``set_generator_state``) runs
        no code, so a state from a checkpoint is safe to load. A generator without such a state is refused."""
        state = getattr(getattr(generator, "bit_generator", None), "state", None)
        if not isinstance(state, dict):
            from .._unsupported import UnsupportedError

            raise UnsupportedError(f"{type(self).__name__}'s generators ({type(generator).__name__}) do not report "
                                   "their state: get_state, set_state and fork_rng work with the cpu generators")
        text = json.dumps(state, default=lambda a: a.tolist(), sort_keys=True).encode()
        # padded with spaces to whole 256-byte blocks, so that states of one generator have one size (PCG64's: 256
        # bytes) and compare with ==, as torch's do
        return text.ljust(-(-len(text) // 256) * 256)

    def set_generator_state(self, generator: Any, data: bytes) -> None:
        """Put ``generator`` in the state ``data`` from ``generator_state`` (a RuntimeError names what is wrong)."""
        current = self.generator_state(generator)  # (refuses a generator without a state first)
        kind = json.loads(current)["bit_generator"]
        try:
            state = json.loads(bytes(data).decode())
        except (UnicodeDecodeError, ValueError):
            state = None
        if not isinstance(state, dict) or state.get("bit_generator") != kind:
            raise RuntimeError(f"set_state(): the RNG state is not a {kind} generator's (expected a uint8 tensor "
                               f"that get_state() returned; got {len(data)} bytes that are not one)")
        try:
            generator.bit_generator.state = state
        except (TypeError, ValueError, KeyError) as e:
            raise RuntimeError(f"set_state(): the {kind} RNG state is damaged ({e})") from None

    def seed_library_global_rng(self, state: list) -> None:
        """Seed the array library's own global random state from 32-bit words (``numpy.random.seed``), as
        torch's DataLoader workers do for NumPy; a library without one has nothing to seed."""

    def uniform(self, shape: tuple, low: float, high: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from U[low, high) of a floating ``dtype``."""
        gen = self.default_generator(index) if generator is None else generator
        out = gen.random(shape, dtype="float64" if dtype == "float64" else "float32")
        if dtype not in ("float32", "float64"):
            # float16: steps of 2**-11, as torch's, since float32 samples near 1 would round up to 1.0
            out *= 2048.0
            self.xp.floor(out, out=out)
            out /= 2048.0
        if low != 0.0 or high != 1.0:
            out *= high - low
            out += low
        return out.astype(dtype, copy=False)

    def normal(self, shape: tuple, mean: float, std: float, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Samples from N(mean, std^2) of a floating ``dtype``."""
        gen = self.default_generator(index) if generator is None else generator
        out = gen.standard_normal(shape, dtype="float64" if dtype == "float64" else "float32")
        if std != 1.0:
            out *= std
        if mean != 0.0:
            out += mean
        return out.astype(dtype, copy=False)

    def integers(self, low: int, high: int, shape: tuple, dtype: str, index: int | None, generator: Any = None) -> Any:
        """Integers uniformly drawn from [low, high)."""
        gen = self.default_generator(index) if generator is None else generator
        return gen.integers(low, high, size=shape, dtype="int64").astype(dtype, copy=False)

    def standard_gamma(self, concentration: Any, index: int | None, generator: Any = None) -> Any:
        """Samples from Gamma(concentration, 1), one per element of the floating array ``concentration``."""
        gen = self.default_generator(index) if generator is None else generator
        out = gen.standard_gamma(concentration.astype("float64", copy=False))
        return out.astype(concentration.dtype, copy=False)

    def poisson(self, rate: Any, index: int | None, generator: Any = None) -> Any:
        """Samples from Poisson(rate), one per element of ``rate``, in ``rate``'s dtype."""
        gen = self.default_generator(index) if generator is None else generator
        return gen.poisson(rate.astype("float64", copy=False)).astype(rate.dtype, copy=False)

    def binomial(self, count: Any, prob: Any, index: int | None, generator: Any = None) -> Any:
        """Samples from Binomial(count, prob), one per element (same shapes), in ``count``'s dtype, as torch's
        sampler treats odd parameters: counts floored and clipped at 0, probabilities clipped to [0, 1] (a
        probability of 1 or more gives the count itself, unfloored), nan where a probability is nan or a count
        is not finite."""
        xp = self.xp
        gen = self.default_generator(index) if generator is None else generator
        if not hasattr(gen, "binomial"):
            from .._unsupported import UnsupportedError

            raise UnsupportedError(f"binomial(): {type(self).__name__}'s generator has no binomial sampler")
        bad = xp.isnan(prob) | ~xp.isfinite(count)
        n = xp.where(bad, 0, xp.floor(xp.clip(count, 0, None))).astype("int64")
        draws = gen.binomial(n, xp.where(bad, 0, xp.clip(prob, 0, 1)).astype("float64")).astype(count.dtype)
        draws = xp.where((prob >= 1) & (count > 0), count, draws)  # (a certain success: the count itself)
        return xp.where(bad, xp.nan, draws).astype(count.dtype)

    def permutation(self, n: int, index: int | None, generator: Any = None) -> Any:
        """A random permutation of ``range(n)`` as int64."""
        keys = self.uniform((n,), 0.0, 1.0, "float64", index, generator)
        return self.xp.argsort(keys).astype("int64")

    # ---- execution and memory ----------------------------------------------------
    def synchronize(self, index: int | None = None) -> None:
        """Wait for queued work on the device (a no-op for synchronous backends)."""

    def memory_stats(self, index: int | None = None) -> dict:
        """Allocator statistics, e.g. ``{'allocated_bytes': ..., 'reserved_bytes': ...}``."""
        return {}

    def empty_cache(self, index: int | None = None) -> None:
        """Release cached, unused memory of device ``index`` (a no-op without a caching allocator)."""

    def describe(self) -> dict:
        """What ``python -m microtorch`` reports of this backend: array library, version, devices."""
        return {"array library": getattr(self.xp, "__name__", repr(self.xp)),
                "version": getattr(self.xp, "__version__", "?"), "devices": self.device_count()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(xp={getattr(self.xp, '__name__', self.xp)})"


def window_counts(size: tuple, kernel_size: tuple, stride: tuple, padding: tuple, dilation: tuple) -> tuple:
    """(Ho, Wo): how many windows fit along each of the two dims of ``size`` (H, W) once padded."""
    return tuple((n + before + after - d * (k - 1) - 1) // s + 1
                 for n, k, s, (before, after), d in zip(size, kernel_size, stride, padding, dilation))


def window_offsets(kernel_size: tuple, stride: tuple, dilation: tuple, out_size: tuple) -> list:
    """Per kernel offset (i, j), in row-major order, ``(i, j, rows, columns)``: the slices of the padded input's
    two spatial dims that offset reads across all ``out_size`` windows (rows i*dh, i*dh + sh, ..., columns
    likewise), the one formula of ``windows`` and the batch-innermost window copies."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel_size, stride, dilation, out_size
    return [(i, j, slice(i * dh, i * dh + (ho - 1) * sh + 1, sh), slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))
            for i in range(kh) for j in range(kw)]


def _pad2d(xp: Any, x: Any, padding: tuple, value: float) -> Any:
    """``x`` (N, C, H, W) with ``padding`` ((top, bottom), (left, right)) cells of ``value`` around it."""
    ((top, bottom), (left, right)) = padding
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out


def scatter_in_rounds(xp: Any, target: Any, index: tuple, values: Any, ufunc: Any) -> None:
    """``ufunc.at(target, index, values)`` for a namespace without ``ufunc.at``: the addressed positions are
    sorted, and the k-th value of every position is combined in round k, where no position repeats, so plain
    fancy-index assignment is exact. ``index`` is a tuple of non-negative integer arrays (an advanced key)."""
    arrays = xp.broadcast_arrays(*index, values)
    if arrays[0].size == 0:
        return
    flat = xp.ravel_multi_index(tuple(a.reshape(-1) for a in arrays[:-1]), target.shape)
    order = xp.argsort(flat)
    flat, vals = flat[order], arrays[-1].reshape(-1)[order]
    starts = xp.concatenate([xp.ones(1, dtype=bool), flat[1:] != flat[:-1]])
    group = xp.cumsum(starts) - 1
    rank = xp.arange(flat.size) - xp.nonzero(starts)[0][group]  # the how-many-th value of its position
    cells = target.reshape(-1) if target.flags.c_contiguous else target.ravel()  # (ravel copies)
    for r in range(int(rank.max()) + 1):
        chosen = rank == r
        positions = flat[chosen]
        cells[positions] = ufunc(cells[positions], vals[chosen])
    if not target.flags.c_contiguous:
        target[...] = cells.reshape(target.shape)
