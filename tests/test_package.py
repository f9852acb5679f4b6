"""The package as users meet it: one version, a clean namespace, __all__ everywhere, the environment report."""
from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import microtorch

ROOT = Path(__file__).resolve().parents[1]


# modules that are torch namespaces of their own (``torch.cuda``, ``torch.nn.functional``, ...), besides the packages
NAMESPACE_MODULES = {"microtorch.cuda", "microtorch.serialization", "microtorch.nn.functional", "microtorch.nn.init"}


def _public_modules() -> list[str]:
    """The package, its public subpackages, and the namespace modules."""
    names = ["microtorch"]
    for info in pkgutil.walk_packages(microtorch.__path__, "microtorch."):
        public = not any(part.startswith("_") for part in info.name.split(".")[1:])
        if public and (info.ispkg or info.name in NAMESPACE_MODULES):
            names.append(info.name)
    return names


def test_version_comes_from_one_place():
    from microtorch.version import __version__

    assert microtorch.__version__ == __version__
    assert 'attr = "microtorch.version.__version__"' in (ROOT / "pyproject.toml").read_text()
    try:
        installed = importlib.metadata.version("microtorch-np")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the distribution microtorch-np is not installed (running from a checkout)")
    assert installed == __version__


def test_namespace_shows_no_helper_modules():
    assert not {"annotations", "builtins", "warnings", "types"} & set(dir(microtorch))
    assert "tensor" in microtorch.__all__ and "Tensor" in microtorch.__all__ and "nn" not in microtorch.__all__


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_module_declares_what_it_exports(name):
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), (list, tuple)), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it lacks: {missing}"
    leaked = [n for n in module.__all__ if isinstance(getattr(module, n), types.ModuleType)
              and getattr(module, n).__name__.split(".")[0] != "microtorch"]
    assert not leaked, f"{name}.__all__ exports foreign modules: {leaked}"


def test_license_and_typing_marker_ship():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "microtorch" / "py.typed").exists()
    assert 'license-files = ["LICENSE"]' in (ROOT / "pyproject.toml").read_text()


def test_environment_report():
    out = subprocess.run([sys.executable, "-m", "microtorch"], capture_output=True, text=True, timeout=120,
                         cwd=ROOT, check=True).stdout
    assert f"version: {microtorch.__version__}" in out
    for section in ("system:", "optional packages:", "thread settings:", "backend 'cpu':", "backend 'cuda':"):
        assert section in out
    assert "array library: numpy" in out
