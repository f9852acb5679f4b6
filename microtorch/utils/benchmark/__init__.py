"""``torch.utils.benchmark``: ``Timer`` and ``Measurement`` (median, IQR, torch's summary) for timing code."""
from .utils.common import Measurement, select_unit
from .utils.timer import Timer

__all__ = ["Measurement", "Timer", "select_unit"]
