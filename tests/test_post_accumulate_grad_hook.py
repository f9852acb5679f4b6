"""Tensor.register_post_accumulate_grad_hook: runs during backward, once a leaf's gradient is complete,
as torch's (DistributedDataParallel starts each bucket's all-reduce from it)."""
from __future__ import annotations

import pytest
import torch

import microtorch as mt


def _chain(lib, log):
    """Three leaves used at different depths: a by two consumers, c only by the last op."""
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([3.0, -1.0], dtype=lib.float64, requires_grad=True)
    c = lib.tensor([0.5, 4.0], dtype=lib.float64, requires_grad=True)
    for name, t in zip("abc", (a, b, c)):
        t.register_post_accumulate_grad_hook(lambda p, name=name: log.append((name, p.grad.tolist())))
    h = (a * b).sin() + a.exp()
    loss = (h * h).sum() * (c * 2).sum()
    return loss, (a, b, c)


def test_values_and_order_match_torch():
    logs = {}
    for lib in (torch, mt):
        log = logs[lib.__name__] = []
        loss, _ = _chain(lib, log)
        loss.backward()
    assert [n for n, _ in logs["microtorch"]] == [n for n, _ in logs["torch"]]
    for (_, got), (_, want) in zip(logs["microtorch"], logs["torch"]):
        assert got == pytest.approx(want, rel=1e-12)


def test_the_hook_runs_before_backward_ends():
    """c's gradient is complete after the first op backward runs, so its hook fires while a and b wait."""
    events = []
    loss, (a, b, c) = _chain(mt, events)
    (loss * 1.0).backward()
    assert events[0][0] == "c"


def test_accumulates_into_existing_grad_and_handles_remove():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    handle.remove()
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0], [6.0, 6.0]] and x.grad.tolist() == [9.0, 9.0]


def test_refuses_non_leaves_and_tensors_without_grad():
    x = mt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        mt.tensor([1.0]).register_post_accumulate_grad_hook(lambda p: None)
