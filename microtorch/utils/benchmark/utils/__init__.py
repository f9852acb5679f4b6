"""The modules of ``microtorch.utils.benchmark`` (``common``: Measurement; ``timer``: Timer), as torch's."""
from . import common, timer

__all__ = ["common", "timer"]
