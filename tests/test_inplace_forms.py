"""torch's in-place Tensor methods (``x.sin_()``, ``x.fmod_(y)``, ``x.squeeze_()``, ...) exist in microtorch and
behave as torch's: values, gradients through them, the version counter, the leaf-in-place error."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.overrides import get_testing_overrides

import microtorch

#: torch's in-place methods microtorch does not have although it has the out-of-place one, with the reason
EXCLUDED: dict = {
}
#: the forms issue 21 names, which must exist whatever else is merged
REQUIRED = ("sin_ log_ floor_ round_ exp_ sigmoid_ squeeze_ unsqueeze_ transpose_ t_ swapaxes_ tril_ triu_ clamp_min_ "
            "clamp_max_ fmod_ remainder_ atan2_ hypot_ logit_ xlogy_ zero_ fill_").split()


def _torch_inplace_names() -> list:
    names = set()
    for f in get_testing_overrides():
        qualname = getattr(f, "__qualname__", "")
        name = getattr(f, "__name__", "")
        if qualname.split(".")[0] in ("Tensor", "TensorBase") and name.endswith("_") and not name.startswith("_"):
            names.add(name)
    return sorted(names)


def test_every_torch_inplace_form_of_an_existing_op_exists():
    names = _torch_inplace_names()
    assert len(names) > 100 and "sin_" in names  # torch's table was read
    missing = [n for n in names if hasattr(microtorch.Tensor, n[:-1]) and not hasattr(microtorch.Tensor, n)
               and n not in EXCLUDED]
    assert not missing, missing
    assert [n for n in REQUIRED if not hasattr(microtorch.Tensor, n)] == []
    assert hasattr(microtorch, "zero_")


def test_exclusions_are_still_needed():
    names = _torch_inplace_names()
    stale = [n for n in EXCLUDED if n not in names or not hasattr(microtorch.Tensor, n[:-1])]
    assert not stale, stale


# (name, args as lib -> tuple, input range): a sample of unary, binary, parametrised and shape forms
CASES = [
    ("sin_", lambda lib: (), (-3, 3)),
    ("log_", lambda lib: (), (0.5, 3)),
    ("floor_", lambda lib: (), (-3, 3)),
    ("round_", lambda lib: (), (-3, 3)),
    ("exp_", lambda lib: (), (-2, 2)),
    ("sigmoid_", lambda lib: (), (-3, 3)),
    ("rsqrt_", lambda lib: (), (0.5, 3)),
    ("fmod_", lambda lib: (lib.tensor([1.5, -0.7, 2.2], dtype=lib.float64),), (-3, 3)),
    ("remainder_", lambda lib: (0.9,), (-3, 3)),
    ("atan2_", lambda lib: (lib.tensor([1.5, -0.7, 2.2], dtype=lib.float64),), (-3, 3)),
    ("hypot_", lambda lib: (lib.tensor([1.5, -0.7, 2.2], dtype=lib.float64),), (-3, 3)),
    ("xlogy_", lambda lib: (lib.tensor([1.5, 0.7, 2.2], dtype=lib.float64),), (-3, 3)),
    ("logit_", lambda lib: (0.1,), (0.2, 0.8)),
    ("clamp_min_", lambda lib: (-0.5,), (-3, 3)),
    ("clamp_max_", lambda lib: (0.5,), (-3, 3)),
    ("tril_", lambda lib: (-1,), (-3, 3)),
    ("triu_", lambda lib: (1,), (-3, 3)),
    ("squeeze_", lambda lib: (0,), (-3, 3)),
    ("unsqueeze_", lambda lib: (1,), (-3, 3)),
    ("transpose_", lambda lib: (0, 2), (-3, 3)),
    ("swapaxes_", lambda lib: (1, 2), (-3, 3)),
]


def _run(lib, name, args, x):
    leaf = lib.tensor(x, requires_grad=True)
    y = leaf * 1.0  # a non-leaf: torch allows in-place ops on it
    version = y._version
    out = getattr(y, name)(*args)
    assert out is y and y._version > version
    weights = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    (y * weights).sum().backward()
    return y.detach().numpy(), tuple(y.shape), leaf.grad.numpy()


@pytest.mark.parametrize("name, args, bounds", CASES, ids=[c[0] for c in CASES])
def test_inplace_values_and_gradients_match_torch(name, args, bounds):
    rng = np.random.default_rng(0)
    shape = (1, 3, 3) if name in ("squeeze_", "transpose_", "swapaxes_", "tril_", "triu_") else (3,)
    x = rng.uniform(*bounds, size=shape)
    expected, got = _run(torch, name, args(torch), x), _run(microtorch, name, args(microtorch), x)
    assert got[1] == expected[1]
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12, atol=1e-12)


def test_t_and_shape_forms_without_grad():
    for lib in (torch, microtorch):
        x = lib.arange(6.0).reshape(2, 3)
        assert x.t_() is x and tuple(x.shape) == (3, 2)
        assert x[0, 1].item() == 3.0


@pytest.mark.parametrize("lib", [torch, microtorch], ids=["torch", "microtorch"])
def test_leaf_that_requires_grad_is_refused(lib):
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        lib.ones(3, requires_grad=True).sin_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        lib.ones(1, 3, requires_grad=True).squeeze_()


@pytest.mark.parametrize("lib", [torch, microtorch], ids=["torch", "microtorch"])
def test_changed_saved_tensor_makes_backward_raise(lib):
    x = lib.ones(3, requires_grad=True) * 2
    y = x.sin()  # saves x
    x.cos_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_form_of_an_integer_tensor_refuses_a_float_result():
    for lib in (torch, microtorch):
        with pytest.raises(RuntimeError, match="can't be cast"):
            lib.tensor([1, 2]).sin_()


def test_zero_function():
    for lib in (torch, microtorch):
        x = lib.ones(2, 2)
        assert lib.zero_(x) is x and float(x.sum()) == 0.0
