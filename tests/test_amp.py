"""Mixed precision: autocast's op lists and dtypes against torch's, and GradScaler against torch's scaler."""
from __future__ import annotations

import ast
import os
import warnings

import numpy as np
import pytest
import torch

import microtorch
from microtorch.amp import autocast_mode


def _torch_autocast_lists() -> dict:
    """{'cuda' | 'cpu': {list name: op names}} from torch's own autocast test lists (read, not imported:
    importing them needs torch's test-only dependencies)."""
    path = os.path.join(os.path.dirname(torch.__file__), "testing", "_internal", "autocast_test_lists.py")
    with open(path) as f:
        tree = ast.parse(f.read())
    found = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        device = {"AutocastTestLists": "cuda", "AutocastCPUTestLists": "cpu"}.get(cls.name)
        if device is None:
            continue
        lists = found.setdefault(device, {})
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
                target = node.targets[0]
                if isinstance(target, ast.Attribute):
                    lists[target.attr] = {e.elts[0].value for e in node.value.elts
                                          if isinstance(e, ast.Tuple) and isinstance(e.elts[0], ast.Constant)}
    return found


#: ops on our lists that torch's test lists leave out but torch's autocast_mode.cpp lists (the CPU ones are checked
#: below by behaviour, against torch); cat/stack promote natively in torch
_NOT_IN_TORCH_TEST_LISTS = {"cross_entropy_loss", "huber_loss", "cat", "stack", "group_norm", "layer_norm", "prod",
                            "kl_div"}


@pytest.mark.parametrize("device", ["cuda", "cpu"])
def test_our_lists_are_torchs(device):
    lists = _torch_autocast_lists()[device]
    lower = set().union(*(v for k, v in lists.items() if k.endswith(("16", "fp16"))))
    fp32 = set().union(*(v for k, v in lists.items() if k.endswith("fp32")))
    ours = autocast_mode.POLICIES[device]
    assert set(ours["lower"]) - _NOT_IN_TORCH_TEST_LISTS <= lower | {"linear"}
    assert set(ours["fp32"]) - _NOT_IN_TORCH_TEST_LISTS <= fp32
    assert not set(ours["lower"]) & fp32 and not set(ours["fp32"]) & lower
    assert set(ours["lower"]) & lower and set(ours["fp32"]) & fp32  # the lists are not empty of torch's names


def _inputs(lib):
    rng = np.random.RandomState(0)
    x = lib.tensor(rng.randn(4, 6).astype("float32"))
    w = lib.tensor(rng.randn(5, 6).astype("float32"), requires_grad=True)
    img = lib.tensor(rng.randn(2, 3, 6, 6).astype("float32"))
    k = lib.tensor(rng.randn(4, 3, 3, 3).astype("float32"))
    target = lib.tensor([0, 2, 1, 4])
    return x, w, img, k, target


CASES = {
    "linear": lambda F, lib, x, w, img, k, t: F.linear(x, w),
    "matmul": lambda F, lib, x, w, img, k, t: x @ w.T,
    "mm": lambda F, lib, x, w, img, k, t: lib.mm(x, w.T),
    "bmm": lambda F, lib, x, w, img, k, t: lib.bmm(x[None], w.T[None]),
    "addmm": lambda F, lib, x, w, img, k, t: lib.addmm(lib.zeros(4, 5), x, w.T),
    "conv2d": lambda F, lib, x, w, img, k, t: F.conv2d(img * w.sum(), k, padding=1),
    "softmax": lambda F, lib, x, w, img, k, t: F.linear(x, w).softmax(-1),
    "cross_entropy": lambda F, lib, x, w, img, k, t: F.cross_entropy(F.linear(x, w), t),
    "nll_loss": lambda F, lib, x, w, img, k, t: F.nll_loss(F.linear(x, w).log_softmax(-1), t),
    "mse_loss": lambda F, lib, x, w, img, k, t: F.mse_loss(F.linear(x, w), lib.zeros(4, 5)),
    "l1_loss": lambda F, lib, x, w, img, k, t: F.l1_loss(F.linear(x, w), lib.zeros(4, 5)),
    "huber_loss": lambda F, lib, x, w, img, k, t: F.huber_loss(F.linear(x, w), lib.zeros(4, 5)),
    "bce_with_logits": lambda F, lib, x, w, img, k, t: F.binary_cross_entropy_with_logits(F.linear(x, w), lib.ones(4, 5)),
    "kl_div": lambda F, lib, x, w, img, k, t: F.kl_div(F.linear(x, w).log_softmax(-1), x[:, :5].softmax(-1),
                                                        reduction="batchmean"),
    "prod": lambda F, lib, x, w, img, k, t: (F.linear(x, w) * 0.1).prod(),
    "cat": lambda F, lib, x, w, img, k, t: lib.cat([F.linear(x, w), x[:, :5]]),
    "layer_norm": lambda F, lib, x, w, img, k, t: F.layer_norm(F.linear(x, w), (5,)),
    "exp": lambda F, lib, x, w, img, k, t: F.linear(x, w).exp(),
    "sum": lambda F, lib, x, w, img, k, t: F.linear(x, w).sum(),
    "relu": lambda F, lib, x, w, img, k, t: F.relu(F.linear(x, w)),
}


@pytest.mark.parametrize("name", CASES)
def test_cpu_autocast_float16_gives_torch_dtypes_values_and_gradients(name):
    results = {}
    for lib in (torch, microtorch):
        x, w, img, k, target = _inputs(lib)
        with lib.autocast("cpu", dtype=lib.float16):
            out = CASES[name](lib.nn.functional, lib, x, w, img, k, target)
        out.float().sum().backward()
        results[lib] = (str(out.dtype).split(".")[-1], out.detach().float().numpy(), w.grad.numpy())
    (t_dtype, t_val, t_grad), (m_dtype, m_val, m_grad) = results[torch], results[microtorch]
    assert m_dtype == t_dtype
    np.testing.assert_allclose(m_val, t_val, rtol=2e-2, atol=2e-2)
    np.testing.assert_allclose(m_grad, t_grad, rtol=2e-2, atol=5e-2)
    assert m_grad.dtype == np.float32  # the gradient comes back in the parameter's own dtype


def test_regions_nest_and_disable_as_torchs():
    x = microtorch.ones(2, 2)
    assert not microtorch.is_autocast_enabled("cpu")
    with microtorch.autocast("cpu", dtype=microtorch.float16):
        assert microtorch.is_autocast_enabled("cpu") and (x @ x).dtype is microtorch.float16
        with microtorch.autocast("cpu", enabled=False):
            assert not microtorch.is_autocast_enabled("cpu") and (x @ x).dtype is microtorch.float32
        assert (x @ x).dtype is microtorch.float16
        assert (x.double() @ x.double()).dtype is microtorch.float64  # float64 is never cast
    assert (x @ x).dtype is microtorch.float32
    assert microtorch.autograd.ops.linalg.MatMul.apply.__func__ is microtorch.autograd.function.Op.apply.__func__


def test_decorator_and_legacy_spellings():
    @microtorch.autocast("cpu", dtype=microtorch.float16)
    def product(a):
        return a @ a

    assert product(microtorch.ones(2, 2)).dtype is microtorch.float16
    with microtorch.cpu.amp.autocast(dtype=microtorch.float16):
        assert (microtorch.ones(2, 2) @ microtorch.ones(2, 2)).dtype is microtorch.float16
    with microtorch.amp.autocast("cpu", dtype=microtorch.float16):
        assert microtorch.get_autocast_dtype("cpu") is microtorch.float16
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        microtorch.autocast("tpu")
    with pytest.raises(RuntimeError, match="not supported"):
        microtorch.autocast("cpu", dtype=microtorch.float64)


def test_autocast_is_per_thread():
    import threading

    seen = []
    with microtorch.autocast("cpu", dtype=microtorch.float16):
        worker = threading.Thread(target=lambda: seen.append((microtorch.ones(2, 2) @ microtorch.ones(2, 2)).dtype))
        worker.start()
        worker.join()
    assert seen == [microtorch.float32]


# ---- GradScaler --------------------------------------------------------------------------------------------
def _scaler_run(lib, steps: int, overflow_at: set) -> list:
    """A linear model trained with a GradScaler; at the steps in ``overflow_at`` the loss is made huge, so the
    scaled gradients overflow to inf and the step must be skipped and the scale backed off."""
    rng = np.random.RandomState(3)
    model = lib.nn.Linear(4, 1)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(rng.randn(1, 4).astype("float32")))
        model.bias.zero_()
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=2)
    x = lib.tensor(rng.randn(8, 4).astype("float32"))
    y = lib.tensor(rng.randn(8, 1).astype("float32"))
    trace = []
    for step in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        if step in overflow_at:
            loss = loss * 1e36
        scaler.scale(loss).backward()
        scaler.unscale_(opt) if step == 1 else None  # an explicit unscale_ before step, as for gradient clipping
        scaler.step(opt)
        scaler.update()
        trace.append((loss.item(), scaler.get_scale(), model.weight.detach().numpy().copy(), scaler.state_dict()))
    return trace


def test_grad_scaler_matches_torchs_including_an_overflow_step():
    ours, theirs = _scaler_run(microtorch, 7, {3}), _scaler_run(torch, 7, {3})
    for (m_loss, m_scale, m_w, m_state), (t_loss, t_scale, t_w, t_state) in zip(ours, theirs):
        assert m_scale == t_scale and m_state == t_state
        np.testing.assert_allclose(m_w, t_w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(m_loss, t_loss, rtol=1e-5)
    scales = [s for _, s, _, _ in ours]
    assert scales[2] == 2.0**11 and scales[3] == 2.0**10  # grew after 2 clean steps, backed off on the overflow
    np.testing.assert_array_equal(ours[3][2], ours[2][2])  # the overflow step was skipped


def test_grad_scaler_errors_and_state_as_torchs():
    w = microtorch.nn.Parameter(microtorch.ones(2))
    opt = microtorch.optim.SGD([w], lr=0.1)
    scaler = microtorch.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="did not use scaler.scale"):
        scaler.step(opt)
    scaler.scale((w * 2).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: 0)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    scaler.update()
    fresh = microtorch.amp.GradScaler("cpu", init_scale=8.0)
    fresh.load_state_dict(scaler.state_dict())
    assert fresh.state_dict() == scaler.state_dict() == {
        "scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000, "_growth_tracker": 1}


def test_cuda_grad_scaler_without_a_gpu_disables_itself_with_torchs_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scaler = microtorch.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and "CUDA is not available.  Disabling." in str(caught[0].message)
    loss = microtorch.ones(())
    assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0 and scaler.state_dict() == {}


def test_custom_fwd_and_bwd_as_torchs():
    """A custom Function whose forward casts its inputs to float32 inside a float16 region, as torch's recipe."""
    results = {}
    for lib in (torch, microtorch):
        class Square(lib.autograd.Function):
            @staticmethod
            @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x @ lib.ones(2, 2)

            @staticmethod
            @lib.amp.custom_bwd(device_type="cpu")
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * (grad @ lib.ones(2, 2))

        x = lib.tensor([[1.0, 2.0]], dtype=lib.float16, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.float16):
            y = Square.apply(x)
        y.sum().backward()
        results[lib] = (str(y.dtype).split(".")[-1], y.tolist(), str(x.grad.dtype).split(".")[-1], x.grad.tolist())
    assert results[microtorch] == results[torch]


def test_cuda_autocast_without_a_gpu_disables_itself_as_torchs():
    for lib in (torch, microtorch):
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. Disabling autocast."):
            with lib.cuda.amp.autocast() if lib is microtorch else lib.autocast("cuda"):
                assert not lib.is_autocast_enabled("cuda")
                assert (lib.ones(2, 2) @ lib.ones(2, 2)).dtype == lib.float32
