"""``RemovableHandle``: what every ``register_*_hook`` returns (``torch.utils.hooks``)."""
from __future__ import annotations

import itertools
from typing import Any


class RemovableHandle:
    """A handle on one registered hook: ``handle.remove()`` (or leaving a ``with`` block) unregisters it."""

    _next_id = itertools.count()

    def __init__(self, hooks: dict, *, extra_dict: dict | list | None = None) -> None:
        self.hooks, self.id = hooks, next(RemovableHandle._next_id)
        # extra dicts keyed by the same id (e.g. a hook's "with kwargs" flag) go when the hook goes
        self.extra_dicts = [] if extra_dict is None else extra_dict if isinstance(extra_dict, list) else [extra_dict]

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self.hooks.pop(self.id, None)
        for extra in self.extra_dicts:
            extra.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


__all__ = ["RemovableHandle"]
