"""``Measurement``: the times a ``Timer`` took, with the median, IQR and torch's printed summary."""
from __future__ import annotations

import dataclasses
import math
import textwrap
from typing import Any, Iterable

__all__ = ["Measurement", "TaskSpec", "select_unit"]

_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """What a Timer measured (its statement, setup and labels)."""

    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The measurement's heading (its label or statement)."""
        """The label, or else the statement, as the measurement's heading."""
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {self.sub_label}" if self.sub_label else "")
        return f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n{textwrap.indent(self.stmt, '  ')}"

    def setup_str(self) -> str:
        """The setup line(s) of the summary ('' for none)."""
        if self.setup == "pass" or not self.setup:
            return ""
        return f"setup:\n{textwrap.indent(self.setup, '  ')}" if "\n" in self.setup else f"setup: {self.setup}"

    def summarize(self) -> str:
        """The task part of a Measurement's summary."""
        sections = [self.title, self.description or "", self.setup_str()]
        return "\n".join([f"{i}\n" if "\n" in i else i for i in sections if i])


_TASKSPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


def _quantile(sorted_values: tuple, q: float) -> float:
    """Linear interpolation between the closest ranks (torch.quantile's default)."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def select_unit(t: float) -> tuple:
    """The unit (ns, us, ms, s) that shows ``t`` seconds with an O(1) number, and its scale."""
    exponent = math.floor(math.log10(t) // 3) if t > 0 else -3
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(exponent, "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[unit]


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """Replicates of one timed statement: ``raw_times`` of ``number_per_run`` runs each."""

    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict | None = None

    def __getattr__(self, name: str) -> Any:
        if name in _TASKSPEC_FIELDS:
            return getattr(self.task_spec, name)
        return super().__getattribute__(name)

    @property
    def times(self) -> list:
        """The time of one run, per replicate."""
        return [t / self.number_per_run for t in self.raw_times]

    def _stats(self) -> tuple:
        values = tuple(sorted(self.times))
        return values, _quantile(values, 0.5), sum(values) / len(values), _quantile(values, 0.25), _quantile(values, 0.75)

    @property
    def median(self) -> float:
        """The median time of one run."""
        return self._stats()[1]

    @property
    def mean(self) -> float:
        """The mean time of one run."""
        return self._stats()[2]

    @property
    def iqr(self) -> float:
        """The interquartile range of the times of one run."""
        _, _, _, p25, p75 = self._stats()
        return p75 - p25

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        """Whether the IQR is below ``threshold`` of the median."""
        return self.iqr / self.median < threshold

    @property
    def has_warnings(self) -> bool:
        """Whether the IQR is over a tenth of the median (the summary then warns)."""
        return not self.meets_confidence(_IQR_WARN_THRESHOLD)

    @property
    def title(self) -> str:
        return self.task_spec.title

    def _warnings(self) -> list:
        if self.meets_confidence(_IQR_WARN_THRESHOLD):
            return []
        message = ("This suggests significant environmental influence." if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD)
                   else "This could indicate system fluctuation.")
        return [f"  WARNING: Interquartile range is {self.iqr / self.median * 100:.1f}% of the median measurement.\n"
                f"           {message}"]

    def __repr__(self) -> str:
        values, median, _, p25, p75 = self._stats()
        n = len(values)
        unit, scale = select_unit(median)
        lines = [object.__repr__(self), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f"  IQR:    {(p75 - p25) / scale:.2f} {unit} ({p25 / scale:.2f} to {p75 / scale:.2f})")
        threads = self.task_spec.num_threads
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {threads} thread{'s' if threads > 1 else ''}")
        lines.extend(self._warnings())
        return "\n".join(lines).strip()

    @staticmethod
    def merge(measurements: Iterable["Measurement"]) -> list:
        """Replicates of the same task pooled into one Measurement each (times per single run)."""
        groups: dict = {}
        for m in measurements:
            groups.setdefault(m.task_spec, []).extend(m.times)
        return [Measurement(1, times, spec) for spec, times in groups.items()]
