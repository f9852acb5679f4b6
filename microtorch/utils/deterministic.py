"""``torch.utils.deterministic``: whether ``empty`` fills its memory while deterministic algorithms are asked for."""

#: with ``use_deterministic_algorithms(True)``, ``empty``, ``empty_like``, ``new_empty``, ... fill their memory (nan,
#: the largest integer, True) so that nothing reads leftover bytes; set False to skip the fill, as in torch
fill_uninitialized_memory = True

__all__ = ["fill_uninitialized_memory"]
