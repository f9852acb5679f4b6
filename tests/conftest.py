"""Test configuration: Hypothesis profiles and the devices every property test runs on.

Profiles (``HYPOTHESIS_PROFILE`` or ``--hypothesis-profile``): ``ci`` (deterministic: each item seeded from its
node id; no example database, few examples: the default), ``dev`` and ``nightly``. ``examples(ci, full)`` gives a
property test its count per profile, and under ``ci`` the items on ``npx`` run a third of their test's examples.

Devices: ``cpu`` always; ``cuda`` when CuPy sees a GPU (marked ``cuda``, skipped
with a reason otherwise); ``npx``, a backend written from the contract alone (on NumPy
arrays) and registered here under its own device type (proof that the contract suffices); and every
device type named in ``MICROTORCH_TEST_DEVICES`` (comma-separated).
"""
from __future__ import annotations

import hashlib
import os

import numpy
import pytest
import torch
from hypothesis import HealthCheck, seed, settings

import microtorch

settings.register_profile(
    "ci", max_examples=12, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "dev", max_examples=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "nightly", max_examples=500, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# torch is the reference every test compares with, on many tiny tensors: its idle OpenMP threads spin and, on a
# 2-core machine that also runs microtorch's pool, BLAS and other jobs, make a tiny conv2d and its backward take
# ~20 ms instead of ~0.2 ms. One thread computes the same references (subprocesses and DataLoader workers set
# their own).
torch.set_num_threads(1)


class ContractBackend(microtorch.backends.Backend):
    """A backend written from the contract alone (``microtorch.backends.Backend``: its abstract methods and
    documented attributes, nothing of NumpyBackend's), on NumPy arrays, under the device type "npx". The
    whole suite runs on it, which proves the contract is enough for a third-party array library."""

    xp = numpy

    def __init__(self) -> None:
        self._generator = numpy.random.default_rng(0)

    def asarray(self, data, dtype=None, index=None, copy=None):
        return numpy.array(data, dtype=dtype, copy=copy)

    def to_numpy(self, array):
        return array

    def manual_seed(self, seed: int) -> None:
        self._generator = numpy.random.default_rng(seed)

    def new_generator(self, seed=None, index=None):
        return numpy.random.default_rng(seed)

    def default_generator(self, index):
        return self._generator

    def special_function(self, name: str):
        import scipy.special

        return getattr(scipy.special, name)


microtorch.backends.register_backend("npx", ContractBackend())


def _cuda_unavailable_reason() -> str | None:
    try:
        microtorch.backends.get_backend("cuda")
    except RuntimeError as e:  # says whether CuPy or the GPU is missing
        return f"the cuda backend is not tested here: {e}"
    return None


CUDA_SKIP_REASON = _cuda_unavailable_reason()


def device_params() -> list:
    params = [pytest.param("cpu", id="cpu")]
    marks = [pytest.mark.cuda] + ([pytest.mark.skip(reason=CUDA_SKIP_REASON)] if CUDA_SKIP_REASON else [])
    params.append(pytest.param("cuda", id="cuda", marks=marks))
    params.append(pytest.param("npx", id="npx"))
    for name in filter(None, (d.strip() for d in os.environ.get("MICROTORCH_TEST_DEVICES", "").split(","))):
        if name not in ("cpu", "cuda", "npx"):
            params.append(pytest.param(name, id=name))
    return params


DEVICES = device_params()


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    """Each device the suite tests (cpu, cuda when present, registered ones)."""
    return request.param


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests that change grad mode or the default dtype/device must not leak it."""
    default_device = microtorch._device._default.device
    yield
    microtorch.autograd.grad_mode.state.enabled = True
    microtorch.autograd.grad_mode.state.inference = False
    microtorch.set_default_dtype(microtorch.float32)
    microtorch._device._default.device = default_device


# Hypothesis's pytest plugin wraps a parametrized test's settings in new settings, with the previous ones
# as parent, once per item (in its pytest_runtest_call); a test with ~1000 parameter sets (the op table x dtypes x devices) then hits
# Python's recursion limit when the chain is read. Restore the test's own settings
# before each item, so the plugin wraps them once.
_OWN_SETTINGS: dict = {}


def pytest_collection_modifyitems(items: list) -> None:
    for item in items:
        fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        if hasattr(fn, "_hypothesis_internal_use_settings"):
            _OWN_SETTINGS.setdefault(fn, fn._hypothesis_internal_use_settings)


def pytest_runtest_setup(item) -> None:  # before the plugin's wrapping, in pytest_runtest_call
    fn = getattr(item.obj, "__func__", item.obj)
    if fn in _OWN_SETTINGS:
        if settings.get_current_profile_name() == "ci" and item.config.getoption("--hypothesis-seed") is None:
            _seed_from_the_node_id(item, fn)
        fn._hypothesis_internal_use_settings = _item_settings(item, _OWN_SETTINGS[fn])


def _seed_from_the_node_id(item, fn) -> None:
    """Under ``ci``, each item's examples come from a seed made of its node id (the same in every run), and no
    database key is made (``ci`` has no database). Derandomized Hypothesis would hash the test function's cleaned
    source twice per item for these (``function_digest``: 3-10 ms each), ~40 s over the op-table suites.
    (``--hypothesis-seed`` on the command line still seeds every item with its value.)"""
    seed(int.from_bytes(hashlib.sha256(item.nodeid.encode()).digest()[:8], "little"))(fn)
    fn._hypothesis_internal_database_key = None


def examples(ci: int, full: int | None = None) -> int:
    """A property test's example count: ``ci`` under the ``ci`` profile (the default run); under the others
    ``full`` (the profile's own count when not given)."""
    if settings.get_current_profile_name() == "ci":
        return ci
    return settings.default.max_examples if full is None else full


def _item_settings(item, own: settings) -> settings:
    """Under ``ci``, a property test's items on ``npx`` run a third of its examples (at least 2: Hypothesis's first
    example is the simplest input, zeros of shape ()): ``npx`` runs the ops that ``cpu`` checks with every example,
    on the contract's default kernels, which a few examples reach. The other profiles run every device in full."""
    callspec = getattr(item, "callspec", None)
    if settings.get_current_profile_name() != "ci" or callspec is None or callspec.params.get("device") != "npx":
        return own
    return settings(own, max_examples=max(2, own.max_examples // 3))
