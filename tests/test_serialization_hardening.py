"""Checkpoints under stress: saving over files (permissions, symlinks, crashes, stale temporaries), hostile
files (each a clear error, in bounded memory), load_state_dict all-or-nothing, mmap."""
from __future__ import annotations

import io
import json
import os
import pickle
import signal
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch import serialization

POSIX = os.name == "posix"


# ---- saving over files ---------------------------------------------------------------------------------
@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_saving_over_a_file_keeps_its_permissions_as_torch(tmp_path):
    modes = {}
    for lib in (torch, mt):
        path = tmp_path / f"{lib.__name__}.ckpt"
        path.write_bytes(b"old")
        os.chmod(path, 0o600)
        lib.save({"w": lib.ones(2)}, path)
        modes[lib.__name__] = stat.S_IMODE(os.stat(path).st_mode)
    assert modes == {"torch": 0o600, "microtorch": 0o600}


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_saving_through_a_symlink_writes_the_file_it_points_to_as_torch(tmp_path):
    for lib in (torch, mt):
        target, link = tmp_path / f"{lib.__name__}-target", tmp_path / f"{lib.__name__}-link"
        target.write_bytes(b"old")
        link.symlink_to(target.name)
        lib.save({"w": lib.arange(3)}, link)
        assert link.is_symlink() and os.readlink(link) == target.name
        assert lib.load(target)["w"].tolist() == [0, 1, 2]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_of_dead_saves_are_removed_and_live_ones_kept(tmp_path):
    path = tmp_path / "ckpt.mt"
    stale = tmp_path / f".ckpt.mt.{_dead_pid()}-0123456789ab.tmp"
    live = tmp_path / f".ckpt.mt.{os.getppid()}-0123456789ab.tmp"  # a running process's save in progress
    other = tmp_path / f".other.mt.{_dead_pid()}-0123456789ab.tmp"  # another checkpoint's
    for p in (stale, live, other):
        p.write_bytes(b"partial")
    mt.save({"w": mt.ones(1)}, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.mt", live.name, other.name])


def _save_forever_in_a_child(path) -> int:
    """Fork a child that saves a 4 MiB checkpoint to ``path`` in a loop; returns once it is saving."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest teardown, no return
        try:
            state = {"w": mt.arange(1 << 20, dtype=mt.float32), "step": 0}
            os.write(ready_write, b"x")
            while True:
                state["step"] += 1
                mt.save(state, path)
        finally:
            os._exit(0)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"x"
    os.close(ready_read)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork and SIGKILL")
def test_killing_saves_midway_leaves_a_loadable_checkpoint_and_at_most_one_temporary(tmp_path):
    """A process saving a 4 MiB checkpoint in a loop is SIGKILLed at varied moments, 20 times."""
    path = tmp_path / "ckpt.mt"
    mt.save({"w": mt.arange(1 << 20, dtype=mt.float32), "step": 0}, path)
    leftovers = []
    for kill in range(20):
        pid = _save_forever_in_a_child(path)
        time.sleep(0.002 + 0.004 * kill)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        leftovers.append(len([n for n in os.listdir(tmp_path) if n.endswith(".tmp")]))
        loaded = mt.load(path)
        assert loaded["w"].shape == (1 << 20,) and isinstance(loaded["step"], int)
    assert max(leftovers) <= 1, leftovers
    mt.save({"w": mt.ones(1)}, path)
    assert os.listdir(tmp_path) == ["ckpt.mt"]


# ---- hostile files ----------------------------------------------------------------------------------------
def _archive(entries: dict, compression: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data, compress_type=(compression or {}).get(name, zipfile.ZIP_STORED))
    return buffer.getvalue()


def _structure(obj) -> bytes:
    return json.dumps({"format": "microtorch", "version": 1, "object": obj}).encode()


def _tensor_node(entry="data/0.npy", dtype="float32") -> dict:
    return {"$": "tensor", "data": entry, "dtype": dtype, "device": "cpu", "requires_grad": False}


def _npy(shape_text: str, data: bytes = b"", descr: str = "<f4") -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def _deflate_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("microtorch.json", _structure(_tensor_node()))
        with zf.open(zipfile.ZipInfo("data/0.npy"), "w") as entry:
            pass
    info = zipfile.ZipInfo("data/0.npy")
    info.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("microtorch.json", _structure(_tensor_node()))
        with zf.open(info, "w") as entry:
            entry.write(_npy(f"({64 << 18},)"))
            zeros = bytes(1 << 20)
            for _ in range(64):  # 64 MiB of zeros deflate to about 64 KiB
                entry.write(zeros)
    return buffer.getvalue()


def _unknown_compression() -> bytes:
    data = bytearray(_archive({"microtorch.json": _structure(_tensor_node()), "data/0.npy": _npy("(1,)", bytes(4))}))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local and central headers' method
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset:start + offset + 2] = struct.pack("<H", 99)
            start += 4
    return bytes(data)


def _huge_declared_structure() -> bytes:
    data = bytearray(_archive({"microtorch.json": _structure(None)}))
    central = data.find(b"PK\x01\x02")
    data[central + 20:central + 28] = struct.pack("<II", 2**32 - 2, 2**32 - 2)  # compressed and real sizes
    return bytes(data)


def _safetensors(header: dict | bytes, data: bytes = b"", length: int | None = None) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def _torch_zip(pickled: bytes, records: dict | None = None, compress_pickle: bool = False) -> bytes:
    entries = {"archive/data.pkl": pickled, "archive/byteorder": b"little", **(records or {})}
    return _archive(entries, {"archive/data.pkl": zipfile.ZIP_DEFLATED} if compress_pickle else None)


def _torch_tensor_pickle(numel: int, size: tuple, stride: tuple, offset: int = 0) -> bytes:
    return (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
            b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu" + pickle.dumps(numel, 2)[2:-1] + b"tQ"
            + pickle.dumps(offset, 2)[2:-1] + pickle.dumps(size, 2)[2:-1] + pickle.dumps(stride, 2)[2:-1]
            + b"\x89ccollections\nOrderedDict\n)RtR.")


HOSTILE = {
    "deflate bomb (64 MiB of zeros in 64 KiB)": (_deflate_bomb, "stores data/0.npy compressed \\(deflate\\)"),
    "unknown compression method": (_unknown_compression, "compressed \\(unknown method 99\\)"),
    "structure declaring 4 GiB": (_huge_declared_structure, "microtorch.json|declares"),
    "JSON nested 100 000 deep": (lambda: _archive({"microtorch.json": b'{"format":"microtorch","version":1,"object":'
                                                   + b"[" * 100_000 + b"]" * 100_000 + b"}"}), "nested more than 100"),
    "JSON nested 500 deep": (lambda: _archive({"microtorch.json": _structure(json.loads("[" * 500 + "]" * 500))}),
                             "nested more than 100"),
    "shape 10**400": (lambda: _archive({"microtorch.json": _structure(_tensor_node()),
                                        "data/0.npy": _npy("(10**400,)".replace("10**400", str(10**400)))}),
                      "declares shape .* bytes\\) but its entry holds 0 bytes"),
    "shape 2**60": (lambda: _archive({"microtorch.json": _structure(_tensor_node()),
                                      "data/0.npy": _npy(f"({2**60},)", bytes(8))}), "declares shape"),
    "negative shape": (lambda: _archive({"microtorch.json": _structure(_tensor_node()),
                                         "data/0.npy": _npy("(-1,)")}), "negative size"),
    "one entry, two dtypes": (lambda: _archive({"microtorch.json": _structure([_tensor_node(), _tensor_node(dtype="int32")]),
                                                "data/0.npy": _npy("(1,)", bytes(4))}), "share the entry data/0.npy"),
    "object array": (lambda: _archive({"microtorch.json": _structure(_tensor_node()),
                                       "data/0.npy": _npy("(1,)", b"\x80\x04N.", descr="|O")}), "never unpickles"),
    "safetensors header length 2**63": (lambda: _safetensors({}, length=2**63), "more than the format's limit"),
    "safetensors header past the end": (lambda: _safetensors(b"{}", length=1000), "declares 1000 bytes"),
    "safetensors nested header": (lambda: _safetensors(b'{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
                                  "not \\{dtype, shape, data_offsets\\}|nested"),
    "safetensors overlapping tensors": (lambda: _safetensors(
        {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
         "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, bytes(4)), "without gaps or overlaps"),
    "safetensors huge shape": (lambda: _safetensors({"a": {"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 4]}},
                                                    bytes(4)), "spans 4 bytes"),
    "safetensors unknown dtype": (lambda: _safetensors({"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 1]}},
                                                       bytes(1)), "unknown dtype 'Q7'"),
    "safetensors metadata not strings": (lambda: _safetensors({"__metadata__": {"a": 1}}), "not a dict of strings"),
    "torch pickle calling os.system": (lambda: _torch_zip(b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00trueq\x85R."),
                                       "Unsupported global: GLOBAL os.system"),
    "torch pickle calling builtins.eval": (lambda: _torch_zip(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93."),
                                           "Unsupported global: GLOBAL eval"),
    "torch storage of the wrong size": (lambda: _torch_zip(_torch_tensor_pickle(4, (4,), (1,)), {"archive/data/0": bytes(8)}),
                                        "holds 8 bytes, not 4 float32 elements"),
    "torch tensor past its storage": (lambda: _torch_zip(_torch_tensor_pickle(2, (4,), (1,)), {"archive/data/0": bytes(8)}),
                                      "reaches past its storage"),
    "torch stride-0 expansion to 2**40": (lambda: _torch_zip(_torch_tensor_pickle(1, (2**40,), (0,)), {"archive/data/0": bytes(4)}),
                                          "expands 1 stored elements"),
    "torch compressed pickle": (lambda: _torch_zip(pickle.dumps({}, 2), compress_pickle=True), "compressed \\(deflate\\)"),
    "pickle without torch's magic number": (lambda: pickle.dumps([1, 2], 2), "not a torch checkpoint"),
    "truncated zip": (lambda: _archive({"microtorch.json": _structure(None)})[:40], "truncated or corrupted"),
    "random bytes": (lambda: bytes(range(256)) * 16, "truncated or corrupted"),
    "empty file": (lambda: b"", "truncated or corrupted"),
}
CLEAR_ERRORS = (RuntimeError, pickle.UnpicklingError)


@pytest.mark.parametrize("build, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_gives_a_clear_error_in_bounded_memory(build, message, tmp_path, record_property):
    path = tmp_path / "hostile"
    path.write_bytes(build())
    tracemalloc.start()
    try:
        with pytest.raises(CLEAR_ERRORS, match=message) as raised:
            mt.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(raised.value).startswith("microtorch.load")
    record_property("peak_bytes", peak)
    assert peak < 16 * 2**20, f"{peak / 2**20:.1f} MiB"


@pytest.mark.skipif(not os.path.exists("/dev/urandom"), reason="no /dev/urandom")
def test_a_device_or_directory_is_refused_before_reading(tmp_path):
    for path in ("/dev/urandom", tmp_path):
        with pytest.raises(RuntimeError, match="is not a regular file"):
            mt.load(path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(RuntimeError, match="is not a regular file"):
            mt.load(tmp_path / "fifo")  # without blocking on the pipe


def test_clear_messages_for_text_files_and_raising_map_locations(tmp_path):
    path = tmp_path / "c.mt"
    mt.save({"w": mt.ones(1)}, path)
    with open(path, encoding="latin-1") as text, pytest.raises(TypeError, match="binary file object.*text mode"):
        mt.load(text)

    def refuse(tensor, location):
        raise ValueError("this map_location refuses")

    with pytest.raises(ValueError, match="this map_location refuses"):  # the callable's own error, as torch
        mt.load(path, map_location=refuse)
    with open(path, "rb") as f, pytest.raises(ValueError, match="f must be a file path in order to use the mmap"):
        mt.load(f, mmap=True)


def test_mmap_maps_the_arrays_of_a_microtorch_checkpoint(tmp_path):
    path = tmp_path / "m.mt"
    mt.save({"w": mt.arange(6.0).reshape(2, 3), "t": mt.arange(6).reshape(2, 3).T}, path)
    before = path.read_bytes()
    loaded = mt.load(path, mmap=True)
    base = loaded["w"].numpy()
    while not hasattr(base, "_mmap") and base.base is not None:
        base = base.base
    assert isinstance(base, np.memmap)  # the bytes come from the file, not a copy
    assert loaded["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and loaded["t"].tolist() == [[0, 3], [1, 4], [2, 5]]
    loaded["w"].add_(1)  # copy-on-write: the file is unchanged
    assert path.read_bytes() == before


# ---- load_state_dict ------------------------------------------------------------------------------------
def _values_of(model) -> dict:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("spoil", [
    lambda sd: sd.pop("1.bias"),
    lambda sd: sd.update(extra=mt.ones(1)),
    lambda sd: sd.update({"1.weight": mt.ones(3, 3)}),
    lambda sd: sd.update({"1.bias": "not a tensor"}),
    lambda sd: sd.update({"1.bias": np.ones(2, np.float32)}),
], ids=["missing key", "unexpected key", "wrong shape", "not a tensor", "numpy array"])
def test_a_failed_load_state_dict_leaves_the_model_unchanged(spoil):
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(2, 2), mt.nn.Linear(2, 2))
    before = _values_of(model)
    state = {k: v + 100 for k, v in model.state_dict().items()}  # every value differs from the model's
    spoil(state)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for Sequential"):
        model.load_state_dict(state)
    after = _values_of(model)
    assert all(np.array_equal(after[k], before[k]) for k in before)  # torch would have copied 0.weight, 0.bias


def test_a_numpy_value_is_refused_as_torch():
    for lib, value in ((torch, np.ones(2, np.float32)), (mt, np.ones(2, np.float32))):
        model = lib.nn.Linear(2, 2)
        with pytest.raises(RuntimeError, match="expected torch.Tensor or Tensor-like object from checkpoint but "
                                               "received <class 'numpy.ndarray'>"):
            model.load_state_dict({"weight": model.weight.detach(), "bias": value})


def test_a_successful_load_state_dict_copies_every_value():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(2, 2), mt.nn.BatchNorm1d(2))
    state = {k: (v + 1 if v.is_floating_point() else v + 5) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    assert all(np.array_equal(v.numpy(), state[k].numpy()) for k, v in model.state_dict().items())
