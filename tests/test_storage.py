"""Storages (``Tensor.untyped_storage``, ``Tensor.storage``, ``UntypedStorage``, ``TypedStorage``, ``is_storage``):
what a program sees, checked against torch: sizes, shared addresses, bytes and elements, writes through a
storage, copies, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import microtorch as mt


def _views(lib):
    """(root, view) pairs: a slice, a strided slice, a transpose, an expand, a reshape, a 0-d element."""
    x = lib.arange(24, dtype=lib.float32).reshape(4, 6)
    return [(x, x[1:, ::2]), (x, x.t()), (x, x[0].expand(3, 6)), (x, x.reshape(6, 4)), (x, x[2, 3])]


def test_views_share_their_roots_storage_as_torch():
    """A view's storage is its root's: the same first address and byte count, in both libraries."""
    results = []
    for lib in (mt, torch):
        got = []
        for root, view in _views(lib):
            s = view.untyped_storage()
            got.append((s.nbytes(), s.size(), len(s), s.element_size(), s.data_ptr() == root.data_ptr(),
                        view.data_ptr() - s.data_ptr(), str(s.device), s.is_shared(), s.is_pinned(), s.is_cuda))
        results.append(got)
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", ["float64", "int16", "bool", "complex64", "uint8"])
def test_bytes_and_elements_as_torch(dtype):
    """The bytes (native order) and the typed elements equal torch's; repr as torch's."""
    values = np.array([3, -1, 0, 2, 7]).astype(dtype)
    ours = mt.tensor(values)
    theirs = torch.tensor(values)
    assert ours.untyped_storage().tolist() == theirs.untyped_storage().tolist()
    assert list(ours.untyped_storage()) == list(theirs.untyped_storage())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed, typed_torch = ours.storage(), theirs.storage()
    assert typed.tolist() == typed_torch.tolist()
    assert (typed.size(), len(typed), typed.nbytes(), typed.element_size(), typed[-1], typed[0]) == \
        (typed_torch.size(), len(typed_torch), typed_torch.nbytes(), typed_torch.element_size(), typed_torch[-1],
         typed_torch[0])
    assert repr(ours.untyped_storage()) == repr(theirs.untyped_storage())
    assert repr(typed).replace("microtorch.", "torch.") == repr(typed_torch)


def test_numpy_roots_span_what_they_view_as_torch():
    """from_numpy shares the array's memory: the storage spans the elements it views (a slice, a strided block)."""
    base = np.arange(24.0).reshape(4, 6)
    for array in (base[1:3], base[:, 1:4], base[::2, ::3]):
        assert mt.from_numpy(array).untyped_storage().nbytes() == torch.from_numpy(array).untyped_storage().nbytes()
        assert mt.from_numpy(array).untyped_storage().data_ptr() == array.__array_interface__["data"][0]


def test_writes_through_a_storage_reach_the_tensors_and_clones_do_not():
    results = []
    for lib in (mt, torch):
        x = lib.zeros(2, 3, dtype=lib.int16)
        view = x[1]
        storage = view.untyped_storage()
        storage[2] = 1  # the low byte of element 1 (little-endian)
        storage[5] = 300  # torch keeps the low byte: 44, the high byte of the last element
        copy = storage.clone()
        copy[0] = 5
        other = lib.UntypedStorage(storage.nbytes()).fill_(2)
        y = lib.zeros(2, 3, dtype=lib.int16)
        y.untyped_storage().copy_(other)
        results.append((x.tolist(), copy.tolist()[:3], y.tolist(), lib.UntypedStorage([1, 2, 255]).tolist(),
                        storage.cpu() is storage, storage.untyped() is storage))
    assert results[0] == results[1]


def test_typed_storage_warns_once_as_torch(monkeypatch):
    """``Tensor.storage`` is deprecated: torch's UserWarning, once per process."""
    import microtorch.storage as storage_module

    monkeypatch.setattr(storage_module, "_warned_typed_storage", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mt.ones(2).storage()
        mt.ones(2).storage()
    assert len(caught) == 1 and str(caught[0].message).startswith("TypedStorage is deprecated. It will be removed")


def test_is_storage_as_torch():
    for lib in (mt, torch):
        x = lib.ones(2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            typed = x.storage()
        assert [lib.is_storage(o) for o in (x.untyped_storage(), typed, x, [1], None)] == [True, True, False, False, False]


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3, dtype=lib.int16).untyped_storage()[6],
    lambda lib: lib.ones(3, dtype=lib.int16).untyped_storage()[-7],
    lambda lib: lib.ones(3, dtype=lib.int16).untyped_storage()["a"],
    lambda lib: lib.ones(3).untyped_storage().copy_(lib.ones(2).untyped_storage()),
    lambda lib: lib.ones(3).untyped_storage().copy_(3),
    lambda lib: lib.ones(3, dtype=lib.int16).storage()[3],
    lambda lib: lib.ones(3, dtype=lib.int16).storage()[-4],
    lambda lib: lib.from_numpy(np.arange(4.0)[::-1]),
])
def test_bad_calls_raise_as_torch(call):
    errors = []
    for lib in (torch, mt):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                call(lib)
        errors.append((type(info.value), str(info.value).replace("torch.Storage", "Storage")))
    assert errors[0][0] == errors[1][0]
    assert errors[0][1] == errors[1][1]


def test_storage_assignment_from_the_end_is_refused_as_torch():
    for lib in (torch, mt):
        with pytest.raises(RuntimeError, match="out of bounds"):
            lib.ones(3, dtype=lib.int16).untyped_storage()[-1] = 0


def test_storages_cannot_be_resized():
    from microtorch._unsupported import UnsupportedError

    with pytest.raises(UnsupportedError, match="cannot be resized"):
        mt.ones(3).untyped_storage().resize_(0)


def test_device_storages_move_and_share(device):
    """On every device the suite runs: the storage is the device memory (its address is the tensor's root's),
    ``cpu()`` copies it to the host."""
    x = mt.arange(6, dtype=mt.int16, device=device)
    storage = x[2:].untyped_storage()
    assert storage.data_ptr() == x.data_ptr() and storage.device == x.device and storage.nbytes() == 12
    host = storage.cpu()
    assert host.device.type == "cpu" and host.tolist() == mt.arange(6, dtype=mt.int16).untyped_storage().tolist()
    assert (host is storage) == (x.device.type == "cpu")
