"""``use_deterministic_algorithms`` and its queries, and ``empty``'s fill in deterministic mode, against torch.
(The cuda backend's ordered scatter-adds: tests/test_fake_gpu.py.)"""
import numpy as np
import pytest
import torch

import microtorch as mt


@pytest.fixture(autouse=True)
def _restore_the_setting():
    yield
    for lib in (torch, mt):
        lib.use_deterministic_algorithms(False)
        lib.utils.deterministic.fill_uninitialized_memory = True


def _report(lib) -> tuple:
    return (lib.are_deterministic_algorithms_enabled(), lib.is_deterministic_algorithms_warn_only_enabled(),
            lib.get_deterministic_debug_mode())


def _outcome(call):
    try:
        call()
    except (TypeError, RuntimeError) as e:
        return type(e).__name__, str(e)
    return "ok"


CALLS = [
    ("use", (True,), {}), ("use", (True,), {"warn_only": True}), ("use", (False,), {"warn_only": True}),
    ("use", (False,), {}), ("use", (1,), {}), ("use", ("x",), {}), ("use", (None,), {}),
    ("use", (False,), {"warn_only": 1}),
] + [("debug", (v,), {}) for v in (2, 1, 0, "error", "warn", "default", True, 3, -1, "WARN", "x", 1.0, None)]


@pytest.mark.parametrize("name, args, kwargs", CALLS, ids=[f"{n}{a}{k or ''}" for n, a, k in CALLS])
def test_each_call_answers_and_reports_as_torch(name, args, kwargs):
    results = []
    for lib in (torch, mt):
        lib.use_deterministic_algorithms(True)  # (a set state first: refused calls must leave it)
        function = lib.use_deterministic_algorithms if name == "use" else lib.set_deterministic_debug_mode
        results.append((_outcome(lambda: function(*args, **kwargs)), _report(lib)))
    assert results[1] == results[0]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int8", "int32", "int64", "uint8", "bool"])
def test_empty_is_filled_in_deterministic_mode_as_torch(dtype):
    made = []
    for lib in (torch, mt):
        lib.use_deterministic_algorithms(True)
        d = getattr(lib, dtype)
        base = lib.ones(2, dtype=d)
        made.append([t.tolist() for t in (lib.empty(3, dtype=d), lib.empty_like(base), base.new_empty(2),
                                          lib.empty_strided((2,), (1,), dtype=d), lib.empty((2, 2), dtype=d))])
    assert repr(made[1]) == repr(made[0])  # (repr: nan == nan there)


def test_the_fill_can_be_turned_off_and_off_mode_leaves_memory_unfilled():
    from microtorch import _determinism

    mt.use_deterministic_algorithms(True)
    mt.utils.deterministic.fill_uninitialized_memory = False
    kept = np.ones(3)
    _determinism.fill_uninitialized(kept)
    assert kept.tolist() == [1.0, 1.0, 1.0]
    mt.utils.deterministic.fill_uninitialized_memory = True
    _determinism.fill_uninitialized(kept)
    assert np.isnan(kept).all()

    calls = []
    saved = _determinism.fill_uninitialized
    _determinism.fill_uninitialized = lambda a: calls.append(a.shape)
    try:
        mt.empty(5)
        mt.use_deterministic_algorithms(False)
        mt.empty(6)
    finally:
        _determinism.fill_uninitialized = saved
    assert calls == [(5,)]
    assert torch.utils.deterministic.fill_uninitialized_memory is True  # (torch's default, as ours)
