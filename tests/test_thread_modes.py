"""Global modes per thread where torch's are (grad mode, inference mode, the default device, what
drawings record) and process-wide where torch's are (anomaly mode, the default dtype)."""
from __future__ import annotations

import sys
import threading

import pytest
import torch

import microtorch as mt
from microtorch import viz
from microtorch.autograd.function import drawing


@pytest.fixture(autouse=True)
def _switch_threads_often():
    """Threads interleave every few bytecodes, so a shared flag would be seen by the other thread."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _run_in_threads(*targets) -> None:
    errors = []

    def guarded(fn):
        try:
            fn()
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(fn,)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _make_model_and_data(seed: int):
    mt.manual_seed(seed)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 1))
    x, y = mt.randn(16, 4), mt.randn(16, 1)
    return model, x, y


def _train(model, x, y, steps: int, losses: list) -> None:
    opt = mt.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())


def _evaluate(model, x, steps: int, outputs: list) -> None:
    for _ in range(steps):
        with mt.no_grad():
            out = model(x)
        assert out.grad_fn is None
        outputs.append(out.sum().item())


def test_two_threads_training_beside_a_no_grad_evaluator_match_sequential_runs():
    steps = 60
    setups = [_make_model_and_data(seed) for seed in (0, 1, 2)]
    expected = [[], [], []]
    _train(*setups[0], steps, expected[0])
    _train(*setups[1], steps, expected[1])
    _evaluate(setups[2][0], setups[2][1], steps, expected[2])

    setups = [_make_model_and_data(seed) for seed in (0, 1, 2)]
    got = [[], [], []]
    _run_in_threads(
        lambda: _train(*setups[0], steps, got[0]),
        lambda: _train(*setups[1], steps, got[1]),
        lambda: _evaluate(setups[2][0], setups[2][1], steps, got[2]),
    )
    assert got == expected
    assert mt.is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_leave_grad_mode_on():
    inside = threading.Barrier(2)
    leave_first = threading.Event()
    seen = {}

    def first():
        with mt.no_grad():
            inside.wait()
            leave_first.wait()  # leaves while the second thread is still inside
        seen["first"] = mt.is_grad_enabled()

    def second():
        with mt.no_grad():
            inside.wait()
            leave_first.set()
            seen["second_inside"] = mt.is_grad_enabled()
        seen["second"] = mt.is_grad_enabled()

    _run_in_threads(first, second)
    assert seen == {"first": True, "second_inside": False, "second": True}
    assert mt.is_grad_enabled()
    a = mt.ones(2, requires_grad=True)
    assert (a * 2).requires_grad


def _modes_seen_by_a_new_thread(lib) -> dict:
    seen = {}

    def probe():
        seen.update(grad=lib.is_grad_enabled(), inference=lib.is_inference_mode_enabled(),
                    anomaly=lib.is_anomaly_enabled(), device=str(lib.get_default_device()),
                    dtype=str(lib.get_default_dtype()).split(".")[-1])

    _run_in_threads(probe)
    return seen


def test_which_modes_a_new_thread_sees_are_torchs():
    """Grad mode, inference mode and the default device are per thread; anomaly mode and the default
    dtype are process-wide: a thread started inside each mode sees what torch's sees."""
    seen = {}
    for lib, other_device in ((torch, "meta"), (mt, "npx")):
        lib.set_default_dtype(lib.float64)
        lib.set_default_device(other_device)
        lib.autograd.set_detect_anomaly(True)
        try:
            with lib.no_grad(), lib.inference_mode():
                assert not lib.is_grad_enabled() and lib.is_inference_mode_enabled()
                seen[lib.__name__] = _modes_seen_by_a_new_thread(lib)
        finally:
            lib.autograd.set_detect_anomaly(False)
            lib.set_default_device(None)
            lib.set_default_dtype(lib.float32)
    assert seen["microtorch"] == seen["torch"] == {
        "grad": True, "inference": False, "anomaly": True, "device": "cpu", "dtype": "float64"}


def test_inference_mode_false_turns_recording_on_as_torch():
    for lib in (torch, mt):
        with lib.no_grad(), lib.inference_mode(False):
            assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            with lib.inference_mode(False):
                assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
            assert not lib.is_grad_enabled() and lib.is_inference_mode_enabled()
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


def test_default_device_set_in_one_thread_does_not_reach_another():
    set_in_thread = threading.Event()
    other_done = threading.Event()
    made = {}

    def setter():
        mt.set_default_device("npx")
        set_in_thread.set()
        other_done.wait()
        made["setter"] = str(mt.zeros(1).device)

    def other():
        set_in_thread.wait()
        made["other"] = str(mt.zeros(1).device)
        other_done.set()

    _run_in_threads(setter, other)
    assert made == {"setter": "npx:0", "other": "cpu"}
    assert mt.get_default_device() == mt.device("cpu")


def test_module_names_recorded_for_drawings_stay_in_their_thread():
    """An op recorded in one thread is not attributed to a Module running in another."""
    inside = threading.Event()
    recorded = threading.Event()
    nodes = {}

    class Waits(mt.nn.Module):
        def forward(self, x):
            inside.set()
            recorded.wait()
            return x * 2

    def in_module():
        nodes["module"] = Waits()(mt.ones(1, requires_grad=True)).grad_fn

    def outside():
        inside.wait()
        with viz.record_details():
            nodes["plain"] = (mt.ones(1, requires_grad=True) + 1).grad_fn
        recorded.set()

    _run_in_threads(in_module, outside)
    assert getattr(nodes["plain"], "module", None) is None
    assert type(nodes["module"].module).__name__ == "Waits"
    assert drawing.module_stack == [] and drawing.details is False
