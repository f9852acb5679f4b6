"""``Timer``: time a Python statement (``timeit``, ``blocked_autorange``, ``adaptive_autorange``), as torch's."""
from __future__ import annotations

import timeit as _timeit
from typing import Any, Callable

from .common import Measurement, TaskSpec

__all__ = ["Timer"]


class Timer:
    """Times ``stmt`` after ``setup`` in a namespace of ``globals`` (plus ``microtorch``), returning Measurements."""

    def __init__(self, stmt: str = "pass", setup: str = "pass", global_setup: str = "",
                 timer: Callable[[], float] = _timeit.default_timer, globals: dict | None = None,  # noqa: A002
                 label: str | None = None, sub_label: str | None = None, description: str | None = None,
                 env: str | None = None, num_threads: int = 1, language: Any = "python") -> None:
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language not in ("python", "py"):
            raise ValueError(f"Invalid language `{language}`: microtorch's Timer times Python statements.")
        import microtorch

        namespace = {"microtorch": microtorch, **(globals or {})}
        if global_setup:
            exec(global_setup, namespace)  # noqa: S102 - the user's own setup code, as torch's Timer
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=namespace)
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label, sub_label=sub_label,
                                   description=description, env=env, num_threads=num_threads)

    def _timeit(self, number: int) -> float:
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number: int = 1000000) -> Measurement:
        """One replicate of ``number`` runs (after a warm-up run)."""
        self._timeit(number=max(int(number // 100), 2))
        return Measurement(number_per_run=number, raw_times=[self._timeit(number=number)], task_spec=self._task_spec)

    def _estimate_block_size(self, min_run_time: float) -> int:
        """Runs per replicate so the timer's own overhead is negligible (also a warm-up)."""
        overheads = sorted(self._timeit(0) for _ in range(5))
        overhead = overheads[2]
        number = 1
        while True:
            time_taken = self._timeit(number)
            if overhead / time_taken <= 1e-4 and time_taken >= min_run_time / 1000 or time_taken > min_run_time:
                return number
            number *= 10

    def _measurement_loop(self, number: int, stop: Callable[[list], bool], min_run_time: float,
                          max_run_time: float | None = None, callback: Callable | None = None) -> list:
        total, times, can_stop = 0.0, [], False
        while total < min_run_time or not can_stop:
            spent = self._timeit(number)
            times.append(spent)
            total += spent
            if callback:
                callback(number, spent)
            can_stop = stop(times)
            if max_run_time and total > max_run_time:
                break
        return times

    def blocked_autorange(self, callback: Callable | None = None, min_run_time: float = 0.2) -> Measurement:
        """Replicates of a block of runs (sized to hide the timer's overhead) for at least ``min_run_time`` s."""
        number = self._estimate_block_size(min_run_time)
        times = self._measurement_loop(number, lambda _: True, min_run_time, callback=callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01, max_run_time: float = 10.0,
                           callback: Callable | None = None) -> Measurement:
        """Replicates until the IQR is within ``threshold`` of the median (or ``max_run_time`` is spent)."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop(times: list) -> bool:
            return len(times) > 3 and Measurement(number, times, self._task_spec).meets_confidence(threshold)

        times = self._measurement_loop(number, stop, min_run_time, max_run_time, callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)
