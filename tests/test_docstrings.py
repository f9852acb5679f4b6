"""Every public name has a docstring that ``help()`` shows: the ``__all__`` names of the package and its public
subpackages, every Tensor method and property, every Module, optimizer, scheduler and data class in
``nn``, ``optim`` and ``utils.data`` and their public methods.

A method counts as documented when ``inspect.getdoc`` finds a docstring, as ``help()`` does: a Module's
``forward`` without one of its own shows ``Module.forward``'s (the class docstring says what the layer
computes, as torch's layers do).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc
from typing import Any, Iterator

import pytest

import microtorch
from microtorch import Tensor, _tensor_docs

#: modules whose import fails by design, with the reason
_UNIMPORTABLE = {
    "microtorch.fx": "torch.fx is not supported: importing it raises ImportError saying so",
    "microtorch.onnx": "torch.onnx is not supported: importing it raises ImportError saying so",
}


def _public_modules() -> Iterator[Any]:
    yield microtorch
    for info in pkgutil.walk_packages(microtorch.__path__, "microtorch."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name in _UNIMPORTABLE:
            continue
        if info.name.endswith("__main__"):  # (the environment report's entry point, not an API)
            continue
        yield importlib.import_module(info.name)


def _documented(obj: Any) -> bool:
    return bool((inspect.getdoc(obj) or "").strip())


def _undocumented_names() -> list[str]:
    missing = []
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if inspect.ismodule(obj) or not (inspect.isclass(obj) or callable(obj)):
                continue  # submodules are walked themselves; constants (dtypes, numbers) have their type's doc
            if not _documented(obj):
                missing.append(f"{module.__name__}.{name}")
    return missing


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties ``cls`` defines itself."""
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            yield name, member
        elif callable(getattr(member, "__func__", member)):
            yield name, getattr(cls, name)


def _public_classes() -> list[type]:
    from microtorch import nn, optim
    from microtorch.optim import lr_scheduler
    from microtorch.utils import data

    classes: dict[type, None] = {}
    for namespace in (nn, optim, lr_scheduler, data):
        for name in namespace.__all__:
            obj = getattr(namespace, name)
            if inspect.isclass(obj):
                classes[obj] = None
    return list(classes)


def test_every_public_function_and_class_has_a_docstring() -> None:
    assert _undocumented_names() == []


def test_every_tensor_method_and_property_has_a_docstring() -> None:
    missing = [name for name, member in _members(Tensor) if not _documented(member)]
    assert missing == []
    assert len(list(_members(Tensor))) > 200


def test_modules_optimizers_and_their_methods_have_docstrings() -> None:
    classes = _public_classes()
    assert len(classes) > 150
    missing = [cls.__qualname__ for cls in classes if not _documented(cls)]
    missing += [f"{cls.__qualname__}.{name}" for cls in classes for name, member in _members(cls)
                if not _documented(member)]
    assert missing == []


def test_tensor_docs_has_no_stale_entries() -> None:
    """Each entry of _tensor_docs documents a Tensor member that has no docstring of its own."""
    assert microtorch._skipped_docs == []
    assert set(_tensor_docs.DOCS) <= set(vars(Tensor))


@pytest.mark.parametrize("name", ["sin", "exp", "matmul", "sum", "where", "einsum"])
def test_help_shows_the_summary(name: str) -> None:
    """``help(microtorch.<op>)`` shows the summary line; an op's says its gradient."""
    text = pydoc.render_doc(getattr(microtorch, name), renderer=pydoc.plaintext)
    summary = inspect.getdoc(getattr(microtorch, name)).splitlines()[0]
    assert summary in text
    assert "grad:" in inspect.getdoc(getattr(microtorch, name))


def test_generated_functions_take_the_methods_docstrings() -> None:
    assert microtorch.sin.__doc__ == Tensor.sin.__doc__
    assert microtorch.sin.__doc__.startswith("Sine. grad: g * cos(x)")
    assert microtorch.clip.__doc__ == Tensor.clamp.__doc__  # an alias shares its method's text
