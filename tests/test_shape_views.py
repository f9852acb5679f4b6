"""Issue 21's shape ops beyond OpInfo: views are views (writes through them reach the base, as torch's), the
``*_copy`` functions are not, and the 0-d / repeated-dim cases of issue 21's lists behave as torch."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import microtorch

LIBS = [torch, microtorch]


def _both(fn):
    out = []
    for lib in LIBS:
        try:
            r = fn(lib)
        except Exception as e:  # noqa: BLE001 - the exception type is compared
            out.append(type(e))
            continue
        out.append([t.detach().numpy() for t in r] if isinstance(r, (tuple, list)) else r.detach().numpy())
    return out


WRITES = {  # a view, written through in place: the base must change as torch's
    "diagonal": lambda lib, x: x.diagonal(1, 0, 2).mul_(10),
    "unfold": lambda lib, x: x.unfold(2, 2, 2).fill_(-1),
    "select": lambda lib, x: x.select(1, -1).add_(5),
    "as_strided": lambda lib, x: x.as_strided((2, 2), (5, 1), 3).zero_(),
    "tensor_split": lambda lib, x: lib.tensor_split(x, 2, dim=2)[1].neg_(),
    "ravel": lambda lib, x: x.ravel()[3:7].mul_(0.5),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_through_views_reach_the_base(name):
    results = []
    for lib in LIBS:
        x = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4)
        WRITES[name](lib, x)
        results.append(x.numpy())
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize("name", list(WRITES))
def test_write_through_a_view_keeps_gradients(name):
    grads = []
    for lib in LIBS:
        leaf = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4).requires_grad_()
        x = leaf * 2
        WRITES[name](lib, x)
        (x * lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4)).sum().backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize("name, args", [("permute_copy", ((1, 0),)), ("diagonal_copy", ()), ("unfold_copy", (1, 2, 1)),
                                        ("view_copy", ((6,),)), ("t_copy", ()), ("unbind_copy", (1,)),
                                        ("split_with_sizes_copy", ([1, 2], 1)), ("narrow_copy", (1, 1, 2))])
def test_copies_share_no_memory(name, args):
    values = []
    for lib in LIBS:
        x = lib.arange(6.0).reshape(2, 3)
        out = getattr(lib, name)(x, *args)
        for t in out if isinstance(out, tuple) else (out,):
            t.add_(100)
        values.append((x.numpy(), [t.numpy() for t in (out if isinstance(out, tuple) else (out,))]))
    np.testing.assert_array_equal(values[1][0], np.arange(6.0).reshape(2, 3))
    for a, b in zip(values[1][1], values[0][1]):
        np.testing.assert_array_equal(a, b)


CASES = {
    "squeeze_0d": lambda lib: lib.squeeze(lib.tensor(1.5), 0),
    "squeeze_0d_dims": lambda lib: lib.squeeze(lib.tensor(1.5), (0,)),
    "gather_0d": lambda lib: lib.gather(lib.tensor(1.5), 0, lib.tensor(0)),
    "index_select_0d": lambda lib: lib.index_select(lib.tensor(1.5), 0, lib.tensor([0])),
    "scatter_0d": lambda lib: lib.scatter(lib.tensor(1.5), 0, lib.tensor(0), lib.tensor(5.0)),
    "scatter_add_0d": lambda lib: lib.scatter_add(lib.tensor(1.5), 0, lib.tensor(0), lib.tensor(5.0)),
    "flip_keyword": lambda lib: lib.flip(lib.arange(4.0), dims=(0,)),
    "movedim_repeated_destination": lambda lib: lib.movedim(lib.ones(2, 3, 4), (0, 1), (2, 2)),
    "movedim_repeated_source": lambda lib: lib.movedim(lib.ones(2, 3, 4), (0, 0), (1, 2)),
    "roll_0d_with_dim": lambda lib: lib.roll(lib.tensor(1.0), 1, 0),
    "rot90_same_dims": lambda lib: lib.rot90(lib.ones(2, 3), 1, (0, 0)),
    "rot90_negative_k": lambda lib: lib.rot90(lib.arange(6.0).reshape(2, 3), -3, (1, 0)),
    "tensor_split_indices": lambda lib: lib.tensor_split(lib.arange(7), [-2, 9]),
    "tensor_split_tensor": lambda lib: lib.tensor_split(lib.arange(7), lib.tensor([1, 4])),
    "tensor_split_float_tensor": lambda lib: lib.tensor_split(lib.arange(7), lib.tensor([1.0])),
    "hsplit_not_divisible": lambda lib: lib.hsplit(lib.ones(5), 2),
    "vsplit_1d": lambda lib: lib.vsplit(lib.ones(4), 2),
    "unfold_too_large": lambda lib: lib.ones(3).unfold(0, 4, 1),
    "unfold_empty_window": lambda lib: lib.ones(2, 3).unfold(1, 0, 1),
    "diagonal_same_dims": lambda lib: lib.diagonal(lib.ones(2, 2), 0, 1, 1),
    "as_strided_out_of_bounds": lambda lib: lib.as_strided(lib.ones(4), (2, 2), (2, 2)),
    "select_out_of_range": lambda lib: lib.select(lib.ones(2, 3), 1, 3),
    "select_scatter_wrong_shape": lambda lib: lib.select_scatter(lib.ones(2, 3), lib.ones(2), 0, 0),
    "combinations_r0": lambda lib: lib.combinations(lib.tensor([1, 2]), 0),
    "combinations_2d": lambda lib: lib.combinations(lib.ones(2, 2)),
    "block_diag_3d": lambda lib: lib.block_diag(lib.ones(1, 1, 1)),
    "atleast_3d_tuple": lambda lib: lib.atleast_3d(lib.tensor(1.0), lib.ones(2), lib.ones(2, 3)),
    "fill_tensor_value": lambda lib: lib.fill(lib.ones(2, dtype=lib.int64), lib.tensor(2.7)),
    "msort_0d": lambda lib: lib.msort(lib.tensor(1.0)),
    "H_1d": lambda lib: lib.ones(3).H,
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    expected, got = _both(CASES[name])
    if isinstance(expected, type):
        assert isinstance(got, type) and issubclass(got, expected), (got, expected)
        return
    assert not isinstance(got, type), got
    for e, g in zip(expected if isinstance(expected, list) else [expected], got if isinstance(got, list) else [got]):
        assert e.shape == g.shape and e.dtype == g.dtype
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("key", [(1, 2, 3), (-1, 0, 2), ()])
def test_an_int_for_every_dim_gives_a_0d_view_as_torch(key):
    # NumPy returns a scalar copy for x[1, 2, 3]; torch a 0-d view whose writes reach x
    results = []
    for lib in (torch, microtorch):
        y = lib.arange(24.0).reshape(2, 3, 4) if key else lib.tensor(7.0)
        element = y[key]
        element.mul_(-2.0)
        z = lib.arange(24.0, requires_grad=True)
        (z.reshape(2, 3, 4)[key if key else (0, 0, 0)] * 3).backward()
        results.append((y.numpy().copy(), tuple(element.shape), z.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    np.testing.assert_array_equal(results[0][2], results[1][2])


_NO_GRAD_VIEWS = {
    "slice": lambda x: x[:2], "index": lambda x: x[0], "none_index": lambda x: x[None], "ellipsis": lambda x: x[...],
    "view": lambda x: x.view(4, 3), "reshape": lambda x: x.reshape(12), "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)), "narrow": lambda x: x.narrow(0, 0, 2),
    "select": lambda x: x.select(1, 0), "diagonal": lambda x: x.diagonal(), "t": lambda x: x.t(),
    "T": lambda x: x.T, "mT": lambda x: x.mT, "permute": lambda x: x.permute(1, 0), "movedim": lambda x: x.movedim(0, 1),
    "transpose": lambda x: x.transpose(0, 1), "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0), "expand": lambda x: x.expand(2, 3, 4),
    "as_strided": lambda x: x.as_strided((2, 2), (1, 1)), "unfold": lambda x: x.unfold(1, 2, 1),
    "chunk": lambda x: x.chunk(2)[0], "split": lambda x: x.split([1, 2])[0], "unbind": lambda x: x.unbind(0)[1],
    "detach": lambda x: x.detach(), "clone": lambda x: x.clone(), "double": lambda x: x * 2,
}


@pytest.mark.parametrize("name", sorted(_NO_GRAD_VIEWS))
def test_a_view_made_under_no_grad_requires_grad_but_leads_nowhere_as_torch(name):
    """torch: a view made under no_grad of a tensor that requires grad requires grad too, as a leaf (no grad_fn)
    whose gradient reaches neither it nor its base, and an in-place op on it (or on a view of it) while recording
    raises; non-views (detach, clone, arithmetic) do not require grad."""
    make = _NO_GRAD_VIEWS[name]
    results = []
    for lib in (torch, microtorch):
        a = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        with lib.no_grad():
            v = make(a)
        state = [v.requires_grad, v.grad_fn is None, v.is_leaf]
        if v.requires_grad:
            (v * 3).sum().backward()
            state += [a.grad is None, v.grad is None]
            assert lib.autograd.grad((v * 3).sum(), v, allow_unused=True) == (None,)
            if name not in ("expand", "as_strided"):  # (overlapping views refuse writes for another reason)
                for target in (v, v[..., :1] if v.ndim else v[...]):
                    with pytest.raises(RuntimeError, match="created in no_grad mode"):
                        target.add_(1)
                with lib.no_grad():
                    v.mul_(1)  # (allowed: both the view and the write under no_grad)
        state.append(v.requires_grad_(False).requires_grad)  # (torch: a no-grad view keeps requiring grad)
        results.append(state)
    assert results[0] == results[1]


@pytest.mark.parametrize("derived", [False, True], ids=["the view", "its view made while recording"])
@pytest.mark.parametrize("write", ["none", "base", "other view", "base under no_grad", "view under no_grad"])
def test_a_no_grad_view_whose_base_changed_in_place_raises_when_recorded_as_torch(write, derived):
    """torch: once the base of a view made under no_grad, another view of it or the view itself is modified in place
    (recorded or not), using the view while recording raises, and so does using a view of it made while recording
    before the write ("Output 0 of ... is a view of a view which was created in no_grad mode"); under no_grad both
    stay usable."""
    outcomes = []
    for lib in (torch, microtorch):
        base = lib.tensor(np.arange(6.0), requires_grad=True).clone()
        with lib.no_grad():
            no_grad_view = base[:3]
        view = no_grad_view[1:] if derived else no_grad_view
        assert view.requires_grad and (view.grad_fn is not None) == derived
        if write == "base":
            base.mul_(2)
        elif write == "other view":
            base[3:].add_(1)
        elif write != "none":
            with lib.no_grad():
                (base if write.startswith("base") else no_grad_view).add_(1)
        with lib.no_grad():
            (view * 2).sum()  # (always allowed: nothing recorded)
        try:
            (view * 2).sum()
            outcomes.append("ok")
        except RuntimeError as e:
            assert "its base or another view of its base has been modified inplace" in str(e)
            assert str(e).startswith("Output 0 of ") == derived and ("is a view of a view" in str(e)) == derived
            outcomes.append("raised")
        outcomes[-1] = (outcomes[-1], _stale_view_reads(view), "grad_fn=<Invalid>" in repr(view))
    assert outcomes[0] == outcomes[1], outcomes
    assert outcomes[0][0] == ("ok" if write == "none" else "raised")


def _stale_view_reads(view) -> list:
    """Which of grad_fn, is_leaf, retain_grad, register_hook, deepcopy, backward and autograd.grad from the view,
    and autograd.grad and backward with the view as input, raise (torch: all once the view is stale, but
    retain_grad on the leaf view), with the start of the message."""
    lib = torch if isinstance(view, torch.Tensor) else microtorch
    reads = {"grad_fn": lambda: view.grad_fn, "is_leaf": lambda: view.is_leaf, "retain_grad": view.retain_grad,
             "register_hook": lambda: view.register_hook(lambda g: g).remove(), "deepcopy": lambda: copy.deepcopy(view),
             "backward": lambda: view.backward(lib.ones_like(view)),
             "autograd.grad": lambda: lib.autograd.grad(view, view, lib.ones_like(view), allow_unused=True),
             "as grad's input": lambda: lib.autograd.grad(other.sum(), view, allow_unused=True),
             "as backward's input": lambda: other.sum().backward(inputs=[view])}
    other = lib.ones(2, requires_grad=True) * 2
    seen = []
    for name, read in reads.items():
        try:
            read()
            seen.append((name, "ok"))
        except RuntimeError as e:
            if "its base or another view of its base has been modified inplace" in str(e):
                seen.append((name, "stale: view of a view" if str(e).startswith("Output 0 of ") else "stale: view"))
            else:
                seen.append((name, str(e)[:40]))
    return seen


def test_an_in_place_op_on_a_view_of_a_no_grad_view_is_refused_with_torchs_words():
    messages = []
    for lib in (torch, microtorch):
        base = lib.tensor(np.arange(6.0), requires_grad=True).clone()
        with lib.no_grad():
            no_grad_view = base[:3]
        for target in (no_grad_view, no_grad_view[1:]):
            with pytest.raises(RuntimeError, match="created in no_grad mode and is being modified inplace") as e:
                target.mul_(2)
            messages.append(str(e.value).split(" created in")[0].replace("Slice", "GetItem"))
    assert messages[:2] == messages[2:] == ["A view was", "Output 0 of GetItem is a view of a view which was"]
