"""torch's comparison aliases, ``moveaxis``, the augmented assignments that write in place, ``fill_diagonal_``,
``type_as``, ``reversed``/``complex`` and the dtype/shape queries, each against torch."""
import numpy as np
import pytest
import torch

import microtorch as mt
from helpers import assert_like_torch

LIBS = (torch, mt)


def _pair(array):
    return torch.tensor(array), mt.tensor(array)


def _same(t, m):
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("alias, name", [("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
                                         ("less_equal", "le"), ("not_equal", "ne")])
def test_comparison_aliases(alias, name):
    a, b = np.array([1.0, 2.0, np.nan, 3.0]), np.array([2.0, 2.0, 1.0, 0.5])
    (ta, ma), (tb, mb) = _pair(a), _pair(b)
    _same(getattr(torch, alias)(ta, tb), getattr(mt, alias)(ma, mb))
    _same(getattr(ta, alias)(2), getattr(ma, alias)(2))
    _same(getattr(mt, alias)(ma, mb), getattr(mt, name)(ma, mb))
    ti, mi = ta.clone(), ma.clone()
    getattr(ti, alias + "_")(tb)
    getattr(mi, alias + "_")(mb)
    _same(ti, mi)


def test_moveaxis():
    t, m = _pair(np.arange(24.0).reshape(2, 3, 4))
    for source, destination in ((0, 2), ((0, 1), (2, 0)), (-1, 0)):
        _same(torch.moveaxis(t, source, destination), mt.moveaxis(m, source, destination))
        _same(t.moveaxis(source, destination), m.moveaxis(source, destination))


@pytest.mark.parametrize("op", ["**=", "%=", "//=", "&=", "|=", "^=", "<<=", ">>="])
def test_augmented_assignments_write_in_place(op):
    values = np.array([3, 7, 12, 5]) if op not in ("**=",) else np.array([1, 2, 3, 4])
    other = 2 if op != "**=" else 3
    for t, m in (_pair(values), _pair(values.astype(np.float32))):
        if op in ("&=", "|=", "^=", "<<=", ">>=") and t.dtype.is_floating_point:
            continue
        results = []
        for x in (t, m):
            alias, scope = x[1:], {"x": x}
            exec(f"x {op} {other}", scope)
            assert scope["x"] is x  # (the same tensor: its memory written, as a view of it shows)
            results.append((x, alias))
        _same(results[0][0], results[1][0])
        _same(results[0][1], results[1][1])


@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((5, 3), False), ((5, 3), True), ((7, 3), True),
                                         ((3, 5), False), ((3, 5), True), ((2, 2, 2), False), ((4, 4, 4, 4), False)])
def test_fill_diagonal(shape, wrap):
    t, m = _pair(np.zeros(shape, dtype=np.float32))
    _same(t.fill_diagonal_(2.5, wrap=wrap), m.fill_diagonal_(2.5, wrap=wrap))
    tw, mw = (lib.ones(shape, requires_grad=True) for lib in LIBS)
    grads = []
    for w, lib in ((tw, torch), (mw, mt)):
        y = w * 3
        y.fill_diagonal_(lib.tensor(1.0), wrap=wrap)
        (y * y).sum().backward()
        grads.append(w.grad)
    _same(grads[0], grads[1])


@pytest.mark.parametrize("shape, value", [((3,), 1), ((2, 3, 2), 1), ((2, 2), "a")])
def test_fill_diagonal_refuses_as_torch(shape, value):
    errors = []
    for lib in LIBS:
        with pytest.raises((RuntimeError, TypeError)) as info:
            lib.zeros(shape).fill_diagonal_(value)
        errors.append((info.type, str(info.value)))
    assert errors[1] == errors[0]


def test_queries_and_conversions():
    for dtype in ("uint8", "bool", "int8", "int64", "float16", "float32", "complex64"):
        t, m = torch.zeros(2, dtype=getattr(torch, dtype)), mt.zeros(2, dtype=getattr(mt, dtype))
        assert (m.is_signed(), mt.is_signed(m)) == (t.is_signed(), torch.is_signed(t))
        assert (m.is_conj(), m.is_neg(), mt.is_conj(m), mt.is_neg(m)) == (t.is_conj(), t.is_neg(), False, False)
    for lib in LIBS:
        assert lib.ones(2, 3).is_same_size(lib.zeros(2, 3)) and not lib.is_same_size(lib.ones(2), lib.ones(3))
        assert lib.tensor([2.0]).is_nonzero() and not lib.is_nonzero(lib.tensor(0))
        assert complex(lib.tensor(2.5)) == 2.5 + 0j
        np.testing.assert_array_equal(reversed(lib.arange(4).reshape(2, 2)).numpy(), [[2, 3], [0, 1]])
        assert reversed(lib.tensor(3)).item() == 3
        cast = lib.arange(3).type_as(lib.zeros(1, dtype=lib.float64))
        assert str(cast.dtype).endswith("float64") and cast.tolist() == [0.0, 1.0, 2.0]
        same = lib.ones(2)
        assert same.type_as(lib.zeros(3)) is same
    bad = [(lambda lib: lib.tensor([]).is_nonzero()), (lambda lib: lib.ones(2).is_nonzero()),
           (lambda lib: lib.ones(2).is_same_size(3)), (lambda lib: lib.ones(2).type_as(3))]
    for call in bad:
        assert_like_torch(call)


def test_storage_offset_of_views_as_torch():
    offsets = []
    for lib in LIBS:
        x = lib.arange(24.0).reshape(4, 6)
        views = [x, x[1], x[1:, 2:], x.t()[3], x[:, 4], x.reshape(-1)[5:], x[2:][1:], x.view(2, 12)[1, 3:],
                 x.narrow(1, 2, 3).unsqueeze(0)[0, 1], x.diagonal(), x.diagonal(1), x.unfold(1, 2, 2)[1, 2],
                 x[::2][1], x.clone()[1], lib.ones(3), x.expand(2, 4, 6)[1, 2], x.as_strided((2,), (3,), 5),
                 x[1:].contiguous(), x.flip(0)[1], x.T.contiguous()[1]]
        offsets.append([v.storage_offset() for v in views])
    assert offsets[1] == offsets[0]
