"""The short paths a no-grad decode loop takes (issue 14's minGPT row) against torch: unrecorded views that skip
``Op.apply``, ``linear`` and ``layer_norm`` deciding their checks on the arrays, float32 softmax shifted by the
whole array's max, GELU's fused normal cdf, integer ``arange``. Each case also runs with gradients recorded, so
the fast and the general paths meet the same reference."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import microtorch

TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


def _both(array: np.ndarray, dtype: str, requires_grad: bool = False) -> tuple:
    return tuple(lib.tensor(array, dtype=getattr(lib, dtype), requires_grad=requires_grad) for lib in (microtorch, torch))


def _close(m, t, dtype: str = "float64") -> None:
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), equal_nan=True, **TOL[dtype])


VIEWS = {
    "reshape": lambda x: x.reshape(3, 2, 4),
    "reshape_copy": lambda x: x.transpose(0, 2).reshape(-1, 2),  # (non-contiguous: the reshape copies)
    "permute": lambda x: x.permute(2, 0, 1),
    "transpose": lambda x: x.transpose(-1, 0),
    "unbind": lambda x: x.unbind(1)[2],
    "getitem": lambda x: x[:, -1, 1:],
    "getitem_none": lambda x: x[None, ..., ::2],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_unrecorded_views_match_torch_and_share_memory(name, dtype):
    """Values as torch's, and a write through the view (no_grad) reaches the base exactly where torch's does."""
    array = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    make = VIEWS[name]
    bases = _both(array, dtype)
    before = [b._version for b in bases]
    with microtorch.no_grad(), torch.no_grad():
        views = [make(b) for b in bases]
        _close(*views, dtype)
        for v in views:
            v.mul_(-1.0)
    _close(*bases, dtype)  # (reshape_copy: a copy in both, the bases unchanged)
    if name != "reshape_copy":
        for base, version in zip(bases, before):  # (the view shares its base's version counter)
            assert base._version > version
        assert views[0]._base is bases[0]


def test_unrecorded_full_integer_index_matches_torch():
    x = _both(np.arange(24.0).reshape(2, 3, 4), "float32")
    with microtorch.no_grad(), torch.no_grad():
        _close(*(xi[1, 2, 3] for xi in x), "float32")
        _close(*(xi[-1][0] for xi in x), "float32")


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_of_tensors_wanting_grad_still_record(name):
    """A view of a leaf that requires grad, with grad mode on, keeps its node (the fast path is not taken); under
    no_grad it has no node, in either library."""
    array = np.random.default_rng(0).standard_normal((2, 3, 4))
    leaves = _both(array, "float64", requires_grad=True)
    outs = [VIEWS[name](x) for x in leaves]
    assert outs[0].requires_grad and outs[0].grad_fn is not None
    grads = [lib.autograd.grad((o * o).sum(), [x])[0] for lib, o, x in zip((microtorch, torch), outs, leaves)]
    _close(*grads)
    with microtorch.no_grad(), torch.no_grad():
        quiet = [VIEWS[name](x) for x in leaves]
    assert quiet[0].grad_fn is None and quiet[1].grad_fn is None


def test_unrecorded_unbind_refuses_complex_as_the_op():
    x = microtorch.tensor([[1 + 2j, 3j]])
    with microtorch.no_grad():
        with pytest.raises(Exception) as fast:
            x.unbind(0)
    with pytest.raises(Exception) as slow:
        microtorch.autograd.ops.shape.Unbind.apply(x, dim=0)
    assert type(fast.value) is type(slow.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_linear_matches_torch(dtype, bias, layout):
    rng = np.random.default_rng(1)
    x = _both(rng.standard_normal((2, 5, 3)), dtype, requires_grad=True)
    w_array = rng.standard_normal((3, 4)) if layout == "transposed" else rng.standard_normal((4, 3))
    w = _both(w_array, dtype, requires_grad=True)
    b = _both(rng.standard_normal(4), dtype, requires_grad=True) if bias else (None, None)
    results = []
    for lib, xi, wi, bi in zip((microtorch, torch), x, w, b):
        weight = wi.transpose(0, 1) if layout == "transposed" else wi  # (a non-contiguous weight)
        inp = xi.transpose(0, 1)  # (a non-contiguous input)
        with lib.no_grad():
            quiet = lib.nn.functional.linear(inp, weight, bi)
        y = lib.nn.functional.linear(inp, weight, bi)
        wanted = [xi, wi] + ([bi] if bias else [])
        results.append([quiet, y] + list(lib.autograd.grad((y * y).sum(), wanted)))
    for m, t in zip(*results):
        _close(m, t, dtype)


@pytest.mark.parametrize("case", ["dtype", "bias_shape", "inner", "integer"])
def test_linear_errors_match_torch(case):
    def args(lib):
        x, w, b = lib.ones(2, 3), lib.ones(4, 3), lib.ones(4)
        if case == "dtype":
            w = w.double()
        elif case == "bias_shape":
            b = lib.ones(5)
        elif case == "inner":
            w = lib.ones(4, 2)
        else:
            x = lib.ones(2, 3, dtype=lib.int64)
        return x, w, b

    for lib in (microtorch, torch):
        with pytest.raises(RuntimeError):
            lib.nn.functional.linear(*args(lib))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
def test_layer_norm_matches_torch(dtype, affine):
    rng = np.random.default_rng(2)
    x = _both(rng.standard_normal((3, 6, 5)) * 3 + 1, dtype, requires_grad=True)
    w = _both(rng.standard_normal(6), dtype, requires_grad=True) if affine != "none" else (None, None)
    b = _both(rng.standard_normal(6), dtype, requires_grad=True) if affine == "both" else (None, None)
    results = []
    for lib, xi, wi, bi in zip((microtorch, torch), x, w, b):
        inp = xi.transpose(1, 2)  # (non-contiguous, normalised over 6)
        with lib.no_grad():
            quiet = lib.nn.functional.layer_norm(inp, (6,), wi, bi)
        y = lib.nn.functional.layer_norm(inp, [6], wi, bi)  # (a list: the checked path)
        wanted = [t for t in (xi, wi, bi) if t is not None]
        results.append([quiet, y] + list(lib.autograd.grad((y * y.detach().sin()).sum(), wanted)))
    for m, t in zip(*results):
        _close(m, t, dtype)


def test_layer_norm_errors_match_torch():
    for lib in (microtorch, torch):
        x = lib.ones(2, 4)
        for weight, shape in ((lib.ones(3), (4,)), (lib.ones(4), (3,))):
            with pytest.raises(RuntimeError):
                lib.nn.functional.layer_norm(x, shape, weight)


SOFTMAX_ROWS = {
    "far_rows": np.array([[100.0, 101.0, 99.0], [-100.0, -101.0, -99.5], [0.0, 1.0, 2.0]]),
    "masked": np.array([[0.5, -np.inf, -np.inf], [0.1, 0.2, -np.inf], [1.0, 2.0, 3.0]]),
    "all_masked_row": np.array([[-np.inf, -np.inf, -np.inf], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
    "inf": np.array([[np.inf, 1.0, 2.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
    "nan": np.array([[np.nan, 1.0, 2.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
    "huge": np.array([[3e38, 1e38, 0.0], [-3e38, 0.0, 1.0], [5.0, 4.0, 3.0]]),
    "near_threshold": np.array([[0.0, 0.0, 0.0], [-14.0, -15.0, -16.0], [-13.0, -30.0, -90.0]]),
}


@pytest.mark.parametrize("dim", [-1, 0])
@pytest.mark.parametrize("rows", sorted(SOFTMAX_ROWS))
def test_float32_softmax_shift_matches_torch(rows, dim):
    """Rows far apart (the per-row shift takes over), masked and fully masked rows, inf and nan, either dim."""
    array = SOFTMAX_ROWS[rows]
    x = _both(array, "float32", requires_grad=True)
    grad_out = np.random.default_rng(3).standard_normal(array.shape)
    results = []
    for lib, xi in zip((microtorch, torch), x):
        with lib.no_grad():
            quiet = lib.nn.functional.softmax(xi, dim=dim)
        y = lib.nn.functional.softmax(xi, dim=dim)
        (g,) = lib.autograd.grad(y, [xi], lib.tensor(grad_out, dtype=lib.float32))
        results.append((quiet, y, g))
    for m, t in zip(*results):
        _close(m, t, "float32")


@pytest.mark.parametrize("shape", [(1, 3, 7, 7), (2, 5), (1, 4)])
def test_float32_softmax_rows_sum_to_one_like_torch(shape):
    array = np.random.default_rng(4).standard_normal(shape) * 20
    x = _both(array, "float32")
    with microtorch.no_grad(), torch.no_grad():
        _close(*(lib.nn.functional.softmax(xi.transpose(0, -1), dim=-1) for lib, xi in zip((microtorch, torch), x)),
               "float32")


def test_gelu_normal_cdf_is_erf_formula_bit_for_bit():
    """The fused cdf equals (1 + erf(x / sqrt 2)) / 2 computed by the backend's erf, exactly."""
    rng = np.random.default_rng(5)
    array = np.concatenate([np.linspace(-7, 7, 2001), rng.standard_normal(500) * 1e-20,
                            [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(np.float32)
    backend = microtorch.backends.get_backend("cpu")
    fused = backend.normal_cdf(array)
    formula = backend.erf(array * math.sqrt(0.5))
    formula = formula * np.float32(0.5) + np.float32(0.5)
    assert fused.dtype == np.float32
    np.testing.assert_array_equal(fused, formula)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_matches_torch_at_edges(dtype):
    """Against torch's float64 GELU (the reference for float32 too: torch's own float32 kernel depends on the CPU,
    its AVX-512 one gives nan for gelu(inf), whose limit is inf)."""
    values = np.array([-np.inf, -10.0, -6.0, -5.3, -1.0, -1e-30, 0.0, 0.3, 2.0, 6.0, np.inf, np.nan])
    results = []
    for lib, xi in ((microtorch, microtorch.tensor(values.astype(dtype), requires_grad=True)),
                    (torch, torch.tensor(values, requires_grad=True))):
        y = lib.nn.functional.gelu(xi)
        (g,) = lib.autograd.grad(y.nan_to_num().sum(), [xi])
        results.append((y, g))
    for m, t in zip(*results):
        assert str(m.dtype).endswith(dtype)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), equal_nan=True, rtol=1e-5, atol=1e-6)
    zero_d = [lib.nn.functional.gelu(lib.tensor(0.5, dtype=getattr(lib, dtype))) for lib in (microtorch, torch)]
    _close(*zero_d, dtype)


@pytest.mark.parametrize("args", [(5,), (0,), (2, 9), (9, 2, -2), (-3, 7, 3), (0, 10, 4), (3, 3), (2**40, 2**40 + 3)])
def test_integer_arange_matches_torch(args):
    m, t = microtorch.arange(*args), torch.arange(*args)
    assert m.dtype == microtorch.int64 and m.tolist() == t.tolist()


@pytest.mark.parametrize("args", [(5, 2), (2, 5, -1), (1, 4, 0)])
def test_integer_arange_errors_match_torch(args):
    for lib in (microtorch, torch):
        with pytest.raises(RuntimeError):
            lib.arange(*args)


@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32"])
def test_embedding_refuses_other_index_dtypes_as_torch(dtype):
    for lib in (microtorch, torch):
        with pytest.raises(RuntimeError):
            lib.nn.functional.embedding(lib.tensor([1, 2], dtype=getattr(lib, dtype)), lib.ones(4, 3))
