"""Small training scripts in the style of PyTorch's tutorials and examples, one area each.

Each defines ``main(torch, init) -> list[float]``: the script's code written against ``torch``
(the real one or microtorch, passed in), ``init(module)`` setting a module's parameters to the same
values in both libraries, and the losses it printed. ``tests/test_tutorials.py`` runs each with both.
"""
# (The scripts reach submodules as attributes, ``nn = torch.nn``: an ``import torch.nn`` statement would
# always import the real torch, whichever library was passed in.)
