"""torch's operator database (``op_db``, OpInfo) run against microtorch: sample inputs, gradients, error inputs.

For every op_db entry that is not internal, complex-only, ``sparse.*`` or ``masked.*``, the microtorch counterpart is the function at the same dotted path (``nn.functional.relu``)
or, failing that, the Tensor method of that name. For each dtype, the first samples of ``sample_inputs``
(seeded) run in both libraries; outputs must agree in shape, dtype and value, and the gradients of the
inputs (of a fixed random weighting of the outputs) too. ``error_inputs`` must raise in microtorch as well,
and not with an internal exception.

``check(entry, dtype)`` returns the kinds of failure (``raises``, ``values``, ``grads``, ``errors``) with a
message for each; ``tests/test_opinfo.py`` compares them with ``tests/opinfo_expected_failures.txt``.
``python tests/opinfo_harness.py`` prints the coverage figures (``--missing`` also lists the entries without a
counterpart); ``--write`` rewrites the expected-failures file, and ``--write --only NAME[,NAME...]`` rewrites only
the lines of the entries whose names start with one of the NAMEs (the rest of the file is kept).
"""
from __future__ import annotations

import itertools
from collections import Counter
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.testing._internal.common_methods_invocations import op_db

# importing torch's test internals freezes torch.backends' flags (common_utils calls disable_global_flags());
# undo it, so that other tests' scripts may still set torch.backends.cudnn.benchmark as users do
torch.backends.flags_frozen.__globals__["__allow_nonbracketed_mutation_flag"] = True  # (torch.backends' own globals)

import microtorch as mt

SKIPPED_PREFIXES = ("sparse.", "masked.", "_")
DTYPES = {"float64": torch.float64, "float32": torch.float32}
TOLERANCE = {"float64": (1e-7, 1e-7), "float32": (1e-4, 1e-5)}
INTERNAL = (AttributeError, NameError, UnboundLocalError, KeyError, AssertionError)
EXPECTED = Path(__file__).with_name("opinfo_expected_failures.txt")
#: ops whose values are random or uninitialised: only their shapes and dtypes are compared
UNSEEN_VALUES = {"normal", "bernoulli", "multinomial", "rand_like", "randn_like", "randint_like", "randint",
                 "uniform", "exponential", "geometric", "cauchy", "log_normal", "empty", "empty_like", "new_empty",
                 "empty_strided", "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
                 "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout", "nn.functional.rrelu",
                 "randn", "rand", "randperm", "nn.functional.fractional_max_pool2d",
                 "nn.functional.fractional_max_pool3d", "empty_permuted", "new_empty_strided"}
#: entries that run torch's in-place samplers (``Tensor.uniform_``, ...) under a name without the underscore
SAMPLERS = {"uniform": "uniform_", "cauchy": "cauchy_", "exponential": "exponential_", "geometric": "geometric_",
            "log_normal": "log_normal_", "normal.in_place": "normal_"}
#: entries whose samples with dropout (probability > 0, in training) are random: only shapes and dtypes compared
DROPOUT_AT = {"nn.functional.scaled_dot_product_attention": ("dropout_p", None, None),
              "nn.functional.multi_head_attention_forward": ("dropout_p", 10, "training")}
STATS: Counter = Counter()  # samples run and samples failing, over every check() call


class Unconvertible(Exception):
    """A sample argument microtorch has no counterpart of (a generator, a torch-only object)."""


def entry_id(op: Any) -> str:
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def _real(op: Any) -> bool:
    dtypes = op.supported_dtypes("cpu")
    return torch.float32 in dtypes or torch.float64 in dtypes


def considered() -> list:
    """The op_db entries this test is about (not internal, complex-only or in the skipped namespaces)."""
    return [op for op in op_db if not op.name.startswith(SKIPPED_PREFIXES) and _real(op)]


def counterpart(name: str) -> Any:
    """microtorch's function at torch's dotted path, else the Tensor attribute of that name, else None."""
    if name in SAMPLERS:
        return getattr(mt.Tensor, SAMPLERS[name], None)
    obj: Any = mt
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if (obj is None or isinstance(obj, mt.dtype)) and "." not in name:  # (cfloat: the dtype's name, and the method's)
        obj = getattr(mt.Tensor, name, None)
    return obj


#: entries whose op_db lambda reorders a function's arguments (not a Tensor method's): the same reordering
REORDERED = {"einsum": lambda tensors, equation, **kwargs: mt.einsum(equation, tensors, **kwargs),
             "nn.functional.embedding": lambda weight, idx, **kwargs: mt.nn.functional.embedding(idx, weight, **kwargs),
             "linalg.lstsq.grad_oriented": lambda a, b, driver: mt.linalg.lstsq(a, b, driver=driver)[:2],
             "linalg.pinv.singular": lambda a, b: mt.linalg.pinv(a @ b.mT),
             "svd_lowrank": lambda a, b, **kwargs: mt.svd_lowrank(a @ b.mT, **kwargs),
             "pca_lowrank": lambda a, b, **kwargs: mt.pca_lowrank(a @ b.mT, **kwargs),
             "zero_": lambda x: mt.zero_(x.clone())}


def counterpart_of(op: Any) -> Any:
    """The microtorch callable an entry's samples are passed to: where op_db wraps torch's function in a lambda
    that reorders its arguments (``polygamma(n, x)`` as ``op(x, n)``), the Tensor method, whose order is the
    sample's (or the same lambda over microtorch, ``REORDERED``)."""
    if entry_id(op) in SAMPLERS:
        return counterpart(entry_id(op))
    if entry_id(op) in REORDERED or op.name in REORDERED:
        return REORDERED.get(entry_id(op), REORDERED.get(op.name))
    if getattr(op.op, "__name__", "") == "<lambda>" and hasattr(mt.Tensor, op.name.split(".")[-1]):
        return getattr(mt.Tensor, op.name.split(".")[-1])
    return counterpart(op.name)


def covered() -> list:
    return [op for op in considered() if counterpart(op.name) is not None]


def to_mt(value: Any) -> Any:
    """A sample's argument in microtorch's terms (tensors keep their values, dtype and requires_grad)."""
    if isinstance(value, torch.Tensor):
        bfloat16 = value.dtype == torch.bfloat16
        if (value.dtype == torch.complex32 or value.layout != torch.strided or value.ndim > 32
                or value.device.type == "meta" or bfloat16 and not hasattr(mt, "bfloat16")):
            raise Unconvertible(f"a {value.dtype} {value.layout} tensor of {value.ndim} dims")
        if bfloat16:  # (through float32, which holds every bfloat16 exactly)
            array = value.detach().cpu().float().numpy()
            return mt.tensor(array, requires_grad=value.requires_grad).to(mt.bfloat16)
        array = value.detach().cpu().resolve_conj().numpy()
        return mt.tensor(array, dtype=to_mt(value.dtype), requires_grad=value.requires_grad)
    if isinstance(value, torch.dtype):
        name = str(value).split(".")[1]
        if not hasattr(mt, name):
            raise Unconvertible(f"dtype {name}")
        return getattr(mt, name)
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, torch.memory_format):
        return getattr(mt, str(value).split(".")[1])
    if isinstance(value, (list, tuple)):
        return type(value)(to_mt(v) for v in value)
    if isinstance(value, dict):
        return {k: to_mt(v) for k, v in value.items()}
    if isinstance(value, (torch.Generator, torch.layout)) or callable(value):
        raise Unconvertible(type(value).__name__)
    return value


def _call(op: Any, fn: Any, sample: Any, lib: str) -> Any:
    args = (sample.input, *sample.args)
    kwargs = sample.kwargs
    if lib == "mt":
        args, kwargs = to_mt(args), to_mt(kwargs)
    if lib == "mt" and isinstance(fn, property):
        return fn.fget(args[0])
    return fn(*args, **kwargs)


def _leaves(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value._is_zerotensor():  # (torch's gradient of a piecewise-constant function)
            value = torch.zeros(value.shape, dtype=value.dtype)
        return (value.float() if value.dtype == torch.bfloat16 else value).resolve_conj().numpy()
    if isinstance(value, mt.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _compare(theirs: Any, ours: Any, dtype: str, values: bool = True) -> str | None:
    """None if the outputs agree (in shape and dtype only, without ``values``), else what differs."""
    t_leaves, o_leaves = _leaves(theirs), _leaves(ours)
    if len(t_leaves) != len(o_leaves):
        return f"{len(o_leaves)} outputs, torch {len(t_leaves)}"
    rtol, atol = TOLERANCE[dtype]
    for t, o in zip(t_leaves, o_leaves):
        if isinstance(t, torch.Tensor):
            if not isinstance(o, mt.Tensor):
                return f"a {type(o).__name__}, torch a tensor"
            if tuple(t.shape) != tuple(o.shape):
                return f"shape {tuple(o.shape)}, torch {tuple(t.shape)}"
            if str(t.dtype).split(".")[1] != o.dtype.name:
                return f"dtype {o.dtype.name}, torch {str(t.dtype).split('.')[1]}"
        if not values:
            continue
        a, b = _as_array(t), _as_array(o)
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            as_type = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else np.float64  # (the imaginary parts count)
            if not np.allclose(b.astype(as_type), a.astype(as_type), rtol=rtol, atol=atol, equal_nan=True):
                return f"values differ (max abs {np.nanmax(np.abs(b.astype(as_type) - a.astype(as_type)), initial=0):.3g})"
        elif not np.array_equal(a, b):
            return "values differ"
    return None


def _gradient_check(sample: Any, t_out: Any, o_out: Any, o_args: Any, dtype: str) -> str | None:
    """Backpropagate the same random weighting of the floating outputs in both libraries; compare input grads."""
    t_inputs = [x for x in _leaves((sample.input, *sample.args)) if isinstance(x, torch.Tensor) and x.requires_grad]
    o_inputs = [x for x in _leaves(o_args) if isinstance(x, mt.Tensor) and x.requires_grad]
    outs = [(t, o) for t, o in zip(_leaves(t_out), _leaves(o_out))
            if isinstance(t, torch.Tensor) and t.requires_grad and (t.dtype.is_floating_point or t.dtype.is_complex)]
    if not t_inputs or not outs or len(t_inputs) != len(o_inputs):
        return None
    gen = torch.Generator().manual_seed(0)
    weights = [torch.randn(t.shape, dtype=t.dtype, generator=gen) for t, _ in outs]
    t_grads = torch.autograd.grad([t for t, _ in outs], t_inputs, weights, allow_unused=True)
    o_grads = mt.autograd.grad([o for _, o in outs], o_inputs, [to_mt(w) for w in weights], allow_unused=True)
    for t, o in zip(t_grads, o_grads):
        t = torch.zeros(()) if t is None else t
        o = mt.zeros(()) if o is None else o
        a, b = _as_array(t), _as_array(o)
        rtol, atol = TOLERANCE[dtype]
        if np.broadcast_shapes(a.shape, b.shape) != a.shape and a.size != 1 and b.size != 1:
            return f"gradient shape {b.shape}, torch {a.shape}"
        if not np.allclose(b, a, rtol=rtol * 10, atol=atol * 10, equal_nan=True):
            return "gradients differ"
    return None


def _random_sample(op: Any, sample: Any) -> bool:
    """Whether the sample draws dropout masks (``DROPOUT_AT``: the argument's name, its position, the training flag)."""
    if op.name not in DROPOUT_AT:
        return False
    name, position, training = DROPOUT_AT[op.name]
    p = sample.kwargs.get(name, sample.args[position - 1] if position is not None and len(sample.args) >= position else 0)
    return p > 0 and (training is None or sample.kwargs.get(training, True))


def check(op: Any, dtype: str, cap: int | None) -> dict:
    """{kind: first message} for the first ``cap`` samples of ``op`` in ``dtype`` (an empty dict: all agree)."""
    failures: dict = {}
    fn = counterpart_of(op)
    torch.manual_seed(0)
    samples = op.sample_inputs("cpu", DTYPES[dtype], requires_grad=op.supports_autograd)
    for sample in itertools.islice(samples, cap):
        try:
            t_out = _call(op, op.op, sample, "torch")
        except Exception:  # noqa: BLE001 - a sample torch itself refuses says nothing about microtorch
            continue
        try:
            o_args = to_mt((sample.input, *sample.args))
            o_kwargs = to_mt(sample.kwargs)
        except Unconvertible:
            continue
        STATS["samples"] += 1
        STATS[f"samples {dtype}"] += 1
        try:
            o_out = fn.fget(o_args[0]) if isinstance(fn, property) else fn(*o_args, **o_kwargs)
        except Exception as e:  # noqa: BLE001
            failures.setdefault("raises", f"{type(e).__name__}: {str(e)[:120]}")
            STATS["failing"] += 1
            STATS[f"failing {dtype}"] += 1
            continue
        seen = op.name not in UNSEEN_VALUES and not _random_sample(op, sample)
        problem = _compare(t_out, o_out, dtype, values=seen)
        if problem:
            failures.setdefault("values", problem)
            STATS["failing"] += 1
            STATS[f"failing {dtype}"] += 1
            continue
        if op.supports_autograd and seen:
            try:
                problem = _gradient_check(sample, t_out, o_out, o_args, dtype)
            except Exception as e:  # noqa: BLE001
                problem = f"backward raised {type(e).__name__}: {str(e)[:100]}"
            if problem:
                failures.setdefault("grads", problem)
                STATS["failing"] += 1
                STATS[f"failing {dtype}"] += 1
    return failures


def _keep_out_aliasing(sample: Any, o_args: Any, o_kwargs: dict) -> None:
    """An error input's ``out=`` that is one of its inputs stays that input in microtorch, and an expanded one stays
    expanded (``to_mt`` copies each tensor on its own)."""
    out = sample.kwargs.get("out")
    if isinstance(out, (tuple, list)):  # a tuple out=: each element that is an input stays that input
        leaves = list(zip(_leaves((sample.input, *sample.args)), _leaves(o_args)))
        o_kwargs["out"] = type(out)(next((o for t, o in leaves if t is part), mine)
                                    for part, mine in zip(out, o_kwargs["out"]))
        return
    if not isinstance(out, torch.Tensor):
        return
    for t, o in zip(_leaves((sample.input, *sample.args)), _leaves(o_args)):
        if t is out:
            o_kwargs["out"] = o
            return
        same_storage = isinstance(t, torch.Tensor) and t.numel() and out.numel() and \
            t.untyped_storage().data_ptr() == out.untyped_storage().data_ptr()
        if same_storage and t.is_contiguous() and out.is_contiguous():  # a contiguous piece of an input
            offset = (out.data_ptr() - t.data_ptr()) // out.element_size()
            if 0 <= offset and offset + out.numel() <= t.numel():
                o_kwargs["out"] = o.reshape(-1)[offset:offset + out.numel()].view(*out.shape)
                return
    if out.numel() > 1 and 0 in out.stride():
        piece = out[tuple(slice(0, 1) if stride == 0 else slice(None) for stride in out.stride())]
        o_kwargs["out"] = to_mt(piece).expand(*out.shape)


def check_errors(op: Any, cap: int | None) -> dict:
    """{'errors': message} if an error input is accepted by microtorch or raises an internal exception."""
    if op.error_inputs_func is None:
        return {}
    fn = counterpart_of(op)
    torch.manual_seed(0)
    for error in itertools.islice(op.error_inputs("cpu"), cap):
        sample = error.sample_input
        try:  # (converted before torch runs: torch may resize an out= before it raises)
            o_args = to_mt((sample.input, *sample.args))
            o_kwargs = to_mt(sample.kwargs)
        except Unconvertible:
            continue
        _keep_out_aliasing(sample, o_args, o_kwargs)
        try:  # an error input torch itself accepts (op_db's clamp_min(t, 2)) asks nothing of microtorch
            _call(op, op.op, sample, "torch")
            continue
        except Exception:  # noqa: BLE001
            pass
        try:
            fn.fget(o_args[0]) if isinstance(fn, property) else fn(*o_args, **o_kwargs)
        except INTERNAL as e:
            return {"errors": f"internal {type(e).__name__}: {str(e)[:100]} (torch: {error.error_regex[:60]})"}
        except Exception:  # noqa: BLE001 - any clear exception will do
            continue
        return {"errors": f"accepted (torch raises {error.error_type.__name__}: {error.error_regex[:80]})"}
    return {}


def read_expected() -> dict:
    """{(entry, dtype or 'errors'): set of kinds} from the expected-failures file."""
    expected: dict = {}
    for line in EXPECTED.read_text().splitlines():
        if line and not line.startswith("#"):
            entry, where, kind = line.split(":", 1)[0].split()
            expected.setdefault((entry, where), set()).add(kind)
    return expected


def _only() -> tuple:
    """The name prefixes given by ``--only a,b`` (empty: every entry)."""
    if "--only" not in sys.argv:
        return ()
    return tuple(sys.argv[sys.argv.index("--only") + 1].split(","))


def _failure_lines(ops: list) -> list:
    lines = []
    for op in ops:
        for dtype in DTYPES:
            for kind, message in sorted(check(op, dtype, cap=None).items()):
                lines.append(f"{entry_id(op)} {dtype} {kind}: {message}")
        for kind, message in check_errors(op, cap=None).items():
            lines.append(f"{entry_id(op)} errors {kind}: {message}")
    return lines


def main() -> None:
    """Print the coverage figures; rewrite the expected-failures file from a full run (every sample)."""
    warnings.simplefilter("ignore")
    ops, have, only = considered(), covered(), _only()
    if "--missing" in sys.argv:
        print("no counterpart:", " ".join(sorted({entry_id(op) for op in ops} - {entry_id(op) for op in have})))
    chosen = [op for op in have if entry_id(op).startswith(only)] if only else have
    lines = _failure_lines(chosen)
    passing = STATS["samples"] - STATS["failing"]
    print(f"op_db entries considered: {len(ops)}; with a microtorch counterpart: {len(have)} "
          f"({100 * len(have) / len(ops):.0f} %); samples (float64 and float32{', chosen entries' if only else ''}): "
          f"{STATS['samples']}, passing {passing} ({100 * passing / max(STATS['samples'], 1):.1f} %); "
          f"expected failures{' of the chosen entries' if only else ''}: {len(lines)}")
    for dtype in DTYPES:
        total = STATS[f"samples {dtype}"]
        print(f"  {dtype}: {total - STATS[f'failing {dtype}']} of {total} samples pass")
    if "--write" in sys.argv:
        if only:  # keep the other entries' lines
            lines += [line for line in EXPECTED.read_text().splitlines()[2:] if not line.split()[0].startswith(only)]
        lines.sort()  # one line per failure in name order: branches that touch different entries merge cleanly
        EXPECTED.write_text("# op_db entries (entry, dtype or 'errors', kind) that do not yet match torch: this list may only\n"
                            "# shrink; tests/test_opinfo.py fails on a failure not listed and on a listed one that passes.\n"
                            + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
