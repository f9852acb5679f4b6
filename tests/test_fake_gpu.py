"""The CuPy backend's code on two fake GPUs (tests/fake_cupy.py), so CI checks it without a GPU.

``CupyBackend`` is built on a NumPy stand-in for CuPy that raises whenever a kernel
touches an array living on a device other than the current one (CuPy's rule). Tensors
on ``fakecuda:1`` are used while device 0 is current: every op, backward, in-place
update, factory and copy must switch to the tensor's device, and switch back.
What this cannot check is CuPy itself (its numerics and dtype rules): that needs a GPU
(``tests/gpu_check.sh``).
"""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import fake_cupy
import microtorch as mt
import test_ops_property as property_suite
from microtorch.backends import CupyBackend, register_backend
from op_table import OPS


def _fake_cuda_backend() -> CupyBackend:
    # cupyx.scipy.special is SciPy's: its ufuncs run on the fake arrays, which check the device
    import scipy.special

    cupyx = types.ModuleType("cupyx")
    cupyx.scipy = types.ModuleType("cupyx.scipy")
    cupyx.scipy.special = scipy.special
    fakes = {"cupy": fake_cupy.make(), "cupyx": cupyx, "cupyx.scipy": cupyx.scipy, "cupyx.scipy.special": scipy.special}
    missing = object()
    saved = {name: sys.modules.get(name, missing) for name in fakes}
    sys.modules.update(fakes)
    try:
        return CupyBackend()
    finally:
        for name, module in saved.items():
            if module is missing:
                del sys.modules[name]
            else:
                sys.modules[name] = module


register_backend("fakecuda", _fake_cuda_backend())
GPU1 = "fakecuda:1"


@pytest.fixture(autouse=True)
def _device_0_is_current():
    assert fake_cupy.current_device() == 0
    yield
    assert fake_cupy.current_device() == 0, "a device switch was not undone"


def _on(t, index: int) -> None:
    assert t.device == mt.device("fakecuda", index) and t._data._dev == index


@pytest.mark.parametrize("spec", OPS, ids=lambda s: s.name)
@settings(max_examples=2)
@given(data=st.data())
def test_every_op_runs_on_the_second_gpu(spec, data):
    """The op table's property test (values and gradients against torch) on fakecuda:1."""
    dtype = "float32" if "float32" in spec.dtypes else spec.dtypes[0]
    property_suite.test_op_matches_torch.hypothesis.inner_test(spec, dtype, GPU1, data)


def test_factories_allocate_on_the_tensors_gpu():
    made = [
        mt.zeros(2, 3, device=GPU1), mt.ones(2, device=GPU1), mt.full((2,), 3.0, device=GPU1),
        mt.empty(2, device=GPU1), mt.arange(5, device=GPU1), mt.linspace(0, 1, 4, device=GPU1),
        mt.logspace(0, 1, 4, device=GPU1), mt.eye(3, device=GPU1), mt.tensor([1.0, 2.0], device=GPU1),
        mt.as_tensor([1, 2], dtype=mt.float64, device=GPU1), mt.rand(3, device=GPU1), mt.randn(3, device=GPU1),
        mt.randint(0, 5, (4,), device=GPU1), mt.randperm(6, device=GPU1),
        mt.rand(3, dtype=mt.float16, device=GPU1), mt.randn(3, dtype=mt.float16, device=GPU1),
    ]
    for t in made:
        _on(t, 1)
    assert mt.rand(20000, dtype=mt.float16, device=GPU1).max().item() < 1.0
    assert mt.randn(3, dtype=mt.float16, device=GPU1).dtype == mt.float16
    g = mt.Generator(GPU1).manual_seed(3)
    _on(mt.rand(2, generator=g, device=GPU1), 1)
    _on(mt.multinomial(mt.tensor([0.2, 0.8], device=GPU1), 4, replacement=True), 1)
    _on(mt.multinomial(mt.tensor([0.2, 0.5, 0.3], device=GPU1), 2), 1)


def test_per_device_generators_are_seeded_alike():
    mt.manual_seed(7)
    a = mt.rand(4, device="fakecuda:0")
    b = mt.rand(4, device=GPU1)
    mt.manual_seed(7)
    assert mt.rand(4, device="fakecuda:0").tolist() == a.tolist()
    assert mt.rand(4, device=GPU1).tolist() == b.tolist() == a.tolist()


def test_backward_in_place_updates_and_indexing_stay_on_the_gpu():
    w = mt.randn(4, 3, device=GPU1, requires_grad=True)
    idx = mt.tensor([0, 2, 2], device=GPU1)
    loss = (w[idx] * 2).sum() + w.gather(1, mt.zeros(4, 1, dtype=mt.int64, device=GPU1)).sum()
    loss.backward()
    _on(w.grad, 1)
    expected = np.zeros((4, 3))
    np.add.at(expected, [0, 2, 2], 2.0)  # repeated indices add up (scatter-add)
    expected[:, 0] += 1
    np.testing.assert_allclose(w.grad.cpu().numpy(), expected)
    with mt.no_grad():  # what an optimizer step does
        w -= 0.1 * w.grad
        w.mul_(0.5)
        w[0] = 1.0
        w.fill_(2.0)
        w.copy_(mt.ones(4, 3))  # copy_ may cross devices, as torch's
        w.uniform_(0, 1)
        w.normal_()
    _on(w, 1)
    x = mt.tensor([0.0, 1.0, 2.0], device=GPU1)
    for t in mt.nonzero(x), mt.where(x > 0)[0], mt.einsum("ii->i", mt.eye(2, device=GPU1)):
        _on(t, 1)


def test_recorded_copy_into_a_tensor_on_the_second_gpu():
    src = mt.randn(2, 3, device=GPU1, requires_grad=True)
    x = mt.zeros(2, 3, device=GPU1, requires_grad=True)
    y = x.clone()
    y.copy_(src)  # recorded: x keeps a zero gradient, src gets the upstream one
    y.sum().backward()
    _on(y, 1)
    assert x.grad.tolist() == [[0.0] * 3] * 2 and src.grad.tolist() == [[1.0] * 3] * 2


@pytest.mark.parametrize("dtype", [mt.float16, mt.float32, mt.float64])
def test_scatter_add_backward_in_every_float_dtype(dtype):
    x = mt.ones(3, dtype=dtype, device=GPU1, requires_grad=True)
    x[mt.tensor([1, 1, 0], device=GPU1)].sum().backward()
    assert x.grad.dtype == dtype and x.grad.tolist() == [1.0, 2.0, 0.0]


def test_copies_between_gpus_and_the_host():
    x = mt.arange(12.0, device=GPU1).reshape(3, 4).requires_grad_()
    on0 = x.to("fakecuda:0")
    _on(on0, 0)
    back = on0.t().to(GPU1)  # a non-contiguous copy between devices
    _on(back, 1)
    assert back.tolist() == x.detach().t().tolist()
    (on0.cpu() * 3).sum().backward()  # the gradient travels back through both copies
    _on(x.grad, 1)
    assert x.grad.tolist() == [[3.0] * 4] * 3
    h = mt.tensor([1.5, 2.5]).to(GPU1)
    _on(h, 1)
    assert h.cpu().tolist() == [1.5, 2.5] and h.to(mt.device("fakecuda", 1)) is h


def test_copies_checks_and_masked_fill_stay_on_the_gpu():
    import copy
    import pickle

    w = mt.nn.Parameter(mt.randn(2, 3, device=GPU1))
    (w * 2).sum().backward()
    for copied, original in ((copy.deepcopy(w), w), (copy.deepcopy(w.grad), w.grad), (pickle.loads(pickle.dumps(w)), w)):
        _on(copied, 1)
        assert copied.tolist() == original.tolist()
    v = mt.tensor(5.0, device=GPU1, requires_grad=True)
    filled = w.masked_fill(mt.tensor([True, False, True], device=GPU1), v)
    filled.sum().backward()
    _on(filled, 1)
    assert v.grad.item() == 4.0
    x = mt.tensor([5, -7], device=GPU1)
    with pytest.raises(ZeroDivisionError):
        x // mt.tensor([1, 0], device=GPU1)
    assert x.div(mt.tensor([2, 2], device=GPU1), rounding_mode="trunc").tolist() == [2, -3]
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[0:1] = mt.tensor([1, 2, 3], device=GPU1)


def test_mixing_gpus_raises_naming_both():
    with pytest.raises(RuntimeError, match=r"fakecuda:1 and fakecuda:0"):
        mt.ones(2, device=GPU1) + mt.ones(2, device="fakecuda:0")


def test_expanded_views_refuse_in_place_writes_without_a_writeable_flag():
    x = mt.ones(1, 3, device=GPU1).expand(2, 3)
    with pytest.raises(RuntimeError, match="expanded view"):
        x.add_(1.0)


def test_default_device_reaches_every_factory():
    mt.set_default_device(GPU1)
    assert mt.get_default_device() == mt.device(GPU1)
    for t in mt.zeros(2), mt.tensor([1.0]), mt.randn(2), mt.arange(3), mt.Tensor(2, 2):
        _on(t, 1)


def test_unknown_gpu_index_is_refused():
    with pytest.raises(RuntimeError, match=r"device fakecuda:2 does not exist: there are 2 fakecuda device"):
        mt.zeros(1, device="fakecuda:2")


def test_memory_statistics_and_synchronize():
    backend = mt.device(GPU1).backend
    backend.synchronize(1)
    stats = backend.memory_stats(1)
    assert set(stats) == {"allocated_bytes", "reserved_bytes"}


def test_values_match_torch_after_a_round_trip():
    t = torch.randn(3, 5, dtype=torch.float64)
    m = mt.tensor(t.numpy(), device=GPU1)
    np.testing.assert_allclose(m.softmax(-1).cpu().numpy(), t.softmax(-1).numpy(), rtol=1e-12)


@pytest.fixture
def fake_cuda():
    """The fake backend standing in for CuPy under the device type "cuda" itself."""
    original = mt.backends._REGISTRY["cuda"]
    register_backend("cuda", mt.device(GPU1).backend)
    yield
    fake_cupy.set_current_device(0)
    register_backend("cuda", original)


def test_microtorch_cuda_module(fake_cuda):
    assert mt.cuda.is_available() and mt.cuda.device_count() == 2 and mt.cuda.current_device() == 0
    x = mt.ones(2).cuda()
    assert x.device == mt.device("cuda:0") and x.is_cuda and mt.ones(2).cuda(1).device == mt.device("cuda:1")
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match=r"Use Tensor.cpu\(\)"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0]
    mt.cuda.synchronize()
    mt.cuda.synchronize("cuda:1")
    assert isinstance(mt.cuda.memory_allocated(), int) and isinstance(mt.cuda.memory_reserved(1), int)
    mt.cuda.empty_cache()

    mt.cuda.manual_seed_all(5)
    a0, a1 = mt.rand(3, device="cuda:0"), mt.rand(3, device="cuda:1")
    mt.cuda.manual_seed(5)  # the current device (0) only
    assert mt.rand(3, device="cuda:0").tolist() == a0.tolist()
    assert mt.rand(3, device="cuda:1").tolist() != a1.tolist()

    mt.cuda.set_device(1)
    assert mt.cuda.current_device() == 1 and mt.zeros(1, device="cuda").device == mt.device("cuda:1")
    with pytest.raises(RuntimeError, match="invalid device index 2"):
        mt.cuda.set_device(2)
    with pytest.raises(ValueError, match="expected a cuda device, got cpu"):
        mt.cuda.synchronize("cpu")


def test_recurrent_and_transformer_layers_stay_on_the_second_gpu():
    """Packing, a packed bidirectional LSTM with an initial state, and a masked Transformer on fakecuda:1 give
    the CPU's values and gradients (their index tensors, zeros and masks are made on the GPU)."""
    results = {}
    for device in ("cpu", GPU1):
        mt.manual_seed(0)
        lstm = mt.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2).double().to(device)
        model = mt.nn.Transformer(4, 2, 1, 1, 8, dropout=0.0, batch_first=True).double().to(device)
        x = mt.tensor(np.linspace(-1, 1, 30).reshape(5, 2, 3), device=device, requires_grad=True)
        packed = mt.nn.utils.rnn.pack_padded_sequence(x, [3, 5], enforce_sorted=False)
        h0 = mt.zeros(4, 2, 2, dtype=mt.float64, device=device)
        c0 = mt.ones(4, 2, 4, dtype=mt.float64, device=device)
        out, (h, c) = lstm(packed, (h0, c0))
        padded, _ = mt.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        src = padded  # (2, 5, 2 directions x proj_size 2)
        padding = mt.tensor([[False, False, False, True, True], [False] * 5], device=device)
        y = model(src, src[:, :3], tgt_mask=model.generate_square_subsequent_mask(3, device=device, dtype=mt.float64),
                  src_key_padding_mask=padding)
        (y.sum() + h.sum() + c.sum()).backward()
        if device != "cpu":
            _on(y, 1)
            _on(x.grad, 1)
        results[device] = (y.detach().cpu().numpy(), x.grad.cpu().numpy())
    for a, b in zip(results["cpu"], results[GPU1]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_a_view_of_a_copy_is_a_view_on_the_fake_gpu():
    """A CuPy-like array's base can be a chain (NumPy collapses bases only within one array type): a view of a
    copy (``x.T.contiguous().view(4)``) must still be known as a view, as it is on the CPU."""
    for device in ("cpu", GPU1):
        x = mt.arange(4.0, device=device).reshape(2, 2).T.contiguous()
        flat = x.view(4)
        flat[0] = 10.0
        assert x[0, 0].item() == 10.0 and flat._base is x


def test_deterministic_mode_adds_each_cells_values_in_order():
    """With use_deterministic_algorithms(True) the cuda backend's floating scatter-adds (CuPy's atomic adds) run in
    ordered rounds: every key form (int arrays with repeats and negatives, slices with arrays, index_add along a
    later dim, embedding's backward) gives torch's values, and the ordered route is the one taken."""
    backend = mt.backends.get_backend("fakecuda")
    taken = []
    ordered = backend._scatter_add_in_order
    backend._scatter_add_in_order = lambda *a: (taken.append(1), ordered(*a))
    results = {}
    try:
        for lib, device in ((torch, "cpu"), (mt, GPU1)):
            lib.use_deterministic_algorithms(True)
            w = lib.tensor(np.linspace(-1, 1, 24).reshape(6, 4), device=device, requires_grad=True)
            idx = lib.tensor([0, 2, 2, -1, 0, 5], device=device)
            rows = lib.tensor([[1, 1], [3, 1]], device=device)
            picked = (w[idx] * 2).sum() + w[:, [1, 1, 3]].sum() + w[rows, 2:].pow(2).sum()
            embedded = lib.nn.functional.embedding(lib.tensor([[1, 4, 1], [4, 4, 0]], device=device), w)
            (picked + embedded.sum()).backward()
            added = lib.zeros(3, 5, device=device, dtype=w.dtype).index_add(
                1, lib.tensor([4, 0, 4], device=device), lib.ones(3, 3, device=device, dtype=w.dtype))
            results[lib.__name__] = (w.grad.cpu().numpy(), added.cpu().numpy())
            lib.use_deterministic_algorithms(False)
    finally:
        backend._scatter_add_in_order = ordered
        mt.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)
    assert taken, "the ordered scatter-add was not used"
    for got, want in zip(results["microtorch"], results["torch"]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_gpus_default_generator_is_seeded_alone_and_reports_no_state():
    """The wrapper ``cuda.get_rng_state`` uses, on the second GPU: ``manual_seed`` reseeds that device's generator
    only, and a CuPy-style generator without a readable state is refused by name (not an AttributeError)."""
    from microtorch._creation import _DefaultGenerator
    from microtorch._unsupported import UnsupportedError

    generator = _DefaultGenerator(mt.device("fakecuda", 1))
    first = (generator.manual_seed(4), mt.rand(3, device=GPU1))[1]
    generator.manual_seed(4)
    assert bool((mt.rand(3, device=GPU1) == first).all()) and generator.initial_seed() == 4
    with pytest.raises(UnsupportedError, match="do not report their state"):
        generator.get_state()


def test_storages_on_the_second_gpu():
    """A storage of a tensor on fakecuda:1 is its device memory; writes through it reach the tensor; cpu() copies."""
    x = mt.zeros(4, dtype=mt.int16, device=GPU1)
    storage = x[1:].untyped_storage()
    assert storage.device == x.device and storage.data_ptr() == x.data_ptr() and storage.nbytes() == 8
    storage[2] = 7
    assert x.cpu().tolist() == [0, 7, 0, 0]
    assert storage.cpu().tolist() == [0, 0, 7, 0, 0, 0, 0, 0] and storage.cpu().device.type == "cpu"

