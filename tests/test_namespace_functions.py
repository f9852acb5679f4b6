"""torch.* functions scripts call that sit outside the op table: ``unravel_index``, ``vander``, ``range``, ``ger``,
``linalg.matmul``, ``get_device_module``, ``set_warn_always``, ``set_flush_denormal``; values and errors as torch's."""
import warnings

import numpy as np
import pytest
import torch

import microtorch as mt
from helpers import assert_like_torch

LIBS = (torch, mt)

CALLS = {
    "unravel_index": lambda lib: lib.unravel_index(lib.tensor([4, 1, 7, 6, -1, -9]), (2, 4)),
    "unravel_index 0-d": lambda lib: lib.unravel_index(lib.tensor(5), (2, 3)),
    "unravel_index int shape": lambda lib: lib.unravel_index(lib.tensor([1, 5]), 6),
    "unravel_index Size": lambda lib: lib.unravel_index(lib.tensor([[1, 5]]), lib.ones(2, 3).shape),
    "vander": lambda lib: lib.vander(lib.tensor([1, 2, 3])),
    "vander N increasing": lambda lib: lib.vander(lib.tensor([1.5, 2.0, -3.0]), N=4, increasing=True),
    "vander bool": lambda lib: lib.vander(lib.tensor([True, False])),
    "vander N=0": lambda lib: lib.vander(lib.ones(2), N=0),
    "range": lambda lib: lib.range(1, 4, 0.5),
    "range ints": lambda lib: lib.range(0, 5, 2),
    "range dtype": lambda lib: lib.range(0, 3, dtype=lib.int64),
    "range down": lambda lib: lib.range(3, 0, -1),
    "ger": lambda lib: lib.ger(lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0, 5.0])),
    "Tensor.ger": lambda lib: lib.tensor([1.0, 2.0]).ger(lib.tensor([3.0, 4.0])),
    "linalg.matmul": lambda lib: lib.linalg.matmul(lib.ones(2, 3), lib.arange(3.0)),
}

ERRORS = {
    "unravel_index float": lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 3)),
    "unravel_index negative": lambda lib: lib.unravel_index(lib.tensor([1]), (2, -3)),
    "vander 2-D": lambda lib: lib.vander(lib.ones(2, 2)),
    "vander negative N": lambda lib: lib.vander(lib.ones(2), N=-1),
    "range zero step": lambda lib: lib.range(0, 3, 0),
    "range wrong sign": lambda lib: lib.range(3, 0),
    "get_device_module unknown": lambda lib: lib.get_device_module("xyz"),
    "get_device_module of an int": lambda lib: lib.get_device_module(0),
    "range of one argument": lambda lib: lib.range(3),
    **{f"generator {name}": call for name, call in {  # (a generator that is not one: torch's TypeError)
        "randn": lambda lib: lib.randn(2, generator="a"), "randint": lambda lib: lib.randint(3, (2,), generator=3),
        "randperm": lambda lib: lib.randperm(3, generator="a"), "poisson": lambda lib: lib.poisson(lib.ones(2), "a"),
        "bernoulli": lambda lib: lib.bernoulli(lib.ones(2) / 2, generator="a"),
        "multinomial": lambda lib: lib.multinomial(lib.ones(3), 2, generator="a"),
        "uniform_": lambda lib: lib.ones(2).uniform_(generator="a"),
        "exponential_": lambda lib: lib.ones(2).exponential_(generator=1.5),
        "init.trunc_normal_": lambda lib: lib.nn.init.trunc_normal_(lib.ones(2), generator="a"),
        "init.orthogonal_": lambda lib: lib.nn.init.orthogonal_(lib.ones(2, 2), generator="a"),
    }.items()},
}


def _as_list(result):
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("case", list(CALLS))
def test_values_as_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch.range's deprecation: test_range_warns)
        want, got = _as_list(CALLS[case](torch)), _as_list(CALLS[case](mt))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1] and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6)


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_as_torch(case):
    outcomes = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises((RuntimeError, TypeError, ValueError)) as info:
                ERRORS[case](lib)
        outcomes.append(info.type)
    assert outcomes[1] == outcomes[0]


def test_range_warns_as_torch():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="torch.range is deprecated"):
            lib.range(0, 2)


def test_device_modules_and_flags():
    for lib in LIBS:
        assert lib.get_device_module("cpu") is lib.cpu and lib.get_device_module(lib.device("cuda:0")) is lib.cuda
        if not lib.cuda.is_available():
            assert lib.get_device_module() is lib.cpu
        assert lib.is_warn_always_enabled() is False
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled() is True
        lib.set_warn_always(False)
    assert mt.set_flush_denormal(True) is False  # (not supported by NumPy: torch answers so without the feature)


def test_warn_always_repeats_the_jit_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt.jit.script(lambda x: x)  # (the first call gives the warning, whichever test made it)
    mt.set_warn_always(True)
    try:
        with pytest.warns(UserWarning, match="does not compile"):
            mt.jit.script(lambda x: x)
    finally:
        mt.set_warn_always(False)


def test_poisson_draws_and_errors_as_torch():
    for lib in LIBS:
        lib.manual_seed(0)
        rates = lib.tensor([0.0, 0.5, 3.5, 40.0], dtype=lib.float64).repeat(50000, 1)
        draws = lib.poisson(rates)
        assert draws.dtype == rates.dtype and draws.shape == rates.shape
        values = draws.numpy()
        assert (values == np.round(values)).all() and (values[:, 0] == 0).all()
        np.testing.assert_allclose(values.mean(0), [0.0, 0.5, 3.5, 40.0], atol=0.1)  # (mean and variance: the rate)
        np.testing.assert_allclose(values.var(0), [0.0, 0.5, 3.5, 40.0], rtol=0.05, atol=0.01)
        generator = lib.Generator().manual_seed(3)
        first = lib.poisson(lib.full((6,), 2.0), generator=generator)
        generator.manual_seed(3)
        assert bool((lib.poisson(lib.full((6,), 2.0), generator=generator) == first).all())
    for bad in (lambda lib: lib.poisson(lib.tensor([-1.0])), lambda lib: lib.poisson(lib.tensor([float("nan")])),
                lambda lib: lib.poisson(lib.tensor([1]))):
        assert_like_torch(bad)


def test_binomial_draws_edges_and_errors_as_torch():
    for lib in LIBS:
        lib.manual_seed(0)
        count = lib.tensor([0.0, 1.0, 7.0, 40.0], dtype=lib.float64).repeat(40000, 1)
        prob = lib.tensor([0.3, 0.5, 0.2, 0.9], dtype=lib.float64)
        draws = lib.binomial(count, prob.expand(40000, 4))
        values = draws.numpy()
        assert draws.dtype == lib.float64 and (values == np.round(values)).all() and (values[:, 0] == 0).all()
        n, p = np.array([0.0, 1.0, 7.0, 40.0]), prob.numpy()
        np.testing.assert_allclose(values.mean(0), n * p, atol=0.05)
        np.testing.assert_allclose(values.var(0), n * p * (1 - p), rtol=0.05, atol=0.01)
        generator = lib.Generator().manual_seed(3)
        first = lib.binomial(lib.full((6,), 9.0), lib.full((6,), 0.4), generator=generator)
        generator.manual_seed(3)
        assert bool((lib.binomial(lib.full((6,), 9.0), lib.full((6,), 0.4), generator=generator) == first).all())
    # the draws that are certain, and torch's treatment of odd parameters (floored and clipped counts, clipped
    # probabilities, nan for a nan probability or an infinite count), broadcast
    assert_like_torch(lambda lib: lib.binomial(lib.tensor([[2.5, 3.7, -2.0, 10.0, 4.0, 5.0, float("inf"), -2.0, 0.0]]),
                                               lib.tensor([1.0, 1.5, 0.5, -0.5, 0.0, float("nan"), 0.3, 1.0, 1.0])))
    for bad in (lambda lib: lib.binomial(lib.tensor([2]), lib.tensor([0.5])),
                lambda lib: lib.binomial(lib.tensor([2.0]), lib.tensor([1])),
                lambda lib: lib.binomial(lib.tensor([2.0], dtype=lib.float64), lib.tensor([0.5])),
                lambda lib: lib.binomial(lib.tensor([2.0]), lib.tensor([0.5], dtype=lib.float64)),
                lambda lib: lib.binomial([2.0], lib.tensor([0.5])),
                lambda lib: lib.binomial(lib.ones(2), lib.ones(3))):
        assert_like_torch(bad, same_message=False)


def test_frombuffer_shares_memory_and_checks_as_torch():
    import array

    for lib in LIBS:
        data = bytearray(np.array([1, 2, 3], dtype=np.int32).tobytes())
        whole = lib.frombuffer(data, dtype=lib.int32)
        part = lib.frombuffer(data, dtype=lib.int32, count=2, offset=4)
        assert whole.tolist() == [1, 2, 3] and part.tolist() == [2, 3]
        whole[0] = 7
        assert data[:4] == b"\x07\x00\x00\x00"  # (the tensor is the buffer's memory)
        doubles = lib.frombuffer(array.array("d", [1.5, 2.5]), dtype=lib.float64, requires_grad=True)
        assert doubles.tolist() == [1.5, 2.5] and doubles.requires_grad
        with warnings.catch_warnings(record=True) as caught:  # (torch warns once per process)
            warnings.simplefilter("always")
            assert lib.frombuffer(b"\x01\x00", dtype=lib.int16).tolist() == [1]
        assert lib is torch or any("not writable" in str(c.message) for c in caught)
    data = bytearray(12)
    for bad in (lambda lib: lib.frombuffer(data, dtype=lib.int32, offset=2),
                lambda lib: lib.frombuffer(data, dtype=lib.int32, count=5),
                lambda lib: lib.frombuffer(data, dtype=lib.int32, offset=-1),
                lambda lib: lib.frombuffer(data, dtype=lib.int32, offset=12),
                lambda lib: lib.frombuffer([1, 2], dtype=lib.int16),
                lambda lib: lib.frombuffer(bytearray(), dtype=lib.int32),
                lambda lib: lib.frombuffer(data, dtype=lib.int32, count=0)):
        assert_like_torch(bad)
