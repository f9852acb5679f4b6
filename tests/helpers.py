"""Shared helpers: build the same inputs in torch and microtorch, compare results."""
from __future__ import annotations

import functools
import importlib.util
import pathlib
import types

import numpy as np
import torch

import microtorch
from op_table import Const


def to_numpy(t) -> np.ndarray:
    """A host NumPy copy of a torch or microtorch tensor."""
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():  # torch's lazy zeros (some double-backward results)
            return np.zeros(tuple(t.shape), dtype=str(t.dtype).split(".")[1])
        return t.detach().cpu().resolve_conj().resolve_neg().numpy()  # (torch's lazy conjugates and negations)
    return t.detach().cpu().numpy()


def make_inputs(lib, inputs: list, dtype: str, device: str, layout: str) -> tuple:
    """Leaves (what gradients are compared on) and the arguments passed to the op.

    ``layout`` makes differentiable inputs non-contiguous in the same way in both
    libraries: ``transposed`` (a transposed view) or ``strided`` (every other element).
    """
    kw = {"device": device} if lib is microtorch else {}
    leaves, args = [], []
    for item in inputs:
        if isinstance(item, Const):
            arr = item.array
            t = lib.tensor(arr, **kw) if arr.dtype.kind != "f" else lib.tensor(arr, dtype=getattr(lib, dtype), **kw)
            leaves.append(None)
            args.append(t)
            continue
        arr = item
        if layout == "transposed" and arr.ndim >= 2:
            leaf = lib.tensor(np.ascontiguousarray(arr.swapaxes(-1, -2)), dtype=getattr(lib, dtype), requires_grad=True, **kw)
            arg = leaf.transpose(-1, -2)
        elif layout == "strided" and arr.ndim >= 1:
            base = np.zeros(arr.shape[:-1] + (arr.shape[-1] * 2,))
            base[..., ::2] = arr
            leaf = lib.tensor(base, dtype=getattr(lib, dtype), requires_grad=True, **kw)
            arg = leaf[..., ::2]
        else:
            leaf = lib.tensor(arr, dtype=getattr(lib, dtype), requires_grad=True, **kw)
            arg = leaf
        leaves.append(leaf)
        args.append(arg)
    return leaves, args


def assert_close(mt_value, torch_value, rtol: float, atol: float, what: str) -> None:
    assert tuple(mt_value.shape) == tuple(torch_value.shape), f"{what}: shape {tuple(mt_value.shape)} != torch {tuple(torch_value.shape)}"
    assert str(mt_value.dtype).split(".")[-1] == str(torch_value.dtype).split(".")[-1], (
        f"{what}: dtype {mt_value.dtype} != torch {torch_value.dtype}"
    )
    a, b = to_numpy(mt_value), to_numpy(torch_value)
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def assert_like_torch(fn, *, same_message: bool = True) -> None:
    """``fn(lib)`` gives microtorch the value torch gets (tensors: shape, dtype and values; anything else:
    ``==``), or raises the exception class torch raises, with torch's message (first line) in its own."""
    try:
        expected = fn(torch)
    except Exception as e:  # noqa: BLE001 - whatever torch raises, microtorch must raise the same
        try:
            fn(microtorch)
        except type(e) as got:
            if same_message:  # (microtorch.Size prints where torch.Size does)
                assert str(e).splitlines()[0] in str(got).replace("microtorch.Size", "torch.Size"), \
                    f"torch says {e!r}, microtorch {got!r}"
            return
        except Exception as got:  # noqa: BLE001
            raise AssertionError(f"torch raises {e!r}, microtorch {got!r}") from got
        raise AssertionError(f"torch raises {e!r}, microtorch does not")
    got = fn(microtorch)
    if isinstance(expected, torch.Tensor):
        assert_close(got, expected, rtol=0, atol=0, what="result")
    else:
        assert type(got) is type(expected) and got == expected, f"microtorch {got!r} != torch {expected!r}"


EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


@functools.cache
def load_example(name: str) -> types.ModuleType:
    """``examples/<name>.py`` as a module (its ``__main__`` block does not run)."""
    spec = importlib.util.spec_from_file_location(f"examples.{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
