"""``torch.optim.adamw``'s path for :class:`AdamW` (written in ``adam.py``, next to the Adam it extends)."""
from .adam import AdamW

__all__ = ["AdamW"]
