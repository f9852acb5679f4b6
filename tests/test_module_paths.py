"""Every public name microtorch has lives at torch's module path, so ``from torch.X.Y import Z`` runs with the
import changed (``from microtorch.nn.modules.batchnorm import BatchNorm2d``,
``from microtorch.utils.data.dataloader import get_worker_info``, ...).

The expected paths come from torch itself, not from a list written here: for every public module of
microtorch's ``nn``, ``optim``, ``utils``, ``autograd``, ``distributions`` and ``amp`` trees that torch also
has, each public name both libraries share must be importable from the module that torch's object names as
its ``__module__``, and every name of that torch module's ``__all__`` that microtorch's namespace offers must
be importable from microtorch's module of the same path. New modules (``nn.modules.rnn``, ``nn.parallel``,
...) and new names are picked up as they appear.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
import torch

import microtorch

# microtorch's namespaces that mirror torch's, module by module (those not built yet are skipped). Not yet
# microtorch.distributed: its collectives are not importable from distributed_c10d, torch's module for them.
ROOTS = ("microtorch.nn", "microtorch.optim", "microtorch.utils", "microtorch.autograd", "microtorch.distributions",
         "microtorch.amp")

# (torch module path, name): why microtorch may not serve the name there yet. An entry only excuses a
# missing name: once the name is there, the test checks it like any other.
EXCEPTIONS = {
    ("torch.utils.hooks", "RemovableHandle"):
        "microtorch.utils.hooks arrives with the optim branch (issue 13), which moves RemovableHandle there",
}


def _public_modules() -> list[str]:
    names = []
    for root in ROOTS:
        try:
            package = importlib.import_module(root)
        except ImportError:
            continue
        names.append(root)
        for info in pkgutil.walk_packages(package.__path__, root + "."):
            if not any(part.startswith("_") for part in info.name.split(".")[1:]):
                names.append(info.name)
    return names


def _torch_twin(name: str):
    try:
        return importlib.import_module("torch" + name.removeprefix("microtorch"))
    except ImportError:
        return None


def _public_names(module) -> list[str]:
    """``__all__``, or else the public names of what the module itself defines."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__]
    return list(names)


def _expected_path(obj) -> str | None:
    """The microtorch module path torch's object says it comes from (None: a C extension's, or none)."""
    if inspect.ismodule(obj):
        return None
    path = getattr(obj, "__module__", None)
    if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not isinstance(path, str):
        return None
    if path.split(".")[0] != "torch" or "_C" in path.split("."):
        return None
    return "micro" + path


def _cases() -> list:
    cases, seen = [], set()
    for name in _public_modules():
        ours, theirs = importlib.import_module(name), _torch_twin(name)
        if theirs is None:
            continue
        for public in _public_names(ours):
            if not hasattr(theirs, public):
                continue
            obj = getattr(theirs, public)
            if inspect.ismodule(obj):  # a submodule (nn.functional, optim.lr_scheduler): the module itself
                path = "micro" + obj.__name__ if obj.__name__.startswith("torch.") else None
            else:
                path = _expected_path(obj)
            if path is not None and (path, public) not in seen:
                seen.add((path, public))
                cases.append(pytest.param(name, public, path, id=f"{path}.{public}"))
    return cases


def _all_cases() -> list:
    """Names of each torch module's ``__all__`` that microtorch's enclosing namespace offers."""
    cases = []
    for name in _public_modules():
        theirs, ours = _torch_twin(name), importlib.import_module(name)
        # the namespace users import from: the package itself, or the package holding the module
        namespace = ours if hasattr(ours, "__path__") else importlib.import_module(name.rpartition(".")[0])
        if theirs is None or not isinstance(getattr(theirs, "__all__", None), (list, tuple)):
            continue
        offered = set(_public_names(namespace))
        for public in theirs.__all__:
            if public in offered and not inspect.ismodule(getattr(namespace, public)):
                cases.append(pytest.param(name, public, id=f"{name}.{public}"))
    return cases


CASES, ALL_CASES = _cases(), _all_cases()


def test_the_tables_cover_the_modules_this_issue_asked_for():
    paths = {case.values[2] for case in CASES}
    for path in ("microtorch.nn.modules.linear", "microtorch.nn.modules.conv", "microtorch.nn.modules.activation",
                 "microtorch.nn.modules.loss", "microtorch.nn.modules.pooling", "microtorch.nn.modules.batchnorm",
                 "microtorch.nn.modules.normalization", "microtorch.nn.modules.dropout",
                 "microtorch.nn.modules.sparse", "microtorch.nn.modules.container", "microtorch.nn.modules.flatten",
                 "microtorch.nn.modules.module", "microtorch.nn.parameter", "microtorch.optim.adamw",
                 "microtorch.utils.data.dataloader", "microtorch.utils.data.dataset", "microtorch.utils.data.sampler",
                 "microtorch.utils.data._utils.collate", "microtorch.utils.data._utils.worker"):
        assert path in paths
    assert len(CASES) > 150 and len(ALL_CASES) > 60


@pytest.mark.parametrize("namespace,name,path", CASES)
def test_name_lives_at_torchs_module_path(namespace, name, path):
    ours = getattr(importlib.import_module(namespace), name)
    if inspect.ismodule(ours):
        assert ours is importlib.import_module(path)
        return
    try:
        module = importlib.import_module(path)
    except ImportError:
        module = None
    if not hasattr(module, name) and (path.removeprefix("micro"), name) in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[(path.removeprefix("micro"), name)])
    assert hasattr(module, name), f"torch has {name} in {path.removeprefix('micro')}; microtorch lacks {path}.{name}"
    assert getattr(module, name) is ours


@pytest.mark.parametrize("module_name,name", ALL_CASES)
def test_torch_modules_all_names_import_from_the_same_path(module_name, name):
    module = importlib.import_module(module_name)
    assert hasattr(module, name), f"from {module_name.removeprefix('micro')} import {name} works in torch"


def test_utils_data_public_paths():
    from microtorch.utils.data import get_worker_info as from_package
    from microtorch.utils.data._utils.collate import default_collate
    from microtorch.utils.data.dataloader import DataLoader, default_convert, get_worker_info

    assert from_package is get_worker_info and get_worker_info() is None
    assert DataLoader is microtorch.utils.data.DataLoader and default_collate is microtorch.utils.data.default_collate
    assert default_convert is microtorch.utils.data.default_convert
    assert microtorch.nn.BatchNorm2d.__module__ == torch.nn.BatchNorm2d.__module__.replace("torch", "microtorch", 1)
