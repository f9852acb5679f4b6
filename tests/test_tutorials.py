"""The tutorial-style scripts of tests/tutorials/ run with torch and with microtorch from the same initial
weights; their losses must agree."""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
import torch

import microtorch
import tutorials

SCRIPTS = sorted(m.name for m in pkgutil.iter_modules(tutorials.__path__))
#: relative tolerance per script (float16 autocast differs in rounding from torch's CPU kernels)
TOLERANCE = {"mixed_precision": 2e-2}


def _init_for(lib):
    """Set every parameter of a module from one seeded NumPy generator, in named_parameters order."""
    def init(module):
        rng = np.random.RandomState(1234)
        with lib.no_grad():
            for _, p in module.named_parameters():
                fan_in = p.shape[-1] if p.dim() > 1 else p.shape[0]
                values = rng.uniform(-1.0, 1.0, size=tuple(p.shape)) / np.sqrt(fan_in)
                p.copy_(lib.tensor(values.astype("float32")))
    return init


def test_the_scripts_are_found():
    assert len(SCRIPTS) >= 5, SCRIPTS


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_losses_match_torch(name):
    script = importlib.import_module(f"tutorials.{name}")
    expected = script.main(torch, _init_for(torch))
    got = script.main(microtorch, _init_for(microtorch))
    assert len(got) == len(expected) > 3
    rtol = TOLERANCE.get(name, 1e-4)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 1e-2)
    assert len(set(np.round(expected, 6))) > 1  # the losses moved: the scripts really trained
