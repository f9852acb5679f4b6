"""microtorch.save / microtorch.load: round trips, devices, atomic writes, damaged files, and no unpickling."""
from __future__ import annotations

import collections
import io
import json
import math
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch import serialization
from microtorch.backends import NumpyBackend, register_backend

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips(dtype, tmp_path):
    values = np.random.default_rng(0).standard_normal((3, 4)) * 50
    t = mt.tensor(values).to(getattr(mt, dtype))
    views = {"full": t, "scalar": t[1, 2], "transposed": t.T, "strided": t[:, ::2], "empty": t[:0]}
    mt.save(views, tmp_path / "t.mt")
    loaded = mt.load(tmp_path / "t.mt")
    for key, v in views.items():
        assert loaded[key].dtype == v.dtype and loaded[key].shape == v.shape, key
        np.testing.assert_array_equal(loaded[key].numpy(), v.numpy())


def test_nested_structures_round_trip(tmp_path):
    x = mt.randn(2, 3)
    obj = {
        "tensor": x,
        "same tensor again": x,
        "list": [1, -2, 2**70, 1.5, float("inf"), -float("inf"), None, True, False, "text", "ünïcode"],
        "tuple": (mt.arange(3), ("nested", (1,)), ()),
        "empty": {"list": [], "dict": {}},
        3: "int key",
        (1, "a"): "tuple key",
        2.5: "float key",
        None: "None key",
        "ordered": collections.OrderedDict([("b", 1), ("a", mt.ones(1))]),
        "counter": collections.Counter([3, 3, 7]),
        "dtype": mt.float16,
        "device": mt.device("cpu"),
        "nan": float("nan"),
    }
    mt.save(obj, tmp_path / "o.mt")
    loaded = mt.load(tmp_path / "o.mt")
    assert list(loaded) == list(obj)
    assert loaded["same tensor again"] is loaded["tensor"]  # saved once, loads as one tensor
    np.testing.assert_array_equal(loaded["tensor"].numpy(), x.numpy())
    assert loaded["list"] == obj["list"] and [type(v) for v in loaded["list"]] == [type(v) for v in obj["list"]]
    assert loaded["tuple"][1:] == (("nested", (1,)), ()) and type(loaded["tuple"]) is tuple
    assert loaded["tuple"][0].tolist() == [0, 1, 2] and loaded["tuple"][0].dtype == mt.int64
    assert loaded["empty"] == {"list": [], "dict": {}}
    assert loaded[3] == "int key" and loaded[(1, "a")] == "tuple key" and loaded[2.5] == "float key"
    assert loaded[None] == "None key"
    assert type(loaded["ordered"]) is collections.OrderedDict and list(loaded["ordered"]) == ["b", "a"]
    assert type(loaded["counter"]) is collections.Counter and loaded["counter"] == obj["counter"]
    assert loaded["dtype"] is mt.float16 and loaded["device"] is mt.device("cpu")
    assert math.isnan(loaded["nan"])


def test_requires_grad_is_kept_and_the_graph_is_not(tmp_path):
    w = mt.randn(3, requires_grad=True)
    y = w * 2
    mt.save([w, y, w.detach()], tmp_path / "g.mt")
    lw, ly, ld = mt.load(tmp_path / "g.mt")
    assert lw.requires_grad and lw.is_leaf and ly.requires_grad and ly.is_leaf and not ld.requires_grad


def test_file_objects_and_pathlike(tmp_path):
    buffer = io.BytesIO()
    mt.save({"a": mt.ones(2)}, buffer)
    buffer.seek(0)
    assert mt.load(buffer)["a"].tolist() == [1.0, 1.0]
    mt.save([mt.zeros(1)], str(tmp_path / "s.mt"))
    with open(tmp_path / "s.mt", "rb") as f:
        assert mt.load(f)[0].tolist() == [0.0]


def test_optimizer_state_dict_round_trips(tmp_path):
    params = [mt.randn(3, requires_grad=True), mt.randn(2, 2, requires_grad=True)]
    opt = mt.optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], amsgrad=True)
    for p in params:
        p.grad = mt.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    mt.save(sd, tmp_path / "opt.mt")
    loaded = mt.load(tmp_path / "opt.mt")
    assert loaded["param_groups"] == sd["param_groups"]
    assert isinstance(loaded["param_groups"][0]["betas"], tuple)
    assert loaded["state"].keys() == sd["state"].keys() == {0, 1}
    for i in (0, 1):
        for key, value in sd["state"][i].items():
            assert loaded["state"][i][key].dtype == value.dtype
            np.testing.assert_array_equal(loaded["state"][i][key].numpy(), value.numpy())


def test_the_file_is_an_npz_that_numpy_reads_without_pickle(tmp_path):
    mt.save({"w": mt.arange(4)}, tmp_path / "n.mt")
    with np.load(tmp_path / "n.mt", allow_pickle=False) as npz:
        assert npz["data/0"].tolist() == [0, 1, 2, 3]


def test_same_object_gives_the_same_bytes(tmp_path):
    obj = {"w": mt.arange(4.0), "b": [1, 2]}
    mt.save(obj, tmp_path / "a.mt")
    mt.save(obj, tmp_path / "b.mt")
    assert (tmp_path / "a.mt").read_bytes() == (tmp_path / "b.mt").read_bytes()


def test_unsupported_objects_are_refused_with_their_place(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['model'\]\[1\] of type builtins.object"):
        mt.save({"model": [1, object()]}, tmp_path / "x.mt")
    with pytest.raises(TypeError, match="builtins.set"):
        mt.save({1, 2}, tmp_path / "x.mt")
    assert not os.listdir(tmp_path)  # nothing written, no temporary left behind


# ---- devices ----------------------------------------------------------------------------------------
class OtherBackend(NumpyBackend):
    """A second device type served by NumPy, standing in for cuda."""


@pytest.fixture
def other_device():
    register_backend("npxtest", OtherBackend())
    yield
    del mt.backends._REGISTRY["npxtest"]


def test_map_location(tmp_path, other_device):
    x = mt.arange(3.0, device="npxtest")
    mt.save({"x": x, "c": mt.ones(1)}, tmp_path / "d.mt")
    assert mt.load(tmp_path / "d.mt")["x"].device == x.device == mt.device("npxtest:0")
    assert mt.load(tmp_path / "d.mt", map_location="cpu")["x"].device == mt.device("cpu")
    assert mt.load(tmp_path / "d.mt", map_location=mt.device("cpu"))["x"].tolist() == [0.0, 1.0, 2.0]
    loaded = mt.load(tmp_path / "d.mt", map_location={"npxtest:0": "cpu"})
    assert loaded["x"].device == mt.device("cpu") and loaded["c"].device == mt.device("cpu")
    loaded = mt.load(tmp_path / "d.mt", map_location={"cpu": "npxtest"})
    assert loaded["x"].device == loaded["c"].device == mt.device("npxtest:0")
    seen = []
    loaded = mt.load(tmp_path / "d.mt", map_location=lambda t, location: seen.append(location))
    assert sorted(seen) == ["cpu", "npxtest:0"] and loaded["x"].device == mt.device("npxtest:0")


def test_a_device_that_is_missing_here_gives_a_clear_error(tmp_path):
    mt.save({"x": mt.ones(2)}, tmp_path / "d.mt")
    _rewrite_structure(tmp_path / "d.mt", lambda s: s.replace('"device":"cpu"', '"device":"nosuchdevice:0"'))
    with pytest.raises(RuntimeError, match="saved on 'nosuchdevice:0'.*map_location='cpu'"):
        mt.load(tmp_path / "d.mt")
    assert mt.load(tmp_path / "d.mt", map_location="cpu")["x"].tolist() == [1.0, 1.0]


def _rewrite_structure(path, edit) -> None:
    with zipfile.ZipFile(path) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    entries["microtorch.json"] = edit(entries["microtorch.json"].decode()).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


# ---- atomic writes ----------------------------------------------------------------------------------
def test_an_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.mt"
    mt.save({"version": 1, "w": mt.ones(1000)}, path)
    before = path.read_bytes()

    def fail_midway(entry, array):
        entry.write(b"\x93NUMPY partial")
        raise OSError("disk full")

    monkeypatch.setattr(serialization._microtorch_format, "_write_array", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        mt.save({"version": 2, "w": mt.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.mt"]  # the temporary file is gone
    assert mt.load(path)["version"] == 1


def test_save_replaces_the_file_in_one_step(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.mt"
    mt.save({"version": 1}, path)
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        assert mt.load(src)["version"] == 2  # complete before it takes the old file's place
        assert mt.load(dst)["version"] == 1
        replaced.append((os.path.dirname(src), dst))
        real_replace(src, dst)

    monkeypatch.setattr(serialization._files.os, "replace", spy)
    mt.save({"version": 2}, path)
    assert replaced == [(str(tmp_path), str(path))] and mt.load(path)["version"] == 2


# ---- damaged and hostile files ------------------------------------------------------------------------
@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "ckpt.mt"
    mt.save({"w": mt.arange(4096.0), "step": 7}, path)
    return path


@pytest.mark.parametrize("keep", [0, 10, 0.5, -1])
def test_a_truncated_file_raises_a_clear_error(checkpoint, keep):
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep if keep >= 0 else len(data) - 1])
    with pytest.raises(RuntimeError, match="truncated or corrupted"):
        mt.load(checkpoint)


def test_a_corrupted_array_raises_a_clear_error(checkpoint):
    data = bytearray(checkpoint.read_bytes())
    middle = data.index(np.arange(4096, dtype=np.float32)[2000:2001].tobytes())
    data[middle] ^= 0xFF  # one flipped bit pattern in the middle of the tensor's bytes
    checkpoint.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="truncated or corrupted.*data/0.npy"):
        mt.load(checkpoint)


def test_a_corrupted_structure_raises_a_clear_error(checkpoint):
    _rewrite_structure(checkpoint, lambda s: s[: len(s) // 2])
    with pytest.raises(RuntimeError, match="truncated or corrupted.*not valid JSON"):
        mt.load(checkpoint)
    _rewrite_structure(checkpoint, lambda s: json.dumps({"format": "microtorch", "version": 1, "object": {"$": "exec"}}))
    with pytest.raises(RuntimeError, match="unknown node kind 'exec'"):
        mt.load(checkpoint)


class Bomb:
    """Unpickling this would run code."""

    triggered = False

    def __reduce__(self):
        return (Bomb.trigger, ())

    @staticmethod
    def trigger():
        Bomb.triggered = True
        return "boom"


def test_loading_never_unpickles(tmp_path):
    path = tmp_path / "evil.mt"
    mt.save({"w": mt.ones(2)}, path)
    evil = io.BytesIO()
    np.lib.format.write_array(evil, np.array([Bomb()], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path) as zf:
        structure = zf.read("microtorch.json")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/0.npy", evil.getvalue())
        zf.writestr("microtorch.json", structure)
    with pytest.raises(RuntimeError, match="never unpickles"):
        mt.load(path)
    assert not Bomb.triggered


def test_a_torch_checkpoint_with_code_is_refused_without_running_it(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save({"bomb": Bomb(), "w": torch.ones(2)}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL getattr was not an allowed global"):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL getattr was not an allowed global"):
        mt.load(path)
    path.write_bytes(pickle.dumps(Bomb()))  # a bare pickle is read as torch's legacy format: refused alike
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL test_serialization.Bomb.trigger was not an allowed"):
        mt.load(path)
    assert not Bomb.triggered


def test_a_newer_format_version_is_refused(checkpoint):
    _rewrite_structure(checkpoint, lambda s: s.replace('"version":1', '"version":99'))
    with pytest.raises(RuntimeError, match="format version 99"):
        mt.load(checkpoint)
