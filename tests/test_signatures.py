"""Every torch function and Tensor method microtorch has accepts torch's parameter names as keywords.

The names to check come from torch itself: ``torch.overrides.get_testing_overrides()`` lists every
overridable function and method with a lambda of its signature, and torch's type stubs
(``torch/_C/_VariableFunctions.pyi``, ``TensorBase`` in ``torch/_C/__init__.pyi``) list the
parameters of every overload. Where a stub exists it is the truth (the lambdas are sometimes stale:
``topk``'s lambda has ``descending``, ``dot``'s has ``other``; torch itself refuses both); otherwise
the lambda is. ``out=`` is then checked to behave as torch's.
"""
from __future__ import annotations

import ast
import collections
import importlib
import inspect
import os
import warnings

import numpy as np
import pytest
import torch
from torch.overrides import get_overridable_functions, get_testing_overrides

import microtorch

_TORCH_DIR = os.path.dirname(torch.__file__)

#: parameter names not checked anywhere, with the reason
GLOBAL_EXCEPTIONS = {
    "names": "named tensors (Dimname overloads) are not supported",
}
#: (namespace, name, parameter) not checked, with the reason
EXCEPTIONS = {
    ("torch", "addmm", "out_dtype"): "torch's fp16/bf16 -> fp32 GEMM overload is CUDA-only (torch raises on the CPU)",
    ("torch", "bmm", "out_dtype"): "torch's fp16/bf16 -> fp32 GEMM overload is CUDA-only (torch raises on the CPU)",
    ("Tensor", "requires_grad_", "mode"): "torch's stub says mode=, but torch itself only accepts requires_grad=",
    ("torch", "baddbmm", "out_dtype"): "torch's fp16/bf16 -> fp32 GEMM overload is CUDA-only (torch raises on the CPU)",
}
#: torch's stubs (or, for lu, its override lambda) list out= on these Tensor methods, but torch refuses it at run
#: time (x.add(y, out=z))
TENSOR_METHODS_WITHOUT_OUT = {"add", "sub", "mul", "norm", "true_divide", "floor_divide", "lu"}


def _stub_params(path: str, cls: str | None = None) -> dict:
    """name -> the union of parameter names over every overload in a torch stub file."""
    with open(path) as f:
        tree = ast.parse(f.read())
    body = tree.body
    if cls is not None:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    params: dict = collections.defaultdict(set)
    for node in body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params[node.name] |= {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}
    return params


def _torch_names() -> dict:
    """overridable function -> (namespace, name), namespace being 'Tensor' or a torch module path."""
    where = {}
    for ns, functions in get_overridable_functions().items():
        if not hasattr(ns, "__name__"):  # properties of Tensor
            continue
        ns_name = "Tensor" if ns is torch.Tensor else ns.__name__
        for f in functions:
            if hasattr(f, "__name__"):
                where.setdefault(f, (ns_name, f.__name__))
    return where


def _microtorch_object(ns_name: str, name: str):
    if ns_name == "Tensor":
        return getattr(microtorch.Tensor, name, None)
    try:
        module = importlib.import_module("microtorch" + ns_name[len("torch"):])
    except ImportError:
        return None
    return module.__dict__.get(name)


def _accepts_keyword(sig: inspect.Signature, name: str) -> bool:
    p = sig.parameters.get(name)
    if p is not None:
        return p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    return any(q.kind is q.VAR_KEYWORD for q in sig.parameters.values())


def _required_names(ns_name: str, name: str, lam, stubs: dict) -> set:
    params = [p for p in inspect.signature(lam).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if ns_name == "Tensor":
        params = params[1:]  # self, whatever the lambda calls it
    stub = stubs.get(ns_name, {}).get(name)
    names = set(stub) if stub else {p.name for p in params}
    names -= {"self"} | set(GLOBAL_EXCEPTIONS)
    if ns_name == "Tensor" and name in TENSOR_METHODS_WITHOUT_OUT:
        names.discard("out")
    return {n for n in names if (ns_name, name, n) not in EXCEPTIONS}


def _check_all() -> tuple:
    stubs = {
        "torch": _stub_params(os.path.join(_TORCH_DIR, "_C", "_VariableFunctions.pyi")),
        "Tensor": _stub_params(os.path.join(_TORCH_DIR, "_C", "__init__.pyi"), "TensorBase"),
    }
    where = _torch_names()
    checked, missing = [], []
    for f, lam in get_testing_overrides().items():
        if f not in where:
            continue
        ns_name, name = where[f]
        ours = _microtorch_object(ns_name, name)
        if name.startswith("__") or ours is None or not callable(ours) or isinstance(ours, type):
            continue
        try:
            sig = inspect.signature(ours)
        except (TypeError, ValueError):
            missing.append(f"{ns_name}.{name}: no signature")
            continue
        checked.append(f"{ns_name}.{name}")
        for param in sorted(_required_names(ns_name, name, lam, stubs)):
            if not _accepts_keyword(sig, param):
                missing.append(f"{ns_name}.{name}({param}=...): microtorch's signature is {sig}")
    return checked, missing


def test_every_torch_parameter_name_is_accepted():
    checked, missing = _check_all()
    assert len(checked) >= 400, f"only {len(checked)} names checked: the table lookup is broken"
    assert {"torch.exp", "torch.sum", "Tensor.reshape", "torch.nn.functional.linear"} <= set(checked)
    assert not missing, "\n".join(missing)


def test_exceptions_are_still_needed():
    """An exception that microtorch now satisfies, or that names nothing torch has, must go."""
    stubs = {"torch": _stub_params(os.path.join(_TORCH_DIR, "_C", "_VariableFunctions.pyi")),
             "Tensor": _stub_params(os.path.join(_TORCH_DIR, "_C", "__init__.pyi"), "TensorBase")}
    for ns_name, name, param in EXCEPTIONS:
        assert param in stubs[ns_name][name], (ns_name, name, param)
        assert not _accepts_keyword(inspect.signature(_microtorch_object(ns_name, name)), param), (ns_name, name, param)


def test_no_out_where_torch_has_none():
    """microtorch.* takes out= exactly where torch's stubs have it."""
    stubs = _stub_params(os.path.join(_TORCH_DIR, "_C", "_VariableFunctions.pyi"))
    from microtorch import _functions

    extra = [n for n in _functions.__all__ if n in stubs and "out" not in stubs[n]
             and "out" in inspect.signature(getattr(microtorch, n)).parameters]
    assert not extra, extra


# ---- the keywords a script uses, with values ------------------------------------------------------
def _both(fn):
    """fn(lib) with lib=torch and lib=microtorch on the same data; the two results as numpy."""
    results = []
    for lib in (torch, microtorch):
        x = lib.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
        out = fn(lib, x)
        results.append([o.detach().numpy() for o in out] if isinstance(out, tuple) else out.detach().numpy())
    return results


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.exp(input=x),
    lambda lib, x: lib.add(input=x, other=x, alpha=2),
    lambda lib, x: lib.sum(input=x, dim=1, keepdim=True, dtype=lib.float64),
    lambda lib, x: lib.mean(x, dim=(0, 1), keepdim=False),
    lambda lib, x: lib.softmax(input=x, dim=-1, dtype=lib.float64),
    lambda lib, x: lib.reshape(input=x, shape=(3, 2)),
    lambda lib, x: x.reshape(shape=(3, 2)),
    lambda lib, x: x.view(size=(3, 2)),
    lambda lib, x: x.permute(dims=(1, 0)),
    lambda lib, x: lib.permute(x, dims=(1, 0)),
    lambda lib, x: x.expand(size=(2, 2, 3)),
    lambda lib, x: lib.flip(x, dims=(0,)),
    lambda lib, x: lib.tile(x, dims=(2,)),
    lambda lib, x: lib.split(tensor=x, split_size_or_sections=1, dim=1),
    lambda lib, x: x.split(split_size=1),
    lambda lib, x: lib.max(input=x, dim=1, keepdim=True),
    lambda lib, x: lib.max(x, other=x * 2),
    lambda lib, x: lib.cumsum(x, dim=1, dtype=lib.float64),
    lambda lib, x: lib.swapaxes(x, axis0=0, axis1=1),
    lambda lib, x: lib.dot(input=x[0], tensor=x[1]),
    lambda lib, x: lib.mm(x, mat2=x.T),
    lambda lib, x: lib.where(condition=x > 0, input=x, other=-x),
    lambda lib, x: lib.topk(x, k=2, dim=1, largest=False, sorted=True),
    lambda lib, x: lib.zeros_like(input=x, dtype=lib.int64, memory_format=lib.preserve_format),
    lambda lib, x: lib.clone(x, memory_format=lib.contiguous_format),
    lambda lib, x: x.float(memory_format=lib.preserve_format),
])
def test_keywords_give_torch_results(call):
    expected, got = _both(call)
    if isinstance(expected, list):
        for e, g in zip(expected, got):
            assert np.allclose(e, g, rtol=1e-6)
    else:
        assert expected.dtype == got.dtype and expected.shape == got.shape and np.allclose(expected, got, rtol=1e-6)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_size_as_keyword_tuple_or_varargs(name):
    for lib in (torch, microtorch):
        f = getattr(lib, name)
        assert tuple(f(size=(2, 3)).shape) == tuple(f((2, 3)).shape) == tuple(f(2, 3).shape) == (2, 3)
        assert tuple(f([4]).shape) == (4,)
    assert tuple(microtorch.full(size=(2,), fill_value=3.0).shape) == (2,)


# ---- out= -------------------------------------------------------------------------------------------
def test_out_writes_into_the_given_tensor_and_returns_it():
    for lib in (torch, microtorch):
        x = lib.tensor([1.0, 2.0, 3.0])
        out = lib.empty(3)
        assert lib.exp(x, out=out) is out
        assert lib.add(x, 1.0, out=out) is out and out.tolist() == [2.0, 3.0, 4.0]
        assert lib.cat([x, x], out=lib.empty(6)).tolist() == [1.0, 2.0, 3.0] * 2
        assert lib.zeros(3, out=out) is out and out.tolist() == [0.0, 0.0, 0.0]
    values, indices = microtorch.empty(2), microtorch.empty(2, dtype=microtorch.int64)
    res = microtorch.max(microtorch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(values, indices))
    assert res[0] is values and res[1] is indices and values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]


def test_out_casts_as_torch_and_refuses_what_torch_refuses():
    for lib in (torch, microtorch):
        x = lib.tensor([1.5, 2.5])
        wide = lib.empty(2, dtype=lib.float64)
        assert lib.mul(x, 2, out=wide).dtype == lib.float64 and wide.tolist() == [3.0, 5.0]
        ints = lib.empty(2, dtype=lib.int64)
        assert lib.add(lib.tensor([1, 2]), 1, out=lib.empty(2)).tolist() == [2.0, 3.0]  # int -> float is allowed
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            lib.mul(x, 2, out=ints)
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(w, 2, out=lib.empty(2))
        with lib.no_grad():
            assert lib.mul(w, 2, out=lib.empty(2)).tolist() == [2.0, 2.0]


def test_out_of_another_shape_is_resized_with_torch_warning():
    for lib in (torch, microtorch):
        out = lib.empty(5)
        with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
            lib.exp(lib.zeros(2, 2), out=out)
        assert tuple(out.shape) == (2, 2) and out.tolist() == [[1.0, 1.0], [1.0, 1.0]]
        empty = lib.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.neg(lib.ones(3), out=empty)
        assert empty.tolist() == [-1.0, -1.0, -1.0]
