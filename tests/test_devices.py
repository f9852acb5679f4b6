"""Devices: parsing, the backend registry, copies between devices, the default device, DLPack.

"npx" is the second NumPy backend tests/conftest.py registers; the cuda cases that
need CuPy run on a GPU machine (tests/gpu_check.sh) and are skipped here with a reason.
"""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import CUDA_SKIP_REASON, ContractBackend
from microtorch.backends import cupy_backend, register_backend

no_gpu = pytest.mark.skipif(CUDA_SKIP_REASON is None, reason="a GPU is present: the no-GPU errors cannot be seen")


# ---- parsing ------------------------------------------------------------------------------------------
def test_device_parsing():
    assert (mt.device("cpu").type, mt.device("cpu").index) == ("cpu", None)
    assert (mt.device("cuda").type, mt.device("cuda").index) == ("cuda", None)  # parses without CuPy
    assert (mt.device("cuda:1").type, mt.device("cuda:1").index) == ("cuda", 1)
    assert mt.device("cuda", 1) is mt.device("cuda:1") is mt.device(mt.device("cuda:1"))
    assert mt.device("npx:0") is mt.device("npx", 0) and str(mt.device("npx:0")) == "npx:0"
    assert repr(mt.device("cuda:1")) == "device(type='cuda', index=1)" == repr(torch.device("cuda:1"))
    assert mt.device("npx") != mt.device("cpu")


def test_unknown_device_type_lists_the_registered_ones():
    with pytest.raises(RuntimeError, match=r"unknown device type 'tpu'; registered device types: cpu, cuda, npx"):
        mt.device("tpu")
    for bad in ("cuda:x", "cuda:-1", "npx:1:2"):
        with pytest.raises(ValueError, match="index"):
            mt.device(bad)
    with pytest.raises(RuntimeError, match=r"device npx:3 does not exist: there is 1 npx device\(s\), indices 0 to 0"):
        mt.zeros(1, device="npx:3")


# ---- the registry ---------------------------------------------------------------------------------------
def test_a_lazy_backend_is_built_on_first_use_only():
    built = []

    def factory():
        built.append(1)
        return ContractBackend()

    register_backend("lazynpx", factory)
    assert mt.device("lazynpx:0").type == "lazynpx" and built == []
    x = mt.ones(2, device="lazynpx")
    y = x + mt.ones(2, device="lazynpx")
    assert built == [1] and y.device == mt.device("lazynpx:0") and y.tolist() == [2.0, 2.0]


def test_register_backend_rejects_bad_arguments():
    with pytest.raises(ValueError, match="identifier"):
        register_backend("my:dev", ContractBackend())
    with pytest.raises(TypeError, match="microtorch.backends.Backend"):
        register_backend("mydev", 3)


def test_a_registered_backend_replaces_the_cached_one():
    class Counting(ContractBackend):
        made = 0

        def asarray(self, *args, **kwargs):
            Counting.made += 1
            return super().asarray(*args, **kwargs)

    register_backend("swap", ContractBackend())
    mt.tensor([1.0], device="swap")
    register_backend("swap", Counting())
    mt.tensor([1.0], device="swap")
    assert Counting.made == 1


def test_registering_a_device_type_again_keeps_its_tensors_working():
    """Every path (recorded and unrecorded arithmetic, in-place updates, backward) finds the new backend of a
    device type registered again while tensors of it exist (the cpu device: the one without an index)."""
    from microtorch.backends import NumpyBackend, get_backend

    old = get_backend("cpu")
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([3.0, 4.0])
    try:
        register_backend("cpu", NumpyBackend())
        assert (b * 2.0 + b).tolist() == [9.0, 12.0]
        (a * b).sum().backward()
        assert a.grad.tolist() == [3.0, 4.0]
        register_backend("cpu", NumpyBackend())
        b += b
        b.mul_(0.5)
        assert b.tolist() == [3.0, 4.0]
    finally:
        register_backend("cpu", old)


# ---- mixing devices and copying ---------------------------------------------------------------------------
def test_mixing_devices_raises_naming_both():
    a, b = mt.ones(2, 2), mt.ones(2, 2, device="npx")
    for fn in (lambda: a + b, lambda: a @ b, lambda: mt.cat([a, b]), lambda: mt.where(a > 0, a, b)):
        with pytest.raises(RuntimeError, match=r"same device.*cpu and npx:0"):
            fn()
    with pytest.raises(RuntimeError, match=r"same device.*cpu and npx:0"):
        a.add_(b)
    with pytest.raises(RuntimeError, match="npx:0"):
        a[0] = b[0]
    w = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"assigned grad has data located on npx:0, expected cpu"):
        w.grad = mt.ones(2, device="npx")


def test_to_copies_between_devices_and_gradients_come_back():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to("npx")
    assert y.device == mt.device("npx:0") and y.requires_grad and y.grad_fn is not None
    assert not np.shares_memory(y._data, x._data)
    (y * y).sum().backward()
    assert x.grad.device == mt.device("cpu") and x.grad.tolist() == [2.0, 4.0, 6.0]
    h = mt.arange(4.0)
    n = h.to("npx")
    h[0] = 100.0  # the copy does not share memory with its source
    assert n.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert n.to("npx") is n and n.to(mt.device("npx", 0)) is n
    assert n.to("npx", copy=True) is not n
    assert n.cpu().device == mt.device("cpu") and n.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_to_other_tensor_and_device_with_dtype():
    other = mt.zeros(1, dtype=mt.float64, device="npx")
    x = mt.tensor([1, 2])
    y = x.to(other)
    assert (y.device, y.dtype) == (other.device, mt.float64)
    z = x.to("npx", mt.float16)
    assert (z.device, z.dtype) == (mt.device("npx:0"), mt.float16)
    w = z.to(device="cpu", dtype=mt.int32, non_blocking=True)
    assert (w.device, w.dtype, w.tolist()) == (mt.device("cpu"), mt.int32, [1, 2])


def test_only_cpu_tensors_convert_to_numpy():
    n = mt.tensor([1.0, 2.0], device="npx")
    with pytest.raises(TypeError, match=r"can't convert npx:0 device type tensor to numpy. Use Tensor.cpu\(\)"):
        n.numpy()
    with pytest.raises(TypeError, match=r"Use Tensor.cpu\(\)"):
        np.asarray(n)
    assert n.cpu().numpy().tolist() == [1.0, 2.0] and n.tolist() == [1.0, 2.0] and n[1].item() == 2.0
    c = mt.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(c), c.numpy())
    assert np.asarray(c, dtype=np.float64).dtype == np.float64


# ---- the default device ------------------------------------------------------------------------------------
def test_set_default_device_reaches_factories():
    assert mt.get_default_device() == mt.device("cpu")
    mt.set_default_device("npx")
    assert mt.get_default_device() == mt.device("npx", 0)  # the index resolved, as torch's cuda -> cuda:0
    made = [mt.zeros(2), mt.ones(2), mt.full((2,), 1.0), mt.empty(2), mt.tensor([1.0]), mt.as_tensor([1]),
            mt.arange(3), mt.linspace(0, 1, 3), mt.eye(2), mt.rand(2), mt.randn(2), mt.randint(0, 3, (2,)),
            mt.randperm(3), mt.Tensor(2, 2), mt.Tensor([1.0])]
    assert all(t.device == mt.device("npx:0") for t in made)
    assert mt.from_numpy(np.zeros(1)).device == mt.device("cpu")  # as torch: from_numpy is always cpu
    assert mt.zeros(1, device="cpu").device == mt.device("cpu")
    mt.set_default_device(None)
    assert mt.zeros(1).device == mt.device("cpu")


def test_microtorch_device_environment_variable(monkeypatch):
    monkeypatch.setenv("MICROTORCH_DEVICE", "npx")
    monkeypatch.setattr(mt._device._default, "device", None)
    assert mt.zeros(1).device == mt.device("npx:0") and mt.get_default_device() == mt.device("npx:0")
    monkeypatch.setenv("MICROTORCH_DEVICE", "tpu")
    monkeypatch.setattr(mt._device._default, "device", None)
    with pytest.raises(RuntimeError, match=r"MICROTORCH_DEVICE='tpu': unknown device type 'tpu'"):
        mt.zeros(1)


# ---- cuda without a GPU -----------------------------------------------------------------------------------
@no_gpu
def test_cuda_without_cupy_or_gpu_explains_what_is_missing():
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    mt.cuda.manual_seed(0)  # ignored without a GPU, as torch's
    mt.cuda.manual_seed_all(0)
    for ask in (lambda: mt.zeros(1, device="cuda"), lambda: mt.ones(1).cuda(), lambda: mt.ones(1).to("cuda:0"),
                lambda: mt.cuda.synchronize(), lambda: mt.set_default_device("cuda")):
        with pytest.raises(RuntimeError, match=r"(CuPy|GPU).*pip install cupy-cuda12x"):
            ask()
    assert mt.get_default_device() == mt.device("cpu")


def _fake_cupy_module(count, version="14.2.0"):
    def get_device_count():
        if isinstance(count, Exception):
            raise count
        return count

    return types.SimpleNamespace(
        __version__=version, cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=get_device_count))
    )


def test_cupy_errors_say_which_part_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy fails
    with pytest.raises(RuntimeError, match=r"needs CuPy, which is not installed.*pip install cupy-cuda12x"):
        cupy_backend.import_cupy()
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy_module(RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")))
    with pytest.raises(RuntimeError, match=r"CuPy is installed but cannot use a GPU: RuntimeError: cudaErrorNoDevice"):
        cupy_backend.import_cupy()
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy_module(0))
    with pytest.raises(RuntimeError, match="CuPy is installed but sees no GPU"):
        cupy_backend.import_cupy()
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy_module(1, version="13.6.0"))
    with pytest.raises(RuntimeError, match=r"needs CuPy 14 or newer.*found 13.6.0"):
        cupy_backend.import_cupy()


# ---- DLPack --------------------------------------------------------------------------------------------------
def test_dlpack_with_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = mt.from_dlpack(a)
    assert (t.dtype, t.shape, t.device) == (mt.float32, (2, 3), mt.device("cpu"))
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    b = np.from_dlpack(t)
    b[1, 2] = -1.0
    assert t[1, 2].item() == -1.0 and a[1, 2] == -1.0
    assert t.__dlpack_device__() == (1, 0)
    view = mt.arange(10, dtype=mt.int64)[::3]  # strided views travel with their strides
    assert np.from_dlpack(view).tolist() == [0, 3, 6, 9]


def test_dlpack_with_torch_shares_memory_both_ways():
    tt = torch.arange(4, dtype=torch.float64)
    m = mt.from_dlpack(tt)
    tt[0] = 10.0
    assert (m.dtype, m.tolist()) == (mt.float64, [10.0, 1.0, 2.0, 3.0])
    back = torch.from_dlpack(mt.tensor([[1, 2], [3, 4]]))
    assert back.dtype == torch.int64 and back.tolist() == [[1, 2], [3, 4]]
    src = mt.zeros(3)
    shared = torch.from_dlpack(src)
    shared[1] = 5.0
    assert src.tolist() == [0.0, 5.0, 0.0]


def test_dlpack_refuses_what_it_cannot_share():
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient, use tensor.detach()"):
        np.from_dlpack(mt.ones(2, requires_grad=True))
    assert np.from_dlpack(mt.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="__dlpack__"):
        mt.from_dlpack([1, 2])


def test_dlpack_from_a_registered_host_device_lands_on_cpu():
    n = mt.tensor([1.0, 2.0], device="npx")
    c = mt.from_dlpack(n)
    assert c.device == mt.device("cpu") and c.tolist() == [1.0, 2.0]


# ---- random numbers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("device", ["cpu", "npx"])
def test_float16_uniform_samples_stay_below_one(device):
    """float32 samples in [1 - 2**-12, 1) would round up to 1.0 in float16; torch's never reach 1."""
    u = mt.rand(200000, dtype=mt.float16, device=device)
    assert u.dtype == mt.float16 and u.min().item() >= 0.0 and u.max().item() < 1.0
    assert abs(u.double().mean().item() - 0.5) < 0.01
