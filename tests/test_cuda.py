"""The real CuPy backend on a GPU (skipped with a reason elsewhere; run tests/gpu_check.sh on a GPU machine).

The op table runs on cuda through tests/test_ops_property.py; this file covers what
is specific to CuPy: memory, DLPack, random dtypes, scatter-add dtypes, several GPUs.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import microtorch as mt
from conftest import CUDA_SKIP_REASON

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(CUDA_SKIP_REASON is not None, reason=str(CUDA_SKIP_REASON))]

two_gpus = pytest.mark.skipif(CUDA_SKIP_REASON is not None or mt.cuda.device_count() < 2, reason="needs two GPUs")


def test_cuda_module():
    assert mt.cuda.is_available() and mt.cuda.device_count() >= 1
    assert 0 <= mt.cuda.current_device() < mt.cuda.device_count()
    assert mt.zeros(1, device="cuda").device == mt.device("cuda", mt.cuda.current_device())
    mt.cuda.empty_cache()
    before = mt.cuda.memory_allocated()
    x = mt.empty(1 << 20, dtype=mt.float32, device="cuda")  # 4 MiB
    mt.cuda.synchronize()
    assert mt.cuda.memory_allocated() - before >= 4 << 20
    assert mt.cuda.memory_reserved() >= mt.cuda.memory_allocated()
    del x


def test_cuda_tensors_do_not_convert_to_numpy_implicitly():
    x = mt.ones(2, device="cuda")
    assert x.is_cuda and type(x._data).__module__.startswith("cupy")
    with pytest.raises(TypeError, match=r"can't convert cuda:\d device type tensor to numpy. Use Tensor.cpu\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match=r"Use Tensor.cpu\(\)"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0] and x.tolist() == [1.0, 1.0] and x.sum().item() == 2.0


def test_copies_and_gradients_between_host_and_gpu():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert y.is_cuda and y.cuda() is y
    (y * y).sum().backward()
    assert x.grad.device == mt.device("cpu") and x.grad.tolist() == [2.0, 4.0, 6.0]
    z = mt.arange(6.0, device="cuda").reshape(2, 3).t()  # non-contiguous
    assert z.cpu().tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    with pytest.raises(RuntimeError, match=r"same device.*cuda:\d and cpu"):
        y + x


def test_dlpack_with_cupy_shares_memory_both_ways():
    import cupy

    a = cupy.arange(4, dtype=cupy.float32)
    t = mt.from_dlpack(a)
    assert t.is_cuda and t.dtype == mt.float32
    a[0] = 9.0
    assert t[0].item() == 9.0
    b = cupy.from_dlpack(t)
    b[1] = -1.0
    assert t.tolist() == [9.0, -1.0, 2.0, 3.0]
    assert t.__dlpack_device__()[0] == 2  # kDLCUDA


@pytest.mark.parametrize("dtype", [mt.float16, mt.float32, mt.float64])
def test_random_numbers_in_every_float_dtype(dtype):
    mt.manual_seed(1)
    u = mt.rand(10000, dtype=dtype, device="cuda")
    n = mt.randn(10000, dtype=dtype, device="cuda")
    assert u.dtype == n.dtype == dtype
    assert 0.0 <= u.min().item() and u.max().item() < 1.0 and abs(u.double().mean().item() - 0.5) < 0.02
    assert abs(n.double().mean().item()) < 0.05 and abs(n.double().std().item() - 1.0) < 0.05
    mt.manual_seed(1)
    assert mt.rand(10000, dtype=dtype, device="cuda").tolist() == u.tolist()
    r = mt.randint(3, 7, (1000,), device="cuda")
    assert r.dtype == mt.int64 and r.min().item() >= 3 and r.max().item() <= 6
    assert sorted(mt.randperm(50, device="cuda").tolist()) == list(range(50))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_scatter_add_sums_repeated_indices(dtype):
    idx = [0, 2, 2, 2, 1]
    x = mt.ones(4, 3, dtype=getattr(mt, dtype), device="cuda", requires_grad=True)
    t = torch.ones(4, 3, dtype=getattr(torch, dtype), requires_grad=True)
    x[mt.tensor(idx, device="cuda")].sum().backward()
    t[torch.tensor(idx)].sum().backward()
    assert x.grad.dtype == getattr(mt, dtype)
    np.testing.assert_array_equal(x.grad.cpu().numpy(), t.grad.numpy())


def test_in_place_updates_refuse_expanded_views():
    x = mt.ones(1, 3, device="cuda").expand(2, 3)
    with pytest.raises(RuntimeError, match="expanded view"):
        x.add_(1.0)
    w = mt.ones(3, device="cuda")
    with mt.no_grad():
        w -= 0.5
        w[0] = 2.0
    assert w.tolist() == [2.0, 0.5, 0.5]


def test_default_device_cuda():
    mt.set_default_device("cuda")
    assert mt.randn(2).is_cuda and mt.tensor([1.0]).is_cuda and mt.arange(3).is_cuda


@two_gpus
def test_tensors_on_the_second_gpu_compute_there():
    x = mt.randn(64, 64, device="cuda:1", requires_grad=True)
    y = (x @ x).relu().sum()
    y.backward()
    assert x._data.device.id == 1 and x.grad._data.device.id == 1 and mt.cuda.current_device() == 0
    with mt.no_grad():
        x -= 0.1 * x.grad
    assert x._data.device.id == 1
    on0 = x.to("cuda:0")
    assert on0._data.device.id == 0 and on0.cpu().tolist() == x.cpu().tolist()
    assert x.t().to("cuda:0").cpu().tolist() == x.t().cpu().tolist()
    with pytest.raises(RuntimeError, match="cuda:1 and cuda:0"):
        x + on0
    assert mt.rand(3, device="cuda:1")._data.device.id == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="this torch build has no CUDA")
def test_dlpack_with_torch_on_the_gpu_shares_memory_both_ways():
    tt = torch.arange(4, dtype=torch.float32, device="cuda")
    m = mt.from_dlpack(tt)
    assert m.is_cuda and m.device.index == tt.device.index
    tt[0] = 7.0
    torch.cuda.synchronize()
    assert m[0].item() == 7.0
    back = torch.from_dlpack(m)
    assert back.is_cuda
    back[1] = -2.0
    torch.cuda.synchronize()
    assert m.tolist() == [7.0, -2.0, 2.0, 3.0]
