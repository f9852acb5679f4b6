"""Settable backend flags, as ``torch.backends.*`` has: an unknown name raises, as torch's."""
from __future__ import annotations

from typing import Any


class Flags:
    """A fixed set of named flags (``torch.backends.cuda.matmul.allow_tf32 = True``)."""

    def __init__(self, name: str, **flags: Any) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_flags", dict(flags))

    def __getattr__(self, key: str) -> Any:
        try:
            return self._flags[key]
        except KeyError:
            raise AttributeError(f"Unknown attribute {key}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        if key not in self._flags:
            raise AttributeError(f"Unknown attribute {key}")
        self._flags[key] = value

    def __repr__(self) -> str:
        return f"<{self._name} {self._flags}>"
