"""Both routes of a stride-1 transposed convolution (a convolution's input gradient): col2im of W^T G, and the
correlation of G with the flipped kernel (``conv.CORRELATION_WINDOWS`` picks by window count), each forced, against
torch: values and every gradient to second order, float32 and float64, odd sizes, padding 0/1/2 (asymmetric through
output_padding), dilation, groups, non-contiguous inputs, and the window passes split across threads; im2col's
buffers reused (the NumPy backend's spares, forced on at every size) while graphs that saved windows are alive."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import microtorch
from microtorch.autograd.ops import conv

_ROUTES = {"col2im": 0.0, "correlation": float("inf")}


@contextlib.contextmanager
def _route(name: str, threads: bool = False):
    """The route forced, every im2col buffer (whatever its size) taken from the NumPy backend's spares."""
    from microtorch.backends import _threads, numpy_backend

    old, old_threads, old_threshold = conv.CORRELATION_WINDOWS, _threads.get_num_threads(), _threads.threshold
    spares = numpy_backend._spare_windows
    old_smallest, spares.smallest = spares.smallest, 0
    conv.CORRELATION_WINDOWS = _ROUTES[name]
    try:
        if threads:  # every window pass split across 3 threads, whatever its size
            _threads.set_num_threads(3)
            _threads.threshold = 0
        yield
    finally:
        conv.CORRELATION_WINDOWS, _threads.threshold, spares.smallest = old, old_threshold, old_smallest
        _threads.set_num_threads(old_threads)


# (x shape, weight shape, geometry): conv2d's input gradient is conv_transpose2d of stride 1
_CONVS = [
    ((3, 4, 7, 6), (5, 4, 3, 3), dict(padding=1)),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(padding=0)),
    ((2, 3, 8, 9), (3, 3, 5, 3), dict(padding=2)),
    ((2, 4, 11, 10), (6, 2, 3, 3), dict(padding=2, dilation=2, groups=2)),
    ((1, 6, 7, 7), (6, 1, 3, 3), dict(padding=1, groups=6)),
    ((2, 2, 9, 7), (3, 2, 2, 3), dict(padding=(1, 0), dilation=(2, 1))),
]


def _grads(lib, fn, arrays, dtype, second_order):
    tensors = [lib.tensor(a.astype(dtype)).requires_grad_() for a in arrays]
    x, w, b = tensors
    out = fn(lib, x.transpose(2, 3).contiguous().transpose(2, 3) if x.ndim == 4 else x, w, b)  # (same values)
    upstream = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype))
    grads = lib.autograd.grad(out, tensors, upstream, create_graph=second_order)
    results = [out] + list(grads)
    if second_order:  # d/d(x, w) of <grads, fixed weights>: the double backward through both routes
        total = sum((g * lib.cos(lib.arange(g.numel(), dtype=g.dtype).reshape(g.shape))).sum() for g in grads[:2])
        results += list(lib.autograd.grad(total, tensors[:2]))
    return [r.detach().numpy() for r in results]


def _compare(fn, arrays, dtype, route, second_order=False, threads=False):
    theirs = _grads(torch, fn, arrays, dtype, second_order)
    with _route(route, threads):
        ours = _grads(microtorch, fn, arrays, dtype, second_order)
    tol = dict(rtol=2e-4, atol=2e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, **tol)


def _conv_fn(geometry):
    return lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **geometry)


def _arrays(x_shape, w_shape, bias):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    return [rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal((bias,))]


@pytest.mark.parametrize("route", list(_ROUTES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", _CONVS, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_conv2d_input_gradient_routes_match_torch(case, dtype, route):
    x_shape, w_shape, geometry = case
    _compare(_conv_fn(geometry), _arrays(x_shape, w_shape, w_shape[0]), dtype, route)


@pytest.mark.parametrize("route", list(_ROUTES))
@pytest.mark.parametrize("case", _CONVS[:4], ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_conv2d_routes_double_backward_match_torch(case, route):
    x_shape, w_shape, geometry = case
    _compare(_conv_fn(geometry), _arrays(x_shape, w_shape, w_shape[0]), "float64", route, second_order=True)


@pytest.mark.parametrize("route", list(_ROUTES))
@pytest.mark.parametrize("case", _CONVS[:4], ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_conv2d_routes_on_threads_match_torch(case, route):
    x_shape, w_shape, geometry = case
    _compare(_conv_fn(geometry), _arrays(x_shape, w_shape, w_shape[0]), "float32", route, threads=True)


# conv_transpose2d of stride 1 itself: (y shape, weight (in, out/groups, kh, kw), geometry); output_padding < dilation
_TRANSPOSED = [
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(padding=1)),
    ((2, 4, 5, 6), (4, 3, 3, 3), dict(padding=2)),
    ((2, 4, 6, 5), (4, 2, 3, 3), dict(padding=1, dilation=2, output_padding=1, groups=2)),
    ((1, 3, 4, 7), (3, 5, 2, 4), dict(padding=(0, 2), dilation=(3, 1), output_padding=(2, 0))),
]


@pytest.mark.parametrize("route", list(_ROUTES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", _TRANSPOSED, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_conv_transpose2d_stride_1_routes_match_torch(case, dtype, route):
    y_shape, w_shape, geometry = case
    fn = lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **geometry)  # noqa: E731
    arrays = _arrays(y_shape, w_shape, w_shape[1] * geometry.get("groups", 1))
    _compare(fn, arrays, dtype, route, second_order=dtype == "float64")


def test_the_rule_takes_the_correlation_for_equal_channels_and_col2im_for_few_inputs():
    # ResNet's 64 -> 64 3x3 (as many windows either way) and LeNet's 6 -> 16 5x5 (5x more through the correlation)
    assert conv._full_padding((64, 64, 3, 3), 1, (1, 1), ((1, 1), (1, 1)), (1, 1), (32, 32), (32, 32)) == ((1, 1), (1, 1))
    assert conv._full_padding((16, 6, 5, 5), 1, (1, 1), ((0, 0), (0, 0)), (1, 1), (10, 10), (14, 14)) is None
    assert conv._full_padding((8, 8, 3, 3), 1, (2, 2), ((1, 1), (1, 1)), (1, 1), (8, 8), (15, 15)) is None  # strided
    assert conv._full_padding((8, 8, 3, 3), 1, (1, 1), ((3, 3), (1, 1)), (1, 1), (8, 8), (4, 8)) is None  # a crop


def test_reused_window_buffers_never_overwrite_saved_windows():
    # two graphs alive at once, then backward through both: each conv's saved windows must still be its own
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((2, 3, 6, 5)) for _ in range(3)]
    w0 = rng.standard_normal((3, 3, 3, 3))  # as many outputs as inputs: the input gradient's windows have their shape
    grads = {}
    for lib in (torch, microtorch):
        context = _route("correlation") if lib is microtorch else contextlib.nullcontext()
        with context:
            w = lib.tensor(w0, requires_grad=True)
            outs = [lib.nn.functional.conv2d(lib.tensor(x), w, padding=1) for x in xs]
            per_graph = []
            for out in outs[::-1]:
                (gw,) = lib.autograd.grad(out.square().sum(), [w])
                per_graph.append(gw.numpy())
            grads[lib.__name__] = per_graph
    for ours, theirs in zip(grads["microtorch"], grads["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_spare_arrays_are_handed_out_again_only_when_unreferenced():
    from microtorch.backends.numpy_backend import _SpareArrays

    spares = _SpareArrays(smallest=1024, most=1 << 20)
    f32 = np.dtype("float32")
    first = spares.empty((64, 16), f32)
    view = first.reshape(16, 64).T  # a view holds its owner
    del first
    second = spares.empty((64, 16), f32)
    assert not np.shares_memory(second, view)
    del view
    third = spares.empty((64, 16), f32)  # the first one, free again
    assert not np.shares_memory(third, second) and len(spares.arrays) == 2
    assert spares.empty((8, 8), f32).base is None and len(spares.arrays) == 2  # small: not kept
    assert len(spares.arrays) == 2 and spares.empty((1 << 19,), f32) is not None  # 2 MiB > most: not kept
    assert len(spares.arrays) == 2
    del second
    spares.forget_free()
    assert len(spares.arrays) == 1 and spares.arrays[0] is third  # ``third`` is still in use
    del third
    spares.forget_free()
    assert not spares.arrays
    many = [spares.empty((1 << 16,), f32) for _ in range(5)]  # 256 KiB each, all in use: all kept
    del many[1:]
    assert len(spares.arrays) == 5
    spares.empty((1 << 17,), f32)  # 512 KiB more than 1 MiB in all: the least recently used free ones go
    assert len(spares.arrays) == 3 and spares.arrays[0] is many[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_resnet_block_with_channel_major_batch_norm_matches_torch(dtype):
    # conv -> BN -> relu -> conv -> BN -> + x -> relu: BN reads and writes the convolutions' channel-major layout
    rng = np.random.default_rng(11)
    x0 = rng.standard_normal((3, 5, 7, 6)).astype(dtype)
    w1, w2 = (rng.standard_normal((5, 5, 3, 3)).astype(dtype) for _ in range(2))
    bn = [(rng.standard_normal(5).astype(dtype), rng.standard_normal(5).astype(dtype)) for _ in range(2)]
    results = []
    for lib in (torch, microtorch):
        F = lib.nn.functional
        x = lib.tensor(x0, requires_grad=True)
        params = [lib.tensor(a, requires_grad=True) for a in (w1, w2) + bn[0] + bn[1]]
        k1, k2, g1, b1, g2, b2 = params
        stats = [lib.zeros(5, dtype=getattr(lib, dtype)), lib.ones(5, dtype=getattr(lib, dtype))]
        h = F.relu(F.batch_norm(F.conv2d(x, k1, padding=1), *stats, g1, b1, training=True))
        out = F.relu(F.batch_norm(F.conv2d(h, k2, padding=1), *stats, g2, b2, training=True) + x)
        out.backward(lib.tensor(np.sin(np.arange(out.numel())).reshape(tuple(out.shape)).astype(dtype)))
        results.append([t.detach().numpy() for t in [out, x.grad] + [p.grad for p in params] + stats])
    tol = dict(rtol=2e-4, atol=2e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, **tol)


# im2col and col2im with the batch innermost (``Backend.im2col/col2im(batch_last=True)``, taken from
# ``conv.COL2IM_BATCH_LAST_FROM`` samples): strided and dilated windows, groups, and conv_transpose2d's
# output_padding, forced at every batch size, window depth and row length
_STRIDED = [
    ((3, 4, 9, 8), (5, 4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 11, 10), (6, 2, 3, 2), dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)),
]


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", _CONVS + _STRIDED + _TRANSPOSED, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_col2im_with_the_batch_innermost_matches_torch(case, dtype, threads, monkeypatch):
    from microtorch.backends.base import Backend

    calls: dict = {}
    for name in ("_col2im_batch_last", "_im2col_batch_last"):
        real = getattr(Backend, name)
        monkeypatch.setattr(Backend, name, lambda self, *a, _r=real, _n=name: calls.setdefault(_n, 1) and _r(self, *a))
    monkeypatch.setattr(conv, "COL2IM_BATCH_LAST_FROM", 1)
    monkeypatch.setattr(conv, "IM2COL_BATCH_LAST_DEPTH", 0)
    monkeypatch.setattr(conv, "IM2COL_BATCH_LAST_ROWS", 1 << 30)
    shape, w_shape, geometry = case
    if "output_padding" in geometry or case in _TRANSPOSED:
        fn = lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **geometry)  # noqa: E731
        arrays = _arrays(shape, w_shape, w_shape[1] * geometry.get("groups", 1))
    else:
        fn, arrays = _conv_fn(geometry), _arrays(shape, w_shape, w_shape[0])
    _compare(fn, arrays, dtype, "col2im", second_order=dtype == "float64" and not threads, threads=threads)
    assert len(calls) == 2  # both routes were taken


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize("case", [
    ((4, 1, 12, 12), (6, 1, 5, 5), dict(padding=2)),  # LeNet's first convolution, smaller
    ((3, 3, 9, 11), (2, 3, 3, 3), dict(padding=1, stride=(1, 2))),
], ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_skinny_products_in_direct_kernel_pieces_match_torch(case, threads, monkeypatch):
    """The NumPy backend's skinny float32 GEMMs in pieces (``_skinny_gemm``, forced on with a small piece bound, so
    the forward's column pieces and the weight gradient's summed inner pieces both run, unevenly split): values and
    gradients against torch; and the pieces against NumPy's one product, on 1 to 3 threads."""
    from microtorch.backends import _skinny_gemm, _threads

    monkeypatch.setattr(_skinny_gemm, "direct_kernel", True)
    monkeypatch.setattr(_skinny_gemm, "DIRECT_LIMIT", 997)
    real_matmul = np.matmul
    routes: set = set()

    def spy(*args, **kwargs):  # a column piece writes a column slice of the output, an inner piece its own buffer
        if "out" in kwargs:
            routes.add("inner" if kwargs["out"].flags.c_contiguous else "columns")
        return real_matmul(*args, **kwargs)

    monkeypatch.setattr(_skinny_gemm.numpy, "matmul", spy)
    x_shape, w_shape, geometry = case
    _compare(_conv_fn(geometry), _arrays(x_shape, w_shape, w_shape[0]), "float32", "col2im", threads=threads)
    assert routes == {"columns", "inner"}  # column pieces and inner pieces both ran
    rng = np.random.default_rng(3)
    old = _threads.get_num_threads()
    for n in (1, 2, 3):
        _threads.set_num_threads(n)
        try:
            for a_shape, b_shape in (((5, 7), (7, 1001)), ((4, 3001), (3001, 6)), ((6, 25), (25, 30))):
                a, b = rng.standard_normal(a_shape, dtype=np.float32), rng.standard_normal(b_shape, dtype=np.float32)
                np.testing.assert_allclose(_skinny_gemm.matmul(a, b.T.copy().T), real_matmul(a, b), rtol=1e-4, atol=1e-4)
        finally:
            _threads.set_num_threads(old)
