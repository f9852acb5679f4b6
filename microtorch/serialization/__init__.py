"""``microtorch.save`` / ``microtorch.load``: checkpoints that never run code when loaded.

Three formats, told apart by their first bytes when loading:

* microtorch's own (the default for ``save``): a zip of ``.npy`` arrays and a JSON structure
  (``_microtorch_format.py``);
* safetensors (``save`` to a ``.safetensors`` path or with ``format="safetensors"``): a flat dict of
  tensors, read and written with NumPy alone (``_safetensors.py``);
* PyTorch's (``format="torch"`` to write one ``torch.load(weights_only=True)`` reads; files from
  ``torch.save``, zip or legacy, are read through an unpickler that allows only what torch's
  ``weights_only=True`` allows, see :func:`add_safe_globals`; ``_torch_pickle.py``).

Saving to a path is atomic and keeps the target's permissions and symlinks (``_files.py``).
"""
from __future__ import annotations

import os
from typing import Any, BinaryIO

from ._files import PathOrFile, corrupt, open_for_reading, write_atomically
from ._microtorch_format import MapLocation, is_microtorch_archive, load_archive, write_archive
from ._safetensors import looks_like_safetensors, read_metadata, read_safetensors, write_safetensors
from ._torch_pickle import (
    add_safe_globals, clear_safe_globals, get_safe_globals, is_torch_archive, load_torch_legacy, load_torch_zip,
    safe_globals, write_torch_zip,
)
from ._zip import open_zip

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals",
           "safetensors_metadata"]

_WRITERS = {"microtorch": write_archive, "safetensors": write_safetensors, "torch": write_torch_zip}


def save(obj: Any, f: PathOrFile, *, format: str | None = None) -> None:
    """Save ``obj`` (tensors, numbers, strings, None, bools, dtypes, devices, and dicts/lists/tuples of them,
    e.g. a ``state_dict``) to the path or binary file ``f``.

    ``format``: ``"microtorch"`` (the default), ``"safetensors"`` (the default for a ``.safetensors`` path;
    a flat dict of tensors) or ``"torch"`` (a file ``torch.load(weights_only=True)`` reads). Writing to a
    path is atomic: the previous file at ``f`` survives any failure midway, and keeps its permissions.
    """
    if format is None:
        is_path = not hasattr(f, "write")
        format = "safetensors" if is_path and os.fspath(f).endswith(".safetensors") else "microtorch"  # type: ignore[arg-type]  # (a path: no write)
    if format not in _WRITERS:
        raise ValueError(f"microtorch.save: unknown format {format!r}; choose one of {', '.join(_WRITERS)}")
    write = _WRITERS[format]
    if hasattr(f, "write"):
        write(obj, f)  # type: ignore[arg-type]  # (a file: it has write)
    else:
        write_atomically(f, lambda out: write(obj, out))


def load(f: PathOrFile, map_location: MapLocation = None, *, weights_only: bool | None = None,
         mmap: bool | None = None) -> Any:
    """Load a microtorch, safetensors or PyTorch checkpoint, without running any code from it.

    ``map_location`` moves tensors as torch's does: a device or device string (everything goes there),
    a dict from saved to wanted locations (``{'cuda:0': 'cpu'}``), or a callable
    ``fn(tensor_on_cpu, saved_location) -> tensor or None`` (None keeps the saved location).
    ``mmap=True`` memory-maps the tensors' bytes (copy-on-write: changing a tensor never changes the
    file) instead of reading them; ``f`` must then be a path. ``weights_only`` is accepted for torch
    compatibility: loading is always weights-only (``weights_only=False`` does not allow more).
    """
    if mmap and hasattr(f, "read"):
        raise ValueError("f must be a file path in order to use the mmap argument")
    with open_for_reading(f) as (source, name, path):
        head = source.read(16)
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(0)
        return _load_by_kind(source, head, size, name, map_location, path if mmap else None)


def _load_by_kind(source: BinaryIO, head: bytes, size: int, name: str, map_location: Any, mmap_path: str | None) -> Any:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        with open_zip(source, name) as zf:
            if is_microtorch_archive(zf):
                return load_archive(zf, name, map_location, mmap_path)
            if is_torch_archive(zf):
                return load_torch_zip(zf, name, map_location, mmap_path)
            raise RuntimeError(f"microtorch.load: {name} is a zip archive but neither a microtorch checkpoint "
                               "(no microtorch.json) nor a torch one (no <name>/data.pkl)")
    if looks_like_safetensors(head):
        return read_safetensors(source, name, size, map_location, mmap_path)
    if head[:1] == b"\x80":  # a pickle: torch's legacy format
        if mmap_path is not None:
            raise RuntimeError(f"microtorch.load: mmap=True needs a zip or safetensors checkpoint; {name} is in "
                               "torch's legacy format")
        return load_torch_legacy(source, name, map_location, size)
    if len(head) < 4:
        raise corrupt(name, f"it holds only {size} bytes")
    raise corrupt(name, "it is neither a zip archive (microtorch's or torch's format), a safetensors file nor a "
                        "torch pickle")


def safetensors_metadata(f: PathOrFile) -> dict:
    """The ``__metadata__`` of a safetensors file (a dict of strings; empty when it has none)."""
    with open_for_reading(f) as (source, name, _):
        source.seek(0, os.SEEK_END)
        size = source.tell()
        return read_metadata(source, name, size)


