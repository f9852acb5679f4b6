"""``microtorch.nn.parallel``: ``DistributedDataParallel`` (bucketed all-reduce during backward, over
``microtorch.distributed``) and ``DataParallel`` (torch's single-device behaviour)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
