"""``microtorch.nn``: modules, parameters, layers, losses, ``functional``, ``init`` and ``utils`` (torch's names)."""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _module_names
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from . import parallel
from .parallel import DataParallel

__all__ = ["Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter", "functional", "init", "utils"] + list(_module_names)
__all__ += ["parallel", "DataParallel"]
