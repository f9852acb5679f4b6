"""Test configuration: Hypothesis profiles and the devices every property test runs on.

Profiles (``HYPOTHESIS_PROFILE`` or ``--hypothesis-profile``): ``ci`` (derandomized,
no example database, few examples: the default), ``dev`` and ``nightly``.

Devices: ``cpu`` always; ``cuda`` when CuPy sees a GPU (marked ``cuda``, skipped
with a reason otherwise); and every device type named in
``MICROTORCH_TEST_DEVICES`` (comma-separated), e.g. a registered backend.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

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


def _cuda_unavailable_reason() -> str | None:
    try:
        import cupy  # noqa: F401
    except Exception:
        return "cupy is not installed: the cuda backend is not tested here (pip install microtorch[cuda])"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return "no GPU visible to cupy: the cuda backend is not tested here"
    except Exception as e:  # no driver
        return f"no usable GPU ({type(e).__name__}): the cuda backend is not tested here"
    if "cuda" not in microtorch.backends.registered_device_types():
        return "no backend is registered for 'cuda'"
    return None


def device_params() -> list:
    params = [pytest.param("cpu", id="cpu")]
    reason = _cuda_unavailable_reason()
    marks = [pytest.mark.cuda] + ([pytest.mark.skip(reason=reason)] if reason else [])
    params.append(pytest.param("cuda", id="cuda", marks=marks))
    for name in filter(None, (d.strip() for d in os.environ.get("MICROTORCH_TEST_DEVICES", "").split(","))):
        if name not in ("cpu", "cuda"):
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
    yield
    microtorch.autograd.grad_mode.enabled = True
    microtorch.set_default_dtype(microtorch.float32)
