"""``nn`` names real scripts use: the in-place activations (``F.relu_``, ...), ``F.gumbel_softmax``,
``nn.init.eye_``/``dirac_``/``sparse_`` and the deprecated initialiser spellings, and ``nn.Buffer``, against torch."""
import copy
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt

LIBS = (torch, mt)
VALUES = [-1.5, -0.2, 0.0, 0.05, 0.7, 3.0]


@pytest.mark.parametrize("name, args", [("relu_", ()), ("threshold_", (0.1, 5.0)), ("hardtanh_", (-0.5, 0.5)),
                                        ("hardtanh_", (2.0, 1.0)),  # (min above max: torch's in-place form allows it)
                                        ("elu_", (0.7,)), ("celu_", (0.7,)), ("leaky_relu_", (0.2,)),
                                        ("rrelu_", (0.1, 0.3))])
def test_in_place_activations(name, args):
    results = []
    for lib in LIBS:
        x = lib.tensor(VALUES, dtype=lib.float64)
        alias = x[1:]
        out = getattr(lib.nn.functional, name)(x, *args)
        assert out is x
        results.append((x.numpy().copy(), alias.numpy().copy()))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_gumbel_softmax_samples_follow_the_softmax_and_hard_is_straight_through():
    logits = mt.tensor([[1.0, 2.0, 0.5]], dtype=mt.float64).expand(20000, 3)
    mt.manual_seed(0)
    soft = mt.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).numpy(), 1.0, rtol=1e-12)
    frequencies = np.bincount(soft.argmax(-1).numpy(), minlength=3) / 20000  # (the Gumbel-max trick)
    np.testing.assert_allclose(frequencies, torch.softmax(torch.tensor([1.0, 2.0, 0.5]), 0).numpy(), atol=0.015)
    grads = []
    for hard in (False, True):
        x = mt.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=mt.float64, requires_grad=True)
        mt.manual_seed(5)  # (the same noise for both)
        y = mt.nn.functional.gumbel_softmax(x, tau=0.7, hard=hard, dim=1)
        if hard:
            np.testing.assert_array_equal(y.detach().numpy().sum(1), [1.0, 1.0])
            assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}
        (y * mt.tensor([[1.0, 2.0, 3.0]], dtype=mt.float64)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)  # (hard's gradient is the soft sample's)
    for lib in LIBS:
        with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-3)


def test_initialisers():
    for lib in LIBS:
        init = lib.nn.init
        np.testing.assert_array_equal(init.eye_(lib.empty(2, 3)).numpy(), np.eye(2, 3))
        w = init.dirac_(lib.empty(4, 2, 3, 3), groups=2)
        expected = np.zeros((4, 2, 3, 3))
        for o, i in ((0, 0), (1, 1), (2, 0), (3, 1)):
            expected[o, i, 1, 1] = 1
        np.testing.assert_array_equal(w.numpy(), expected)
        s = init.sparse_(lib.empty(10, 4), 0.3, std=0.5)
        assert ((s == 0).sum(0) >= 3).all()  # (ceil(0.3 * 10) zeros in each column, more only by chance)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            init.xavier_uniform(lib.empty(3, 3))
            init.constant(lib.empty(2), 0.5)
        assert [str(c.message) for c in caught] == ["`nn.init.xavier_uniform` is now deprecated in favor of "
                                                    "`nn.init.xavier_uniform_`.", "`nn.init.constant` is now "
                                                    "deprecated in favor of `nn.init.constant_`."]
        assert all(c.category is FutureWarning for c in caught)


@pytest.mark.parametrize("call", [lambda lib: lib.nn.init.eye_(lib.empty(2)),
                                  lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)),
                                  lambda lib: lib.nn.init.dirac_(lib.empty(3, 2, 3), groups=2),
                                  lambda lib: lib.nn.init.sparse_(lib.empty(3), 0.1)])
def test_initialisers_refuse_as_torch(call):
    errors = []
    for lib in LIBS:
        with pytest.raises(ValueError) as info:
            call(lib)
        errors.append(str(info.value))
    assert errors[1] == errors[0]


def test_buffer_assignment_registers_a_buffer():
    seen = []
    for lib in LIBS:
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(2, 2)
                self.scratch = nn.Buffer(lib.ones(2), persistent=False)
                self.stats = nn.Buffer(lib.zeros(3))

        model = Model()
        before = (list(model.state_dict()), [n for n, _ in model.named_buffers()], type(model.stats).__name__)
        model.scratch = nn.Buffer(lib.ones(2))
        after = list(model.state_dict())
        copied = list(copy.deepcopy(model).state_dict())
        model.double()
        seen.append((before, after, copied, str(model.stats.dtype).split(".")[-1],
                     isinstance(nn.Buffer(lib.ones(1)), lib.Tensor), nn.Buffer().shape == (0,),
                     nn.Buffer(lib.ones(1, requires_grad=True)).requires_grad))
    assert seen[1] == seen[0]


WITH_INDICES = [
    ("max_pool1d_with_indices", (3, 2, 1), (2, 3, 9)),
    ("max_pool2d_with_indices", (2,), (2, 3, 6, 6)),
    ("max_pool3d_with_indices", (2, 1), (1, 2, 4, 4, 4)),
    ("adaptive_max_pool1d_with_indices", (4,), (2, 3, 9)),
    ("adaptive_max_pool2d_with_indices", ((3, 2),), (2, 3, 6, 6)),
    ("adaptive_max_pool3d_with_indices", (2,), (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("name, args, shape", WITH_INDICES)
def test_with_indices_spellings_return_values_and_indices_as_torchs(name, args, shape):
    x = np.random.default_rng(5).standard_normal(shape)
    results = []
    for lib in LIBS:
        values, indices = getattr(lib.nn.functional, name)(lib.tensor(x), *args)  # (return_indices=False: still both)
        results.append((values.numpy(), indices.numpy()))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])


def test_fractional_max_pool_with_indices_spellings():
    x = np.random.default_rng(6).standard_normal((1, 2, 7, 7, 7))
    samples = np.random.default_rng(7).uniform(0, 1, (1, 2, 3))
    for spatial in (2, 3):
        results = []
        for lib in LIBS:
            fn = getattr(lib.nn.functional, f"fractional_max_pool{spatial}d_with_indices")
            data = lib.tensor(x[:, :, 0] if spatial == 2 else x)
            out = fn(data, 2, output_size=3, _random_samples=lib.tensor(samples[:, :, :spatial]))
            results.append([t.numpy() for t in out])
        for ours, theirs in zip(results[1], results[0]):
            np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("norm_type, kernel, stride, ceil", [(2, 2, None, False), (3, (2, 1, 2), 1, False),
                                                             (1.5, 3, 2, True)])
def test_lp_pool3d_and_LPPool3d_as_torchs(norm_type, kernel, stride, ceil):
    x = np.random.default_rng(8).uniform(0.1, 2, (2, 2, 5, 5, 5))
    results = []
    for lib in LIBS:
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.lp_pool3d(t, norm_type, kernel, stride, ceil)
        module_out = lib.nn.LPPool3d(norm_type, kernel, stride, ceil)(t)
        out.sum().backward()
        results.append((out.detach().numpy(), module_out.detach().numpy(), t.grad.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_deprecated_NLLLoss2d_and_Container_as_torchs():
    x = np.log(np.random.default_rng(9).dirichlet(np.ones(4), size=(6,)))
    results = []
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.NLLLoss2d(reduction="sum")(lib.tensor(x), lib.tensor([0, 1, 2, 3, 1, 0]))
            box = lib.nn.Container(a=lib.nn.Linear(2, 3), b=lib.nn.ReLU())
        results.append((loss.item(), [(w.category, str(w.message)) for w in caught], list(box._modules),
                        [tuple(p.shape) for p in box.parameters()]))
    assert results[1] == results[0]
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        assert isinstance(mt.nn.NLLLoss2d(), mt.nn.NLLLoss)


def test_uninitialized_parameter_and_buffer_are_nn_names():
    for lib in LIBS:
        p, b = lib.nn.UninitializedParameter(), lib.nn.UninitializedBuffer()
        p.materialize((2, 3))
        b.materialize((4,))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        assert type(b) is lib.Tensor and tuple(b.shape) == (4,) and not b.requires_grad


def test_functional_conv_tbc_and_native_channel_shuffle_are_the_top_level_ones():
    assert mt.nn.functional.conv_tbc is mt.conv_tbc
    assert mt.nn.functional.native_channel_shuffle is mt.native_channel_shuffle
    assert torch.nn.functional.conv_tbc is torch.conv_tbc
