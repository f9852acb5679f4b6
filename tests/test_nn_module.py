"""The Module API against torch's: registration, traversal, repr, state_dict keys and loading,
modes, dtype moves, apply, zero_grad, hooks, copying, and the module stack graph pictures use."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import microtorch
import microtorch.nn as mnn
from helpers import to_numpy


def zoo(lib):
    """One model holding every kind of layer (and every container), built the same way in both libraries."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(4)
            self.act = nn.ReLU(inplace=True)

        def forward(self, x):
            return self.act(self.bn(self.conv(x)))

    model = nn.Sequential(
        Block(),
        nn.Conv2d(4, 6, (3, 2), stride=2, padding="same" if False else 1, dilation=1, groups=2),
        nn.ConvTranspose2d(6, 4, 3, stride=2, output_padding=1),
        nn.Conv1d(2, 3, 3, padding="same", padding_mode="reflect"),
        nn.MaxPool2d(2), nn.MaxPool1d(3, stride=2), nn.AvgPool2d(3, stride=1, padding=1), nn.AvgPool1d(2),
        nn.AdaptiveAvgPool2d((2, 3)), nn.BatchNorm1d(5, momentum=None), nn.LayerNorm((4, 5)), nn.GroupNorm(2, 4),
        nn.Dropout(0.25), nn.Embedding(10, 3, padding_idx=0), nn.Flatten(), nn.Unflatten(1, (2, 5)), nn.Identity(),
        nn.Linear(5, 3), nn.Bilinear(2, 3, 4), nn.LeakyReLU(0.2), nn.ELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
        nn.Mish(), nn.Softplus(beta=2), nn.Hardtanh(-2.0, 2.0), nn.ReLU6(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1),
        nn.LogSoftmax(dim=-1), nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(reduction="sum"),
        nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()]),
        nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.Sequential(nn.Tanh())}),
    )
    return model


def test_repr_matches_torch():
    assert repr(zoo(microtorch)) == repr(zoo(torch))


def test_state_dict_keys_and_shapes_match_torch():
    m_sd, t_sd = zoo(microtorch).state_dict(), zoo(torch).state_dict()
    assert list(m_sd) == list(t_sd)
    for k in t_sd:
        assert tuple(m_sd[k].shape) == tuple(t_sd[k].shape), k
        assert str(m_sd[k].dtype).split(".")[-1] == str(t_sd[k].dtype).split(".")[-1], k


def test_traversal_names_match_torch():
    m, t = zoo(microtorch), zoo(torch)
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [type(c).__name__ for c in m.children()] == [type(c).__name__ for c in t.children()]
    assert [type(c).__name__ for c in m.modules()] == [type(c).__name__ for c in t.modules()]


class NoSuperInit(mnn.Module):
    """The seed README's style: no super().__init__()."""

    def __init__(self):
        self.fc = mnn.Linear(3, 2)
        self.scale = mnn.Parameter(microtorch.ones(2))
        self.register_buffer("steps", microtorch.tensor(0))
        self.plain = microtorch.zeros(1)  # a plain tensor attribute is not registered

    def forward(self, x):
        return self.fc(x) * self.scale


def test_registration_without_super_init():
    model = NoSuperInit()
    assert model.training
    assert [n for n, _ in model.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert list(model.state_dict()) == ["scale", "steps", "fc.weight", "fc.bias"]
    assert isinstance(model.parameters(), list) and model.parameters()[0] is model.scale
    out = model(microtorch.ones(4, 3))
    out.sum().backward()
    assert model.fc.weight.grad.shape == (2, 3) and model.scale.grad.shape == (2,)
    model.eval()
    assert not model.training and not model.fc.training


def test_parameters_is_a_list_and_an_iterator():
    model = mnn.Sequential(mnn.Linear(2, 3), mnn.Linear(3, 1))
    params = model.parameters()
    assert params[1] is model[0].bias and len(params) == 4
    assert next(model.parameters()) is model[0].weight  # torch's idiom
    it = model.parameters()
    assert [next(it) for _ in range(4)] == params
    with pytest.raises(StopIteration):
        next(it)


def test_shared_parameters_and_modules_are_listed_once():
    shared = mnn.Linear(2, 2)
    model = mnn.Sequential(shared, mnn.ReLU(), shared)
    tmodel_shared = torch.nn.Linear(2, 2)
    tmodel = torch.nn.Sequential(tmodel_shared, torch.nn.ReLU(), tmodel_shared)
    assert len(model.parameters()) == len(list(tmodel.parameters())) == 2
    assert list(model.state_dict()) == list(tmodel.state_dict())
    assert [n for n, _ in model.named_modules()] == [n for n, _ in tmodel.named_modules()]


def test_reassigning_changes_registration():
    model = mnn.Linear(2, 2)
    model.bias = None
    assert model.bias is None and "bias" not in model.state_dict()
    model.extra = mnn.Parameter(microtorch.zeros(3))
    assert "extra" in dict(model.named_parameters())
    with pytest.raises(TypeError, match="parameter 'extra'"):  # as torch: a parameter's name takes parameters
        model.extra = mnn.ReLU()
    del model.extra
    assert not hasattr(model, "extra")
    model.extra = mnn.ReLU()
    assert "extra" not in dict(model.named_parameters()) and isinstance(model.extra, mnn.ReLU)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        model.weight = microtorch.zeros(2, 2)  # a plain tensor cannot replace a Parameter
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        model.missing


def test_register_buffer_persistence_and_errors():
    m = mnn.Module()
    m.register_buffer("kept", microtorch.zeros(2))
    m.register_buffer("scratch", microtorch.ones(2), persistent=False)
    assert list(m.state_dict()) == ["kept"] and [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    with pytest.raises(TypeError, match="buffer 'bad'"):
        m.register_buffer("bad", [1, 2])
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", None)
    m.value = 3
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("value", microtorch.zeros(1))
    with pytest.raises(NotImplementedError, match="forward"):
        m(microtorch.zeros(1))


def test_load_state_dict_from_torch_and_strict_errors():
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    m_model = mnn.Sequential(mnn.Linear(4, 3), mnn.BatchNorm1d(3))
    state = {k: microtorch.tensor(to_numpy(v)) for k, v in t_model.state_dict().items()}
    result = m_model.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(to_numpy(m_model[0].weight), to_numpy(t_model[0].weight))

    broken = dict(state)
    del broken["0.bias"]
    broken["0.extra"] = microtorch.zeros(1)
    broken["1.weight"] = microtorch.zeros(5)
    with pytest.raises(RuntimeError) as info:
        m_model.load_state_dict(broken)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Missing key(s) in state_dict: "0.bias".' in message
    assert 'Unexpected key(s) in state_dict: "0.extra".' in message
    assert "size mismatch for 1.weight: copying a param with shape [5] from checkpoint, the shape in current model is [3]." in message
    # the same three problems make torch raise too
    t_broken = {k: torch.tensor(to_numpy(v)) for k, v in broken.items()}
    with pytest.raises(RuntimeError, match="Missing key"):
        t_model.load_state_dict(t_broken)

    del broken["1.weight"]
    result = m_model.load_state_dict(broken, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight"] and result.unexpected_keys == ["0.extra"]


def test_load_state_dict_copies_and_casts_into_existing_parameters():
    model = mnn.Linear(2, 2)
    weight = model.weight
    model.load_state_dict({"weight": microtorch.ones(2, 2, dtype=microtorch.float64), "bias": microtorch.zeros(2)})
    assert model.weight is weight and model.weight.dtype == microtorch.float32
    assert model.weight.requires_grad and float(model.weight.sum()) == 4.0


def test_batchnorm_loads_checkpoints_without_num_batches_tracked():
    model = mnn.BatchNorm1d(2)
    state = {k: v for k, v in model.state_dict().items() if k != "num_batches_tracked"}
    assert model.load_state_dict(state).missing_keys == []


def test_train_eval_change_dropout_and_batchnorm():
    model = mnn.Sequential(mnn.Dropout(0.5), mnn.BatchNorm1d(3))
    x = microtorch.randn(8, 3)
    model.eval()
    assert not model.training and not model[0].training
    out = model(x)  # dropout is the identity, batch norm uses running stats (0 mean, 1 var)
    np.testing.assert_allclose(to_numpy(out), to_numpy(x) / np.sqrt(1 + 1e-5), rtol=1e-6)
    assert model.train() is model and model[1].training
    assert int(model[1].num_batches_tracked) == 0
    model(x)
    assert int(model[1].num_batches_tracked) == 1
    with pytest.raises(ValueError, match="boolean"):
        model.train("yes")


def test_to_dtype_keeps_parameter_objects_and_integer_buffers():
    model = mnn.Sequential(mnn.Linear(2, 3), mnn.BatchNorm1d(3))
    weight = model[0].weight
    model(microtorch.randn(4, 2)).sum().backward()
    assert model.to(microtorch.float64) is model
    assert model[0].weight is weight and weight.dtype == microtorch.float64 and weight.grad.dtype == microtorch.float64
    assert model[1].running_mean.dtype == microtorch.float64
    assert model[1].num_batches_tracked.dtype == microtorch.int64
    assert model(microtorch.randn(4, 2, dtype=microtorch.float64)).dtype == microtorch.float64
    model.float()
    assert weight.dtype == microtorch.float32
    assert model.double()[0].bias.dtype == microtorch.float64
    model.to("cpu", microtorch.float32)
    assert weight.dtype == microtorch.float32 and weight.device == microtorch.device("cpu")
    with pytest.raises(TypeError, match="floating point"):
        model.to(microtorch.int64)


def test_apply_visits_children_first_like_torch():
    def visit(lib):
        seen = []
        zoo(lib).apply(lambda m: seen.append(type(m).__name__))
        return seen
    assert visit(microtorch) == visit(torch)

    model = mnn.Sequential(mnn.Linear(2, 2), mnn.Linear(2, 2))
    model.apply(lambda m: mnn.init.zeros_(m.weight) if isinstance(m, mnn.Linear) else None)
    assert all(float(m.weight.abs().sum()) == 0 for m in model if isinstance(m, mnn.Linear))


def test_zero_grad_and_requires_grad():
    model = mnn.Linear(3, 2)
    model(microtorch.randn(2, 3)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert float(model.weight.grad.abs().sum()) == 0.0
    model.zero_grad()
    assert model.weight.grad is None
    model.requires_grad_(False)
    out = model(microtorch.randn(2, 3))
    assert not out.requires_grad


def test_forward_hooks_and_pre_hooks():
    model = mnn.Linear(2, 2)
    calls = []
    pre = model.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = model.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = model(microtorch.ones(3, 2))
    np.testing.assert_allclose(to_numpy(out), np.broadcast_to(to_numpy(model.bias) + 1, (3, 2)), rtol=1e-6)
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    out = model(microtorch.ones(3, 2))
    np.testing.assert_allclose(to_numpy(out), to_numpy(model.weight.sum(1) + model.bias).reshape(1, 2).repeat(3, 0), rtol=1e-6)
    assert calls == [(3, 2)]


def test_ops_remember_their_modules_and_the_stack_unwinds():
    from microtorch.autograd import function

    model = mnn.Sequential(mnn.Linear(2, 2), mnn.ReLU())
    out = model(microtorch.ones(1, 2))
    assert out.grad_fn.module is model[1] and out.grad_fn.root_module is model
    assert out.grad_fn.next_functions[0][0].module is model[0]
    assert function.drawing.module_stack == []

    class Broken(mnn.Module):
        def forward(self, x):
            raise ValueError("boom")

    with pytest.raises(ValueError):
        mnn.Sequential(Broken())(microtorch.ones(1))
    assert function.drawing.module_stack == []


def test_deepcopy_and_pickle_make_independent_models():
    model = mnn.Sequential(mnn.Linear(2, 3), mnn.BatchNorm1d(3))
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert repr(clone) == repr(model) and list(clone.state_dict()) == list(model.state_dict())
        assert isinstance(clone[0].weight, mnn.Parameter) and clone[0].weight.requires_grad
        with microtorch.no_grad():
            clone[0].weight.fill_(7.0)
        assert float(model[0].weight.max()) < 7.0
        x = microtorch.randn(4, 2)
        clone(x).sum().backward()
        assert clone[0].weight.grad is not None and model[0].weight.grad is None


def test_parameter_repr_and_sharing():
    data = microtorch.zeros(2)
    p = mnn.Parameter(data)
    assert repr(p).startswith("Parameter containing:\ntensor(") and p.requires_grad
    with microtorch.no_grad():
        p.add_(1.0)
    assert float(data.sum()) == 2.0  # shares memory with its data, as torch's
    assert not mnn.Parameter(microtorch.zeros(1), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        mnn.Parameter(microtorch.zeros(2, dtype=microtorch.int64))


def test_containers_edit_like_torch():
    def edits(lib):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        seq.append(nn.Tanh())
        seq.insert(1, nn.Sigmoid())
        del seq[0]
        seq[0] = nn.Softplus()
        layers = nn.ModuleList([nn.ReLU(), nn.Tanh()])
        layers += [nn.Linear(1, 1)]
        layers.insert(0, nn.Sigmoid())
        del layers[1]
        table = nn.ModuleDict({"a": nn.ReLU()})
        table.update([("b", nn.Linear(1, 2))])
        table["c"] = nn.Tanh()
        popped = type(table.pop("a")).__name__
        return (repr(seq), repr(seq[1:]), len(seq), type(seq[-1]).__name__, repr(layers), repr(layers[::2]),
                list(table.keys()), "b" in table, popped, repr(table))
    assert edits(microtorch) == edits(torch)
    with pytest.raises(IndexError, match="out of range"):
        mnn.Sequential(mnn.ReLU())[3]
    with pytest.raises(TypeError, match="iterable"):
        mnn.ModuleList().extend(mnn.ReLU())


def test_state_dict_survives_save_and_load(tmp_path):
    def make():
        return mnn.Sequential(mnn.Conv2d(1, 2, 3), mnn.BatchNorm2d(2), mnn.Flatten(), mnn.Linear(2 * 4 * 4, 3))
    model = make()
    model(microtorch.randn(4, 1, 6, 6))  # moves the running statistics
    microtorch.save(model.state_dict(), tmp_path / "model.pt")
    clone = make()
    assert repr(clone.load_state_dict(microtorch.load(tmp_path / "model.pt"))) == "<All keys matched successfully>"
    for (name, a), b in zip(model.state_dict().items(), clone.state_dict().values()):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b), err_msg=name)
    assert repr(torch.nn.Linear(1, 1).load_state_dict(torch.nn.Linear(1, 1).state_dict())) == "<All keys matched successfully>"
