"""``microtorch.random``: the default generator's seed and state, and ``fork_rng`` (``torch.random``).

A state is the uint8 tensor ``Generator.get_state`` returns: for the cpu generators (NumPy's PCG64) the bit
generator's own description as JSON bytes (padded to 256), so restoring one from a checkpoint runs no code. It is not torch's
Mersenne Twister state: states do not move between the libraries (seeds do, but draw different numbers).
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Iterable, Iterator

from ._creation import Generator, default_generator, manual_seed
from ._tensor import Tensor


def get_rng_state() -> Tensor:
    """The cpu generator's state as a uint8 tensor (``torch.get_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the cpu generator to a state ``get_rng_state`` returned (``torch.set_rng_state``)."""
    default_generator.set_state(new_state)


def initial_seed() -> int:
    """The seed the cpu generator was last seeded with (``torch.initial_seed``)."""
    return default_generator.initial_seed()


def seed() -> int:
    """Seed every device's generator from the operating system's entropy; returns the seed (``torch.seed``)."""
    value = default_generator.seed()
    manual_seed(value)
    return value


_fork_rng_warned_already = False


@contextlib.contextmanager
def fork_rng(devices: Iterable[int] | None = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None) -> Iterator[None]:
    """Inside, draw freely: on leaving, the cpu generator (and those of ``devices`` of ``device_type``, by default
    every device of the accelerator) are back in the state they had on entering (``torch.random.fork_rng``)."""
    global _fork_rng_warned_already
    if device_type == "meta" or not enabled:
        yield
        return
    from . import accelerator, get_device_module

    current = accelerator.current_accelerator()
    device_type = device_type or (current.type if current is not None else "cuda")
    module: Any = None if device_type == "cpu" else get_device_module(device_type)  # (cpu: forked below in any case)
    if module is None:
        devices = []
    elif devices is None:
        count = module.device_count()
        if count > 1 and not _fork_rng_warned_already:
            warnings.warn(f"{device_type.upper()} reports that you have {count} available devices, and you have "
                          f"used {_caller} without explicitly specifying which devices are being used: every one is "
                          f"forked; set the '{_devices_kw}' keyword argument of {_caller} to the devices you use "
                          "(devices=[] for the cpu only)", stacklevel=3)
            _fork_rng_warned_already = True
        devices = range(count)
    devices = list(devices)
    cpu_state = get_rng_state()
    device_states = [module.get_rng_state(device) for device in devices]
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        for device, state in zip(devices, device_states):
            module.set_rng_state(state, device)


__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]
