"""Weights move between PyTorch, the safetensors package and microtorch: each library reads the others' files."""
from __future__ import annotations

import collections
import pickle

import numpy as np
import pytest
import torch

import microtorch as mt
from microtorch import serialization

safetensors = pytest.importorskip("safetensors", reason="pip install safetensors (the test extra has it)")
import safetensors.numpy  # noqa: E402
import safetensors.torch  # noqa: E402

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _values(dtype: str, shape=(3, 4)) -> np.ndarray:
    return (np.random.default_rng(0).standard_normal(shape) * 50).astype(dtype)


def _mt_state(dtype: str) -> dict:
    return {"full": mt.tensor(_values(dtype)), "scalar": mt.tensor(_values(dtype)[1, 2]),
            "transposed": mt.tensor(_values(dtype)).T, "empty": mt.tensor(_values(dtype))[:0]}


def _assert_same(loaded: dict, expected: dict) -> None:
    assert set(loaded) == set(expected)
    for key, value in expected.items():
        got = loaded[key]
        got = got.numpy() if hasattr(got, "numpy") else got
        want = value.numpy() if hasattr(value, "numpy") else value
        assert got.dtype == want.dtype and got.shape == want.shape, key
        np.testing.assert_array_equal(got, want)


# ---- safetensors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_safetensors_written_by_microtorch_are_read_by_the_package(dtype, tmp_path):
    state = _mt_state(dtype)
    mt.save(state, tmp_path / "m.safetensors")
    _assert_same(safetensors.numpy.load_file(tmp_path / "m.safetensors"), state)
    by_torch = safetensors.torch.load_file(tmp_path / "m.safetensors")
    _assert_same({k: v.numpy() for k, v in by_torch.items()}, state)


@pytest.mark.parametrize("mmap", [False, True], ids=["read", "mmap"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_safetensors_written_by_the_package_are_read_by_microtorch(dtype, mmap, tmp_path):
    arrays = {"w": _values(dtype), "s": np.array(_values(dtype)[0, 0]), "e": _values(dtype)[:0], "v": _values(dtype, (5,))}
    safetensors.numpy.save_file(arrays, tmp_path / "p.safetensors", metadata={"format": "np"})
    loaded = mt.load(tmp_path / "p.safetensors", mmap=mmap)
    assert all(isinstance(t, mt.Tensor) for t in loaded.values())
    _assert_same(loaded, arrays)
    safetensors.torch.save_file({k: torch.from_numpy(v) for k, v in arrays.items()}, tmp_path / "t.safetensors")
    _assert_same(mt.load(tmp_path / "t.safetensors", mmap=mmap), arrays)


def test_safetensors_metadata_and_format_argument(tmp_path):
    buffer = tmp_path / "plain.bin"
    with open(buffer, "wb") as f:
        mt.save({"a": mt.ones(2)}, f, format="safetensors")
    assert safetensors.numpy.load_file(buffer)["a"].tolist() == [1.0, 1.0]
    safetensors.numpy.save_file({"a": np.ones(1, np.float32)}, tmp_path / "m.safetensors", metadata={"k": "v"})
    assert serialization.safetensors_metadata(tmp_path / "m.safetensors") == {"k": "v"}
    with pytest.raises(TypeError, match="only tensors, but 'n' is int"):
        mt.save({"n": 1}, tmp_path / "bad.safetensors")
    with pytest.raises(ValueError, match="unknown format 'pickle'"):
        mt.save({}, tmp_path / "x", format="pickle")


def test_safetensors_mmap_is_copy_on_write(tmp_path):
    mt.save({"w": mt.arange(4.0)}, tmp_path / "m.safetensors")
    before = (tmp_path / "m.safetensors").read_bytes()
    loaded = mt.load(tmp_path / "m.safetensors", mmap=True)
    loaded["w"].add_(1)
    assert loaded["w"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert (tmp_path / "m.safetensors").read_bytes() == before


def test_a_bfloat16_safetensors_file_names_the_dtype(tmp_path):
    safetensors.torch.save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "b.safetensors")
    with pytest.raises(RuntimeError, match="'w' as BF16, a dtype microtorch does not have"):
        mt.load(tmp_path / "b.safetensors")


# ---- torch checkpoints in -----------------------------------------------------------------------------------
def _resnet(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(x + self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU())
            self.layers = nn.Sequential(Block(8), Block(8))
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(self.pool(self.layers(self.stem(x))).flatten(1))

    return ResNet()


def _gpt_block(lib):
    nn = lib.nn

    class GPTBlock(nn.Module):
        def __init__(self, vocab=50, dim=16, heads=4, context=8):
            super().__init__()
            self.tok = nn.Embedding(vocab, dim)
            self.pos = nn.Embedding(context, dim)
            self.ln1 = nn.LayerNorm(dim)
            self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
            self.ln2 = nn.LayerNorm(dim)
            self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
            self.head = nn.Linear(dim, vocab, bias=False)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(lib.arange(idx.shape[1]))
            h = self.ln1(x)
            x = x + self.attn(h, h, h, need_weights=False)[0]
            x = x + self.mlp(self.ln2(x))
            return self.head(x)

    return GPTBlock()


def _not_the_defaults(model, x):
    """BatchNorm's running statistics and num_batches_tracked set away from their initial values."""
    with torch.no_grad():
        for name, buffer in model.named_buffers():
            buffer.copy_(torch.rand_like(buffer) + 0.5 if buffer.is_floating_point() else torch.full_like(buffer, 3))
    return model.eval()


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
@pytest.mark.parametrize("make, make_input", [
    (_resnet, lambda lib: lib.tensor(_values("float32", (2, 3, 16, 16)))),
    (_gpt_block, lambda lib: lib.tensor(np.random.default_rng(1).integers(0, 50, (2, 8)))),
], ids=["resnet", "gpt-block"])
def test_a_torch_state_dict_loads_strictly_and_gives_the_same_outputs(make, make_input, legacy, tmp_path):
    torch.manual_seed(0)
    theirs = _not_the_defaults(make(torch), make_input(torch))
    torch.save(theirs.state_dict(), tmp_path / "model.pt", _use_new_zipfile_serialization=not legacy)
    ours = make(mt)
    state = mt.load(tmp_path / "model.pt")
    assert type(state) is collections.OrderedDict and list(state) == list(theirs.state_dict())
    ours.load_state_dict(state, strict=True)
    ours.eval()
    with torch.no_grad():
        expected = theirs(make_input(torch)).numpy()
    np.testing.assert_allclose(ours(make_input(mt)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def test_a_torch_optimizer_state_loads_and_steps_as_torch(tmp_path):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2)
    ours = mt.nn.Linear(3, 2)
    ours.load_state_dict(mt.load(_saved(theirs.state_dict(), tmp_path / "w.pt")))
    opt_t = torch.optim.Adam(theirs.parameters(), lr=0.1)
    x = _values("float32", (4, 3))
    for _ in range(2):
        opt_t.zero_grad()
        theirs(torch.tensor(x)).pow(2).sum().backward()
        opt_t.step()
    ours.load_state_dict(mt.load(_saved(theirs.state_dict(), tmp_path / "w.pt")))
    opt_m = mt.optim.Adam(ours.parameters(), lr=0.1)
    opt_m.load_state_dict(mt.load(_saved(opt_t.state_dict(), tmp_path / "opt.pt")))
    for opt, model, lib in ((opt_t, theirs, torch), (opt_m, ours, mt)):
        opt.zero_grad()
        model(lib.tensor(x)).pow(2).sum().backward()
        opt.step()
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def _saved(obj, path):
    torch.save(obj, path)
    return path


def test_torch_views_sharing_a_storage_load_with_their_values(tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    obj = {"base": base, "row": base[1], "t": base.t(), "strided": base[:, ::2], "expanded": torch.ones(1).expand(5),
           "param": torch.nn.Parameter(torch.ones(2)), "i": torch.arange(3), "b": torch.tensor([True, False]),
           "nested": [1, 2.5, "s", None, (torch.float16, torch.Size([2, 3]))], "set": {1, 2}, "bytes": b"\x00\xff"}
    loaded = mt.load(_saved(obj, tmp_path / "v.pt"))
    for key in ("base", "row", "t", "strided", "expanded", "i", "b"):
        np.testing.assert_array_equal(loaded[key].numpy(), obj[key].numpy())
    assert isinstance(loaded["param"], mt.nn.Parameter) and loaded["param"].requires_grad
    assert loaded["nested"] == [1, 2.5, "s", None, (mt.float16, (2, 3))]
    assert loaded["set"] == {1, 2} and loaded["bytes"] == b"\x00\xff"


def test_torch_mmap_loading_maps_the_storages(tmp_path):
    obj = {"w": torch.arange(6.0).reshape(2, 3)}
    path = _saved(obj, tmp_path / "m.pt")
    before = path.read_bytes()
    loaded = mt.load(path, mmap=True)
    assert loaded["w"].tolist() == obj["w"].tolist()
    loaded["w"].mul_(2)
    assert path.read_bytes() == before


class Custom:
    """A class torch's weights_only loader refuses unless allowed."""

    def __init__(self, value=0):
        self.value = value


def test_globals_outside_the_allow_list_are_refused_until_allowed(tmp_path):
    path = _saved({"c": Custom(3)}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL test_serialization_interop.Custom was not an allowed global"):
        mt.load(path)
    with serialization.safe_globals([Custom]):
        assert serialization.get_safe_globals() == [Custom]
        assert mt.load(path)["c"].value == 3
    assert serialization.get_safe_globals() == []
    serialization.add_safe_globals([(Custom, "test_serialization_interop.Custom")])
    try:
        assert mt.load(path)["c"].value == 3
    finally:
        serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError, match="Custom was not an allowed global"):
        mt.load(path)


# ---- torch checkpoints out ----------------------------------------------------------------------------------
def test_format_torch_is_read_by_torch_load_weights_only(tmp_path):
    model = mt.nn.Sequential(mt.nn.Linear(3, 2), mt.nn.BatchNorm1d(2))
    x = mt.arange(6.0).reshape(2, 3)
    obj = {"model": model.state_dict(), "param": mt.nn.Parameter(mt.ones(2)), "same": x, "again": x,
           "ints": mt.arange(3), "flags": mt.tensor([True]), "half": mt.ones(2, dtype=mt.float16),
           "meta": {"epoch": 3, "lr": 0.1, "name": "run", "betas": (0.9, 0.99), "none": None, "dtype": mt.float64},
           "counter": collections.Counter("aab"), "device": mt.device("cpu")}
    mt.save(obj, tmp_path / "m.pt", format="torch")
    loaded = torch.load(tmp_path / "m.pt", weights_only=True)
    assert type(loaded["model"]) is collections.OrderedDict and list(loaded["model"]) == list(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][key].numpy(), value.numpy())
    assert isinstance(loaded["param"], torch.nn.Parameter) and loaded["same"] is loaded["again"]
    assert loaded["ints"].dtype == torch.int64 and loaded["flags"].dtype == torch.bool
    assert loaded["half"].dtype == torch.float16
    assert loaded["meta"] == {"epoch": 3, "lr": 0.1, "name": "run", "betas": (0.9, 0.99), "none": None,
                              "dtype": torch.float64}
    assert loaded["counter"] == collections.Counter("aab") and loaded["device"] == torch.device("cpu")
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    torch_model.load_state_dict(loaded["model"], strict=True)
    assert mt.load(tmp_path / "m.pt")["meta"]["dtype"] is mt.float64  # and microtorch reads it back


def test_format_torch_refuses_what_torch_would_not_load(tmp_path):
    with pytest.raises(TypeError, match="weights_only loader would refuse it"):
        mt.save({"f": lambda: 0}, tmp_path / "x.pt", format="torch")
