"""The generators' seeds and states (``get_rng_state``, ``Generator.get_state``, ``fork_rng``, ``seed``), each
behaviour checked to hold in torch too: states are each library's own, so what is compared is what a program
sees (the draws after a restore repeat, the seeds reported, the errors raised)."""
import io

import numpy as np

import pytest
import torch

import microtorch as mt

LIBS = [pytest.param(torch, id="torch"), pytest.param(mt, id="microtorch")]


def _draws(lib, generator=None):
    """One of each kind of draw, from ``generator`` (the default one if None)."""
    return [lib.rand(5, generator=generator), lib.randn(2, 3, generator=generator),
            lib.randint(0, 100, (6,), generator=generator), lib.randperm(7, generator=generator)]


def _same(a, b) -> bool:
    return all(x.dtype == y.dtype and bool((x == y).all()) for x, y in zip(a, b))


@pytest.mark.parametrize("lib", LIBS)
def test_restoring_the_cpu_state_repeats_the_draws(lib):
    lib.manual_seed(11)
    lib.rand(3)
    state = lib.get_rng_state()
    assert state.dtype == lib.uint8 and state.ndim == 1 and state.device.type == "cpu"
    first = _draws(lib) + [lib.nn.functional.dropout(lib.ones(50), 0.5)]
    lib.set_rng_state(state)
    again = _draws(lib) + [lib.nn.functional.dropout(lib.ones(50), 0.5)]
    assert _same(first, again)
    assert not _same(first, _draws(lib))  # (and the generator moves on from there)


@pytest.mark.parametrize("lib", LIBS)
def test_a_generator_state_restores_that_generator_only(lib):
    generator = lib.Generator().manual_seed(5)
    state = generator.get_state()
    first = _draws(lib, generator)
    lib.manual_seed(0)
    default_state = lib.get_rng_state()
    assert generator.set_state(state) is generator
    assert _same(first, _draws(lib, generator))
    assert bool((lib.get_rng_state() == default_state).all())


@pytest.mark.parametrize("lib", LIBS)
def test_a_state_survives_a_checkpoint(lib):
    lib.manual_seed(3)
    buffer = io.BytesIO()
    lib.save({"rng": lib.get_rng_state()}, buffer)
    first = _draws(lib)
    buffer.seek(0)
    lib.set_rng_state(lib.load(buffer, weights_only=True)["rng"])
    assert _same(first, _draws(lib))


@pytest.mark.parametrize("lib", LIBS)
def test_seeds_are_reported_as_torch(lib):
    assert lib.manual_seed(7) is lib.default_generator
    assert lib.initial_seed() == 7 and lib.random.initial_seed() == 7
    assert lib.default_generator.manual_seed(9) is lib.default_generator and lib.initial_seed() == 9
    assert lib.random.default_generator is lib.default_generator
    assert lib.Generator().initial_seed() == torch.Generator().initial_seed()
    seeds = {lib.seed() for _ in range(3)}
    assert len(seeds) == 3 and all(0 <= s < 2**64 for s in seeds)
    last = lib.seed()
    assert lib.initial_seed() == last
    lib.manual_seed(0)


@pytest.mark.parametrize("lib", LIBS)
def test_fork_rng_puts_the_state_back(lib):
    lib.manual_seed(2)
    state = lib.get_rng_state()
    for kwargs in ({}, {"devices": []}, {"device_type": "cuda"}):
        with lib.random.fork_rng(**kwargs):
            inside = lib.rand(4)
        assert bool((lib.get_rng_state() == state).all())
        assert bool((lib.rand(4) == inside).all())  # (the draws inside are the ones that follow the state)
        lib.set_rng_state(state)
    with lib.random.fork_rng(enabled=False):
        lib.rand(4)
    assert not bool((lib.get_rng_state() == state).all())
    lib.set_rng_state(state)
    with pytest.raises(ValueError, match="inside"):  # (restored on an exception too)
        with lib.random.fork_rng(devices=[]):
            lib.rand(4)
            raise ValueError("inside")
    assert bool((lib.get_rng_state() == state).all())


def test_fork_rng_of_the_cpu_only_and_of_an_unknown_device_type():
    """device_type='cpu': torch 2.13 fails inside (torch.cpu has no get_rng_state); microtorch forks the cpu
    generator, which it forks for every device type. An unknown type is refused in both."""
    state = mt.get_rng_state()
    with mt.random.fork_rng(device_type="cpu"):
        mt.rand(3)
    assert bool((mt.get_rng_state() == state).all())
    for lib in (torch, mt):
        with pytest.raises(RuntimeError):
            with lib.random.fork_rng(device_type="xyz"):
                pass


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("bad, error, message", [
    ("a float tensor", TypeError, "RNG state must be a torch.ByteTensor"),
    ("a list", TypeError, "expected a torch.ByteTensor, but got list"),
    ("None", TypeError, "expected a torch.ByteTensor, but got NoneType"),
    ("a strided state", RuntimeError, "RNG state must be contiguous"),
    ("three bytes", RuntimeError, "RNG state"),
])
def test_bad_states_are_refused_as_torch(lib, bad, error, message):
    state = lib.get_rng_state()
    value = {"a float tensor": lambda: state.float(), "a list": lambda: [1, 2], "None": lambda: None,
             "a strided state": lambda: state[::2], "three bytes": lambda: lib.zeros(3, dtype=lib.uint8)}[bad]()
    for setter in (lib.set_rng_state, lib.Generator().set_state):
        with pytest.raises(error, match=message):
            setter(value)
    assert bool((lib.get_rng_state() == state).all())  # (a refused state changes nothing)


def test_a_damaged_state_is_refused_naming_the_generator():
    state = bytearray(mt.get_rng_state().numpy().tobytes())
    damaged = mt.tensor(list(state.replace(b'"state"', b'"stale"')), dtype=mt.uint8)
    with pytest.raises(RuntimeError, match="PCG64 RNG state is damaged"):
        mt.set_rng_state(damaged)


def test_cuda_states_without_a_gpu_are_empty_lists_as_torch():
    if mt.cuda.is_available():
        pytest.skip("a GPU is present")
    assert mt.cuda.get_rng_state_all() == torch.cuda.get_rng_state_all() == []
    mt.cuda.set_rng_state_all([])


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_randn_as_torchs(dtype):
    """Complex standard normal draws: torch's dtype and shape, real and imaginary parts independent with variance
    1/2 each (|z|^2 has mean 1), reproducible from a generator; randn_like keeps the complex dtype."""
    theirs = torch.randn(3, 2, dtype=getattr(torch, dtype))
    ours = mt.randn(3, 2, dtype=getattr(mt, dtype))
    assert (str(ours.dtype).split(".")[1], tuple(ours.shape)) == (str(theirs.dtype).split(".")[1], tuple(theirs.shape))
    z = mt.randn(200_000, dtype=getattr(mt, dtype), generator=mt.Generator().manual_seed(3))
    parts = np.stack([z.real.numpy(), z.imag.numpy()]).astype(np.float64)
    error = 5 / np.sqrt(z.numel())  # five standard errors
    np.testing.assert_allclose(parts.mean(axis=1), 0.0, atol=error)
    np.testing.assert_allclose(parts.var(axis=1), 0.5, atol=5 * error)
    assert abs(np.corrcoef(parts)[0, 1]) < error
    again = mt.randn(200_000, dtype=getattr(mt, dtype), generator=mt.Generator().manual_seed(3))
    np.testing.assert_array_equal(again.numpy(), z.numpy())
    assert mt.randn_like(z[:4]).dtype == z.dtype
